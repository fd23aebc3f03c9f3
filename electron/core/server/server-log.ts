import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { probe } from '../base/probe.ts';

export const SERVER_LOG_NAME = 'msbserver.log';
/** The server keeps its log open while it runs, so the log is rotated only when a start opens it. */
export const DEFAULT_LOG_ROTATE_BYTES = 5 * 1024 * 1024;

export function serverLogPath(logDir: string): string {
  return path.join(logDir, SERVER_LOG_NAME);
}

export interface OpenedServerLog {
  /** A descriptor for the child's stdout and stderr; close it in the parent after spawning. */
  readonly handle: fsp.FileHandle;
  /** Where this run's output starts, so a failure shows only its own lines. */
  readonly offset: number;
}

/**
 * Opens the server log for appending, after moving an oversized log to `<name>.1` (one
 * generation kept), and writes a header line for this run. Never writes the server key.
 */
export async function openServerLog(
  file: string,
  header: string,
  rotateBytes: number = DEFAULT_LOG_ROTATE_BYTES,
): Promise<OpenedServerLog> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const size = (await probe(fsp.stat(file)))?.size ?? 0;
  if (size > rotateBytes) await fsp.rename(file, `${file}.1`);
  const handle = await fsp.open(file, 'a', 0o600);
  try {
    // The mode above applies to a new file only; a log may hold paths and request details.
    await handle.chmod(0o600);
    await handle.write(`${header}\n`);
    const { size: offset } = await handle.stat();
    return { handle, offset };
  } catch (error) {
    // A full disk fails the header: the descriptor must not outlive the failed start.
    await handle.close();
    throw error;
  }
}
