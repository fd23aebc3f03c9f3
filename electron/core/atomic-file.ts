import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { ignoreFailure, type Logger, silentLogger } from './base/logger.ts';
import { probe } from './base/probe.ts';

/** The file operations an atomic write needs; tests replace one to inject a failure. */
export interface AtomicWriteOps {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
}

const realOps: AtomicWriteOps = { open: fsp.open, rename: fsp.rename, unlink: fsp.unlink };

export interface AtomicWriteOptions {
  /** Mode of the new file; applied before any byte is written so a secret is never world-readable. */
  mode?: number;
  ops?: Partial<AtomicWriteOps>;
  logger?: Logger;
}

/**
 * Writes `data` to a temporary file beside `target`, flushes it, and renames it over `target`.
 * Readers see the old content or the new, never a part; on any failure the old file is untouched
 * and the temporary file is removed.
 */
export async function writeFileAtomic(target: string, data: string, options: AtomicWriteOptions = {}): Promise<void> {
  const ops: AtomicWriteOps = { ...realOps, ...options.ops };
  const mode = options.mode ?? 0o644;
  const logger = options.logger ?? silentLogger;
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let written = false;
  try {
    const handle = await ops.open(temp, 'wx', mode);
    try {
      // open() honours the umask; chmod makes the mode exact.
      await handle.chmod(mode);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await ops.rename(temp, target);
    written = true;
    await syncDirectory(path.dirname(target), logger);
  } finally {
    if (!written) await ops.unlink(temp).catch(ignoreFailure(logger, `removing the temporary file ${temp}`));
  }
}

/** Makes the rename itself durable; best effort, since not every platform can open a directory. */
async function syncDirectory(dir: string, logger: Logger): Promise<void> {
  const handle = await probe(fsp.open(dir, 'r'), { logger, what: `${dir} to sync it` });
  if (handle === null) return;
  try {
    await handle.sync();
  } catch (error) {
    // Windows and some file systems refuse fsync on a directory; the rename itself stands.
    ignoreFailure(logger, `syncing ${dir}`)(error);
  } finally {
    await handle.close();
  }
}
