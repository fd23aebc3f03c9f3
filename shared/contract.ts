/**
 * The IPC contract between main, preload and renderer: the single source of channel names and
 * payload types. Main registers exactly `INVOKE_CHANNELS`, preload exposes exactly the methods of
 * `CHANNELS` and `EVENT_METHODS` as `window.msb` (answering with envelopes, `MsbBridge`), the renderer codes
 * against `MsbApi`.
 */
import type { ServerSnapshot } from './server-status.ts';
import type { FieldErrors, Settings } from './settings-schema.ts';
import type { LocateResult, SetupState } from './setup.ts';
import type { SdkLanguage } from './snippets.ts';
import type { RuntimeActionName, RuntimeInstallMethod, RuntimeView } from './runtime.ts';
import type { MicrosandboxUpdateView } from './microsandbox-update.ts';
import type {
  SandboxesView,
  SandboxLogEvent,
  SandboxLogRequest,
  SandboxLogView,
  SandboxStopRequest,
  SandboxStopResult,
  SandboxWatchRequest,
} from './sandboxes.ts';
import type { ConnectCopyRequest, ConnectOutcome, ConnectRequest, ConnectView } from './connect.ts';

export type ErrorCode =
  /** The request payload failed validation; nothing was changed. */
  | 'invalid-input'
  /** The channel is not part of this contract. */
  | 'unknown-channel'
  /** The request did not come from the app's own window. */
  | 'forbidden-sender'
  /** `server.key` is missing or unreadable where one is needed. */
  | 'key-unavailable'
  /** msbserver could not be found or started; details are in the snapshot. */
  | 'server-error'
  /** The user said no (or cancelled) in a native dialog main showed; nothing was changed. */
  | 'declined'
  /** Main does not allow this, whatever the window asks (the window may not decide it); nothing was changed. */
  | 'refused'
  /** Anything unexpected; the message says what. */
  | 'internal';

export interface IpcError {
  readonly code: ErrorCode;
  readonly message: string;
  /** Per-field messages for `invalid-input` on settings. */
  readonly fields?: FieldErrors;
}

export type Envelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

export interface MintKeyRequest {
  /** `*` (all namespaces) when omitted. */
  readonly namespace?: string;
  /**
   * msb's duration grammar (`1h`, `7d`, `30`); `24h` when omitted. At most ten years (`10y`);
   * more than a year is made only after the user says yes in a native dialog main shows.
   */
  readonly expiresIn?: string;
}

/** How the running server answered one authenticated call made with the new key. */
export type KeyCheck =
  | { readonly result: 'accepted' }
  | { readonly result: 'refused'; readonly message: string }
  | { readonly result: 'not-checked'; readonly message: string };

export interface MintedKey {
  readonly token: string;
  readonly namespace: string;
  /** Unix seconds. */
  readonly issuedAt: number;
  /** Unix seconds. */
  readonly expiresAt: number;
  /** The URL clients should use (`MSB_SERVER_URL`), from the running server or the settings. */
  readonly serverUrl: string;
  /** True when the running server is in dev mode and needs no key. */
  readonly devMode: boolean;
  readonly check: KeyCheck;
  /** What is off with server.key that does not stop the key from working (who else can read it). */
  readonly warnings: readonly string[];
}

/** The formats of a key the Keys tab copies; main builds the text (shared/snippets.ts). */
export type KeyCopyFormat = 'token' | 'export-line' | 'dotenv' | 'mcp-config';

/**
 * What the window may put on the clipboard: never text of its own. Either a key main gave it
 * (`keys:mint`) in one of the formats, built by main and cleared after the configured delay if it
 * is still there, or a value main builds itself (`server-url`, the address clients use).
 */
export type CopyRequest =
  | { readonly what: KeyCopyFormat; readonly token: string }
  | { readonly what: 'server-url' }
  /** An SDK example of the Sandboxes view, for the server as it is now. */
  | { readonly what: 'sdk-example'; readonly language: SdkLanguage }
  /** The command that installs microsandbox (shared/setup.ts). */
  | { readonly what: 'install-command' }
  /** A command that installs today's microsandbox on this platform (shared/runtime.ts). */
  | { readonly what: 'runtime-install'; readonly method: RuntimeInstallMethod }
  /** `msb exec NAME -- sh` for a sandbox of the current list. */
  | { readonly what: 'exec-command'; readonly name: string };

