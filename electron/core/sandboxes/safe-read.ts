/**
 * Reads a file the server's sandboxes left (sandbox.db, a Sandboxfile, portal.ports, a log)
 * without trusting what is there: anything in the namespaces folder can be replaced by what a
 * sandbox or its mounts write. So, as `keys/server-key.ts` reads `server.key`: never through a
 * symbolic link (a log linked to `~/.ssh/id_ed25519` would show the key in the window), opened
 * non-blocking (a FIFO in place of sandbox.db would hang main's thread), a regular file only, and
 * no more than a cap (a huge file is not read into memory). Plain Node.
 */
import { closeSync, constants, fstatSync, openSync, promises as fsp, readSync } from 'node:fs';

/** Open flags for a sandbox file: read only, no link followed, no wait on a FIFO. */
export const SANDBOX_FILE_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Sandboxfile and portal.ports are a few lines; sandbox.db a few tens of KB. */
export const MAX_SMALL_FILE = 1024 * 1024;
export const MAX_DB_FILE = 64 * 1024 * 1024;

/** A sandbox file that is there but is not one the app reads; `code` mirrors errno where one applies. */
export class SandboxFileError extends Error {
  override name = 'SandboxFileError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function refusal(file: string, error: unknown): unknown {
  // O_NOFOLLOW on a link fails with ELOOP (EMLINK on some BSDs): say what it means.
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP' || code === 'EMLINK')
    return new SandboxFileError('ELOOP', `${file} is a symbolic link, which the app does not follow.`);
  return error;
}

function checkKind(file: string, stat: { isFile(): boolean; size: number }, max: number): void {
  if (!stat.isFile()) throw new SandboxFileError('EINVAL', `${file} is not a regular file.`);
  if (stat.size > max)
    throw new SandboxFileError('EFBIG', `${file} is larger than ${max} bytes, more than the app reads.`);
}

/** The whole file, synchronously (small files: no thread-pool round trip). ENOENT passes through. */
export function readSandboxFileSync(file: string, max: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, SANDBOX_FILE_FLAGS);
  } catch (error) {
    throw refusal(file, error);
  }
  try {
    const stat = fstatSync(fd);
    checkKind(file, stat, max);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The whole file. ENOENT passes through. */
export async function readSandboxFile(file: string, max: number): Promise<Buffer> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, SANDBOX_FILE_FLAGS);
  } catch (error) {
    throw refusal(file, error);
  }
  try {
    const stat = await handle.stat();
    checkKind(file, stat, max);
    const buffer = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Opens a sandbox log to read from it: a regular file, no link followed; the caller closes it. */
export async function openSandboxLog(file: string): Promise<fsp.FileHandle> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, SANDBOX_FILE_FLAGS);
  } catch (error) {
    throw refusal(file, error);
  }
  const stat = await handle.stat().catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
  if (!stat.isFile()) {
    await handle.close();
    throw new SandboxFileError('EINVAL', `${file} is not a regular file.`);
  }
  return handle;
}
