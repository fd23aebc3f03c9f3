import { promises as fsp } from 'node:fs';
import path from 'node:path';

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
  const size = (await fsp.stat(file).catch(() => null))?.size ?? 0;
  if (size > rotateBytes) await fsp.rename(file, `${file}.1`);
  const handle = await fsp.open(file, 'a', 0o600);
  // The mode above applies to a new file only; a log may hold paths and request details.
  await handle.chmod(0o600);
  await handle.write(`${header}\n`);
  const { size: offset } = await handle.stat();
  return { handle, offset };
}

const TAIL_CHUNK = 64 * 1024;

/** The last `count` lines of the file (from `fromOffset` on, when given), oldest first. */
export async function tailLines(file: string, count: number, fromOffset = 0): Promise<string[]> {
  if (count <= 0) return [];
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    let start = size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    // Read backwards in chunks until enough line breaks are seen. The bytes are decoded only once
    // they are joined: a chunk boundary may fall inside a multi-byte character.
    while (start > fromOffset) {
      const length = Math.min(TAIL_CHUNK, start - fromOffset);
      start -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, start);
      chunks.unshift(buffer);
      newlines += countNewlines(buffer);
      if (newlines > count) break;
    }
    const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count).map(stripTerminalCodes);
  } finally {
    await handle.close();
  }
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** msbserver's tracing output is coloured when it thinks it may be; a log view wants plain text. */
export function stripTerminalCodes(line: string): string {
  // CSI sequences (colours, cursor movement) and OSC sequences (titles, links).
  // eslint-disable-next-line no-control-regex -- matching escape characters is the point here
  return line.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '').replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '');
}
