/**
 * The runtime generation (microsandbox 0.3 and later) as the window and the tray see it: the
 * payload main pushes, the one rule for which actions a status allows, and the names the window
 * may act on. No Node or Electron imports: the renderer uses these too. The shapes match
 * `electron/core/runtime/api.ts` field for field, so the service's state is sent as it is.
 */
import type { GenerationSetting } from './settings-schema.ts';

export type Generation = 'runtime' | 'server' | 'none';

export interface RuntimeSandboxInfo {
  readonly name: string;
  /** As upstream spells it; unknown ones kept as they are. */
  readonly status: string;
  readonly image: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly cpus: number | null;
  readonly memoryMib: number | null;
  readonly ports: readonly string[];
}

export interface RuntimeMetricsInfo {
  readonly name: string;
  readonly cpuPercent: number | null;
  readonly memoryBytes: number | null;
  readonly memoryLimitBytes: number | null;
  readonly diskReadBytes: number | null;
  readonly diskWriteBytes: number | null;
  readonly netRxBytes: number | null;
  readonly netTxBytes: number | null;
  readonly uptimeSecs: number | null;
}

export type HostCheckState = 'ok' | 'warn' | 'fail';

export interface HostCheckInfo {
  readonly name: string;
  readonly state: HostCheckState;
  readonly detail: string;
  readonly fixes: readonly string[];
}

export interface HostReportInfo {
  readonly ok: boolean;
  readonly checks: readonly HostCheckInfo[];
}

export interface RuntimeContextInfo {
  readonly kind: string;
  readonly profile: string | null;
  readonly apiUrl: string | null;
}

export interface RuntimeStateInfo {
  readonly sandboxes: readonly RuntimeSandboxInfo[];
  readonly metrics: Readonly<Record<string, RuntimeMetricsInfo>>;
  readonly host: HostReportInfo | null;
  readonly context: RuntimeContextInfo | null;
  readonly capabilities: { readonly pause: boolean };
  readonly error: string | null;
  readonly listedAt: number | null;
}

export interface MicrosandboxNoteInfo {
  readonly code: string;
  readonly message: string;
  readonly fix: string;
}

/**
 * `event:runtime` / `runtime:state`: which generation the app drives and, in the runtime
 * generation, what `msb` shows. `state` is null in the server generation and before the first
 * listing.
 */
export interface RuntimeView {
  /** What the app drives now (the setting applied to what was found). */
  readonly generation: Generation;
  readonly setting: GenerationSetting;
  readonly msb: { readonly path: string; readonly version: string } | null;
  /** A 0.2 `msbserver` was found too (so the server generation is there to choose). */
  readonly serverFound: boolean;
  readonly notes: readonly MicrosandboxNoteInfo[];
  readonly state: RuntimeStateInfo | null;
}

/** Before anything was looked for. */
export const RUNTIME_UNKNOWN: RuntimeView = Object.freeze({
  generation: 'none',
  setting: 'automatic',
  msb: null,
  serverFound: false,
  notes: [],
  state: null,
});

/** The generation a setting picks from what was found: Automatic takes the runtime when its `msb` is there. */
export function chooseGeneration(setting: GenerationSetting, found: { runtime: boolean; server: boolean }): Generation {
  switch (setting) {
    case 'runtime':
      return 'runtime';
    case 'server':
      return 'server';
    case 'automatic':
      if (found.runtime) return 'runtime';
      return found.server ? 'server' : 'none';
  }
}

// ---------------------------------------------------------------------------------------------
// The one rule for what each status allows, shared by the tray and the window.

export type RuntimeActionName = 'stop' | 'start' | 'restart' | 'remove' | 'pause' | 'resume';

export const RUNTIME_ACTIONS: readonly RuntimeActionName[] = Object.freeze([
  'stop',
  'start',
  'restart',
  'remove',
  'pause',
  'resume',
]);

export const RUNTIME_STATUSES = ['Created', 'Starting', 'Running', 'Draining', 'Paused', 'Stopped', 'Crashed'] as const;
export type KnownRuntimeStatus = (typeof RUNTIME_STATUSES)[number];

