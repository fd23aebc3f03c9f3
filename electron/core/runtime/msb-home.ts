// Where msb keeps its sandboxes, database and installed binary, decided once for everything the
// app runs or looks for: msb's own rule (MSB_HOME, else `.microsandbox` in the user's home), read
// from upstream's resolve_home and install.sh (https://github.com/superradcompany/microsandbox).
import path from 'node:path';

/**
 * msb's home for this environment and user. An empty MSB_HOME counts as unset, as install.sh's
 * `${MSB_HOME:-…}` has it (msb itself would take "" for its working folder, which for an app
 * started from a launcher is nobody's choice).
 */
export function msbHome(
  env: NodeJS.ProcessEnv,
  userHome: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const fromEnv = env['MSB_HOME'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return (platform === 'win32' ? path.win32 : path.posix).join(userHome, '.microsandbox');
}
