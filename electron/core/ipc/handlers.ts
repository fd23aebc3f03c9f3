/**
 * The IPC handler table: one handler per contract channel, in plain Node. Main registers each
 * channel with `registerHandlers`; every answer is an `Envelope`, and `handle` never throws.
 *
 * Order of checks, for every request: the sender first (a request from anything but the app's
 * own window is refused before anything else is looked at), then the channel, then the payload.
 * A refused request changes nothing.
 */
import type {
  AppInfo,
  Envelope,
  ErrorCode,
  InvokeChannel,
  IpcError,
  KeyCheck,
  MintedKey,
  RequestOf,
  ResponseOf,
  SettingsView,
} from '../../../shared/contract.ts';
import { INVOKE_CHANNELS, isInvokeChannel } from '../../../shared/contract.ts';
import { DurationError } from '../../../shared/duration.ts';
import { ALL_NAMESPACES, NamespaceError } from '../../../shared/namespace.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { ClipboardGuard } from '../desktop/clipboard-guard.ts';
import { checkMintedKey, KEY_CHECK_TIMEOUT_MS } from '../keys/key-check.ts';
import type { HomePaths } from '../paths.ts';
import type { SenderInfo, ShellPort } from '../desktop/ports.ts';
import { validateRequest } from './request-validation.ts';
import { ensureServerKey, ServerKeyError } from '../keys/server-key.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { SettingsStore } from '../settings.ts';
import { mintToken, TokenError } from '../keys/token.ts';
import { serverUrlFromSettings } from '../desktop/tray-menu.ts';

export interface HandlerDeps {
  readonly control: ServerControl;
  readonly settings: SettingsStore;
  readonly paths: HomePaths;
  readonly clipboard: ClipboardGuard;
  readonly shell: ShellPort;
  readonly appInfo: AppInfo;
  /** True only for the app's own window (webContents id and page URL); see `isAppUrl`. */
  isTrustedSender(sender: SenderInfo): boolean;
  /** For the key check; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Timeout of the key check; 2 seconds by default. */
  readonly keyCheckTimeoutMs?: number;
}

export interface HandlerTable {
  readonly channels: readonly InvokeChannel[];
  /**
   * Answers one request. Never throws or rejects. Arguments after `payload` (a renderer that
   * passes more than one argument) make the request invalid.
   */
  handle(channel: unknown, sender: SenderInfo, payload: unknown, ...extra: unknown[]): Promise<Envelope<unknown>>;
  /** The settings as the window sees them, with whether the running server still needs a restart. */
  settingsView(): SettingsView;
}

