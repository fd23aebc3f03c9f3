/**
 * The main process: wires the plain-Node core to Electron. Nothing here decides anything the
 * core could decide; it turns core state into Electron calls and Electron events into core calls.
 *
 * Order matters: the single-instance lock is taken first; nothing Electron-bound (Tray,
 * BrowserWindow, Menu, Notification, clipboard, session) is touched before `app.whenReady()`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Menu, app, dialog, ipcMain, session } from 'electron';
import Store from 'electron-store';
import type { AppInfo, MintedKey } from '../shared/contract.ts';
import type { ServerSnapshot } from '../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../shared/settings-schema.ts';
import type { Settings } from '../shared/settings-schema.ts';
import { ClipboardGuard } from './core/desktop/clipboard-guard.ts';
import { createController } from './core/server/controller.ts';
import { createHandlerTable, registerHandlers } from './core/ipc/handlers.ts';
import type { HandlerTable } from './core/ipc/handlers.ts';
import { notificationFor } from './core/desktop/notifications.ts';
import { homePaths, resolveHome } from './core/paths.ts';
import type { StartAtLoginPort } from './core/desktop/ports.ts';
import { openSettings } from './core/settings.ts';
import { buildTrayMenu, copyKeyRequest, effectiveServerUrl, trayIconName, trayTooltip } from './core/desktop/tray-menu.ts';
import type { TrayAction } from './core/desktop/tray-menu.ts';
import { appPage } from './core/desktop/window-policy.ts';
import { mintedKeyNotice } from './core/desktop/key-notice.ts';
import { LogFollower } from './core/desktop/log-follower.ts';
import { clipboardPort, notifierPort, shellPort, startAtLoginPort } from './adapters/ports.ts';
import { TrayView, trayIconDirs } from './adapters/tray.ts';
import { AppWindow, installContentsGuards, installSessionSecurity } from './adapters/window.ts';

const APP_TITLE = 'Microsandbox Tray';
/**
 * How long quitting waits for the shutdown (clearing the clipboard, stopping the server, a start
 * still in flight) before the app exits anyway: a quit must never hang.
 */
const SHUTDOWN_TIMEOUT_MS = 10_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const platform = process.platform;

// An isolated profile (settings, logs and the single-instance lock, which lives in userData)
// for end-to-end tests and side-by-side development runs; never honoured by a packaged app.
const profile = app.isPackaged ? undefined : process.env['MICROSANDBOX_TRAY_PROFILE'];
if (profile !== undefined && profile !== '' && path.isAbsolute(profile)) {
  app.setPath('userData', path.join(profile, 'userData'));
  app.setPath('logs', path.join(profile, 'logs'));
}

if (!app.requestSingleInstanceLock()) {
  // Another instance runs; it has been told (`second-instance`) and opens its window.
  app.quit();
} else {
  run();
}