export function isKnownRuntimeStatus(status: string): status is KnownRuntimeStatus {
  return (RUNTIME_STATUSES as readonly string[]).includes(status);
}

type ActionSet = Readonly<Record<RuntimeActionName, boolean>>;

const NONE: ActionSet = { stop: false, start: false, restart: false, remove: false, pause: false, resume: false };

/**
 * Per status, with pause and resume only where the installed `msb` has them (0.7):
 * - Running: Stop, Restart, Pause; Paused: Resume, Stop;
 * - Starting, Draining: Stop (a start or a stop under way can still be ended);
 * - Created: Start (cloud-only today: made, never started);
 * - Stopped, Crashed: Start and Remove (Remove only here: `msb rm` refuses a running one);
 * - any status upstream adds later: nothing that writes, until the app knows what it means.
 */
const BY_STATUS: Readonly<Record<KnownRuntimeStatus, (pause: boolean) => ActionSet>> = {
  Created: () => ({ ...NONE, start: true }),
  Starting: () => ({ ...NONE, stop: true }),
  Running: (pause) => ({ ...NONE, stop: true, restart: true, pause }),
  Draining: () => ({ ...NONE, stop: true }),
  Paused: (pause) => ({ ...NONE, stop: true, resume: pause }),
  Stopped: () => ({ ...NONE, start: true, remove: true }),
  Crashed: () => ({ ...NONE, start: true, remove: true }),
};

export function runtimeActions(status: string, capabilities: { readonly pause: boolean }): ActionSet {
  return isKnownRuntimeStatus(status) ? BY_STATUS[status](capabilities.pause) : NONE;
}

/** A sandbox process exists for this status (it counts as running and has live metrics). */
export function isRuntimeLive(status: string): boolean {
  return status === 'Running' || status === 'Draining' || status === 'Paused' || status === 'Starting';
}

// ---------------------------------------------------------------------------------------------
// Names from the window: only a sandbox in the current list is acted on.

/** Longer than any name upstream accepts; a longer one cannot be in the list. */
const NAME_MAX = 255;

/** Why an untrusted value is not a runtime sandbox name of this list, or null when it is. */
export function runtimeNameProblem(name: unknown, sandboxes: readonly { readonly name: string }[]): string | null {
  if (typeof name !== 'string') return 'A sandbox name must be text.';
  if (name === '' || name.length > NAME_MAX) return 'That is not a sandbox name.';
  // Not a rule of upstream's: a name that is not listed is refused whatever it looks like.
  if (!sandboxes.some((sandbox) => sandbox.name === name)) return `There is no sandbox named “${name}” now.`;
  return null;
}

/**
 * The command that opens a shell in a sandbox, for Copy. A name of only the characters a shell
 * leaves alone is written as it is, any other single-quoted.
 */
export function execCommand(name: string): string {
  const word = /^[A-Za-z0-9._@%+=:,/-]+$/.test(name) ? name : `'${name.replaceAll("'", `'\\''`)}'`;
  return `msb exec ${word} -- sh`;
}

// ---------------------------------------------------------------------------------------------
// Today's install (the commands microsandbox's own install page gives), first on the first-run page.

export type RuntimeInstallMethod = 'script' | 'homebrew' | 'npm';

export const RUNTIME_INSTALL_METHODS: readonly RuntimeInstallMethod[] = Object.freeze(['script', 'homebrew', 'npm']);

/** The command of each way to install today's microsandbox on this platform (Homebrew not on Windows). */
export function runtimeInstallCommand(method: RuntimeInstallMethod, platform: string): string | null {
  switch (method) {
    case 'script':
      return platform === 'win32'
        ? 'irm https://install.microsandbox.dev/windows | iex'
        : 'curl -fsSL https://install.microsandbox.dev | sh';
    case 'homebrew':
      return platform === 'win32' ? null : 'brew install superradcompany/tap/microsandbox';
    case 'npm':
      return 'npm i -g microsandbox';
  }
}
