/**
 * main's last step, once everything is wired: the tray's first render, the login item as the
 * system has it, and the server started on launch when the settings say so.
 */
import { ignoreFailure, type Logger } from '../core/base/logger.ts';
import { shouldStartOnLaunch } from '../core/desktop/launch.ts';
import type { StartAtLoginSync } from '../core/desktop/start-at-login.ts';
import type { Controller } from '../core/server/controller.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface LaunchDeps {
  readonly renderTray: () => void;
  readonly loginSync: StartAtLoginSync;
  readonly controller: Controller;
  readonly settings: Pick<SettingsStore, 'get'>;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

export function setupLaunch(deps: LaunchDeps): void {
  const { renderTray, controller, settings, platform, logger: log } = deps;
  renderTray();
  void deps.loginSync.syncFromSystem();
  void controller.ready.then(() => {
    renderTray();
    if (shouldStartOnLaunch(settings.get(), controller.snapshot(), platform))
      void controller.start().catch(ignoreFailure(log, 'starting the server on launch'));
  });
}
