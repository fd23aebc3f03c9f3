/**
 * The main process, as a table of contents: it wires the plain-Node core (electron/core) to the
 * thin Electron adapters (electron/adapters) and decides nothing itself.
 *
 * Order matters: the single-instance lock is taken first; nothing Electron-bound (Tray,
 * BrowserWindow, Menu, Notification, clipboard, session) is touched before `app.whenReady()`.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Menu, app, dialog, ipcMain, session } from 'electron';
import Store from 'electron-store';
import type { AppInfo, ViewName } from '../shared/contract.ts';
import { platformName } from '../shared/setup.ts';
import { DEFAULT_SETTINGS, type Settings } from '../shared/settings-schema.ts';
import { systemClock } from './core/base/clock.ts';
import { ClipboardGuard } from './core/desktop/clipboard-guard.ts';
import { scrubbingNotifier } from './core/desktop/notifications.ts';
import { feedSandboxes, stopFailureNotice, trayMetricsInterest } from './core/desktop/sandbox-feed.ts';
import { SecretScrubber } from './core/base/scrub.ts';
import { confirmQuit } from './core/desktop/stop-flow.ts';
import { QuestionGate } from './core/desktop/question-gate.ts';
import { QuitChoice, type QuitServer } from './core/desktop/quit-choice.ts';
import { collectAbout, showAbout } from './core/desktop/about.ts';
import { createSandboxesService } from './core/sandboxes/service.ts';
import { feedStatusAndSettings, LogFeed } from './core/desktop/feeds.ts';
import { shouldStartOnLaunch } from './core/desktop/launch.ts';
import { feedSetup } from './core/desktop/setup-feed.ts';
import { StartAtLoginSync } from './core/desktop/start-at-login.ts';
import { createTrayActions } from './core/desktop/tray-actions.ts';
import { createConnectFlow } from './core/desktop/connect-flow.ts';
import { buildTrayMenu, runtimeTooltip, runtimeWarns, trayIconName, trayTooltip } from './core/desktop/tray-menu.ts';
import { feedRuntime } from './core/desktop/runtime-feed.ts';
import { createAppRuntimeFeed, fixHostWith } from './core/desktop/runtime-wiring.ts';
import { listRendererFiles, type RendererFiles } from './core/desktop/renderer-files.ts';
import { appPage } from './core/desktop/window-policy.ts';
import { DisposableStore, toDisposable } from './core/base/disposable.ts';
import { createHandlerTable } from './core/ipc/handlers.ts';
import { registerHandlers } from './core/ipc/register.ts';
import { createMintService } from './core/keys/mint-service.ts';
import { errorText, ignoreFailure, type Logger } from './core/base/logger.ts';
import { homePaths, resolveHome } from './core/home-paths.ts';
import { createController } from './core/server/controller.ts';
import { SetupWatch } from './core/server/setup-watch.ts';
import { openSettings } from './core/settings.ts';
import { registerAppScheme, serveAppScheme } from './adapters/app-protocol.ts';
import { runApp, type Started } from './adapters/app-lifecycle.ts';
import { dialogPorts } from './adapters/dialogs.ts';
import { createAppLogger } from './adapters/electron-log.ts';
import {
  clipboardPort,
  externalUrlPort,
  notifierPort,
  shellPort,
  startAtLoginPort,
} from './adapters/electron-ports.ts';
import { TrayView, trayIconDirs } from './adapters/tray.ts';
import { setupUpdates } from './update-setup.ts';
import { AppWindow, installContentsGuards, installSessionSecurity } from './adapters/window.ts';

const APP_TITLE = 'Microsandbox Tray';
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

function setup(): Started {
  const log = (logger = createAppLogger(app.getPath('logs')));
  const owned = new DisposableStore(log);
  // A menu-bar app: no Dock icon (packaged builds also set LSUIElement).
  app.dock?.hide();

  const settings = openAppSettings(log);
  const home = path.resolve(resolveHome()); // as the controller uses it: msb reads a relative one from its own working directory
  const paths = homePaths(home);
  const tray = owned.add(
    new TrayView({
      iconDirs: trayIconDirs(app.getAppPath(), process.resourcesPath),
      platform,
      onAction: (action) => void onTrayAction(action),
      onClick: platform === 'win32' ? () => showWindow() : undefined,
      onMenuOpen: (open) => trayInterest(open),
      logger: log,
    }),
  );
  // What the window and notifications show passes through here first: no server key, no token.
  const scrubber = new SecretScrubber(paths.keyFile, log);
  const controller = createController({
    home,
    logDir: app.getPath('logs'),
    stateDir: app.getPath('userData'),
    settings: () => settings.get(),
    platform,
    logger: log,
    scrubber,
  });
  // Quit stops the server as the settings say, unless the tray's Quit item chosen says otherwise.
  const quitChoice = new QuitChoice();
  owned.add(toDisposable(() => controller.dispose({ stopServer: quitChoice.stopsServer(settings.get()) })));
  const notifier = scrubbingNotifier(notifierPort, scrubber, log);
  // What the window may not decide alone is asked here, natively, attached to the window.
  // One gate for all of them (window, tray, quit): never two native dialogs at once.
  const dialogs = new QuestionGate().gated(dialogPorts(() => appWindow.browserWindow));
  // What the server runs: main asks the native questions about it, the key for sandbox.stop stays here.
  const sandboxes = owned.add(
    createSandboxesService({
      defaultNamespacesDir: paths.namespacesDir,
      settings,
      server: () => controller.snapshot(),
      keyFile: paths.keyFile,
      scrubber,
      logger: log,
    }),
  );
  // The runtime generation (msb 0.3 and later): which generation is used, and what its msb shows.
  const runtime = owned.add(
    createAppRuntimeFeed({ settings, env: process.env, userHome: os.homedir(), platform, logger: log }),
  );
  // The app's own updates and microsandbox's (update-setup.ts).
  const updates = setupUpdates({
    settings,
    runtime,
    serverState: () => controller.snapshot().state,
    leaveServerOnQuit: () => quitChoice.choose('leave'),
    quitLeavingServer: () => quit('leave'),
    sendMicrosandboxUpdate: (view) => send('event:microsandbox-update', view),
    changed: () => renderTray(),
    platform,
    logger: log,
  });
  const appUpdates = owned.add(updates.app);
  const microsandboxUpdates = owned.add(updates.microsandbox);
  owned.add(toDisposable(settings.onChange(() => appUpdates.settingsChanged())));
  const serverTrayInterest = trayMetricsInterest(sandboxes);
  const trayInterest = (open: boolean): void => {
    serverTrayInterest(open);
    runtime.trayMenuOpen(open);
    // Looked at again for the next time the menu opens (a client installed, a file edited by hand).
    if (open) void connect.refresh().catch(ignoreFailure(log, 'looking at the MCP clients'));
  };
  // Whether microsandbox is there at all: the first-run state of tray and window.
  const setup = owned.add(
    new SetupWatch({
      options: () => ({
        env: process.env,
        settingsPath: settings.get().msbserverPath,
        platform,
        userHome: os.homedir(),
      }),
      logger: log,
    }),
  );
  const stopQuestion = {
    sandboxes,
    choice: dialogs,
    logger: log,
    onStopFailures: (failures: Parameters<typeof stopFailureNotice>[0]) => notifier.notify(stopFailureNotice(failures)),
  };
  const clipboard = owned.add(
    new ClipboardGuard(clipboardPort, () => settings.get().clipboardClearSeconds, undefined, log),
  );
  const mint = createMintService({
    keyFile: paths.keyFile,
    snapshot: () => controller.snapshot(),
    settings: () => settings.get(),
    clock: systemClock,
  });
  // MCP clients: main finds their files, asks natively, mints the key; the window names a client only.
  const connect = createConnectFlow({
    place: { userHome: os.homedir(), platform, env: process.env },
    generation: () => runtime.view().generation,
    server: () => controller.snapshot(),
    settings: () => settings.get(),
    mint,
    keyFile: paths.keyFile,
    clipboard,
    logger: log,
    changed: () => renderTray(),
  });
  const page = appPage(app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']);

  // Security hooks before any web contents exists; the page is served only from the built files.
  owned.add(toDisposable(serveAppScheme(builtRenderer(path.join(here, '..', 'renderer'), log), log)));
  installSessionSecurity(session.defaultSession);
  installContentsGuards(app, page);
  Menu.setApplicationMenu(
    platform === 'darwin' ? Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }]) : null,
  );

  const send: AppWindow['send'] = (channel, payload) => appWindow.send(channel, payload);
  const logFeed = new LogFeed(controller.logFile, send, scrubber, log);
  const appWindow = owned.add(
    new AppWindow({
      page,
      preloadPath: path.join(here, '..', 'preload', 'preload.cjs'),
      title: APP_TITLE,
      devTools: !app.isPackaged,
      onCreated: () => logFeed.windowOpened(),
      // After a no, the window may ask the same again only after a real click or key press.
      onUserGesture: () => table.noteUserGesture(),
      onClosed: () => {
        logFeed.windowClosed();
        sandboxes.windowClosed();
        runtime.watchFromWindow(null);
      },
    }),
  );
  owned.add(logFeed);

  const appInfo: AppInfo = {
    name: APP_TITLE,
    version: app.getVersion(),
    platform,
    home,
    platformName: platformName(platform),
  };
  const table = createHandlerTable({
    control: controller,
    scrubber,
    settings,
    paths,
    clipboard,
    shell: shellPort,
    appInfo,
    mint,
    logger: log,
    isTrustedSender: (sender) => appWindow.isTrustedSender(sender),
    confirm: dialogs,
    fileChooser: dialogs,
    sandboxes,
    choice: dialogs,
    setup,
    runtime,
    fixHost: () => fixHostWith(runtime, process.env),
    connect,
    microsandboxUpdates,
    browser: externalUrlPort,
  });
  owned.add(toDisposable(registerHandlers(ipcMain, table)));

  const loginSync = owned.add(new StartAtLoginSync(startAtLoginPort(platform), settings, () => renderTray(), log));
  const renderTray = (): void => {
    const snapshot = controller.snapshot();
    const view = sandboxes.view();
    const items = buildTrayMenu({
      snapshot,
      settings: settings.get(),
      platform,
      startAtLogin: loginSync.enabled,
      sandboxes: view,
      setup: setup.current(),
      restartNeeded: table.settingsView().restartNeeded,
      now: Date.now(),
      runtime: runtime.view(),
      connect: connect.current(),
      appUpdate: appUpdates.offer(),
    });
    tray.render({
      items,
      iconFile: runtimeWarns(runtime.view())
        ? trayIconName('failed', platform, null)
        : trayIconName(snapshot.state, platform, snapshot.healthy),
      tooltip: runtime.view().generation === 'runtime' ? runtimeTooltip(runtime.view()) : trayTooltip(snapshot, view),
    });
  };
  owned.add(
    feedStatusAndSettings({
      control: controller,
      settings,
      settingsView: () => table.settingsView(),
      notifier,
      renderTray,
      send,
    }),
  );
  owned.add(feedSandboxes({ sandboxes, send, renderTray }));
  owned.add(feedSetup({ setup, control: controller, settings, send, renderTray }));
  owned.add(feedRuntime({ runtime, send, renderTray }));
  void runtime.rescan().catch(ignoreFailure(log, 'looking for microsandbox'));
  void connect.refresh().catch(ignoreFailure(log, 'looking at the MCP clients'));

  /** Opens the window (on a view); on macOS also brings the app to the front, or it opens behind the frontmost app. */
  function showWindow(view?: ViewName): void {
    if (platform === 'darwin') app.focus({ steal: true });
    appWindow.open(view);
  }
  const aboutFacts = {
    appName: APP_TITLE,
    appVersion: app.getVersion(),
    home,
    appLog: path.join(app.getPath('logs'), 'main.log'),
    serverLog: controller.logFile,
    settingsFile: path.join(app.getPath('userData'), 'settings.json'),
  };
  const about = (): Promise<void> =>
    showAbout({
      info: async () => collectAbout(aboutFacts, await setup.refresh(), log, runtime.view()),
      choice: dialogs,
      copy: (text) => clipboard.copy(text, false),
      update: {
        offer: () => appUpdates.offer(),
        restartToUpdate: () => void onTrayAction('restart-to-update'),
        openReleasePage: () => appUpdates.openReleasePage(),
      },
    });
  const quit = (server: QuitServer): void => {
    quitChoice.choose(server);
    app.quit();
  };
  const onTrayAction = createTrayActions({
    control: controller,
    mint,
    clipboard,
    notifier,
    shell: shellPort,
    settings: () => settings.get(),
    openWindow: showWindow,
    toggleStartAtLogin: () => loginSync.toggle(),
    quit,
    locateMsbserver: async () => void (await table.chooseMsbserver()),
    about,
    logger: log,
    sandboxes,
    choice: dialogs,
    runtime,
    confirm: dialogs,
    connect,
    appUpdate: appUpdates,
  });

  renderTray();
  void loginSync.syncFromSystem();
  void controller.ready.then(() => {
    renderTray();
    if (shouldStartOnLaunch(settings.get(), controller.snapshot(), platform))
      void controller.start().catch(ignoreFailure(log, 'starting the server on launch'));
  });
  // Quitting that stops the server asks first while sandboxes run or when the app did not start it (Cancel keeps the app).
  const askBeforeQuit = async (): Promise<boolean> => {
    const go = await confirmQuit({
      ...stopQuestion,
      control: controller,
      stopsServer: () => quitChoice.stopsServer(settings.get()),
    });
    if (!go) quitChoice.reset();
    return go;
  };
  return { openWindow: () => showWindow(), shutdown: owned, confirmQuit: askBeforeQuit };
}

