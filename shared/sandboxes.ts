/**
 * The sandboxes the server runs, as the app reads them from disk: the types the IPC contract
 * carries and the pure name rules. No Node or Electron imports: the renderer may use these too.
 */

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

const NAME_MAX_BYTES = 63;
const NAME_CHARS = /^[A-Za-z0-9_-]+$/;

/**
 * Why `name` is not a sandbox or namespace name msbserver accepts, or null when it is: 1–63
 * characters of `[A-Za-z0-9_-]`, starting with a letter or digit. Such a name is always a single,
 * harmless path component (no `/`, `\`, `.` or `..`, nothing hidden), so it is safe to join to a
 * folder. `*` is not a name here: it selects namespaces in a query and names no folder.
 */
export function sandboxNameProblem(name: unknown, what: 'sandbox' | 'namespace' = 'sandbox'): string | null {
  const label = what === 'sandbox' ? 'A sandbox name' : 'A namespace';
  if (typeof name !== 'string') return `${label} must be text.`;
  if (name === '') return `${label} cannot be empty.`;
  if (!NAME_CHARS.test(name)) return `${label} may contain only letters A–Z, digits, "_" and "-".`;
  if (!/^[A-Za-z0-9]/.test(name)) return `${label} must start with a letter or a digit.`;
  // Only ASCII is allowed above, so the length in characters is the length in bytes (upstream counts bytes).
  if (name.length > NAME_MAX_BYTES) return `${label} can be at most ${NAME_MAX_BYTES} characters long.`;
  return null;
}

export function isSandboxName(name: unknown): name is string {
  return sandboxNameProblem(name) === null;
}

/** Namespaces follow the same rules as sandbox names (upstream's validate_namespace). */
export function isNamespaceName(name: unknown): name is string {
  return sandboxNameProblem(name, 'namespace') === null;
}

/** Validates an untrusted `{ namespace, name }` (from IPC); the problem, or null when both are valid. */
export function sandboxRefProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'Expected { namespace, name }.';
  const ref = value as Record<string, unknown>;
  return sandboxNameProblem(ref['namespace'], 'namespace') ?? sandboxNameProblem(ref['name'], 'sandbox');
}
