/**
 * The IPC handler table: one handler per contract channel, in plain Node. Main registers each
 * channel with `registerHandlers` (register.ts); every answer is an `Envelope`, and `handle`
 * never throws.
 *
 * Order of checks, for every request: the sender first (a request from anything but the app's
 * own window is refused before anything else is looked at), then the channel, then the payload.
 * A refused request changes nothing.
 *
 * The window is untrusted: what it may not decide alone (user-decisions.ts) is refused, or asked
 * of the user in a native dialog through `confirm` / `fileChooser` first. One question at a time,
 * and after a no the same question waits for a real user gesture in the window
 * (window-questions.ts). Each group of channels has its handlers in a module of its own
 * (server-, key-, settings-, sandbox-, runtime-handlers.ts); this table merges them.
 */
import type { AppInfo, Envelope, ErrorCode, InvokeChannel, IpcError, SettingsView } from '../../../shared/contract.ts';
import type { RuntimeFeed } from '../desktop/runtime-feed.ts';
import { CHANNELS, INVOKE_CHANNELS, isInvokeChannel } from '../../../shared/contract.ts';
import { DurationError } from '../../../shared/duration.ts';
import type { ClipboardGuard } from '../desktop/clipboard-guard.ts';
import { type LineScrubber, scrubSecrets } from '../base/scrub.ts';
import type { ChoicePort, ConfirmPort, FileChooserPort, SenderInfo, ShellPort } from '../desktop/desktop-ports.ts';
import type { SandboxesService } from '../sandboxes/service.ts';
import type { MintService } from '../keys/mint-service.ts';
import { ServerKeyError } from '../keys/server-key.ts';
import { TokenError } from '../keys/token.ts';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';
import type { HomePaths } from '../home-paths.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { SetupWatch } from '../server/setup-watch.ts';
import type { SettingsStore } from '../settings.ts';
import { HandlerError, type Handler } from './handler-error.ts';
import { createKeyHandlers } from './key-handlers.ts';
import { validateRequest } from './request-validation.ts';
import { createRuntimeHandlers } from './runtime-handlers.ts';
import { createSandboxHandlers } from './sandbox-handlers.ts';
import { createServerHandlers } from './server-handlers.ts';
import { createSettingsHandlers } from './settings-handlers.ts';
import { createWindowQuestions } from './window-questions.ts';
import { createConnectHandlers, type ConnectHandlerDeps } from './connect-handlers.ts';
import { createUpdateHandlers, type UpdateHandlerDeps } from './update-handlers.ts';

export interface HandlerDeps extends ConnectHandlerDeps, UpdateHandlerDeps {
  readonly control: ServerControl;
  /** The app's one scrubber of the server key and tokens (main's). */
  readonly scrubber: LineScrubber;
  readonly settings: SettingsStore;
  readonly paths: HomePaths;
  readonly clipboard: ClipboardGuard;
  readonly shell: ShellPort;
  readonly appInfo: AppInfo;
  /** The one mint service, shared with the tray. */
  readonly mint: MintService;
  /**
   * True only for the app's own window (webContents id and page URL; see `isAppUrl`). The table
   * itself already refuses any frame but the main one.
   */
  isTrustedSender(sender: SenderInfo): boolean;
  readonly logger?: Logger;
  readonly confirm: ConfirmPort;
  readonly fileChooser: FileChooserPort;
  /** What the server runs; also asked before Stop whether sandboxes run. */
  readonly sandboxes: SandboxesService;
  /** The native question main asks before Stop while sandboxes run (desktop/stop-flow.ts). */
  readonly choice: ChoicePort;
  /** Whether microsandbox is there to run; `app:setup` looks again. */
  readonly setup: Pick<SetupWatch, 'refresh'>;
  /** The runtime generation (msb 0.3 and later); without it the runtime channels are refused. */
  readonly runtime?: Pick<RuntimeFeed, 'view' | 'service' | 'watchFromWindow'>;
  /** `msb doctor --fix` (Windows only, elevated); asked natively first. */
  readonly fixHost?: () => Promise<void>;
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
  /**
   * The tray's Locate msbserver…: the same native chooser and checks as Settings' Choose…; rejects
   * with a `HandlerError` when nothing was set.
   */
  chooseMsbserver(): Promise<SettingsView>;
  /**
   * A real user gesture in the window (a click or a key press main saw arrive from the system,
   * which the page's script cannot make): a question the user said no to may be asked again.
   */
  noteUserGesture(): void;
}

