import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { sleep } from '../base/delay.ts';
import { probe } from '../base/probe.ts';

export type Liveness = 'alive' | 'dead' | 'other-user';

/**
 * `kill(pid, 0)` answers "does it exist"; EPERM means it exists but belongs to someone else.
 * On Linux the owner is also checked, because root may signal anyone but must not touch another
 * user's server.
 */
export async function processLiveness(pid: number, platform: NodeJS.Platform = process.platform): Promise<Liveness> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM') return 'other-user';
    return 'dead';
  }
  if (platform === 'linux') {
    const status = await readProcFile(pid, 'status');
    if (status === null) return 'dead';
    // A zombie leader whose other threads still run is still exiting: its sockets (shared by the
    // threads) are not closed yet, so the port is not free. Dead only once it is the last thread.
    if (/^State:\s+Z/m.test(status) && Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? '1') <= 1) return 'dead';
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (uid !== undefined && typeof process.getuid === 'function' && Number(uid) !== process.getuid()) {
      return 'other-user';
    }
  }
  return 'alive';
}

/** Interpreters that may run a script named msbserver (the test stand-in, wrappers). */
const INTERPRETERS = new Set(['node', 'nodejs', 'env', 'sh', 'bash', 'dash', 'zsh', 'python3', 'python']);

/**
 * Is this argv the argv of an msbserver process? Leading interpreters and their options are
 * skipped (`/usr/bin/env node /path/msbserver …` while a `#!/usr/bin/env node` script is being
 * exec'd, `node /path/msbserver …` after), so a script named msbserver counts as one.
 */
export function argvLooksLikeMsbserver(argv: readonly string[], options: { spacesSplit?: boolean } = {}): boolean {
  let i = 0;
  while (i < argv.length && INTERPRETERS.has(baseName(argv[i] ?? ''))) {
    const interpreter = baseName(argv[i] ?? '');
    i++;
    while (i < argv.length && (argv[i] ?? '').startsWith('-')) {
      // `sh -c msbserver` is a shell running a command line, not a script named msbserver.
      if (runsInlineCode(interpreter, argv[i] ?? '')) return false;
      i++;
    }
  }
  const program = argv[i];
  if (program === undefined) return false;
  if (baseName(program) === 'msbserver') return true;
  // `ps` prints the argv joined by spaces, so a script path with spaces arrives in pieces.
  if (options.spacesSplit) {
    for (let end = i + 1; end < argv.length; end++) {
      if (baseName(argv.slice(i, end + 1).join(' ')) === 'msbserver') return true;
    }
  }
  return false;
}

/** Options after which the interpreter runs code given on the command line instead of a script file. */
function runsInlineCode(interpreter: string, option: string): boolean {
  if (option.startsWith('--')) return /^--(?:eval|print|command|split-string)(?:=|$)/.test(option);
  const letters = option.slice(1);
  if (interpreter === 'node' || interpreter === 'nodejs') return /[ep]/.test(letters);
  if (interpreter === 'python' || interpreter === 'python3') return /[cm]/.test(letters);
  if (interpreter === 'env') return letters.includes('S');
  return letters.includes('c');
}

export type ServerIdentity =
  | { readonly kind: 'msbserver'; readonly argv: readonly string[] }
  | { readonly kind: 'dead' }
  | { readonly kind: 'other-user' }
  | { readonly kind: 'other-process' }
  /** Alive, but what it runs could not be read (`ps` failed or timed out): judge nothing by it. */
  | { readonly kind: 'unknown' };

/** Whether `pid` is a live msbserver of ours: the only kind of process the app ever signals. */
export async function identifyServerProcess(
  pid: number,
  platform: NodeJS.Platform = process.platform,
): Promise<ServerIdentity> {
  const liveness = await processLiveness(pid, platform);
  if (liveness === 'dead') return { kind: 'dead' };
  if (liveness === 'other-user') return { kind: 'other-user' };
  let argv = await readProcessArgv(pid, platform);
  // A process in the middle of an exec (a CLI writes server.pid right after spawning, and a
  // `#!` script execs twice) briefly has an unreadable command line: look again before giving up.
  for (let attempt = 0; argv === null && attempt < 3 && platform !== 'win32'; attempt++) {
    await sleep(10);
    argv = await readProcessArgv(pid, platform);
  }
  if (argv === null) return (await processLiveness(pid, platform)) === 'dead' ? { kind: 'dead' } : { kind: 'unknown' };
  if (platform !== 'linux' && platform !== 'win32') {
    // `ps -o comm=` is the executable's full path on macOS, spaces and all.
    const command = await probe(psField(pid, 'comm'));
    if (command === null)
      return (await processLiveness(pid, platform)) === 'dead' ? { kind: 'dead' } : { kind: 'unknown' };
    if (baseName(command.trim()) === 'msbserver' || argvLooksLikeMsbserver(argv, { spacesSplit: true }))
      return { kind: 'msbserver', argv };
    return { kind: 'other-process' };
  }
  if (argvLooksLikeMsbserver(argv)) return { kind: 'msbserver', argv };
  if (platform === 'linux') {
    const exe = await probe(fsp.readlink(`/proc/${pid}/exe`));
    if (exe !== null && baseName(exe.replace(/ \(deleted\)$/, '')) === 'msbserver') return { kind: 'msbserver', argv };
  }
  return { kind: 'other-process' };
}

