/**
 * The main process, as a table of contents: it wires the plain-Node core (electron/core) to the
 * thin Electron adapters (electron/adapters) and decides nothing itself. Each part of the app is
 * set up by its own `setupX` in electron/setup/.
 *
 * Order matters: the single-instance lock is taken first; nothing Electron-bound (Tray,
 * BrowserWindow, Menu, Notification, clipboard, session) is touched before `app.whenReady()`.
 * The parts are built in the order below and let go in reverse when the app quits.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog } from 'electron';
import { DisposableStore } from './core/base/disposable.ts';
import { errorText, type Logger } from './core/base/logger.ts';
import { registerAppScheme } from './adapters/app-protocol.ts';
import { runApp, type Started } from './adapters/app-lifecycle.ts';
import { createAppLogger } from './adapters/electron-log.ts';
import { setupConnect } from './setup/connect-setup.ts';
import { setupFeeds } from './setup/feeds-setup.ts';
import { setupFirstRun } from './setup/first-run-setup.ts';
import { setupIpc } from './setup/ipc-setup.ts';
import { setupKeys } from './setup/keys-setup.ts';
import { setupLaunch } from './setup/launch-setup.ts';
import { setupNotices } from './setup/notices-setup.ts';
import { setupQuit } from './setup/quit-setup.ts';
import { setupRuntime } from './setup/runtime-setup.ts';
import { setupServer } from './setup/server-setup.ts';
import { setupSettings } from './setup/settings-setup.ts';
import { setupTrayIcon, setupTrayMenu } from './setup/tray-setup.ts';
import { setupUpdates } from './setup/update-setup.ts';
import { setupWindow } from './setup/window-setup.ts';

const APP_TITLE = 'Microsandbox Tray';
// The built main bundle: the built renderer and preload sit beside it (out/renderer, out/preload).
const here = path.dirname(fileURLToPath(import.meta.url));
const platform = process.platform;
let logger: Logger | null = null;

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
  // The window's page comes from the app's own scheme, which Electron takes only before ready.
  registerAppScheme();
  runApp(app, setup, reportStartFailure, () => logger);
}

/**
 * Builds the app once Electron is ready. A part may call one built after it only from a callback
 * (a click, a change), never while it is being built.
 */
function setup(): Started {
  const log = (logger = createAppLogger(app.getPath('logs')));
  const owned = new DisposableStore(log);
  // A menu-bar app: no Dock icon (packaged builds also set LSUIElement).
  app.dock?.hide();

  const { settings, home, paths } = setupSettings(log);
  const trayIcon = owned.add(
    setupTrayIcon({
      platform,
      onAction: (action): Promise<void> => tray.act(action),
      openWindow: (): void => mainWindow.show(),
      onMenuOpen: (open): void => tray.menuOpen(open),
      logger: log,
    }),
  );
  const { scrubber, notifier, dialogs } = setupNotices({
    keyFile: paths.keyFile,
    parentWindow: () => mainWindow.appWindow.browserWindow,
    logger: log,
  });
  const { controller, quitChoice, sandboxes } = owned.add(
    setupServer({ home, paths, settings, scrubber, platform, logger: log }),
  );
  const quitting = setupQuit({ controller, quitChoice, sandboxes, settings, dialogs, notifier, logger: log });
  const runtime = owned.add(setupRuntime({ settings, platform, logger: log }));
  const updates = owned.add(
    setupUpdates({
      settings,
      runtime,
      serverState: () => controller.snapshot().state,
      leaveServerOnQuit: () => quitChoice.choose('leave'),
      quitLeavingServer: () => quitting.quit('leave'),
      sendMicrosandboxUpdate: (view) => mainWindow.send('event:microsandbox-update', view),
      changed: () => tray.render(),
      platform,
      logger: log,
    }),
  );
  const firstRun = owned.add(setupFirstRun({ settings, platform, logger: log }));
  const { clipboard, mint } = owned.add(setupKeys({ keyFile: paths.keyFile, controller, settings, logger: log }));
  const connect = setupConnect({
    runtime,
    controller,
    settings,
    mint,
    keyFile: paths.keyFile,
    clipboard,
    platform,
    logger: log,
    changed: () => tray.render(),
  });
  const mainWindow = owned.add(
    setupWindow({
      title: APP_TITLE,
      rendererDir: path.join(here, '..', 'renderer'),
      preloadPath: path.join(here, '..', 'preload', 'preload.cjs'),
      serverLog: controller.logFile,
      scrubber,
      sandboxes,
      runtime,
      platform,
      logger: log,
      onUserGesture: () => table.noteUserGesture(),
    }),
  );
  const { table } = owned.add(
    setupIpc({
      title: APP_TITLE,
      home,
      paths,
      settings,
      controller,
      scrubber,
      clipboard,
      mint,
      appWindow: mainWindow.appWindow,
      dialogs,
      sandboxes,
      firstRun,
      runtime,
      connect,
      microsandboxUpdates: updates.microsandbox,
      platform,
      logger: log,
    }),
  );
  const tray = owned.add(
    setupTrayMenu({
      icon: trayIcon,
      title: APP_TITLE,
      home,
      settings,
      controller,
      sandboxes,
      firstRun,
      runtime,
      connect,
      appUpdates: updates.app,
      table,
      clipboard,
      mint,
      notifier,
      dialogs,
      openWindow: mainWindow.show,
      quit: quitting.quit,
      platform,
      logger: log,
    }),
  );
  owned.add(
    setupFeeds({
      controller,
      settings,
      table,
      notifier,
      sandboxes,
      firstRun,
      runtime,
      connect,
      renderTray: tray.render,
      send: mainWindow.send,
      logger: log,
    }),
  );
  setupLaunch({ renderTray: tray.render, loginSync: tray.loginSync, controller, settings, platform, logger: log });

  return { openWindow: () => mainWindow.show(), shutdown: owned, confirmQuit: quitting.confirm };
}

function reportStartFailure(error: unknown): void {
  (logger ?? console).error(`Microsandbox Tray could not start: ${errorText(error)}`);
  dialog.showErrorBox('Microsandbox Tray could not start', errorText(error));
}
