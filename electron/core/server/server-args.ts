import type { Settings } from '../../../shared/settings-schema.ts';

import { DEFAULT_HOST, DEFAULT_PORT } from '../../../shared/settings-schema.ts';

export { DEFAULT_HOST, DEFAULT_PORT };

type ServerFlags = Pick<Settings, 'host' | 'port' | 'devMode' | 'namespacesPath'>;

/**
 * msbserver's argv, forwarding only flags that differ from its defaults as msb forwards only the
 * flags the user gave: `--host` exists only since msbserver 0.2.6, so an older server keeps
 * working when the host is left at its default.
 */
export function serverArgs(flags: ServerFlags, key: string | null): string[] {
  const args: string[] = [];
  if (flags.devMode) args.push('--dev');
  // `--key=<key>` rather than two arguments: a custom key may start with `-`, which clap would
  // otherwise take for a flag.
  else if (key !== null) args.push(`--key=${key}`);
  if (flags.host !== DEFAULT_HOST) args.push('--host', flags.host);
  if (flags.port !== DEFAULT_PORT) args.push('--port', String(flags.port));
  if (flags.namespacesPath !== null) args.push('--path', flags.namespacesPath);
  return args;
}

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

/** The argv with the key's value replaced, for anything that is written or shown. */
export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    const previous = args[i - 1];
    if (previous === '--key' || previous === '-k') return '<redacted>';
    if (arg.startsWith('--key=')) return '--key=<redacted>';
    // clap also takes a short option's value attached: `-kSECRET`, `-k=SECRET`.
    if (arg.startsWith('-k') && arg.length > 2) return arg.startsWith('-k=') ? '-k=<redacted>' : '-k<redacted>';
    return arg;
  });
}
