/**
 * main's first-run part: whether microsandbox is there at all (msbserver and msbrun found and
 * safe to run), the first-run state of tray and window.
 */
import os from 'node:os';
import type { Logger } from '../core/base/logger.ts';
import { SetupWatch } from '../core/server/setup-watch.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface FirstRunDeps {
  readonly settings: Pick<SettingsStore, 'get'>;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

export function setupFirstRun(deps: FirstRunDeps): SetupWatch {
  const { settings, platform, logger } = deps;
  return new SetupWatch({
    options: () => ({
      env: process.env,
      settingsPath: settings.get().msbserverPath,
      platform,
      userHome: os.homedir(),
    }),
    logger,
  });
}
