/**
 * main's IPC part: the handler table, one handler per channel of the contract, bound to ipcMain.
 * The window is untrusted: the table checks sender, channel and payload, and asks natively first.
 */
import { app, ipcMain } from 'electron';
import type { AppInfo } from '../../shared/contract.ts';
import { platformName } from '../../shared/setup.ts';
import { externalUrlPort, shellPort } from '../adapters/electron-ports.ts';
import type { AppWindow } from '../adapters/window.ts';
import { toDisposable, type Disposable } from '../core/base/disposable.ts';
import type { Logger } from '../core/base/logger.ts';
import type { SecretScrubber } from '../core/keys/key-scrubber.ts';
import type { ClipboardGuard } from '../core/desktop/clipboard-guard.ts';
import type { ConnectFlow } from '../core/desktop/connect-flow.ts';
import type { MicrosandboxUpdates } from '../core/desktop/microsandbox-update-feed.ts';
import type { DialogPorts } from '../core/desktop/question-gate.ts';
import type { RuntimeFeed } from '../core/desktop/runtime-feed.ts';
import { fixHostWith } from '../core/desktop/runtime-wiring.ts';
import type { HomePaths } from '../core/home-paths.ts';
import { createHandlerTable, type HandlerTable } from '../core/ipc/handlers.ts';
import { registerHandlers } from '../core/ipc/register.ts';
import type { MintService } from '../core/keys/mint-service.ts';
import type { SandboxesService } from '../core/sandboxes/service.ts';
import type { Controller } from '../core/server/controller.ts';
import type { SetupWatch } from '../core/server/setup-watch.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface IpcDeps {
  readonly title: string;
  readonly home: string;
  readonly paths: HomePaths;
  readonly settings: SettingsStore;
  readonly controller: Controller;
  readonly scrubber: SecretScrubber;
  readonly clipboard: ClipboardGuard;
  readonly mint: MintService;
  readonly appWindow: AppWindow;
  readonly dialogs: DialogPorts;
  readonly sandboxes: SandboxesService;
  readonly firstRun: SetupWatch;
  readonly runtime: RuntimeFeed;
  readonly connect: ConnectFlow;
  readonly microsandboxUpdates: MicrosandboxUpdates;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

export interface IpcPart extends Disposable {
  readonly table: HandlerTable;
}

export function setupIpc(deps: IpcDeps): IpcPart {
  const { platform, appWindow, dialogs, runtime } = deps;
  const appInfo: AppInfo = {
    name: deps.title,
    version: app.getVersion(),
    platform,
    home: deps.home,
    platformName: platformName(platform),
  };
  const table = createHandlerTable({
    control: deps.controller,
    scrubber: deps.scrubber,
    settings: deps.settings,
    paths: deps.paths,
    clipboard: deps.clipboard,
    shell: shellPort,
    appInfo,
    mint: deps.mint,
    logger: deps.logger,
    isTrustedSender: (sender) => appWindow.isTrustedSender(sender),
    confirm: dialogs,
    fileChooser: dialogs,
    sandboxes: deps.sandboxes,
    choice: dialogs,
    setup: deps.firstRun,
    runtime,
    fixHost: () => fixHostWith(runtime, process.env),
    connect: deps.connect,
    microsandboxUpdates: deps.microsandboxUpdates,
    browser: externalUrlPort,
  });
  const registered = toDisposable(registerHandlers(ipcMain, table));
  return { table, dispose: () => registered.dispose() };
}
