/**
 * What each tray menu item does. Main hands the clicks here; everything it needs is a port, so
 * the behaviour of the menu is tested under plain Node.
 */
import type { ViewName } from '../../../shared/contract.ts';
import { findSandbox } from '../../../shared/sandboxes.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import type { MintService } from '../keys/mint-service.ts';
import type { SandboxesService } from '../sandboxes/service.ts';
import { errorText, type Logger } from '../base/logger.ts';
import { scrubSecrets } from '../base/scrub.ts';
import type { ServerControl } from '../server/server-control.ts';
import { effectiveServerUrl } from '../../../shared/server-url.ts';
import type { ClipboardGuard } from './clipboard-guard.ts';
import { mintedKeyNotice } from './key-notice.ts';
import type { ChoicePort, ConfirmPort, NotifierPort, ShellPort, UserQuestion } from './desktop-ports.ts';
import { execCommand, runtimeActions } from '../../../shared/runtime.ts';
import { removeSandboxQuestion } from './sandbox-questions.ts';
import type { RuntimeFeed } from './runtime-feed.ts';
import { stopFailureNotice } from './sandbox-feed.ts';
import { restartServerAsking, stopServerAsking } from './stop-flow.ts';
import type { QuitServer } from './quit-choice.ts';
import { type ParsedTrayAction, type ParsedTrayActionOf, parseTrayAction, type TrayActionKind } from './tray-items.ts';
import { copyKeyRequest } from './tray-menu.ts';
import type { ConnectFlow } from './connect-flow.ts';
import type { AppUpdates } from './app-update-wiring.ts';

export interface TrayActionDeps {
  readonly control: ServerControl;
  readonly mint: MintService;
  readonly clipboard: ClipboardGuard;
  readonly notifier: NotifierPort;
  readonly shell: ShellPort;
  readonly settings: () => Settings;
  /** Opens the window, on the given view when there is one. */
  readonly openWindow: (view?: ViewName) => void;
  readonly toggleStartAtLogin: () => Promise<void>;
  /** Quits: stopping the server or leaving it running, or as the settings say. */
  readonly quit: (server: QuitServer) => void;
  /** Main's own file chooser for msbserver (as Settings' Choose… does); rejects with why when nothing was set. */
  readonly locateMsbserver: () => Promise<void>;
  /** The About dialog (native, with Copy). */
  readonly about: () => Promise<void>;
  readonly logger: Logger;
  readonly sandboxes: Pick<SandboxesService, 'view' | 'refresh' | 'stop'>;
  /** Stop Server asks natively first while sandboxes run (desktop/stop-flow.ts). */
  readonly choice: ChoicePort;
  /** The runtime generation; its items do nothing without it. */
  readonly runtime?: Pick<RuntimeFeed, 'view' | 'service'>;
  /** Remove asks natively first. */
  readonly confirm?: ConfirmPort;
  /** MCP clients: Connect and Disconnect ask natively first, through `confirm`. */
  readonly connect?: Pick<ConnectFlow, 'connect' | 'disconnect'>;
  /** The app's own update (app-update-wiring.ts); its items do nothing without it. */
  readonly appUpdate?: Pick<AppUpdates, 'restartToUpdate' | 'openReleasePage'>;
}

/** A chooser closed without a file: the user changed their mind, nothing to say. */
function isDeclined(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'declined';
}

/**
 * Returns the click handler; it never rejects (a failure is logged and, where useful, notified).
 * It takes any string: the id comes back from Electron's menu, and one the menu never makes is
 * logged and does nothing.
 */
