/**
 * main's tray part, in two steps: the icon first (owned first, so it is let go last and stays
 * while a quit stops the server), its menu once everything it shows exists.
 */
import path from 'node:path';
import { app } from 'electron';
import { TrayView, trayIconDirs } from '../adapters/tray.ts';
import { shellPort, startAtLoginPort } from '../adapters/electron-ports.ts';
import { DisposableStore, type Disposable } from '../core/base/disposable.ts';
import { ignoreFailure, type Logger } from '../core/base/logger.ts';
import { collectAbout, showAbout } from '../core/desktop/about.ts';
import type { AppUpdates } from '../core/desktop/app-update-wiring.ts';
import type { ClipboardGuard } from '../core/desktop/clipboard-guard.ts';
import type { ConnectFlow } from '../core/desktop/connect-flow.ts';
import type { NotifierPort } from '../core/desktop/desktop-ports.ts';
import type { DialogPorts } from '../core/desktop/question-gate.ts';
import type { QuitServer } from '../core/desktop/quit-choice.ts';
import type { RuntimeFeed } from '../core/desktop/runtime-feed.ts';
import { trayMetricsInterest } from '../core/desktop/sandbox-feed.ts';
import { StartAtLoginSync } from '../core/desktop/start-at-login.ts';
import { createTrayActions } from '../core/desktop/tray-actions.ts';
import type { TrayAction } from '../core/desktop/tray-items.ts';
import { buildTrayMenu, runtimeTooltip, runtimeWarns, trayIconName, trayTooltip } from '../core/desktop/tray-menu.ts';
import type { HandlerTable } from '../core/ipc/handlers.ts';
import type { MintService } from '../core/keys/mint-service.ts';
import type { SandboxesService } from '../core/sandboxes/service.ts';
import type { Controller } from '../core/server/controller.ts';
import type { SetupWatch } from '../core/server/setup-watch.ts';
import type { SettingsStore } from '../core/settings.ts';
import type { ViewName } from '../../shared/contract.ts';

export interface TrayIconDeps {
  readonly platform: NodeJS.Platform;
  readonly onAction: (action: TrayAction) => Promise<void>;
  readonly openWindow: () => void;
  readonly onMenuOpen: (open: boolean) => void;
  readonly logger: Logger;
}

export function setupTrayIcon(deps: TrayIconDeps): TrayView {
  const { platform } = deps;
  return new TrayView({
    iconDirs: trayIconDirs(app.getAppPath(), process.resourcesPath),
    platform,
    onAction: (action) => void deps.onAction(action),
    onClick: platform === 'win32' ? () => deps.openWindow() : undefined,
    onMenuOpen: (open) => deps.onMenuOpen(open),
    logger: deps.logger,
  });
}

export interface TrayMenuDeps {
  readonly icon: TrayView;
  readonly title: string;
  readonly home: string;
  readonly settings: SettingsStore;
  readonly controller: Controller;
  readonly sandboxes: SandboxesService;
  readonly firstRun: SetupWatch;
  readonly runtime: RuntimeFeed;
  readonly connect: ConnectFlow;
  readonly appUpdates: AppUpdates;
  readonly table: HandlerTable;
  readonly clipboard: ClipboardGuard;
  readonly mint: MintService;
  readonly notifier: NotifierPort;
  readonly dialogs: DialogPorts;
  readonly openWindow: (view?: ViewName) => void;
  readonly quit: (server: QuitServer) => void;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

export interface TrayMenuPart extends Disposable {
  /** Renders the menu, icon and tooltip from what is true now. */
  readonly render: () => void;
  /** What a menu item does. */
  readonly act: (action: TrayAction) => Promise<void>;
  /** The menu opened or closed: metrics and the MCP clients are looked at while it is open. */
  readonly menuOpen: (open: boolean) => void;
  readonly loginSync: StartAtLoginSync;
}

export function setupTrayMenu(deps: TrayMenuDeps): TrayMenuPart {
  const { settings, controller, sandboxes, firstRun, runtime, connect, appUpdates, table, platform } = deps;
  const { clipboard, dialogs, logger: log } = deps;
  const owned = new DisposableStore(log);
  const loginSync = owned.add(new StartAtLoginSync(startAtLoginPort(platform), settings, () => render(), log));
  const render = (): void => {
    const snapshot = controller.snapshot();
    const view = sandboxes.view();
    const items = buildTrayMenu({
      snapshot,
      settings: settings.get(),
      platform,
      startAtLogin: loginSync.enabled,
      sandboxes: view,
      setup: firstRun.current(),
      restartNeeded: table.settingsView().restartNeeded,
      now: Date.now(),
      runtime: runtime.view(),
      connect: connect.current(),
      appUpdate: appUpdates.offer(),
    });
    deps.icon.render({
      items,
      iconFile: runtimeWarns(runtime.view())
        ? trayIconName('failed', platform, null)
        : trayIconName(snapshot.state, platform, snapshot.healthy),
      tooltip: runtime.view().generation === 'runtime' ? runtimeTooltip(runtime.view()) : trayTooltip(snapshot, view),
    });
  };

  const serverTrayInterest = trayMetricsInterest(sandboxes);
  const menuOpen = (open: boolean): void => {
    serverTrayInterest(open);
    runtime.trayMenuOpen(open);
    // Looked at again for the next time the menu opens (a client installed, a file edited by hand).
    if (open) void connect.refresh().catch(ignoreFailure(log, 'looking at the MCP clients'));
  };

  const aboutFacts = {
    appName: deps.title,
    appVersion: app.getVersion(),
    home: deps.home,
    appLog: path.join(app.getPath('logs'), 'main.log'),
    serverLog: controller.logFile,
    settingsFile: path.join(app.getPath('userData'), 'settings.json'),
  };
  const about = (): Promise<void> =>
    showAbout({
      info: async () => collectAbout(aboutFacts, await firstRun.refresh(), log, runtime.view()),
      choice: dialogs,
      copy: (text) => clipboard.copy(text, false),
      update: {
        offer: () => appUpdates.offer(),
        restartToUpdate: () => void act('restart-to-update'),
        openReleasePage: () => appUpdates.openReleasePage(),
      },
    });
  const act = createTrayActions({
    control: controller,
    mint: deps.mint,
    clipboard,
    notifier: deps.notifier,
    shell: shellPort,
    settings: () => settings.get(),
    openWindow: deps.openWindow,
    toggleStartAtLogin: () => loginSync.toggle(),
    quit: deps.quit,
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
  return { render, act, menuOpen, loginSync, dispose: () => owned.dispose() };
}
