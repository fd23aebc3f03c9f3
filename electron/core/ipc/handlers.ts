/**
 * The IPC handler table: one handler per contract channel, in plain Node. Main registers each
 * channel with `registerHandlers` (register.ts); every answer is an `Envelope`, and `handle`
 * never throws.
 *
 * Order of checks, for every request: the sender first (a request from anything but the app's
 * own window is refused before anything else is looked at), then the channel, then the payload.
 * A refused request changes nothing.
 */
import type { AppInfo, Envelope, ErrorCode, InvokeChannel, IpcError, RequestOf, ResponseOf, SettingsView } from '../../../shared/contract.ts';
import { INVOKE_CHANNELS, isInvokeChannel } from '../../../shared/contract.ts';
import { DurationError } from '../../../shared/duration.ts';
import { NamespaceError } from '../../../shared/namespace.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { ClipboardGuard } from '../desktop/clipboard-guard.ts';
import type { ChoicePort, SenderInfo, ShellPort } from '../desktop/ports.ts';
import { stopServerAsking } from '../desktop/stop-flow.ts';
import type { SandboxesService } from '../sandboxes/service.ts';
import { runId, type MintService } from '../keys/mint-service.ts';
import { ServerKeyError } from '../keys/server-key.ts';
import { TokenError } from '../keys/token.ts';
import { errorText, type Logger, silentLogger } from '../logger.ts';
import type { HomePaths } from '../paths.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { SettingsStore } from '../settings.ts';
import { validateRequest } from './request-validation.ts';

export interface HandlerDeps {
  readonly control: ServerControl;
  readonly settings: SettingsStore;
  readonly paths: HomePaths;
  readonly clipboard: ClipboardGuard;
  readonly shell: ShellPort;
  readonly appInfo: AppInfo;
  /** The one mint service, shared with the tray. */
  readonly mint: MintService;
  /** True only for the app's own window (webContents id and page URL); see `isAppUrl`. */
  isTrustedSender(sender: SenderInfo): boolean;
  readonly logger?: Logger;
  /** What the server runs; also asked before Stop whether sandboxes run. */
  readonly sandboxes: SandboxesService;
  /** The native question main asks before Stop while sandboxes run (desktop/stop-flow.ts). */
  readonly choice: ChoicePort;
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

/** Errors from the server's own channels are about the server; from the others, unexpected. */
const SERVER_CHANNELS: ReadonlySet<InvokeChannel> = new Set(
  INVOKE_CHANNELS.filter((channel) => channel.startsWith('server:') || channel.startsWith('logs:')),
);

function fail(code: ErrorCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

export function createHandlerTable(deps: HandlerDeps): HandlerTable {
  const logger = deps.logger ?? silentLogger;
  /** The run that was live when a restart setting last changed. */
  let restartPendingFor: string | null = null;

  const settingsView = (): SettingsView => {
    const id = runId(deps.control.snapshot());
    return { settings: deps.settings.get(), restartNeeded: id !== null && id === restartPendingFor };
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
    'server:stop': async () => (await stopServerAsking({ control: deps.control, sandboxes: deps.sandboxes, choice: deps.choice, logger })).snapshot,
    'server:restart': () => deps.control.restart(),
    'server:reset-key': resetKey,
    'server:locate': () => deps.control.locate(),
    'keys:mint': (request) => deps.mint.mint(request),
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
    'sandboxes:list': () => deps.sandboxes.list(),
    'sandboxes:stop': (request) => deps.sandboxes.stop(request),
    'sandboxes:log-tail': (request) => deps.sandboxes.logTail(request),
    'sandboxes:watch': (request) => {
      deps.sandboxes.watch(request);
    },
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
      logger.error(`Answering ${typeof channel === 'string' ? clip(channel) : 'a request'} failed unexpectedly: ${errorText(error)}`);
      return { ok: false, error: { code: 'internal', message: limit(`Unexpected error: ${errorText(error)}`) } };
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
  } catch (error) {
    (deps.logger ?? silentLogger).debug(`The sender check threw, so the request is not trusted: ${errorText(error)}`);
    return false;
  }
}

function toIpcError(channel: InvokeChannel, error: unknown): IpcError {
  const message = limit(errorText(error));
  if (error instanceof HandlerError) return { code: error.code, message };
  if (error instanceof ServerKeyError) return { code: 'key-unavailable', message };
  if (error instanceof TokenError || error instanceof DurationError || error instanceof NamespaceError) {
    return { code: 'invalid-input', message };
  }
  return { code: SERVER_CHANNELS.has(channel) ? 'server-error' : 'internal', message };
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function limit(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
