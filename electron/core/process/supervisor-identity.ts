/**
 * Is a PID the `msbrun supervisor` of one particular sandbox? The only process the app would
 * ever signal for a sandbox, and the test for `running` versus `stale`.
 *
 * upstream starts it as `msbrun supervisor --log-dir D/.menv/log --sandbox-name NAME
 * --config-file Sandboxfile … --sandbox-db-path D/.menv/sandbox.db …`, with D made canonical
 * (symlinks resolved). A match needs the program `msbrun` (after any interpreter, for a script
 * stand-in), the `supervisor` subcommand, `--sandbox-name NAME`, and both the log dir and the db
 * path of this namespace. Ownership follows process-identity.ts: another user's process is never
 * ours.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { processLiveness, readProcessArgv } from './process-identity.ts';

export interface SupervisorExpectation {
  readonly name: string;
  /** Acceptable `--log-dir` values (the namespace path as given and as resolved). */
  readonly logDirs: readonly string[];
  /** Acceptable `--sandbox-db-path` values. */
  readonly dbPaths: readonly string[];
}

export type SupervisorIdentity =
  | { readonly kind: 'supervisor' }
  | { readonly kind: 'dead' }
  | { readonly kind: 'other-user' }
  /** Alive, but not this sandbox's supervisor (a reused PID, another sandbox's supervisor …). */
  | { readonly kind: 'other-process' }
  /** Alive, but its command line could not be read: judge nothing by it. */
  | { readonly kind: 'unknown' };

/** Interpreters that may run a script named msbrun (the test stand-in, wrappers). */
const INTERPRETERS = new Set(['node', 'nodejs', 'env', 'sh', 'bash', 'dash', 'zsh', 'python3', 'python']);

function optionValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') return undefined;
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

/** The argv form (Linux's /proc cmdline keeps arguments apart). */
export function argvIsSupervisorOf(argv: readonly string[], expected: SupervisorExpectation): boolean {
  let i = 0;
  while (i < argv.length && INTERPRETERS.has(path.basename(argv[i] ?? ''))) {
    i++;
    // An inline-code option (`node -e`, `sh -c`) means no script file: never a match.
    while (i < argv.length && (argv[i] ?? '').startsWith('-')) {
      if (/^-(?:[a-z]*[ecp][a-z]*|-eval|-print|-command)$/.test(argv[i] ?? '')) return false;
      i++;
    }
  }
  if (path.basename(argv[i] ?? '') !== 'msbrun' || argv[i + 1] !== 'supervisor') return false;
  const args = argv.slice(i + 2);
  const logDir = optionValue(args, '--log-dir');
  const dbPath = optionValue(args, '--sandbox-db-path');
  return (
    optionValue(args, '--sandbox-name') === expected.name &&
    logDir !== undefined &&
    expected.logDirs.includes(logDir) &&
    dbPath !== undefined &&
    expected.dbPaths.includes(dbPath)
  );
}

/**
 * The `ps` form (macOS): the arguments joined by spaces, so a path with spaces arrives in pieces.
 * Matched on the joined text instead, each option followed by its value and a space or the end.
 */
export function commandLineIsSupervisorOf(argv: readonly string[], expected: SupervisorExpectation): boolean {
  const line = ` ${argv.join(' ')} `;
  const has = (flag: string, values: readonly string[]) =>
    values.some((v) => line.includes(` ${flag} ${v} `) || line.includes(` ${flag}=${v} `));
  return (
    /(?:^|[ /])msbrun supervisor /.test(line) &&
    has('--sandbox-name', [expected.name]) &&
    has('--log-dir', expected.logDirs) &&
    has('--sandbox-db-path', expected.dbPaths)
  );
}

/**
 * Linux, synchronously: /proc files are generated in memory, and a listing checks every running
 * supervisor, so the thread-pool hops of the asynchronous path would cost more than the reads.
 * Same rules as process-identity.ts (zombies are dead, another uid is another user).
 */
function identifyOnLinux(pid: number, expected: SupervisorExpectation): SupervisorIdentity {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? { kind: 'other-user' } : { kind: 'dead' };
  }
  let status: string;
  let cmdline: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // /proc/<pid> is gone: the process ended
    return { kind: 'dead' };
  }
  if (/^State:\s+Z/m.test(status)) return { kind: 'dead' };
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  if (uid !== undefined && typeof process.getuid === 'function' && Number(uid) !== process.getuid())
    return { kind: 'other-user' };
  // Empty while the process is in the middle of an exec: cannot judge yet.
  if (cmdline === '') return { kind: 'unknown' };
  return argvIsSupervisorOf(cmdline.replace(/\0$/, '').split('\0'), expected)
    ? { kind: 'supervisor' }
    : { kind: 'other-process' };
}

export async function identifySupervisor(
  pid: number,
  expected: SupervisorExpectation,
  platform: NodeJS.Platform = process.platform,
): Promise<SupervisorIdentity> {
  if (!Number.isInteger(pid) || pid <= 1) return { kind: 'other-process' };
  if (platform === 'linux' && process.platform === 'linux') return identifyOnLinux(pid, expected);
  const liveness = await processLiveness(pid, platform);
  if (liveness === 'dead') return { kind: 'dead' };
  if (liveness === 'other-user') return { kind: 'other-user' };
  const argv = await readProcessArgv(pid, platform);
  if (argv === null) return (await processLiveness(pid, platform)) === 'dead' ? { kind: 'dead' } : { kind: 'unknown' };
  const matches =
    platform === 'linux' || platform === 'win32'
      ? argvIsSupervisorOf(argv, expected)
      : commandLineIsSupervisorOf(argv, expected);
  return matches ? { kind: 'supervisor' } : { kind: 'other-process' };
}
