/**
 * main's feeds part: what changes in the server, the settings, the sandboxes, the first-run state
 * and the runtime generation reaches the tray and the window; then the first looks, whose results
 * flow through the feeds just subscribed.
 */
import { DisposableStore, type Disposable } from '../core/base/disposable.ts';
import { ignoreFailure, type Logger } from '../core/base/logger.ts';
import type { ConnectFlow } from '../core/desktop/connect-flow.ts';
import type { NotifierPort } from '../core/desktop/desktop-ports.ts';
import { feedStatusAndSettings, type WindowSend } from '../core/desktop/feeds.ts';
import { feedRuntime, type RuntimeFeed } from '../core/desktop/runtime-feed.ts';
import { feedSandboxes } from '../core/desktop/sandbox-feed.ts';
import { feedSetup } from '../core/desktop/setup-feed.ts';
import type { HandlerTable } from '../core/ipc/handlers.ts';
import type { SandboxesService } from '../core/sandboxes/service.ts';
import type { Controller } from '../core/server/controller.ts';
import type { SetupWatch } from '../core/server/setup-watch.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface FeedsDeps {
  readonly controller: Controller;
  readonly settings: SettingsStore;
  readonly table: HandlerTable;
  readonly notifier: NotifierPort;
  readonly sandboxes: SandboxesService;
  readonly firstRun: SetupWatch;
  readonly runtime: RuntimeFeed;
  readonly connect: ConnectFlow;
  readonly renderTray: () => void;
  readonly send: WindowSend;
  readonly logger: Logger;
}

export function setupFeeds(deps: FeedsDeps): Disposable {
  const { controller, settings, table, sandboxes, runtime, renderTray, send, logger: log } = deps;
  const owned = new DisposableStore(log);
  owned.add(
    feedStatusAndSettings({
      control: controller,
      settings,
      settingsView: () => table.settingsView(),
      notifier: deps.notifier,
      renderTray,
      send,
    }),
  );
  owned.add(feedSandboxes({ sandboxes, send, renderTray }));
  owned.add(feedSetup({ setup: deps.firstRun, control: controller, settings, send, renderTray }));
  owned.add(feedRuntime({ runtime, send, renderTray }));
  void runtime.rescan().catch(ignoreFailure(log, 'looking for microsandbox'));
  void deps.connect.refresh().catch(ignoreFailure(log, 'looking at the MCP clients'));
  return owned;
}
