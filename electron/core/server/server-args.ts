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