function run(): void {
  let openWindow: () => void = () => undefined;
  let shutdown: (() => Promise<void>) | null = null;
  let quitting = false;
  let canExit = false;

  // A second launch (the only way to reach the app where no tray shows, as on GNOME) opens the window.
  app.on('second-instance', () => {
    void app.whenReady().then(() => openWindow());
  });
  // macOS: launching the running app again from Finder or Spotlight, with no Dock icon and no
  // window, sends `activate` rather than `second-instance`.
  app.on('activate', () => {
    void app.whenReady().then(() => openWindow());
  });
  // The app lives in the tray: closing the window does not quit it.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (canExit) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    const done = shutdown === null ? Promise.resolve() : shutdown();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_TIMEOUT_MS);
    });
    void Promise.race([done.then(() => 'done' as const), timedOut])
      .then((outcome) => {
        if (outcome === 'timeout') {
          console.error(`Shutting down did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s; quitting anyway.`);
        }
      })
      .catch((error: unknown) => console.error('Shutting down failed:', error))
      .finally(() => {
        clearTimeout(timer);
        canExit = true;
        app.exit(0);
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  void app.whenReady().then(() => {
    try {
      const started = start();
      openWindow = started.openWindow;
      shutdown = started.shutdown;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.error('Microsandbox Tray could not start:', error);
      dialog.showErrorBox('Microsandbox Tray could not start', message);
      canExit = true;
      app.exit(1);
    }
  });
}

function start(): { openWindow: () => void; shutdown: () => Promise<void> } {
  // A menu-bar app: no Dock icon (packaged builds also set LSUIElement).
  app.dock?.hide();

  const userData = app.getPath('userData');
  const settingsFile = path.join(userData, 'settings.json');
  const opened = openSettings(
    () => new Store<Settings>({ name: 'settings', cwd: userData, defaults: { ...DEFAULT_SETTINGS } }),
    settingsFile,
  );
  const settings = opened.store;
  if (opened.invalidFields.length > 0) {
    console.warn(`Settings with invalid values run on their defaults: ${opened.invalidFields.join(', ')}`);
  }

  const home = resolveHome();
  const paths = homePaths(home);
  const controller = createController({ home, logDir: app.getPath('logs'), settings: () => settings.get(), platform });
  const clipboard = new ClipboardGuard(clipboardPort, () => settings.get().clipboardClearSeconds);
  const loginItem: StartAtLoginPort = startAtLoginPort(platform);
  const page = appPage(
    path.join(here, '..', 'renderer', 'index.html'),
    app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'],
  );

  // Security hooks before any web contents exists.
  installSessionSecurity(session.defaultSession);
  installContentsGuards(app, page);
  Menu.setApplicationMenu(
    platform === 'darwin' ? Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }]) : null,
  );

  let follower: LogFollower | null = null;
  const appWindow = new AppWindow({
    page,
    preloadPath: path.join(here, '..', 'preload', 'preload.cjs'),
    title: APP_TITLE,
    onCreated: () => {
      follower?.stop();
      follower = new LogFollower(controller.logFile, (lines) => appWindow.send('event:log', { lines }));
      follower.start();
    },
    onClosed: () => {
      follower?.stop();
      follower = null;
    },
  });

  const appInfo: AppInfo = {
    name: APP_TITLE,
    version: app.getVersion(),
    platform,
    home,
    serverSupported: platform !== 'win32',
  };
  const deps = { control: controller, settings, paths, clipboard, shell: shellPort, appInfo };
  const table: HandlerTable = createHandlerTable({ ...deps, isTrustedSender: (sender) => appWindow.isTrustedSender(sender) });
  const unregister = registerHandlers(ipcMain, table);
  // The tray's own requests (a key from the menu) never arrive over IPC, so they need no sender.
  const trayTable: HandlerTable = createHandlerTable({ ...deps, isTrustedSender: () => true });
  const traySender = { id: -1, url: '' };

  let startAtLogin = settings.get().startAtLogin;
  const tray = new TrayView({
    iconDirs: trayIconDirs(app.getAppPath(), process.resourcesPath),
    platform,
    onAction: (action) => void onTrayAction(action),
    onClick: platform === 'win32' ? () => showWindow() : undefined,
  });
  const renderTray = (): void => {
    const snapshot = controller.snapshot();
    tray.render({
      items: buildTrayMenu({ snapshot, settings: settings.get(), platform, startAtLogin }),
      iconFile: trayIconName(snapshot.state, platform),
      tooltip: trayTooltip(snapshot),
    });
  };

  let previous: ServerSnapshot = controller.snapshot();
  const unsubscribeStatus = controller.onChange((snapshot) => {
    const note = notificationFor(previous, snapshot);
    previous = snapshot;
    if (note !== null) notifierPort.notify(note);
    renderTray();
    appWindow.send('event:status', snapshot);
  });
  const unsubscribeSettings = settings.onChange((next) => {
    if (next.startAtLogin !== startAtLogin) void applyStartAtLogin(next.startAtLogin);
    renderTray();
    appWindow.send('event:settings', table.settingsView());
  });

  async function applyStartAtLogin(enabled: boolean): Promise<void> {
    try {
      await loginItem.setEnabled(enabled);
      startAtLogin = await loginItem.isEnabled();
    } catch (error) {
      console.error('Changing start at login failed:', error);
    }
    if (settings.get().startAtLogin !== startAtLogin) settings.update({ startAtLogin });
    renderTray();
  }

  /** Opens the window; on macOS also brings the app to the front, or it opens behind the frontmost app. */
  function showWindow(): void {
    if (platform === 'darwin') app.focus({ steal: true });
    appWindow.open();
  }

  async function copyNewKey(action: TrayAction): Promise<void> {
    const request = copyKeyRequest(action, settings.get());
    if (request === null) return;
    const answer = await trayTable.handle('keys:mint', traySender, request);
    if (!answer.ok) {
      notifierPort.notify({ title: 'No API key was copied', body: answer.error.message });
      return;
    }
    const minted = answer.value as MintedKey;
    const notice = mintedKeyNotice(minted, settings.get().clipboardClearSeconds);
    if (notice.copy) {
      try {
        await clipboard.copy(minted.token, true);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        notifierPort.notify({ title: 'No API key was copied', body: `The clipboard could not be written: ${reason}` });
        return;
      }
    }
    notifierPort.notify(notice.notification);
  }

  async function onTrayAction(action: TrayAction): Promise<void> {
    try {
      switch (action) {
        case 'start':
          await controller.start();
          return;
        case 'stop':
          await controller.stop();
          return;
        case 'restart':
          await controller.restart();
          return;
        case 'copy-url':
          await clipboard.copy(effectiveServerUrl(controller.snapshot(), settings.get()), false);
          return;
        case 'open-window':
          showWindow();
          return;
        case 'open-log':
          shellPort.showItemInFolder(controller.logFile);
          return;
        case 'toggle-start-at-login':
          await applyStartAtLogin(!startAtLogin);
          return;
        case 'quit':
          app.quit();
          return;
        default:
          await copyNewKey(action);
      }
    } catch (error) {
      console.error(`Tray action ${action} failed:`, error);
    }
  }

  renderTray();
  if (opened.recovered !== null) {
    notifierPort.notify({ title: 'Settings were reset', body: `${opened.recovered.reason} A copy was kept.` });
  }
  // The OS login item is the truth for the checkbox; bring the setting in line with it.
  void loginItem
    .isEnabled()
    .then((enabled) => {
      startAtLogin = enabled;
      if (settings.get().startAtLogin !== enabled) settings.update({ startAtLogin: enabled });
      renderTray();
    })
    .catch(() => undefined);
  void controller.ready.then(() => {
    renderTray();
    if (settings.get().startServerOnLaunch && platform !== 'win32') {
      const state = controller.snapshot().state;
      if (state === 'stopped' || state === 'failed') void controller.start().catch(() => undefined);
    }
  });

  const shutdown = async (): Promise<void> => {
    follower?.stop();
    unsubscribeStatus();
    unsubscribeSettings();
    unregister();
    appWindow.close();
    await clipboard.dispose().catch(() => undefined);
    await controller.dispose({ stopServer: settings.get().stopServerOnQuit });
    tray.destroy();
  };

  return { openWindow: showWindow, shutdown };
}
