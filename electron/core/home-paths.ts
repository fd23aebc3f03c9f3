import os from 'node:os';
import path from 'node:path';

/** The files msb and msbserver share in the microsandbox home. */
export interface HomePaths {
  readonly home: string;
  readonly pidFile: string;
  readonly keyFile: string;
  readonly namespacesDir: string;
  /** Ours alone: serialises starts between app instances and controllers. */
  readonly lockFile: string;
}

/**
 * `$MICROSANDBOX_HOME` verbatim when set (msb does no `~` expansion, so neither do we),
 * else `~/.microsandbox`.
 */
export function resolveHome(env: NodeJS.ProcessEnv = process.env, userHome: string = os.homedir()): string {
  const fromEnv = env['MICROSANDBOX_HOME'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return path.join(userHome, '.microsandbox');
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    pidFile: path.join(home, 'server.pid'),
    keyFile: path.join(home, 'server.key'),
    namespacesDir: path.join(home, 'namespaces'),
    lockFile: path.join(home, 'tray-start.lock'),
  };
}
