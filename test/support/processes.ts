// The process table as a test sees it, on Linux and macOS alike. Linux reads /proc (each argument
// kept apart); elsewhere `ps`, which joins the arguments with spaces, so a test matches a path
// inside `command` rather than an element of the argv.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface LiveProcess {
  readonly pid: number;
  /** The command line, arguments joined by single spaces. */
  readonly command: string;
}

/** The processes running now (zombies, which have exited, left out) that this user may read. */
export function liveProcesses(): LiveProcess[] {
  return process.platform === 'linux' ? fromProc() : fromPs();
}

/** Gone, or a zombie nobody has reaped yet (an orphan's new parent may never reap it). */
export function goneOrZombie(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      return isZombieStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return true; // no /proc entry: gone
    }
  }
  let state: string;
  try {
    state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], psOptions).trim();
  } catch {
    return true; // ps exits 1 when no such process is left
  }
  return state === '' || /^[ZX]/.test(state);
}

const psOptions = { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, timeout: 10_000 } as const;

function isZombieStat(stat: string): boolean {
  const close = stat.lastIndexOf(')');
  return /^[ZX]$/.test(stat.slice(close + 2, close + 3));
}

function fromProc(): LiveProcess[] {
  const found: LiveProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (isZombieStat(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      const raw = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      found.push({ pid: Number(entry), command: raw.replace(/\0$/, '').split('\0').join(' ') });
    } catch {
      // gone meanwhile, or not ours to read: not one of the test's processes
    }
  }
  return found;
}

function fromPs(): LiveProcess[] {
  // -ww: never cut the command line to a terminal's width (BSD and procps ps alike).
  const table = execFileSync('ps', ['-A', '-ww', '-o', 'pid=,stat=,command='], psOptions);
  const found: LiveProcess[] = [];
  for (const line of table.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+)\s(.*)$/.exec(line);
    if (match === null || /^[ZX]/.test(match[2] ?? '')) continue;
    found.push({ pid: Number(match[1]), command: (match[3] ?? '').trim() });
  }
  return found;
}

/**
 * The live processes whose environment holds `entry` (`NAME=value`), read in one pass: /proc on
 * Linux, one `ps -E` of every process on macOS (one `ps` per process would take seconds).
 */
export function processesWithEnvironment(entry: string): LiveProcess[] {
  if (process.platform === 'linux') return fromProc().filter(({ pid }) => environmentHas(pid, entry));
  const table = execFileSync('ps', ['-A', '-E', '-ww', '-o', 'pid=,stat=,command='], psOptions);
  const found: LiveProcess[] = [];
  for (const line of table.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+)\s(.*)$/.exec(line);
    if (match === null || /^[ZX]/.test(match[2] ?? '')) continue;
    const rest = (match[3] ?? '').trim();
    if (` ${rest} `.includes(` ${entry} `)) found.push({ pid: Number(match[1]), command: rest });
  }
  return found;
}

/**
 * Whether `pid`'s environment holds `entry` (`NAME=value`). Linux reads /proc/<pid>/environ;
 * macOS's `ps -E` prints a process's environment after its command line (for the user's own
 * processes only, which is all a test starts), so there the entry is looked for as a word of it.
 */
export function environmentHas(pid: number, entry: string): boolean {
  if (process.platform === 'linux') {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  }
  let text: string;
  try {
    text = execFileSync('ps', ['-E', '-ww', '-o', 'command=', '-p', String(pid)], psOptions);
  } catch {
    return false; // ps exits 1 when no such process is left
  }
  return ` ${text.trim()} `.includes(` ${entry} `);
}