/** An error a handler throws on purpose, with the code the envelope carries. */
export class HandlerError extends Error {
  override name = 'HandlerError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

type Handler<C extends InvokeChannel> = (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
type Handlers = { readonly [C in InvokeChannel]: Handler<C> };

const MAX_MESSAGE = 600;

/** Errors from these channels are about the server; from the others, unexpected. */
const SERVER_CHANNELS: ReadonlySet<InvokeChannel> = new Set([
  'server:status',
  'server:start',
  'server:stop',
  'server:restart',
  'server:reset-key',
  'server:locate',
  'logs:tail',
]);

function fail(code: ErrorCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

function isLive(snapshot: ServerSnapshot): boolean {
  return snapshot.state === 'running' || snapshot.state === 'starting' || snapshot.state === 'stopping';
}

/** Identifies one run of the server, so a restart-needed mark dies with the run it was about. */
function runId(snapshot: ServerSnapshot): string | null {
  return isLive(snapshot) ? `${snapshot.startedAt ?? '?'}:${snapshot.pid ?? '?'}` : null;
}

export function createHandlerTable(deps: HandlerDeps): HandlerTable {
  const now = deps.now ?? (() => new Date());
  /** The run that was live when a restart setting last changed. */
  let restartPendingFor: string | null = null;
  /**
   * Whether a server run accepts keys signed with a given server key does not depend on the
   * token (its namespace check always passes for its own namespace), so one authenticated call
   * per server run and key is enough; later mints answer without a round trip.
   */
  let verdict: { readonly run: string; readonly key: string; readonly check: KeyCheck } | null = null;

  const settingsView = (): SettingsView => {
    const id = runId(deps.control.snapshot());
    return { settings: deps.settings.get(), restartNeeded: id !== null && id === restartPendingFor };
  };

  const mint = async (request: RequestOf<'keys:mint'>): Promise<MintedKey> => {
    const namespace = request.namespace ?? ALL_NAMESPACES;
    const expiresIn = request.expiresIn ?? '24h';
    let key: string;
    try {
      ({ key } = await ensureServerKey(deps.paths.keyFile));
    } catch (error) {
      throw new HandlerError(
        'key-unavailable',
        `The server key file ${deps.paths.keyFile} could not be read or created: ${reasonOf(error)}`,
      );
    }
    try {
      const minted = await mintToken({ key, namespace, expiresIn, now: now() });
      const snapshot = deps.control.snapshot();
      const running = snapshot.state === 'running';
      const serverUrl = running && snapshot.url !== null ? snapshot.url : serverUrlFromSettings(deps.settings.get());
      const run = runId(snapshot);
      let check: KeyCheck;
      if (running && run !== null && verdict !== null && verdict.run === run && verdict.key === key) {
        check = verdict.check;
      } else {
        // Asked with a short-lived `*` probe signed by the same key rather than the new token: the
        // answer is the same, and the probe needs no namespace folder on the server (a scoped
        // token for a namespace without one makes msbserver log an error).
        const probe = await mintToken({ key, namespace: ALL_NAMESPACES, expiresIn: 60, now: now() });
        check = await checkMintedKey({
          snapshot,
          token: probe.token,
          namespace: probe.namespace,
          timeoutMs: deps.keyCheckTimeoutMs ?? KEY_CHECK_TIMEOUT_MS,
          ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
        });
        verdict = run !== null && check.result !== 'not-checked' ? { run, key, check } : null;
      }
      return { ...minted, serverUrl, devMode: running && snapshot.devMode === true, check };
    } catch (error) {
      // The key is in scope here: make sure no message can carry it.
      if (error instanceof Error && key !== '' && error.message.includes(key)) {
        throw new HandlerError('internal', 'Minting the API key failed.');
      }
      throw error;
    }
  };

  const resetKey = async (): Promise<ServerSnapshot> => {
    const snapshot = deps.control.snapshot();
    if (snapshot.state === 'starting' || snapshot.state === 'stopping') {
      throw new HandlerError('server-error', `The server is ${snapshot.state}; reset the key once it has finished.`);
    }
    return deps.control.resetKey();
  };

  const handlers: Handlers = {
    'server:status': () => deps.control.snapshot(),
    'server:start': () => deps.control.start(),
    'server:stop': () => deps.control.stop(),
    'server:restart': () => deps.control.restart(),
    'server:reset-key': resetKey,
    'server:locate': () => deps.control.locate(),
    'keys:mint': mint,
    'clipboard:copy': async (request) => {
      await deps.clipboard.copy(request.text, request.secret);
    },
    'settings:get': () => settingsView(),
    'settings:set': (patch) => {
      const result = deps.settings.update(patch);
      if (!result.ok) {
        // The request was validated with the same rules, so this is not expected.
        throw new HandlerError('invalid-input', 'The settings update was refused.');
      }
      if (result.restartNeeded) restartPendingFor = runId(deps.control.snapshot()) ?? restartPendingFor;
      return settingsView();
    },
    'logs:tail': async (request) => ({ lines: await deps.control.logTail(request.lines), path: deps.control.logFile }),
    'shell:reveal': async (request) => {
      if (request.target === 'log') {
        deps.shell.showItemInFolder(deps.control.logFile);
        return;
      }
      const problem = await deps.shell.openPath(deps.paths.home);
      if (problem !== '') throw new HandlerError('internal', `The microsandbox folder ${deps.paths.home} could not be opened: ${problem}`);
    },
    'app:info': () => deps.appInfo,
  };

  const dispatch = async <C extends InvokeChannel>(channel: C, payload: unknown): Promise<Envelope<unknown>> => {
    const checked = validateRequest(channel, payload);
    if (!checked.ok) return { ok: false, error: { ...checked.error, message: limit(checked.error.message) } };
    const handler = handlers[channel] as Handler<C>;
    try {
      const value = await handler(checked.value);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toIpcError(channel, error) };
    }
  };

  const handle = async (channel: unknown, sender: SenderInfo, payload: unknown, ...extra: unknown[]): Promise<Envelope<unknown>> => {
    try {
      if (!trusted(deps, sender)) {
        return fail('forbidden-sender', 'This request did not come from the Microsandbox Tray window and was ignored.');
      }
      if (!isInvokeChannel(channel)) {
        return fail('unknown-channel', `"${typeof channel === 'string' ? clip(channel) : String(typeof channel)}" is not a channel of this app.`);
      }
      if (extra.length > 0) return fail('invalid-input', `${channel} takes at most one argument, but it was given ${1 + extra.length}.`);
      return await dispatch(channel, payload);
    } catch (error) {
      return { ok: false, error: { code: 'internal', message: limit(`Unexpected error: ${reasonOf(error)}`) } };
    }
  };

  return { channels: INVOKE_CHANNELS, handle, settingsView };
}

/** Any doubt (a malformed sender, a check that throws) means not trusted. */
function trusted(deps: HandlerDeps, sender: unknown): boolean {
  try {
    if (typeof sender !== 'object' || sender === null) return false;
    const { id, url } = sender as Partial<SenderInfo>;
    if (typeof id !== 'number' || typeof url !== 'string') return false;
    return deps.isTrustedSender({ id, url }) === true;
  } catch {
    return false;
  }
}

function toIpcError(channel: InvokeChannel, error: unknown): IpcError {
  const message = limit(reasonOf(error));
  if (error instanceof HandlerError) return { code: error.code, message };
  if (error instanceof ServerKeyError) return { code: 'key-unavailable', message };
  if (error instanceof TokenError || error instanceof DurationError || error instanceof NamespaceError) {
    return { code: 'invalid-input', message };
  }
  return { code: SERVER_CHANNELS.has(channel) ? 'server-error' : 'internal', message };
}

function reasonOf(error: unknown): string {
  if (error instanceof Error && error.message.trim() !== '') return error.message;
  if (typeof error === 'string' && error.trim() !== '') return error;
  return 'no details were given.';
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function limit(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

/** The slice of Electron's `IpcMainInvokeEvent` that registration reads. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame?: { readonly url: string } | null;
}

/** The slice of Electron's `ipcMain` that registration uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler?(channel: string): void;
}

/** Who sent an invoke: its webContents id and the URL of the sending frame ('' when unknown). */
export function senderInfo(event: InvokeEventLike): SenderInfo {
  // Reading a destroyed frame can throw; an unknown sender is then simply not trusted.
  try {
    return { id: event.sender.id, url: event.senderFrame?.url ?? '' };
  } catch {
    return { id: -1, url: '' };
  }
}

/**
 * Registers exactly the contract's channels on `ipcMain`, each answering through the table.
 * Returns a function that removes them again.
 */
export function registerHandlers(ipc: IpcMainLike, table: HandlerTable): () => void {
  for (const channel of table.channels) {
    ipc.handle(channel, (event, ...args) => table.handle(channel, senderInfo(event), ...(args as [unknown, ...unknown[]])));
  }
  return () => {
    for (const channel of table.channels) ipc.removeHandler?.(channel);
  };
}
