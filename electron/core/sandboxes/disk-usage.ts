/**
 * The size of a sandbox's writable layer: the sum of the sizes of the regular files under it
 * (symlinks not followed), as upstream reports `disk_usage`.
 *
 * Which folder: for `overlayfs:<layer>:…:<rw>` the last entry (the writable layer); for
 * `native:<root>` the root itself, which the VM writes in place (upstream sums it too).
 *
 * Walking a tree costs a stat per file, so results are cached per folder and recomputed only
 * when a cheap signature changes or the result is older than `maxAgeMs`. The signature is the
 * folder's own inode, mtime and ctime plus those of its direct subfolders: creating, deleting or
 * renaming entries near the top changes it at once. Files growing in place, or changes deep in
 * the tree, change no directory near the top; no signature short of the full walk sees them, so
 * they show within `maxAgeMs` (30 s, upstream's own cache time).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errorText as describeError, type Logger } from '../base/logger.ts';
import { probe } from '../base/probe.ts';

interface Entry {
  readonly signature: string;
  readonly bytes: number;
  readonly at: number;
}

/** The writable layer named by a `rootfs_paths` value, or null. */
export function writableLayer(rootfsPaths: string): string | null {
  if (rootfsPaths.startsWith('overlayfs:')) {
    const last = rootfsPaths.slice('overlayfs:'.length).split(':').at(-1);
    return last !== undefined && last !== '' ? last : null;
  }
  if (rootfsPaths.startsWith('native:')) return rootfsPaths.slice('native:'.length) || null;
  return null;
}

export class DiskUsageCache {
  readonly #entries = new Map<string, Entry>();

  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #maxAgeMs: number;

  constructor(logger: Logger, now: () => number, maxAgeMs = 30_000) {
    this.#logger = logger;
    this.#now = now;
    this.#maxAgeMs = maxAgeMs;
  }

  async bytes(dir: string): Promise<number | null> {
    const signature = await this.#signature(dir);
    if (signature === null) {
      this.#entries.delete(dir);
      return null;
    }
    const cached = this.#entries.get(dir);
    const now = this.#now();
    if (cached !== undefined && cached.signature === signature && now - cached.at < this.#maxAgeMs) return cached.bytes;
    const bytes = await sumFiles(dir, this.#logger);
    this.#entries.set(dir, { signature, bytes, at: now });
    return bytes;
  }

  /** Forget folders no running sandbox uses any more. */
  retain(dirs: ReadonlySet<string>): void {
    for (const dir of this.#entries.keys()) if (!dirs.has(dir)) this.#entries.delete(dir);
  }

  async #signature(dir: string): Promise<string | null> {
    let top;
    try {
      top = await fsp.lstat(dir);
    } catch (error) {
      this.#logger.debug(`disk usage: ${dir} cannot be read`, describeError(error));
      return null;
    }
    if (!top.isDirectory()) return `file:${top.ino}:${top.size}:${top.mtimeMs}`;
    const parts = [`${top.ino}:${top.mtimeMs}:${top.ctimeMs}`];
    const children =
      (await probe(fsp.readdir(dir, { withFileTypes: true }), {
        logger: this.#logger,
        what: `the folders in ${dir}`,
      })) ?? [];
    const stats = await Promise.all(
      children
        .filter((c) => c.isDirectory())
        .map(async (c) => {
          const s = await probe(fsp.lstat(path.join(dir, c.name)), {
            logger: this.#logger,
            what: path.join(dir, c.name),
          });
          return s === null ? `${c.name}:gone` : `${c.name}:${s.ino}:${s.mtimeMs}:${s.ctimeMs}`;
        }),
    );
    return parts.concat(stats.sort()).join('|');
  }
}

async function sumFiles(dir: string, logger: Logger): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const batch = pending.splice(0, 16);
    await Promise.all(
      batch.map(async (current) => {
        let entries;
        try {
          entries = await fsp.readdir(current, { withFileTypes: true });
        } catch (error) {
          logger.debug(`disk usage: cannot list ${current}`, describeError(error));
          return;
        }
        const files: string[] = [];
        for (const entry of entries) {
          const full = path.join(current, entry.name);
          if (entry.isDirectory()) pending.push(full);
          else if (entry.isFile()) files.push(full);
        }
        const sizes = await Promise.all(
          files.map((f) =>
            fsp.lstat(f).then(
              (s) => s.size,
              () => 0,
            ),
          ),
        );
        for (const size of sizes) total += size;
      }),
    );
  }
  return total;
}