export interface SettingsView {
  readonly settings: Settings;
  /** Settings whose change has not reached the running server yet. */
  readonly restartNeeded: boolean;
}

export interface LogTailRequest {
  readonly lines: number;
}

export interface LogTail {
  readonly lines: readonly string[];
  /** Where the log is, so the window can say so (it is the app's own log, not a secret). */
  readonly path: string;
}

export interface LogLinesEvent {
  readonly lines: readonly string[];
}

export type RevealTarget = 'log' | 'home';

export interface RevealRequest {
  readonly target: RevealTarget;
}

export type { LocateResult, LocateSource } from './setup.ts';

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  readonly platform: string;
  /** The microsandbox home the app works in. */
  readonly home: string;
  /** The platform's name as people say it (macOS, Linux, Windows). */
  readonly platformName: string;
}

/** `runtime:act`: one action on one sandbox of the current list (`force` only with stop, asked natively first). */
export interface RuntimeActRequest {
  readonly name: string;
  readonly action: RuntimeActionName;
  readonly force?: boolean;
}

/** `runtime:log-tail`. */
export interface RuntimeLogRequest {
  readonly name: string;
  readonly lines: number;
}

/** One line of a runtime sandbox's log, scrubbed. */
export interface RuntimeLogLineView {
  /** `stdout`, `stderr` or `system`. */
  readonly source: string;
  readonly text: string;
  readonly time: number | null;
}

export interface RuntimeLogView {
  readonly name: string;
  readonly lines: readonly RuntimeLogLineView[];
}

/**
 * `runtime:watch`: while `visible`, live metrics are followed; `log` is the sandbox whose log is
 * followed (`event:runtime-log`), or null. Both end when the window closes.
 */
export interface RuntimeWatchRequest {
  readonly visible: boolean;
  readonly log: string | null;
}

