// Where msb keeps its sandboxes, database and installed binary, decided once for everything the
// app runs or looks for: msb's own rule (MSB_HOME, else `.microsandbox` in the user's home), read
// from upstream's resolve_home and install.sh (https://github.com/superradcompany/microsandbox).
import path from 'node:path';

/**
 * msb's home for this environment and user, always absolute. An empty MSB_HOME counts as unset,
 * as install.sh's `${MSB_HOME:-…}` has it (msb itself would take "" for its working folder, which
 * for an app started from a launcher is nobody's choice). A relative one is resolved against the
 * app's working folder, the folder every msb the app runs starts in and so the one it would use:
 * the search, the listing, the fix and `msb self update` then name one folder.
 */
export function msbHome(
  env: NodeJS.ProcessEnv,
  userHome: string,
  platform: NodeJS.Platform = process.platform,
  cwd: string = process.cwd(),
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const fromEnv = env['MSB_HOME'];
  if (fromEnv !== undefined && fromEnv !== '') return p.resolve(cwd, fromEnv);
  return p.join(userHome, '.microsandbox');
}
