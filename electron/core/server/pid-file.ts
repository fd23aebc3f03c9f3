import { promises as fsp } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.ts';

/** pid_t is a signed 32-bit integer on every platform msbserver runs on. */
export const MAX_PID = 2 ** 31 - 1;

export type PidFileState =
  | { readonly kind: 'missing' }
  /** Anything that is not a plain decimal PID above 1: never a PID to signal. */
  | { readonly kind: 'invalid'; readonly raw: string }
  | { readonly kind: 'pid'; readonly pid: number; readonly raw: string };

/**
 * Strict on purpose: msb writes the bare decimal PID, so anything else (signs, spaces, newlines,
 * `0`, `1`, numbers beyond pid_t) was not written by msb or us and must not be signalled; 0 and -1
 * would address a process group or every process of the user.
 */
export function parsePid(text: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return null;
  const pid = Number(text);
  return pid > 1 && pid <= MAX_PID ? pid : null;
}

export async function readPidFile(file: string): Promise<PidFileState> {
  let raw: string;
  try {
    raw = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return { kind: 'missing' };
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
 * invalid file), so a file rewritten by another starter in the meantime survives.
 */
export async function removePidFileIf(file: string, expected: number | string): Promise<boolean> {
  const current = await readPidFile(file);
  if (current.kind === 'missing') return false;
  const matches = typeof expected === 'number' ? current.kind === 'pid' && current.pid === expected : current.raw === expected;
  if (!matches) return false;
  try {
    await fsp.unlink(file);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
