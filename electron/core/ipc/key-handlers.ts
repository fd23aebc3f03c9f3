/**
 * The channels that hand the window a key or put text on the clipboard, and the server key's
 * reset. The window is given keys (`keys:mint`) and may copy only those again: the clipboard gets
 * text main builds from what the window names, never text of the window's. A reset forgets them.
 */
import { createHash } from 'node:crypto';
import type { AppInfo, CopyRequest, MintedKey, MintKeyRequest } from '../../../shared/contract.ts';
import { isLive } from '../../../shared/actions.ts';
import { parseDuration } from '../../../shared/duration.ts';
import { execCommand, runtimeInstallCommand, type RuntimeSandboxInfo } from '../../../shared/runtime.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { effectiveServerUrl } from '../../../shared/server-url.ts';
import { INSTALL_COMMAND } from '../../../shared/setup.ts';
import { dotenvSnippet, exportLine, mcpConfig, sdkSnippets } from '../../../shared/snippets.ts';
import type { ClipboardGuard } from '../desktop/clipboard-guard.ts';
import { outsideServerQuestion } from '../desktop/stop-flow.ts';
import type { MintService } from '../keys/mint-service.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { SettingsStore } from '../settings.ts';
import { HandlerError, type HandlerGroup } from './handler-error.ts';
import { longKeyQuestion } from './user-decisions.ts';
import type { WindowQuestions } from './window-questions.ts';

export type KeyChannel = 'keys:mint' | 'clipboard:copy' | 'server:reset-key';

export interface KeyHandlerDeps {
  readonly control: Pick<ServerControl, 'snapshot' | 'resetKey'>;
  readonly settings: Pick<SettingsStore, 'get'>;
  readonly clipboard: Pick<ClipboardGuard, 'copy'>;
  readonly appInfo: AppInfo;
  readonly mint: MintService;
}

/** Keys the window was given that it may still copy; older ones drop out. */
const MAX_GIVEN_KEYS = 32;

export function createKeyHandlers(
  deps: KeyHandlerDeps,
  questions: Pick<WindowQuestions, 'confirmAll' | 'withQuestionTurn'>,
  /** The runtime sandbox of that name in the current list (runtime-handlers.ts), or a refusal. */
  listed: (name: string) => RuntimeSandboxInfo,
): HandlerGroup<KeyChannel> {
  /**
   * The keys the window was given this session, by their SHA-256 (the token itself is not kept),
   * with the server URL they were made for: the only keys `clipboard:copy` puts on the clipboard.
   */
  const givenKeys = new Map<string, { readonly serverUrl: string }>();
  const keyId = (token: string): string => createHash('sha256').update(token).digest('hex');

  const mintKey = async (request: MintKeyRequest): Promise<MintedKey> => {
    const question =
      request.expiresIn === undefined ? null : longKeyQuestion(parseDuration(request.expiresIn), request.namespace);
    if (question !== null) await questions.confirmAll([question]);
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
      const answer = await questions.withQuestionTurn((choice) => choice.choose(outsideServerQuestion('reset-key')));
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

  return { 'keys:mint': mintKey, 'clipboard:copy': copy, 'server:reset-key': resetKey };
}
