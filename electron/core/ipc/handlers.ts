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
 * of the user in a native dialog through `confirm` / `fileChooser` first. One question at a time:
 * while one is open, a request that would need another is refused. After a no, the same question
 * waits for a real user gesture in the window (`noteUserGesture`), so asking again and again
 * until a yes does not work.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type {
  AppInfo,
  CopyRequest,
  Envelope,
  ErrorCode,
  InvokeChannel,
  IpcError,
  MintedKey,
  MintKeyRequest,
  SettingsView,
} from '../../../shared/contract.ts';
import { execCommand, runtimeInstallCommand } from '../../../shared/runtime.ts';
import type { RuntimeFeed } from '../desktop/runtime-feed.ts';
import { CHANNEL_ERROR_CODE, INVOKE_CHANNELS, isInvokeChannel } from '../../../shared/contract.ts';
import { DurationError, parseDuration } from '../../../shared/duration.ts';
import { NamespaceError } from '../../../shared/namespace.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { dotenvSnippet, exportLine, mcpConfig, sdkSnippets } from '../../../shared/snippets.ts';
import { INSTALL_COMMAND } from '../../../shared/setup.ts';
import type { ClipboardGuard } from '../desktop/clipboard-guard.ts';
import { scrubSecrets, SecretScrubber } from '../base/scrub.ts';
import type { ChoicePort, ConfirmPort, FileChooserPort, SenderInfo, ShellPort } from '../desktop/desktop-ports.ts';
import { outsideServerQuestion, restartServerAsking, stopServerAsking } from '../desktop/stop-flow.ts';
import { isLive } from '../../../shared/actions.ts';
import type { SandboxesService } from '../sandboxes/service.ts';
import { runId, type MintService } from '../keys/mint-service.ts';
import { ServerKeyError } from '../keys/server-key.ts';
import { TokenError } from '../keys/token.ts';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';
import type { HomePaths } from '../home-paths.ts';
import { checkServerExecutable } from '../server/executable-check.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { SetupWatch } from '../server/setup-watch.ts';
import { effectiveServerUrl } from '../../../shared/server-url.ts';
import type { SettingsStore } from '../settings.ts';
import { HandlerError, type Handler } from './handler-error.ts';
import { validateRequest } from './request-validation.ts';
import { createRuntimeHandlers } from './runtime-handlers.ts';
import { createUpdateHandlers, type UpdateHandlerDeps } from './update-handlers.ts';
import { longKeyQuestion, settingsDecision, type QuestionKind, type UserQuestion } from './user-decisions.ts';

