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
import { type FixedTrayAction, isFixedTrayAction, type TrayAction } from './tray-items.ts';
import { copyKeyRequest } from './tray-menu.ts';
import { sandboxActionOf } from './tray-sandboxes.ts';
import { runtimeActionOf } from './tray-runtime.ts';
import type { ConnectFlow } from './connect-flow.ts';
import { connectActionOf } from './tray-connect.ts';
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

/** Returns the click handler; it never rejects (a failure is logged and, where useful, notified). */
export function createTrayActions(deps: TrayActionDeps): (action: TrayAction) => Promise<void> {
  const copyNewKey = async (action: TrayAction): Promise<void> => {
    const request = copyKeyRequest(action, deps.settings());
    if (request === null) return;
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

  /** A sandbox's Stop and Show Log; false for any other action. */
  const sandboxAction = async (action: TrayAction): Promise<boolean> => {
    if (action === 'sandboxes-stop-all') {
      notifyFailures((await deps.sandboxes.stop({ all: true })).failed);
      return true;
    }
    const target = sandboxActionOf(action);
    if (target === null) return false;
    if (target.kind === 'stop') {
      notifyFailures((await deps.sandboxes.stop(target.ref)).failed);
      return true;
    }
    // Show Log reveals the log file, as Open Server Log does; the window tails and follows it.
    const logPath = findSandbox(deps.sandboxes.view(), target.ref)?.logPath ?? null;
    if (logPath !== null) deps.shell.showItemInFolder(logPath);
    return true;
  };

  /**
   * A runtime sandbox's item; false for any other action. The name must still be listed and the
   * action still allowed when the click arrives (the menu may be older than the list).
   */
  const runtimeAction = async (action: TrayAction): Promise<boolean> => {
    if (action === 'check-host') {
      await deps.runtime?.service()?.checkHost();
      return true;
    }
    const target = runtimeActionOf(action);
    if (target === null) return false;
    const state = deps.runtime?.view().state ?? null;
    const service = deps.runtime?.service() ?? null;
    const sandbox = state?.sandboxes.find((candidate) => candidate.name === target.name);
    if (state === null || service === null || sandbox === undefined) {
      deps.logger.warn(`Tray action ${target.kind} for a sandbox that is no longer listed was ignored.`);
      return true;
    }
    if (target.kind === 'log') {
      deps.openWindow('sandboxes');
      return true;
    }
    if (target.kind === 'copy-exec') {
      await deps.clipboard.copy(execCommand(sandbox.name), false);
      return true;
    }
    if (!runtimeActions(sandbox.status, state.capabilities)[target.kind]) {
      deps.logger.warn(`Tray action ${target.kind} is not possible for ${sandbox.name} (${sandbox.status}); ignored.`);
      return true;
    }
    if (target.kind === 'remove') {
      const { kind: _kind, declined: _declined, ...question } = removeSandboxQuestion(sandbox.name);
      if (deps.confirm === undefined || !(await deps.confirm.confirm(question))) return true;
      // The list may have moved on while the user was asked (the sandbox started, or went, or the
      // service changed): decide again on what it is now, as the window's handler does.
      const nowState = deps.runtime?.view().state ?? null;
      const now = nowState?.sandboxes.find((candidate) => candidate.name === target.name);
      if (
        nowState === null ||
        deps.runtime?.service() !== service ||
        now === undefined ||
        !runtimeActions(now.status, nowState.capabilities)[target.kind]
      ) {
        deps.notifier.notify({
          title: `${sandbox.name} was not removed`,
          body: now === undefined ? 'It is no longer listed.' : `It is ${now.status} now.`,
        });
        return true;
      }
    }
    try {
      await service.act(sandbox.name, target.kind);
      await service.refresh();
    } catch (error) {
      // msb's words, scrubbed again here: a notification outlives the window and shows on a locked screen.
      deps.notifier.notify({
        title: `${sandbox.name}: ${target.kind} failed`,
        body: scrubSecrets(errorText(error), null),
      });
    }
    return true;
  };

  /** A client of the Connect AI Client submenu; false for any other action. */
  const connectAction = async (action: TrayAction): Promise<boolean> => {
    if (action === 'mcp-open-window') {
      deps.openWindow('connect');
      return true;
    }
    const target = connectActionOf(action);
    if (target === null) return false;
    const { connect, confirm } = deps;
    if (connect === undefined || confirm === undefined) {
      deps.logger.warn(`Tray action ${action} was ignored: this app cannot connect MCP clients.`);
      return true;
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
        return true;
      case 'cancelled':
        return true;
      case 'refused':
        deps.notifier.notify({
          title: target.action === 'connect' ? 'Not connected' : 'Not disconnected',
          body: outcome.message,
        });
        return true;
      case 'copy-command':
        // The command is copied from the window, which shows it with the key hidden.
        deps.openWindow('connect');
        return true;
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

  // A Record, not a switch with a default: an item added to TRAY_ACTIONS without its handler
  // fails the type-check instead of falling through into another item's behaviour.
  const handlers: Record<FixedTrayAction, () => Promise<unknown> | void> = {
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
    'copy-key': () => copyNewKey('copy-key'),
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
  };

  const run = async (action: TrayAction): Promise<void> => {
    if (isFixedTrayAction(action)) {
      await handlers[action]();
      return;
    }
    if (await sandboxAction(action)) return;
    if (await runtimeAction(action)) return;
    if (await connectAction(action)) return;
    if (copyKeyRequest(action, deps.settings()) !== null) return copyNewKey(action);
    // Only an id the menu never makes (a namespace or sandbox name it would not offer) gets here.
    deps.logger.warn(`Tray action ${action} does nothing: no such item`);
  };

  return async (action) => {
    try {
      await run(action);
    } catch (error) {
      deps.logger.error(`Tray action ${action} failed: ${errorText(error)}`);
    }
  };
}
