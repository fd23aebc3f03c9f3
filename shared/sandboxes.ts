/**
 * The sandboxes the server runs, as the app reads them from disk: the types the IPC contract
 * carries and the check of a sandbox named by the window (the name rule is
 * namespace.ts's). No Node or Electron imports: the renderer may use these too.
 */
import { nameProblem } from './namespace.ts';

/**
 * - `running`: the database row says RUNNING and its supervisor is alive, ours, and really
 *   `msbrun supervisor` for this sandbox.
 * - `stale`: the row says RUNNING but the supervisor is gone or is some other process (a
 *   SIGKILLed supervisor, a crash or a reboot leaves such a row; upstream trusts it).
 * - `stopped`: the row says STOPPED.
 * - `defined`: named in the Sandboxfile, never started (no row).
 */
export type SandboxState = 'running' | 'stale' | 'stopped' | 'defined';

export const SANDBOX_STATES: readonly SandboxState[] = ['running', 'stale', 'stopped', 'defined'];

export interface SandboxInfo {
  readonly name: string;
  readonly state: SandboxState;
  /** From the row; null without a row. Kept on stopped and stale rows (upstream keeps old PIDs). */
  readonly supervisorPid: number | null;
  readonly microvmPid: number | null;
  /**
   * When the current run started (ms since the epoch), from the row's `modified_at`, for
   * `running` and `stale` rows. Null otherwise: upstream bumps `modified_at` again when it
   * writes STOPPED, so on a stopped row it is the stop time, not a start.
   */
  readonly startedAt: number | null;
  /** The microVM's resident memory in bytes, while running; else null. */
  readonly memoryBytes: number | null;
  /**
   * The microVM's CPU use in percent of one core over the interval since the previous sample
   * of the same process; null on the first look and when not running.
   */
  readonly cpuPercent: number | null;
  /** Sum of file sizes under the writable layer, while running; else null. */
  readonly diskBytes: number | null;
  /** The portal's host port from `portal.ports`; null when there is no entry. */
  readonly portalPort: number | null;
  /** `<ns>/.menv/log/Sandboxfile/<name>.log` when that file exists; else null. */
  readonly logPath: string | null;
}

export interface NamespaceInfo {
  readonly name: string;
  /** Why this namespace could not be read in full (a broken database, a bad Sandboxfile); else null. */
  readonly error: string | null;
  readonly sandboxes: readonly SandboxInfo[];
}

export interface SandboxesView {
  readonly namespacesDir: string;
  /** Sorted by name; sandboxes within a namespace too. Empty when the folder does not exist. */
  readonly namespaces: readonly NamespaceInfo[];
}

/** Which sandbox an action is for. */
export interface SandboxRef {
  readonly namespace: string;
  readonly name: string;
}

/** Validates an untrusted `{ namespace, name }` (from IPC); the problem, or null when both are valid. */
export function sandboxRefProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'Expected { namespace, name }.';
  const ref = value as Record<string, unknown>;
  return nameProblem(ref['namespace'], 'namespace') ?? nameProblem(ref['name'], 'sandbox');
}

// ---------------------------------------------------------------------------------------------
// What the window and the tray ask for and are told (the IPC payloads of the sandboxes channels),
// and the one rule for what each sandbox offers, shared by tray and window.

/** `sandboxes:stop`: one sandbox, or every one that runs. */
export type SandboxStopRequest = SandboxRef | { readonly all: true };

export interface SandboxStopFailure extends SandboxRef {
  readonly message: string;
}

export interface SandboxStopResult {
  /**
   * Asked to stop: their supervisors were signalled (by the server or by the app); they end a
   * moment later, and the pushed view shows it.
   */
  readonly stopped: readonly SandboxRef[];
  readonly failed: readonly SandboxStopFailure[];
  /**
   * Through the running server's `sandbox.stop`, by a SIGTERM to the confirmed supervisor, or neither
   * (nothing ran).
   */
  readonly via: 'server' | 'signal' | 'none';
}

/** `sandboxes:log-tail`. */
export interface SandboxLogRequest extends SandboxRef {
  readonly lines: number;
}

/** The last lines of a sandbox's log, scrubbed of secrets (no path: the window does not need it). */
export interface SandboxLogView extends SandboxRef {
  /** False when the sandbox has written no log yet. */
  readonly exists: boolean;
  readonly lines: readonly string[];
}

/** `event:sandbox-log`: lines appended to the log the window follows, scrubbed. */
export interface SandboxLogEvent extends SandboxRef {
  readonly lines: readonly string[];
}

/**
 * `sandboxes:watch`: what the window is looking at. While `visible`, memory and CPU are sampled
 * (every 2 s); `log` is the sandbox whose log is followed (`event:sandbox-log`), or null. Both
 * end when the window closes.
 */
export interface SandboxWatchRequest {
  readonly visible: boolean;
  readonly log: SandboxRef | null;
}

/** A sandbox with the namespace it belongs to. */
export interface LocatedSandbox extends SandboxInfo {
  readonly namespace: string;
}

/** Every running sandbox, namespace by namespace (stale rows are not running). */
export function runningSandboxes(view: SandboxesView | null): LocatedSandbox[] {
  if (view === null) return [];
  return view.namespaces.flatMap((ns) =>
    ns.sandboxes.filter((s) => s.state === 'running').map((s) => ({ ...s, namespace: ns.name })),
  );
}

export function findSandbox(view: SandboxesView | null, ref: SandboxRef): SandboxInfo | null {
  return view?.namespaces.find((ns) => ns.name === ref.namespace)?.sandboxes.find((s) => s.name === ref.name) ?? null;
}

/**
 * What a sandbox offers, in tray and window alike: Stop only while it runs (a stale row is
 * upstream's to clear: nothing that writes is offered for it), its log once it has one.
 */
export function sandboxActions(info: Pick<SandboxInfo, 'state' | 'logPath'>): {
  readonly stop: boolean;
  readonly log: boolean;
} {
  return { stop: info.state === 'running', log: info.logPath !== null };
}

/** `3 sandboxes running`, `1 sandbox running`; null for none. */
export function runningSummary(count: number): string | null {
  if (count <= 0) return null;
  return `${count} ${count === 1 ? 'sandbox' : 'sandboxes'} running`;
}

export function sameSandbox(a: SandboxRef | null, b: SandboxRef | null): boolean {
  return a !== null && b !== null && a.namespace === b.namespace && a.name === b.name;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 B`, `8.1 MiB`, `512 MiB`, `1.5 GiB`; a dash when unknown. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit] ?? 'B'}`;
}