/** The process's argument vector, or null when it cannot be read (gone, or not permitted). */
export async function readProcessArgv(
  pid: number,
  platform: NodeJS.Platform = process.platform,
): Promise<string[] | null> {
  if (platform === 'linux') {
    const raw = await readProcFile(pid, 'cmdline');
    if (raw === null || raw === '') return null;
    return raw.replace(/\0$/, '').split('\0');
  }
  if (platform === 'win32') return null;
  // macOS and the BSDs: `ps` is the portable way; it cannot keep spaces inside arguments apart,
  // which is enough to recognise the executable and the flags msb passes.
  try {
    const stdout = await psField(pid, 'args');
    const line = stdout.trim();
    return line === '' ? null : line.split(/\s+/);
  } catch {
    // gone, or no ps: the argv is unknown
    return null;
  }
}

/**
 * When the process started, in milliseconds since the epoch, or null when unknown. The value is
 * stable for the life of the process, so two looks at the same process compare equal: a PID
 * reused by a new process gives another start time.
 */
export async function processStartTime(
  pid: number,
  platform: NodeJS.Platform = process.platform,
): Promise<number | null> {
  if (platform === 'linux') {
    const [stat, sys] = await Promise.all([readProcFile(pid, 'stat'), probe(fsp.readFile('/proc/stat', 'utf8'))]);
    if (stat === null || sys === null) return null;
    // Fields after the parenthesised command name; starttime is field 22 overall (index 19 here).
    const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(afterComm[19]);
    const bootSeconds = Number(/^btime (\d+)/m.exec(sys)?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootSeconds)) return null;
    const clockTicksPerSecond = 100; // sysconf(_SC_CLK_TCK) is 100 on every Linux ABI in use.
    return Math.round((bootSeconds + ticks / clockTicksPerSecond) * 1000);
  }
  if (platform === 'win32') return null;
  // `lstart` is the absolute start, to the second; `etime` would be relative to "now" and so
  // differ between two looks (and wraps to a huge value for a process a moment old).
  try {
    return parseLstart((await psField(pid, 'lstart')).trim());
  } catch {
    return null; // gone, or ps failed: unknown, which callers treat as "cannot tell"
  }
}

/** `ps -o lstart` in the C locale: `Tue Dec  1 19:42:07 2026`, local time. */
export function parseLstart(text: string): number | null {
  const match = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(text);
  if (match === null) return null;
  const [, monthName, day, hours, minutes, seconds, year] = match;
  const month = MONTHS.indexOf(monthName ?? '');
  if (month < 0) return null;
  const time = new Date(Number(year), month, Number(day), Number(hours), Number(minutes), Number(seconds)).getTime();
  return Number.isFinite(time) ? time : null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One `ps` column for one process. execa is loaded only here, on platforms without /proc. */
export async function psField(pid: number, field: 'args' | 'comm' | 'lstart' | 'pgid'): Promise<string> {
  return runPs(['-o', `${field}=`, '-p', String(pid)]);
}

/** `ps` with these arguments, in the C locale (fixed date format), its output as text. */
export async function runPs(args: readonly string[]): Promise<string> {
  const { execa } = await import('execa');
  const { stdout } = await execa('ps', [...args], { timeout: 5_000, stripFinalNewline: false, env: { LC_ALL: 'C' } });
  return stdout;
}

/** A file of /proc/<pid>, or null when it cannot be read (gone, or not permitted). */
export async function readProcFile(pid: number, name: string): Promise<string | null> {
  try {
    return await fsp.readFile(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    // gone, or not permitted: unknown
    return null;
  }
}

function baseName(file: string): string {
  return path.basename(file);
}

/**
 * Whether two start times are the same process's. Linux derives them from the boot time, which
 * moves a little when the clock is stepped; a reused PID starts far later than a second apart.
 */
export function sameStartTime(a: number | null, b: number | null): boolean {
  return a !== null && b !== null && Math.abs(a - b) <= 2_000;
}
