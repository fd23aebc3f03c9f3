/** Electron's clipboard, shell, notifications and login item behind the core's port interfaces. */
import { Notification, app, clipboard, shell } from 'electron';
import { APP_RELEASE_PAGE_URL } from '../../shared/app-release.ts';
import { LinuxAutostart } from '../core/desktop/autostart-linux.ts';
import { RUNTIME_INSTALL_URL } from '../core/updates/microsandbox-updates.ts';
import type { ExternalUrlPort } from '../core/desktop/app-update-wiring.ts';
import type { ClipboardPort, NotifierPort, ShellPort, StartAtLoginPort } from '../core/desktop/desktop-ports.ts';

/** Electron 45's clipboard is asynchronous, which is exactly the port. */
export const clipboardPort: ClipboardPort = {
  readText: () => clipboard.readText(),
  writeText: (text) => clipboard.writeText(text),
};

export const shellPort: ShellPort = {
  showItemInFolder: (file) => shell.showItemInFolder(file),
  openPath: (file) => shell.openPath(file),
};

/** The only pages the app opens in the user's browser: URLs fixed in its code. */
const FIXED_PAGES: ReadonlySet<string> = new Set([APP_RELEASE_PAGE_URL, RUNTIME_INSTALL_URL]);

/** The user's browser, for a page main's code fixes; anything else is refused here, at the shell. */
export const externalUrlPort: ExternalUrlPort = {
  openPage: (url) =>
    FIXED_PAGES.has(url) ? shell.openExternal(url) : Promise.reject(new Error(`${url} is not a page this app opens.`)),
};

export const notifierPort: NotifierPort = {
  notify({ title, body }) {
    if (!Notification.isSupported()) return;
    new Notification({ title, body }).show();
  },
};

/** Electron's login item API (macOS, Windows). */
class LoginItem implements StartAtLoginPort {
  isEnabled(): Promise<boolean> {
    return Promise.resolve(app.getLoginItemSettings().openAtLogin);
  }

  setEnabled(enabled: boolean): Promise<void> {
    app.setLoginItemSettings({ openAtLogin: enabled });
    return Promise.resolve();
  }
}

/** Start at login: an XDG autostart entry on Linux, the login item elsewhere. */
export function startAtLoginPort(platform: NodeJS.Platform): StartAtLoginPort {
  if (platform === 'linux') {
    // Run from the sources, the Electron binary needs the app folder as its argument.
    const args = app.isPackaged ? [] : [app.getAppPath()];
    return new LinuxAutostart({ execPath: process.execPath, args });
  }
  return new LoginItem();
}
