/** Electron's clipboard, shell, notifications and login item behind the core's port interfaces. */
import { Notification, app, clipboard, shell } from 'electron';
import { LinuxAutostart } from '../core/desktop/autostart-linux.ts';
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

/** The user's browser, for a URL main's code fixes (never one the window names). */
export const externalUrlPort: ExternalUrlPort = {
  openExternal: (url) => shell.openExternal(url),
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
