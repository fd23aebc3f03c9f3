/**
 * msbserver's flags read back from a running process's argv: how the judge finds the port a
 * server not named msbserver must hold, and how a server the app did not start is shown.
 */
import { DEFAULT_HOST, DEFAULT_PORT } from '../../../shared/settings-schema.ts';

export interface ObservedFlags {
  readonly host: string;
  readonly port: number;
  readonly devMode: boolean;
}

/** Reads host, port and dev mode back from a running msbserver's argv (one the app did not start). */
export function flagsFromArgv(argv: readonly string[]): ObservedFlags {
  let host = DEFAULT_HOST;
  let port = DEFAULT_PORT;
  let devMode = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (name === '--dev') devMode = true;
    else if (name === '--host') host = value() ?? host;
    else if (name === '--port') {
      const parsed = Number(value());
      if (Number.isInteger(parsed) && parsed > 0 && parsed < 65_536) port = parsed;
    }
  }
  return { host, port, devMode };
}
