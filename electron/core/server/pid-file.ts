import { randomBytes } from 'node:crypto';
import fs, { constants, promises as fsp } from 'node:fs';
import { rustTrim } from '../../../shared/rust-trim.ts';
import { writeFileAtomic } from '../atomic-file.ts';

/** pid_t is a signed 32-bit integer on every platform msbserver runs on. */
export const MAX_PID = 2 ** 31 - 1;

export type PidFileState =
  | { readonly kind: 'missing' }
  /** What msb cannot parse, or a number that is not a PID above 1: never a PID to signal. */
  | { readonly kind: 'invalid'; readonly raw: string }
  | { readonly kind: 'pid'; readonly pid: number; readonly raw: string };

/**
 * The number msb reads from `server.pid`: `trim()` then Rust's `i32` parse (an optional sign,
 * ASCII digits, leading zeros allowed), so `123\n`, ` 123 `, `+123` and `0123` all name 123.
 * Null when msb could not parse it either.
 */
export function msbPidValue(text: string): number | null {
  const trimmed = rustTrim(text);
  if (!/^[+-]?[0-9]+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= -(2 ** 31) && value <= MAX_PID ? value : null;
}

/**
 * A PID the app may look at: what msb would read, but only above 1. msb would signal `0` (its
 * process group), `-1` (every process of the user) or `1`; the app never does.
 */
export function parsePid(text: string): number | null {
  const value = msbPidValue(text);
  return value !== null && value > 1 ? value : null;
}

/** Read only, and never blocked by a FIFO planted at the path. */
const OPEN_PID_FILE = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
/** Far longer than any PID file; more is not read. */
const MAX_PID_FILE = 4096;

/** `readPidFileSync`, as a promise (a rejection, not a throw, for a file that cannot be read). */
export function readPidFile(file: string): Promise<PidFileState> {
  try {
    return Promise.resolve(readPidFileSync(file));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Read synchronously: a file of a few bytes, opened non-blocking (a pipe there hangs nothing).
 * The liveness tick of an idle app reads it every 2 s, and the four thread-pool round trips of an
 * asynchronous read (open, stat, read, close) each woke a thread: most of the idle cost.
 */
export function readPidFileSync(file: string): PidFileState {
  let raw: string;
  try {
    const fd = fs.openSync(file, OPEN_PID_FILE);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) {
        const kind = stat.isDirectory() ? 'EISDIR' : 'EINVAL';
        throw Object.assign(new Error(`${file} is not a regular file`), { code: kind, path: file });
      }
      const buffer = Buffer.alloc(Math.min(stat.size, MAX_PID_FILE));
      const bytesRead = fs.readSync(fd, buffer, 0, buffer.length, 0);
      raw = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if (isNotFound(error)) return { kind: 'missing' };
    if (error instanceof Error && (error as NodeJS.ErrnoException).path === undefined)
      (error as NodeJS.ErrnoException).path = file;
    throw error;
  }
  const pid = parsePid(raw);
  return pid === null ? { kind: 'invalid', raw } : { kind: 'pid', pid, raw };
}

/** Exactly as msb writes it: the decimal PID with no trailing newline. */
export async function writePidFile(file: string, pid: number): Promise<void> {
  if (parsePid(String(pid)) !== pid) throw new RangeError(`Refusing to record ${pid} as a server PID.`);
  await writeFileAtomic(file, String(pid), { mode: 0o644 });
}

/**
 * Removes the PID file only while it still holds `expected` (a PID, or the raw content of an
 * invalid file), so a file rewritten by another starter in the meantime survives. The file is
 * first moved aside and checked there: between a read and an unlink, `msb server start` may
 * write its own PID, and that file must not be the one removed.
 */
export async function removePidFileIf(file: string, expected: number | string): Promise<boolean> {
  const matches = (state: PidFileState): boolean =>
    state.kind !== 'missing' &&
    (typeof expected === 'number' ? state.kind === 'pid' && state.pid === expected : state.raw === expected);
  if (!matches(await readPidFile(file))) return false;
  const aside = `${file}.${randomBytes(6).toString('hex')}.removing`;
  try {
    await fsp.rename(file, aside);
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  if (matches(await readPidFile(aside))) {
    await fsp.unlink(aside);
    return true;
  }
  // Rewritten at the last moment: put it back, unless an even newer one is already in place.
  try {
    await fsp.link(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fsp.unlink(aside);
  }
  return false;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
