/**
 * main's runtime-generation part (msb 0.3 and later): which generation is used, and what its msb
 * shows.
 */
import os from 'node:os';
import type { Logger } from '../core/base/logger.ts';
import type { RuntimeFeed } from '../core/desktop/runtime-feed.ts';
import { createAppRuntimeFeed } from '../core/desktop/runtime-wiring.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface RuntimeDeps {
  readonly settings: SettingsStore;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

export function setupRuntime(deps: RuntimeDeps): RuntimeFeed {
  const { settings, platform, logger } = deps;
  return createAppRuntimeFeed({ settings, env: process.env, userHome: os.homedir(), platform, logger });
}
