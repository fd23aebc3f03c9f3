/**
 * The runtime feed as the app runs it: bound to the core's own `findMicrosandbox`,
 * `createRuntimeService` and `fixHost` for this user. Kept apart from runtime-feed.ts, which
 * takes them as arguments and so is tested with data alone.
 */
import type { Settings } from '../../../shared/settings-schema.ts';
import type { Logger } from '../base/logger.ts';
import { findMicrosandbox } from '../runtime/find.ts';
import { fixHost } from '../runtime/host-check.ts';
import { msbHome } from '../runtime/msb-home.ts';
import { createRuntimeService } from '../runtime/runtime-service.ts';
import { createRuntimeFeed, type RuntimeFeed } from './runtime-feed.ts';

export interface AppRuntimeOptions {
  readonly settings: { get(): Settings; onChange(listener: (settings: Settings) => void): () => void };
  readonly env: NodeJS.ProcessEnv;
  readonly userHome: string;
  readonly platform: NodeJS.Platform;
  readonly logger?: Logger;
}

/** The feed as the app runs it: the core's own find and service, for this user. */
export function createAppRuntimeFeed(options: AppRuntimeOptions): RuntimeFeed {
  const { env, userHome, platform, logger } = options;
  // msb's home follows the same user folder the search for msb looked in.
  const home = msbHome(env, userHome, platform);
  return createRuntimeFeed({
    settings: options.settings,
    find: (settingsPath) =>
      findMicrosandbox({
        env,
        userHome,
        platform,
        settingsPath,
        msbHome: home,
        msbserverSettingsPath: options.settings.get().msbserverPath,
      }),
    createService: (msbPath, serviceHome) =>
      createRuntimeService({ msbPath, env, home: serviceHome, ...(logger === undefined ? {} : { logger }) }),
    home,
    ...(logger === undefined ? {} : { logger }),
  });
}

/** `msb doctor --fix` with the `msb` and home the feed uses; the report arrives with the next check. */
export async function fixHostWith(feed: Pick<RuntimeFeed, 'view' | 'home'>, env: NodeJS.ProcessEnv): Promise<void> {
  const msb = feed.view().msb;
  if (msb === null) throw new Error('No msb was found to run msb doctor --fix with.');
  await fixHost({ msbPath: msb.path, env, home: feed.home() });
}