export function createTrayActions(deps: TrayActionDeps): (action: string) => Promise<void> {
  const copyNewKey = async (
    action: ParsedTrayActionOf<'copy-key' | 'copy-key-preset' | 'copy-key-namespace'>,
  ): Promise<void> => {
    const request = copyKeyRequest(action, deps.settings());
    let minted;
    try {
      minted = await deps.mint.mint(request);
    } catch (error) {
      deps.notifier.notify({ title: 'No API key was copied', body: errorText(error) });
      return;
    }
    const notice = mintedKeyNotice(minted, deps.settings().clipboardClearSeconds);
    if (notice.copy) {
      try {
        await deps.clipboard.copy(minted.token, true);
      } catch (error) {
        deps.notifier.notify({
          title: 'No API key was copied',
          body: `The clipboard could not be written: ${errorText(error)}`,
        });
        return;
      }
    }
    deps.notifier.notify(notice.notification);
  };

  const notifyFailures = (failures: Parameters<typeof stopFailureNotice>[0]): void => {
    if (failures.length > 0) deps.notifier.notify(stopFailureNotice(failures));
  };

  // Show Log reveals the log file, as Open Server Log does; the window tails and follows it.
  const showSandboxLog = ({ ref }: ParsedTrayActionOf<'sandbox-log'>): void => {
    const logPath = findSandbox(deps.sandboxes.view(), ref)?.logPath ?? null;
    if (logPath !== null) deps.shell.showItemInFolder(logPath);
  };

  /**
   * A runtime sandbox's item. The name must still be listed and the action still allowed when the
   * click arrives (the menu may be older than the list).
   */
  const runtimeAction = async ({ verb, name }: ParsedTrayActionOf<'runtime-sandbox'>): Promise<void> => {
    const state = deps.runtime?.view().state ?? null;
    const service = deps.runtime?.service() ?? null;
    const sandbox = state?.sandboxes.find((candidate) => candidate.name === name);
    if (state === null || service === null || sandbox === undefined) {
      deps.logger.warn(`Tray action ${verb} for a sandbox that is no longer listed was ignored.`);
      return;
    }
    if (verb === 'log') {
      deps.openWindow('sandboxes');
      return;
    }
    if (verb === 'copy-exec') {
      await deps.clipboard.copy(execCommand(sandbox.name), false);
      return;
    }
    if (!runtimeActions(sandbox.status, state.capabilities)[verb]) {
      deps.logger.warn(`Tray action ${verb} is not possible for ${sandbox.name} (${sandbox.status}); ignored.`);
      return;
    }
    if (verb === 'remove') {
      const { kind: _kind, declined: _declined, ...question } = removeSandboxQuestion(sandbox.name);
      if (deps.confirm === undefined || !(await deps.confirm.confirm(question))) return;
      // The list may have moved on while the user was asked (the sandbox started, or went, or the
      // service changed): decide again on what it is now, as the window's handler does.
      const nowState = deps.runtime?.view().state ?? null;
      const now = nowState?.sandboxes.find((candidate) => candidate.name === name);
      if (
        nowState === null ||
        deps.runtime?.service() !== service ||
        now === undefined ||
        !runtimeActions(now.status, nowState.capabilities)[verb]
      ) {
        deps.notifier.notify({
          title: `${sandbox.name} was not removed`,
          body: now === undefined ? 'It is no longer listed.' : `It is ${now.status} now.`,
        });
        return;
      }
    }
    try {
      await service.act(sandbox.name, verb);
      await service.refresh();
    } catch (error) {
      // msb's words, scrubbed again here: a notification outlives the window and shows on a locked screen.
      deps.notifier.notify({
        title: `${sandbox.name}: ${verb} failed`,
        body: scrubSecrets(errorText(error), null),
      });
    }
  };

  /** A client of the Connect AI Client submenu: connects or disconnects it, asking natively first. */
  const connectAction = async (target: ParsedTrayActionOf<'mcp-client'>): Promise<void> => {
    const { connect, confirm } = deps;
    if (connect === undefined || confirm === undefined) {
      deps.logger.warn(
        `Tray action mcp-${target.action}:${target.client} was ignored: this app cannot connect MCP clients.`,
      );
      return;
    }
    const ask = (question: UserQuestion): Promise<boolean> => {
      const { kind: _kind, declined: _declined, ...asked } = question;
      return confirm.confirm(asked);
    };
    const outcome = await (target.action === 'connect' ? connect.connect : connect.disconnect)(target.client, ask);
    switch (outcome.kind) {
      case 'done':
        deps.notifier.notify({
          title: target.action === 'connect' ? 'Connected' : 'Disconnected',
          body: outcome.message,
        });
        return;
      case 'cancelled':
        return;
      case 'refused':
        deps.notifier.notify({
          title: target.action === 'connect' ? 'Not connected' : 'Not disconnected',
          body: outcome.message,
        });
        return;
      case 'copy-command':
        // The command is copied from the window, which shows it with the key hidden.
        deps.openWindow('connect');
        return;
    }
  };

  // Asked again at the click: a start may have begun since the menu was drawn.
  const restartToUpdate = (): void => {
    const outcome = deps.appUpdate?.restartToUpdate();
    if (outcome?.kind === 'refused')
      deps.notifier.notify({ title: 'Not restarting to update yet', body: outcome.reason });
  };

  const stop = (): Promise<unknown> =>
    stopServerAsking({
      control: deps.control,
      sandboxes: deps.sandboxes,
      choice: deps.choice,
      logger: deps.logger,
      onStopFailures: notifyFailures,
    });

  // A Record of every kind, not a chain of tests with a fallback: a kind added in tray-items.ts
  // without its handler fails the type-check instead of falling through into another item.
  const handlers: { readonly [K in TrayActionKind]: (action: ParsedTrayActionOf<K>) => Promise<unknown> | void } = {
    start: () => deps.control.start(),
    stop,
    restart: () => restartServerAsking({ control: deps.control, choice: deps.choice }),
    'cancel-restart': () => deps.control.cancelRestart(),
    // The window's first-run state has the install command with Copy, and what happens next.
    install: () => deps.openWindow('status'),
    'locate-msbserver': () =>
      deps.locateMsbserver().catch((error: unknown) => {
        if (isDeclined(error)) return;
        deps.notifier.notify({ title: 'msbserver was not set', body: errorText(error) });
      }),
    'copy-key': copyNewKey,
    'copy-key-preset': copyNewKey,
    'copy-key-namespace': copyNewKey,
    'copy-url': () => deps.clipboard.copy(effectiveServerUrl(deps.control.snapshot(), deps.settings()), false),
    'open-window': () => deps.openWindow(),
    'open-settings': () => deps.openWindow('settings'),
    'open-log': () => deps.shell.showItemInFolder(deps.control.logFile),
    'toggle-start-at-login': () => deps.toggleStartAtLogin(),
    about: () => deps.about(),
    'restart-to-update': () => restartToUpdate(),
    'open-update-page': () => deps.appUpdate?.openReleasePage(),
    quit: () => deps.quit('as-set'),
    'quit-and-stop': () => deps.quit('stop'),
    'quit-leave-running': () => deps.quit('leave'),
    'sandbox-stop': async ({ ref }) => notifyFailures((await deps.sandboxes.stop(ref)).failed),
    'sandbox-log': showSandboxLog,
    'sandboxes-stop-all': async () => notifyFailures((await deps.sandboxes.stop({ all: true })).failed),
    'runtime-sandbox': runtimeAction,
    'check-host': () => deps.runtime?.service()?.checkHost(),
    'mcp-client': connectAction,
    'mcp-open-window': () => deps.openWindow('connect'),
  };

  const run = async (id: string): Promise<void> => {
    const action = parseTrayAction(id);
    if (action === null) {
      // Only an id the menu never makes (a namespace or sandbox name it would not offer) gets here.
      deps.logger.warn(`Tray action ${id} does nothing: no such item`);
      return;
    }
    // Each kind's handler takes that kind's action; TypeScript cannot follow the pairing through
    // the indexed access, and the table's type above keeps it.
    await (handlers[action.kind] as (action: ParsedTrayAction) => Promise<unknown> | void)(action);
  };

  return async (action) => {
    try {
      await run(action);
    } catch (error) {
      deps.logger.error(`Tray action ${action} failed: ${errorText(error)}`);
    }
  };
}