export { HandlerError };

type Handlers = { readonly [C in InvokeChannel]: Handler<C> };

const MAX_MESSAGE = 600;

function fail(code: ErrorCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

export function createHandlerTable(deps: HandlerDeps): HandlerTable {
  const logger = deps.logger ?? silentLogger;
  const questions = createWindowQuestions({ confirm: deps.confirm, choice: deps.choice, logger });
  const settings = createSettingsHandlers(deps, questions);
  // The runtime generation. The window names a sandbox; only one in the current list is acted on.
  const { handlers: runtimeHandlers, listed } = createRuntimeHandlers(deps, questions.confirmAll);

  // Each group of channels has its own module; this is where they are merged into one table.
  const handlers: Handlers = {
    ...createServerHandlers({ ...deps, logger }, questions),
    ...createKeyHandlers(deps, questions, listed),
    ...settings.handlers,
    'app:info': () => deps.appInfo,
    'app:setup': () => deps.setup.refresh(),
    ...createSandboxHandlers(deps.sandboxes),
    ...runtimeHandlers,
    ...createConnectHandlers(deps, questions.confirmAll),
    ...createUpdateHandlers(deps, questions.confirmAll),
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

  const handle = async (
    channel: unknown,
    sender: SenderInfo,
    payload: unknown,
    ...extra: unknown[]
  ): Promise<Envelope<unknown>> => {
    try {
      if (!trusted(deps, sender)) {
        return fail('forbidden-sender', 'This request did not come from the Microsandbox Tray window and was ignored.');
      }
      if (!isInvokeChannel(channel)) {
        return fail(
          'unknown-channel',
          `"${typeof channel === 'string' ? clip(channel) : String(typeof channel)}" is not a channel of this app.`,
        );
      }
      if (extra.length > 0)
        return fail('invalid-input', `${channel} takes at most one argument, but it was given ${1 + extra.length}.`);
      return await dispatch(channel, payload);
    } catch (error) {
      logger.error(
        `Answering ${typeof channel === 'string' ? clip(channel) : 'a request'} failed unexpectedly: ` +
          `${errorText(error)}`,
      );
      return { ok: false, error: { code: 'internal', message: limit(`Unexpected error: ${errorText(error)}`) } };
    }
  };

  return {
    channels: INVOKE_CHANNELS,
    handle,
    settingsView: settings.settingsView,
    chooseMsbserver: settings.chooseMsbserver,
    noteUserGesture: questions.noteUserGesture,
  };
}

/** Any doubt (a malformed sender, a sub frame, a check that throws) means not trusted. */
function trusted(deps: HandlerDeps, sender: unknown): boolean {
  try {
    if (typeof sender !== 'object' || sender === null) return false;
    const { id, url, isMainFrame } = sender as Partial<SenderInfo>;
    if (typeof id !== 'number' || typeof url !== 'string' || isMainFrame !== true) return false;
    return deps.isTrustedSender({ id, url, isMainFrame }) === true;
  } catch (error) {
    (deps.logger ?? silentLogger).debug(`The sender check threw, so the request is not trusted: ${errorText(error)}`);
    return false;
  }
}

function toIpcError(channel: InvokeChannel, error: unknown): IpcError {
  // Errors carry other programs' words (msb's stderr): no token reaches the window through them.
  const message = limit(scrubSecrets(errorText(error), null));
  if (error instanceof HandlerError) return { code: error.code, message };
  if (error instanceof ServerKeyError) return { code: 'key-unavailable', message };
  if (error instanceof TokenError || error instanceof DurationError) {
    return { code: 'invalid-input', message };
  }
  return { code: CHANNELS[channel].errorCode, message };
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function limit(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