export interface HandlerDeps extends UpdateHandlerDeps {
  readonly control: ServerControl;
  /** The app's one scrubber of the server key and tokens (main's); a table of its own without it. */
  readonly scrubber?: SecretScrubber;
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
/** Keys the window was given that it may still copy; older ones drop out. */
const MAX_GIVEN_KEYS = 32;

function fail(code: ErrorCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

export function createHandlerTable(deps: HandlerDeps): HandlerTable {
  const logger = deps.logger ?? silentLogger;
  /** The log goes to the window without the server key or any token in it. */
  const scrubber = deps.scrubber ?? new SecretScrubber(deps.paths.keyFile, logger);
  /** The run that was live when a restart setting last changed. */
  let restartPendingFor: string | null = null;

  const settingsView = (): SettingsView => {
    const id = runId(deps.control.snapshot());
    return { settings: deps.settings.get(), restartNeeded: id !== null && id === restartPendingFor };
  };

  /** Set while a native question is open; another one is not stacked on it. */
  let asking = false;
  const oneQuestionAtATime = async <T>(ask: () => Promise<T>): Promise<T> => {
    if (asking)
      throw new HandlerError(
        'refused',
        'Microsandbox Tray is already waiting for your answer to another question; answer it first.',
      );
    asking = true;
    try {
      return await ask();
    } finally {
      asking = false;
    }
  };

  /**
   * Runs a flow that may ask native questions (Stop's): the first question takes the one-question
   * turn (refused while another is open), which is held until the flow ends, so its later
   * questions are not overtaken either. A flow that asks nothing takes no turn.
   */
  const withQuestionTurn = async <T>(flow: (choice: ChoicePort) => Promise<T>): Promise<T> => {
    let held = false;
    const choice: ChoicePort = {
      choose: (question) => {
        if (!held) {
          if (asking)
            return Promise.reject(
              new HandlerError(
                'refused',
                'Microsandbox Tray is already waiting for your answer to another question; answer it first.',
              ),
            );
          asking = true;
          held = true;
        }
        return deps.choice.choose(question);
      },
    };
    try {
      return await flow(choice);
    } finally {
      if (held) asking = false;
    }
  };

  /**
   * Consent by repetition: a window asking again and again until a yes. After a no, the same kind
   * of question is asked again only once the user has done something in the window since.
   */
  let gestures = 0;
  const declinedAt = new Map<QuestionKind, number>();

  /** Asks each question in turn; the first no (or a dialog that fails) ends it with `declined`. */
  const confirmAll = (questions: readonly UserQuestion[]): Promise<void> =>
    oneQuestionAtATime(async () => {
      for (const question of questions) {
        if (declinedAt.get(question.kind) === gestures)
          throw new HandlerError(
            'refused',
            `You said no to "${question.title}" a moment ago; click in the window (or press a key there) to be asked again.`,
          );
      }
      for (const question of questions) {
        const { kind: _kind, declined, ...asked } = question;
        let yes = false;
        try {
          yes = (await deps.confirm.confirm(asked)) === true;
        } catch (error) {
          logger.warn(`The question "${question.title}" could not be shown, so the answer is no: ${errorText(error)}`);
        }
        if (!yes) {
          declinedAt.set(question.kind, gestures);
          throw new HandlerError('declined', declined);
        }
        declinedAt.delete(question.kind);
      }
    });

  const applySettings = (patch: Partial<Settings>): SettingsView => {
    const result = deps.settings.update(patch);
    if (!result.ok) {
      // The request was validated with the same rules, so this is not expected.
      throw new HandlerError('invalid-input', 'The settings update was refused.');
    }
    if (result.restartNeeded) restartPendingFor = runId(deps.control.snapshot()) ?? restartPendingFor;
    return settingsView();
  };

  const setSettings = async (patch: Partial<Settings>): Promise<SettingsView> => {
    const decision = settingsDecision(deps.settings.get(), patch);
    if (decision.kind === 'refuse') throw new HandlerError('refused', decision.message);
    if (decision.questions.length === 0) return applySettings(patch);
    await confirmAll(decision.questions);
    // The settings may have changed while the dialog was open: decide again on what they are now,
    // and apply only what the user was asked about.
    const now = settingsDecision(deps.settings.get(), patch);
    if (now.kind === 'refuse') throw new HandlerError('refused', now.message);
    const asked = new Set<QuestionKind>(decision.questions.map((question) => question.kind));
    if (now.questions.some((question) => !asked.has(question.kind))) {
      throw new HandlerError('refused', 'The settings changed while you were asked; nothing was saved. Try again.');
    }
    return applySettings(patch);
  };

  const chooseMsbserver = async (): Promise<SettingsView> => {
    const current = deps.settings.get().msbserverPath;
    const chosen = await oneQuestionAtATime(() =>
      deps.fileChooser.chooseFile({
        title: 'Choose msbserver',
        buttonLabel: 'Use This msbserver',
        defaultPath: current ?? path.join(os.homedir(), '.local', 'bin'),
      }),
    );
    if (typeof chosen !== 'string' || chosen === '')
      throw new HandlerError('declined', 'No file was chosen: the msbserver path is unchanged.');
    const verdict = await checkServerExecutable(chosen);
    if (!verdict.ok) throw new HandlerError('refused', `${verdict.problem} The msbserver path is unchanged.`);
    return applySettings({ msbserverPath: chosen });
  };

  const chooseMsb = async (): Promise<SettingsView> => {
    const current = deps.settings.get().msbPath;
    const chosen = await oneQuestionAtATime(() =>
      deps.fileChooser.chooseFile({
        title: 'Choose msb',
        buttonLabel: 'Use This msb',
        defaultPath: current ?? path.join(os.homedir(), '.microsandbox', 'bin'),
      }),
    );
    if (typeof chosen !== 'string' || chosen === '')
      throw new HandlerError('declined', 'No file was chosen: the msb path is unchanged.');
    const verdict = await checkServerExecutable(chosen);
    if (!verdict.ok) throw new HandlerError('refused', `${verdict.problem} The msb path is unchanged.`);
    return applySettings({ msbPath: chosen });
  };

  // The runtime generation. The window names a sandbox; only one in the current list is acted on.

  const { handlers: runtimeHandlers, listed } = createRuntimeHandlers(deps, confirmAll);

  /**
   * The keys the window was given this session, by their SHA-256 (the token itself is not kept),
   * with the server URL they were made for: the only keys `clipboard:copy` puts on the clipboard.
   */
  const givenKeys = new Map<string, { readonly serverUrl: string }>();
  const keyId = (token: string): string => createHash('sha256').update(token).digest('hex');

  const mintKey = async (request: MintKeyRequest): Promise<MintedKey> => {
    const question =
      request.expiresIn === undefined ? null : longKeyQuestion(parseDuration(request.expiresIn), request.namespace);
    if (question !== null) await confirmAll([question]);
    const minted = await deps.mint.mint(request);
    givenKeys.set(keyId(minted.token), { serverUrl: minted.serverUrl });
    for (const oldest of givenKeys.keys()) {
      if (givenKeys.size <= MAX_GIVEN_KEYS) break;
      givenKeys.delete(oldest);
    }
    return minted;
  };

  /** The window names what; main builds the text, so no text of the window's ever reaches the clipboard. */
  const copy = async (request: CopyRequest): Promise<void> => {
    if (request.what === 'server-url') {
      await deps.clipboard.copy(effectiveServerUrl(deps.control.snapshot(), deps.settings.get()), false);
      return;
    }
    if (request.what === 'sdk-example') {
      await deps.clipboard.copy(
        sdkSnippets(effectiveServerUrl(deps.control.snapshot(), deps.settings.get()))[request.language],
        false,
      );
      return;
    }
    if (request.what === 'install-command') {
      await deps.clipboard.copy(INSTALL_COMMAND, false);
      return;
    }
    if (request.what === 'runtime-install') {
      const command = runtimeInstallCommand(request.method, deps.appInfo.platform);
      if (command === null)
        throw new HandlerError(
          'refused',
          `That way to install microsandbox does not exist on ${deps.appInfo.platformName}.`,
        );
      await deps.clipboard.copy(command, false);
      return;
    }
    if (request.what === 'exec-command') {
      await deps.clipboard.copy(execCommand(listed(request.name).name), false);
      return;
    }
    const given = givenKeys.get(keyId(request.token));
    if (given === undefined)
      throw new HandlerError('refused', 'Only a key made in this window (Generate) can be copied; make a new one.');
    const { token } = request;
    const text = {
      token: () => token,
      'export-line': () => exportLine(token),
      dotenv: () => dotenvSnippet(token, given.serverUrl),
      'mcp-config': () => mcpConfig(token, given.serverUrl),
    }[request.what]();
    // Holds a key: cleared after the configured delay if it is still there.
    await deps.clipboard.copy(text, true);
  };

  const resetKey = async (): Promise<ServerSnapshot> => {
    const snapshot = deps.control.snapshot();
    if (snapshot.state === 'starting' || snapshot.state === 'stopping') {
      throw new HandlerError('server-error', `The server is ${snapshot.state}; reset the key once it has finished.`);
    }
    // A reset restarts a running secure server: one the app did not start is replaced only after a yes.
    if (isLive(snapshot) && snapshot.external) {
      const answer = await withQuestionTurn((choice) => choice.choose(outsideServerQuestion('reset-key')));
      if (answer !== 0)
        throw new HandlerError(
          'declined',
          'The server key was not reset: the server started outside the app keeps running.',
        );
    }
    // Earlier keys stop working with the reset: the window may no longer copy them either.
    givenKeys.clear();
    return deps.control.resetKey();
  };

  const handlers: Handlers = {
    'server:status': () => deps.control.snapshot(),
    'server:start': () => deps.control.start(),
    'server:stop': async () =>
      (
        await withQuestionTurn((choice) =>
          stopServerAsking({ control: deps.control, sandboxes: deps.sandboxes, choice, logger }),
        )
      ).snapshot,
    'server:restart': async () =>
      (await withQuestionTurn((choice) => restartServerAsking({ control: deps.control, choice }))).snapshot,
    'server:cancel-restart': () => deps.control.cancelRestart(),
    'server:reset-key': resetKey,
    'server:locate': () => deps.control.locate(),
    'keys:mint': mintKey,
    'clipboard:copy': copy,
    'settings:get': () => settingsView(),
    'settings:set': setSettings,
    'settings:choose-msbserver': chooseMsbserver,
    'settings:clear-msbserver': () => applySettings({ msbserverPath: null }),
    'logs:tail': async (request) => ({
      lines: await scrubber.scrubLines(await deps.control.logTail(request.lines)),
      path: deps.control.logFile,
    }),
    'shell:reveal': async (request) => {
      if (request.target === 'log') {
        deps.shell.showItemInFolder(deps.control.logFile);
        return;
      }
      const problem = await deps.shell.openPath(deps.paths.home);
      if (problem !== '')
        throw new HandlerError(
          'internal',
          `The microsandbox folder ${deps.paths.home} could not be opened: ${problem}`,
        );
    },
    'app:info': () => deps.appInfo,
    'app:setup': () => deps.setup.refresh(),
    'sandboxes:list': () => deps.sandboxes.list(),
    'sandboxes:stop': (request) => deps.sandboxes.stop(request),
    'sandboxes:log-tail': (request) => deps.sandboxes.logTail(request),
    'sandboxes:watch': (request) => {
      deps.sandboxes.watch(request);
    },
    ...runtimeHandlers,
    ...createUpdateHandlers(deps, confirmAll),
    'settings:choose-msb': chooseMsb,
    'settings:clear-msb': () => applySettings({ msbPath: null }),
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
        `Answering ${typeof channel === 'string' ? clip(channel) : 'a request'} failed unexpectedly: ${errorText(error)}`,
      );
      return { ok: false, error: { code: 'internal', message: limit(`Unexpected error: ${errorText(error)}`) } };
    }
  };

  const noteUserGesture = (): void => {
    gestures += 1;
  };

  return { channels: INVOKE_CHANNELS, handle, settingsView, chooseMsbserver, noteUserGesture };
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
  if (error instanceof TokenError || error instanceof DurationError || error instanceof NamespaceError) {
    return { code: 'invalid-input', message };
  }
  return { code: CHANNEL_ERROR_CODE[channel], message };
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function limit(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