/** The window's views, in tab order (Ctrl/Cmd+1… select them). */
export const VIEW_NAMES = ['status', 'sandboxes', 'keys', 'logs', 'settings', 'connect'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/** Main asks the window to show a view (the tray's Settings…, a notification's click). */
export interface NavigateEvent {
  readonly view: ViewName;
}

/** Every request/response pair, by channel. `void` requests take no argument. */
export interface InvokeMap {
  'server:status': { request: void; response: ServerSnapshot };
  'server:start': { request: void; response: ServerSnapshot };
  /** Asks natively first when sandboxes run; answered Cancel, it answers the unchanged snapshot. */
  'server:stop': { request: void; response: ServerSnapshot };
  'server:restart': { request: void; response: ServerSnapshot };
  /** Calls off the automatic restart after a crash that `snapshot.restartAt` announces; the server stays failed. */
  'server:cancel-restart': { request: void; response: ServerSnapshot };
  'server:reset-key': { request: void; response: ServerSnapshot };
  'server:locate': { request: void; response: LocateResult };
  /** Over a year asks the user natively first (`declined` if not); over ten years is `invalid-input`. */
  'keys:mint': { request: MintKeyRequest; response: MintedKey };
  /** A key this window was given, in a format main builds, or the server URL: never text of the window's. */
  'clipboard:copy': { request: CopyRequest; response: void };
  'settings:get': { request: void; response: SettingsView };
  /**
   * Any setting but `msbserverPath`; dev mode, a non-loopback host and a namespaces folder ask the user
   * natively first.
   */
  'settings:set': { request: Partial<Settings>; response: SettingsView };
  /**
   * Main shows a native open dialog; the file chosen there, if it passes the executable checks, becomes
   * `msbserverPath`.
   */
  'settings:choose-msbserver': { request: void; response: SettingsView };
  /** Back to locating msbserver the way msb does (`msbserverPath: null`). */
  'settings:clear-msbserver': { request: void; response: SettingsView };
  'logs:tail': { request: LogTailRequest; response: LogTail };
  'shell:reveal': { request: RevealRequest; response: void };
  'app:info': { request: void; response: AppInfo };
  /**
   * Looks again for msbserver (and msbrun beside it) as a start would; also pushed as `event:setup` when it
   * changes.
   */
  'app:setup': { request: void; response: SetupState };
  // What the server runs (shared/sandboxes.ts has the payloads). A stop answers what was asked
  // to stop and what was not, with why: a partial failure of "all" is no error.
  'sandboxes:list': { request: void; response: SandboxesView };
  'sandboxes:stop': { request: SandboxStopRequest; response: SandboxStopResult };
  'sandboxes:log-tail': { request: SandboxLogRequest; response: SandboxLogView };
  'sandboxes:watch': { request: SandboxWatchRequest; response: void };
  // The runtime generation (shared/runtime.ts). Names must be in the current list.
  'runtime:state': { request: void; response: RuntimeView };
  /** Force stop and Remove ask natively first (`declined` if not); what the status does not allow is `refused`. */
  'runtime:act': { request: RuntimeActRequest; response: RuntimeView };
  /** Runs `msb doctor` again. */
  'runtime:check-host': { request: void; response: RuntimeView };
  /** Windows only: `msb doctor --fix`, after a native question saying it asks for administrator rights. */
  'runtime:fix-host': { request: void; response: RuntimeView };
  'runtime:log-tail': { request: RuntimeLogRequest; response: RuntimeLogView };
  'runtime:watch': { request: RuntimeWatchRequest; response: void };
  /** Main shows a native open dialog; the file chosen there, if it passes the executable checks, becomes `msbPath`. */
  'settings:choose-msb': { request: void; response: SettingsView };
  /** Back to looking for msb where installs put it (`msbPath: null`). */
  'settings:clear-msb': { request: void; response: SettingsView };
  // MCP clients (shared/connect.ts): the window names a client of the fixed list, never a path.
  'connect:list': { request: void; response: ConnectView };
  /** Asks natively first (the file, the entry with the key hidden); a no answers `cancelled`. */
  'connect:connect': { request: ConnectRequest; response: ConnectOutcome };
  'connect:disconnect': { request: ConnectRequest; response: ConnectOutcome };
  /** Claude Code without `claude` on PATH: main puts the command (with a fresh key) on the clipboard. */
  'connect:copy-command': { request: ConnectCopyRequest; response: void };
  /** microsandbox's installed version against its latest release (asked at most daily, when its switch is on). */
  'updates:microsandbox': { request: void; response: MicrosandboxUpdateView };
  /** `msb self update`, after a native yes; its lines come as `event:microsandbox-update`. Never a downgrade. */
  'updates:update-microsandbox': { request: void; response: MicrosandboxUpdateView };
  /** Opens today's microsandbox install page (a URL fixed in main) in the browser. */
  'updates:open-runtime-install': { request: void; response: void };
}

export type InvokeChannel = keyof InvokeMap;
export type RequestOf<C extends InvokeChannel> = InvokeMap[C]['request'];
export type ResponseOf<C extends InvokeChannel> = InvokeMap[C]['response'];

/**
 * What is fixed about a channel besides its payloads. `errorCode` is what its unexpected failure
 * answers with: `server-error` where a failure is about the server (the window then points at its
 * state and log), `internal` elsewhere.
 */
export interface ChannelEntry {
  /** Its method on `window.msb`. */
  readonly method: string;
  readonly errorCode: Extract<ErrorCode, 'server-error' | 'internal'>;
}

/**
 * Every channel of `InvokeMap`, once, with its method and error code: the one table main, preload
 * and the renderer read. `satisfies` a mapped type of `InvokeMap`'s keys, so a channel added
 * without its entry, or an entry without its channel, fails the type-check.
 */
export const CHANNELS = Object.freeze({
  'server:status': { method: 'status', errorCode: 'server-error' },
  'server:start': { method: 'start', errorCode: 'server-error' },
  'server:stop': { method: 'stop', errorCode: 'server-error' },
  'server:restart': { method: 'restart', errorCode: 'server-error' },
  'server:cancel-restart': { method: 'cancelRestart', errorCode: 'server-error' },
  'server:reset-key': { method: 'resetKey', errorCode: 'server-error' },
  'server:locate': { method: 'locate', errorCode: 'server-error' },
  'keys:mint': { method: 'mintKey', errorCode: 'internal' },
  'clipboard:copy': { method: 'copy', errorCode: 'internal' },
  'settings:get': { method: 'getSettings', errorCode: 'internal' },
  'settings:set': { method: 'setSettings', errorCode: 'internal' },
  'settings:choose-msbserver': { method: 'chooseMsbserver', errorCode: 'internal' },
  'settings:clear-msbserver': { method: 'clearMsbserver', errorCode: 'internal' },
  'logs:tail': { method: 'logTail', errorCode: 'server-error' },
  'shell:reveal': { method: 'reveal', errorCode: 'internal' },
  'app:info': { method: 'appInfo', errorCode: 'internal' },
  'app:setup': { method: 'setup', errorCode: 'internal' },
  'sandboxes:list': { method: 'listSandboxes', errorCode: 'internal' },
  'sandboxes:stop': { method: 'stopSandboxes', errorCode: 'internal' },
  'sandboxes:log-tail': { method: 'sandboxLogTail', errorCode: 'internal' },
  'sandboxes:watch': { method: 'watchSandboxes', errorCode: 'internal' },
  'runtime:state': { method: 'runtimeState', errorCode: 'internal' },
  'runtime:act': { method: 'runtimeAct', errorCode: 'internal' },
  'runtime:check-host': { method: 'checkHost', errorCode: 'internal' },
  'runtime:fix-host': { method: 'fixHost', errorCode: 'internal' },
  'runtime:log-tail': { method: 'runtimeLogTail', errorCode: 'internal' },
  'runtime:watch': { method: 'watchRuntime', errorCode: 'internal' },
  'settings:choose-msb': { method: 'chooseMsb', errorCode: 'internal' },
  'settings:clear-msb': { method: 'clearMsb', errorCode: 'internal' },
  'connect:list': { method: 'connectClients', errorCode: 'internal' },
  'connect:connect': { method: 'connectClient', errorCode: 'internal' },
  'connect:disconnect': { method: 'disconnectClient', errorCode: 'internal' },
  'connect:copy-command': { method: 'copyConnectCommand', errorCode: 'internal' },
  'updates:microsandbox': { method: 'microsandboxUpdate', errorCode: 'internal' },
  'updates:update-microsandbox': { method: 'updateMicrosandbox', errorCode: 'internal' },
  'updates:open-runtime-install': { method: 'openRuntimeInstall', errorCode: 'internal' },
} as const satisfies { readonly [C in InvokeChannel]: ChannelEntry });

/** The `window.msb` methods, one per channel. */
export type ApiMethod = (typeof CHANNELS)[InvokeChannel]['method'];

/** The channel a `window.msb` method invokes. */
export type ChannelOfMethod<M extends ApiMethod> = {
  [C in InvokeChannel]: (typeof CHANNELS)[C]['method'] extends M ? C : never;
}[InvokeChannel];

export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.freeze(Object.keys(CHANNELS) as InvokeChannel[]);

/** Events pushed from main; the renderer never polls. */
export interface EventMap {
  'event:status': ServerSnapshot;
  'event:settings': SettingsView;
  'event:log': LogLinesEvent;
  'event:sandboxes': SandboxesView;
  /** Lines of the sandbox log the window follows (`sandboxes:watch`). */
  'event:sandbox-log': SandboxLogEvent;
  /** Whether microsandbox is there to run (first run, msbserver or msbrun missing). */
  'event:setup': SetupState;
  'event:navigate': NavigateEvent;
  /** The generation in use and, in the runtime generation, what `msb` shows. */
  'event:runtime': RuntimeView;
  /** Lines of the runtime sandbox log the window follows (`runtime:watch`). */
  'event:runtime-log': RuntimeLogView;
  /** microsandbox's update state, and each line of a running `msb self update` as it comes. */
  'event:microsandbox-update': MicrosandboxUpdateView;
}

export type EventChannel = keyof EventMap;

/** `window.msb` subscription name → event channel. */
export const EVENT_METHODS = {
  onStatus: 'event:status',
  onSettings: 'event:settings',
  onLog: 'event:log',
  onSandboxes: 'event:sandboxes',
  onSandboxLog: 'event:sandbox-log',
  onSetup: 'event:setup',
  onNavigate: 'event:navigate',
  onRuntime: 'event:runtime',
  onRuntimeLog: 'event:runtime-log',
  onMicrosandboxUpdate: 'event:microsandbox-update',
} as const satisfies Record<string, EventChannel>;

type ApiCall<C extends InvokeChannel> =
  RequestOf<C> extends void ? () => Promise<ResponseOf<C>> : (request: RequestOf<C>) => Promise<ResponseOf<C>>;

/**
 * What the renderer codes against: `unwrapBridge(window.msb)` (shared/bridge.ts). Errors arrive
 * as thrown `MsbError`s whose `code` is an `ErrorCode`.
 */
export type MsbApi = { readonly [M in ApiMethod]: ApiCall<ChannelOfMethod<M>> } & {
  readonly [E in keyof typeof EVENT_METHODS]: (
    listener: (payload: EventMap[(typeof EVENT_METHODS)[E]]) => void,
  ) => () => void;
};

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(value);
}
