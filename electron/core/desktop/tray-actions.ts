/**
 * What each tray menu item does. Main hands the clicks here; everything it needs is a port, so
 * the behaviour of the menu is tested under plain Node.
 */
import type { Settings } from '../../../shared/settings-schema.ts';
import type { MintService } from '../keys/mint-service.ts';
import { errorText, type Logger } from '../logger.ts';
import type { ServerControl } from '../server/server-control.ts';
import { effectiveServerUrl } from '../server/server-url.ts';
import type { ClipboardGuard } from './clipboard-guard.ts';
import { mintedKeyNotice } from './key-notice.ts';
import type { NotifierPort, ShellPort } from './ports.ts';
import { copyKeyRequest, type TrayAction } from './tray-menu.ts';

export interface TrayActionDeps {
  readonly control: ServerControl;
  readonly mint: MintService;
  readonly clipboard: ClipboardGuard;
  readonly notifier: NotifierPort;
  readonly shell: ShellPort;
  readonly settings: () => Settings;
  readonly openWindow: () => void;
  readonly toggleStartAtLogin: () => Promise<void>;
  readonly quit: () => void;
  readonly logger: Logger;
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
        deps.notifier.notify({ title: 'No API key was copied', body: `The clipboard could not be written: ${errorText(error)}` });
        return;
      }
    }
    deps.notifier.notify(notice.notification);
  };

  const run = async (action: TrayAction): Promise<void> => {
    switch (action) {
      case 'start':
        await deps.control.start();
        return;
      case 'stop':
        await deps.control.stop();
        return;
      case 'restart':
        await deps.control.restart();
        return;
      case 'copy-url':
        await deps.clipboard.copy(effectiveServerUrl(deps.control.snapshot(), deps.settings()), false);
        return;
      case 'open-window':
        deps.openWindow();
        return;
      case 'open-log':
        deps.shell.showItemInFolder(deps.control.logFile);
        return;
      case 'toggle-start-at-login':
        await deps.toggleStartAtLogin();
        return;
      case 'quit':
        deps.quit();
        return;
      default:
        await copyNewKey(action);
    }
  };

  return async (action) => {
    try {
      await run(action);
    } catch (error) {
      deps.logger.error(`Tray action ${action} failed: ${errorText(error)}`);
    }
  };
}
