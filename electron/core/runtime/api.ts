/**
 * The runtime generation's public face (microsandbox 0.3 and later: no server, `msb` itself is the
 * interface through its JSON output, as upstream https://github.com/superradcompany/microsandbox
 * and the real `msb` 0.6.18 behave). These names are used by main, the benchmarks and outside checks: keep them.
 */
import type { Disposable } from '../base/disposable.ts';
import type { Logger } from '../base/logger.ts';
import type {
  Generation,
  HostCheckInfo,
  HostCheckState,
  HostReportInfo,
  RuntimeContextInfo,
  RuntimeMetricsInfo,
  RuntimeSandboxInfo,
} from '../../../shared/runtime.ts';

// The shapes tray, window and core all carry are declared once, in shared/runtime.ts; the core
// knows them by these names.
export type { Generation, HostCheckState };
/** One sandbox as `msb ls` and `msb ps -a` show it (`status` as upstream spells it, `createdAt` in ms). */
export type RuntimeSandbox = RuntimeSandboxInfo;
/** Live figures from `msb metrics` (fields as upstream names them, camel-cased). */
export type RuntimeMetrics = RuntimeMetricsInfo;
export type HostCheck = HostCheckInfo;
export type HostReport = HostReportInfo;
/** `msb context`: where `msb` sends its work (read only; the app never changes it). */
export type RuntimeContext = RuntimeContextInfo;

/** Something the user should know about what was found (the upgrade trap, an old runtime, …). */
export interface MicrosandboxNote {
  readonly code: string;
  readonly message: string;
  /** What to do about it, in words a user can follow (a command to run, a setting to change). */
  readonly fix: string;
}

export interface FindMicrosandboxOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly userHome: string;
  readonly platform: NodeJS.Platform;
  /** The `msb` path chosen in Settings, looked at first. */
  readonly settingsPath?: string | null;
  /** msb's home as the caller decided it (msb-home.ts); by default, decided from env and userHome. */
  readonly msbHome?: string;
}

export interface FoundMicrosandbox {
  readonly generation: Generation;
  readonly msb: { readonly path: string; readonly version: string } | null;
  readonly msbserver: { readonly path: string } | null;
  readonly notes: readonly MicrosandboxNote[];
}

export interface RuntimeOptions {
  /** The absolute path of the `msb` that `findMicrosandbox` found and checked. */
  readonly msbPath: string;
  /** `MSB_HOME` for `msb` (the user's, or a test's temporary one); unset: `msb`'s own default. */
  readonly home?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

/** One line of `msb logs --json`, scrubbed. */
export interface RuntimeLogLine {
  /** `stdout`, `stderr` or `system`. */
  readonly source: string;
  readonly text: string;
  /** Milliseconds since the epoch, or null when the line had no time. */
  readonly time: number | null;
}

export interface RuntimeSandboxes extends Disposable {
  list(): Promise<RuntimeSandbox[]>;
  /** As list(), rows msb printed that cannot be read left out: `skipped` says why, one per row. */
  listing(): Promise<{ readonly sandboxes: RuntimeSandbox[]; readonly skipped: readonly string[] }>;
  stop(name: string, options?: { readonly force?: boolean }): Promise<void>;
  start(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  logTail(name: string, lines: number): Promise<RuntimeLogLine[]>;
  dispose(): void;
}

export interface CheckHostOptions {
  readonly msbPath: string;
  readonly home?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** What the app can ask `msb` to do to one sandbox. Which of them a status allows is a rule in `shared/`. */
export type RuntimeAction = 'stop' | 'start' | 'restart' | 'remove' | 'pause' | 'resume';

/** What the installed `msb` can do beyond 0.6's commands (0.7 adds pause and resume). */
export interface RuntimeCapabilities {
  readonly pause: boolean;
}

/** Everything the tray and the window show of the runtime generation, kept current by the service. */
export interface RuntimeState {
  readonly sandboxes: readonly RuntimeSandbox[];
  /** By sandbox name; only while someone holds interest in metrics, else empty. */
  readonly metrics: Readonly<Record<string, RuntimeMetrics>>;
  /** Null until the first `msb doctor` finished. */
  readonly host: HostReport | null;
  readonly context: RuntimeContext | null;
  readonly capabilities: RuntimeCapabilities;
  /** Why the last listing failed (a hung `msb`, garbage output, an error it printed); null when it worked. */
  readonly error: string | null;
  /** When the last listing finished, ms since the epoch; null before the first. */
  readonly listedAt: number | null;
}

export interface RuntimeServiceOptions extends RuntimeOptions {
  /** How long one `msb` command may take before it is killed and reported (default 10 s). */
  readonly commandTimeoutMs?: number;
}

/**
 * The runtime generation for main: lists on file events in the home (debounced) and on a slow
 * timer only while something runs; follows metrics while interest is held and one sandbox's log
 * while the window looks at it; runs the actions. `msb` is run by absolute path, never through a
 * shell, with a timeout and a cap on what it may print; nothing is written into the home.
 */
export interface RuntimeService extends Disposable {
  /** The home every msb it runs is given (MSB_HOME): what else acts on the same msb uses it too. */
  readonly home: string;
  state(): RuntimeState;
  /** Every state that differs from the one before. Returns the unsubscribe. */
  onChange(listener: (state: RuntimeState) => void): () => void;
  /** Lists now; the state after it. */
  refresh(): Promise<RuntimeState>;
  /** Runs `msb doctor` now; the report (also in the next state). */
  checkHost(): Promise<HostReport>;
  /** Holds interest in metrics (`msb metrics --follow` runs while any is held); returns the release (idempotent). */
  watchMetrics(): () => void;
  /** Follows one sandbox's log (`msb logs --json -f`), or none with null; lines arrive through onLogLines. */
  followLog(name: string | null): void;
  onLogLines(listener: (name: string, lines: readonly RuntimeLogLine[]) => void): () => void;
  logTail(name: string, lines: number): Promise<RuntimeLogLine[]>;
  /** Rejects with `msb`'s own message when it fails. `force` only for stop. */
  act(name: string, action: RuntimeAction, options?: { readonly force?: boolean }): Promise<void>;
  /** The acts in flight now, by sandbox: a start msb does not list as Starting until it runs. */
  actsInFlight(): ReadonlyMap<string, RuntimeAction>;
  /**
   * Refuses every new act with `reason` until the returned release is called (idempotent): msb is
   * being replaced (`msb self update`), and a sandbox started meanwhile would race the new binary.
   */
  holdActs(reason: string): () => void;
  dispose(): void;
}
