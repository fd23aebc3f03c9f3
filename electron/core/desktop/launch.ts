import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { serverRunsOn } from '../../../shared/setup.ts';

/**
 * Whether the app starts the server when it launches: only when the setting asks for it, the
 * platform can run msbserver, and the first look found no server running (nor one coming up).
 */
export function shouldStartOnLaunch(
  settings: Pick<Settings, 'startServerOnLaunch'>,
  snapshot: Pick<ServerSnapshot, 'state'>,
  platform: NodeJS.Platform,
): boolean {
  return (
    settings.startServerOnLaunch &&
    serverRunsOn(platform) &&
    (snapshot.state === 'stopped' || snapshot.state === 'failed')
  );
}
