/** What the tray, the window and notifications all render from. */
export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

export type FailureCode =
  /** No msbserver in any place searched. */
  | 'not-found'
  /** Found, but not an executable file. */
  | 'not-executable'
  /** Found, but others than the user and root could change it or its folders, so it is not run. */
  | 'unsafe-executable'
  /** msbserver is fine, but others could change the msbrun it runs for every sandbox: not started. */
  | 'unsafe-msbrun'
  /** Another process already listens on the configured address. */
  | 'port-in-use'
  /** The server exited before it answered its health check. */
  | 'exited'
  /** The server never answered its health check within the timeout. */
  | 'timeout'
  /** The server was running and then died without being asked to. */
  | 'crashed'
  /** Auto-restart gave up after too many crashes in a row. */
  | 'crash-loop'
  /** The operating system refused to start the process. */
  | 'spawn-error'
  /** The server did not exit when asked (not even after SIGKILL). */
  | 'stop-failed'
  /** msbserver does not run on this platform (Windows outside WSL). */
  | 'unsupported-platform'
  /** Reading or writing the home directory failed. */
  | 'home-error'
  /** The settings ask for something the app never does (development mode on a host others reach). */
  | 'unsafe-settings';

export interface ServerFailure {
  readonly code: FailureCode;
  /** One or two sentences a person can act on. */
  readonly message: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The last lines of the server log at the time of the failure. */
  readonly logTail: readonly string[];
  /** For `not-found`/`not-executable`: every place that was looked at, in order. */
  readonly searched: readonly string[];
  /** When it happened, milliseconds since the epoch. */
  readonly at: number;
}

export interface ServerSnapshot {
  readonly state: ServerState;
  /** PID of the server process while starting, running or stopping. */
  readonly pid: number | null;
  /** `http://host:port` of the server this snapshot is about, when there is one. */
  readonly url: string | null;
  readonly devMode: boolean | null;
  /** Milliseconds since the epoch: when this app started it, or first saw it (external). */
  readonly startedAt: number | null;
  /** Started by someone else (the `msb` CLI, another app instance). */
  readonly external: boolean;
  /** Last health check result while running; null when not checked yet or not running. */
  readonly healthy: boolean | null;
  /** The last failure; kept after a later success is cleared. */
  readonly error: ServerFailure | null;
  /**
   * What is off in the world but does not stop the server: a key readable by others that could
   * not be tightened, a home others may write to, no msbrun beside msbserver, another home's
   * server named in server.pid. From the last start or look.
   */
  readonly warnings: readonly string[];
  /** When an automatic restart after a crash is due (ms since the epoch); null when none is scheduled. */
  readonly restartAt: number | null;
}

export const INITIAL_SNAPSHOT: ServerSnapshot = Object.freeze({
  state: 'stopped',
  pid: null,
  url: null,
  devMode: null,
  startedAt: null,
  external: false,
  healthy: null,
  error: null,
  warnings: Object.freeze([]),
  restartAt: null,
});

export const MICROSANDBOX_INSTALL_HINT =
  'Install microsandbox with `curl -sSL https://get.microsandbox.dev | sh`, or choose msbserver in Settings (Choose…).';