/** The built renderer's files; a build that cannot be listed serves nothing (and says why in the log). */
function builtRenderer(dir: string, log: Logger): Promise<RendererFiles> {
  return listRendererFiles(dir, log).catch((error: unknown) => {
    log.error(`The window's files in ${dir} could not be listed, so the window stays empty: ${errorText(error)}`);
    return { root: dir, files: new Map<string, string>() };
  });
}

/** The settings in userData; a corrupt file is moved aside and the user told. */
function openAppSettings(log: Logger): ReturnType<typeof openSettings>['store'] {
  const userData = app.getPath('userData');
  const opened = openSettings(
    () => new Store<Settings>({ name: 'settings', cwd: userData, defaults: { ...DEFAULT_SETTINGS } }),
    path.join(userData, 'settings.json'),
  );
  if (opened.invalidFields.length > 0)
    log.warn(`Settings with invalid values run on their defaults: ${opened.invalidFields.join(', ')}`);
  if (opened.recovered !== null)
    notifierPort.notify({ title: 'Settings were reset', body: `${opened.recovered.reason} A copy was kept.` });
  return opened.store;
}

function reportStartFailure(error: unknown): void {
  (logger ?? console).error(`Microsandbox Tray could not start: ${errorText(error)}`);
  dialog.showErrorBox('Microsandbox Tray could not start', errorText(error));
}
