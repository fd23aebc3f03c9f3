/**
 * The watch on the microsandbox home that lets `msb server start/stop` be seen at once. A watch
 * is tied to the folder it was put on, not to its path: once the home is deleted (`rm -rf
 * ~/.microsandbox`) it hears nothing more, not even the home made again by the next CLI start.
 * So while the home is missing the nearest folder above it that exists is watched for the next
 * name on the way, and the watch moves down as the folders come back; a home replaced under the
 * same path is noticed by its inode, or by the event of the watched folder itself going (a folder
 * made at once may get the freed inode number back). Nothing polls, except a slow retry when no
 * watch can be set.
 */
import { type FSWatcher, type Stats, statSync, watch } from 'node:fs';
import path from 'node:path';
import type { Disposable } from '../base/disposable.ts';
import { errorText, type Logger } from '../base/logger.ts';

export interface HomeWatchOptions {
  readonly home: string;
  /** The file of the home whose changes count (`server.pid`). */
  readonly file: string;
  /** Something may have changed: the file, or the home itself came, went or was replaced. */
  readonly onChange: () => void;
  readonly logger: Logger;
  /** How long one burst of events is gathered into one change (ms). */
  readonly settleMs?: number;
  /** When no folder on the way can be watched (the watch limit reached), trying again after (ms). */
  readonly retryMs?: number;
}

/** What is watched: the home itself, or a folder above it waiting for `next` to appear. */
interface Target {
  readonly dir: string;
  readonly ino: number;
  readonly dev: number;
  /** The name in `dir` on the way to the home; null when `dir` is the home. */
  readonly next: string | null;
}

const DEFAULT_SETTLE_MS = 2;
const DEFAULT_RETRY_MS = 15_000;
const MAX_ARM_ATTEMPTS = 8;

export class HomeWatch implements Disposable {
  readonly #options: HomeWatchOptions;
  readonly #home: string;
  #target: Target | null = null;
  #watcher: FSWatcher | null = null;
  /**
   * A burst being gathered: whether the file changed, whether the target must be checked, and
   * whether the watched folder itself was named (it may have gone, so the watch must be set again).
   */
  #pending: { changed: boolean; recheck: boolean; renew: boolean } | null = null;
  #settleTimer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #disposed = false;

  constructor(options: HomeWatchOptions) {
    this.#options = options;
    this.#home = path.resolve(options.home);
  }

  /** Whether the home itself (not a folder above it) is watched now. */
  get watchingHome(): boolean {
    return this.#watcher !== null && this.#target?.next === null;
  }

  start(): void {
    if (this.#disposed || this.#watcher !== null) return;
    this.#arm();
  }

  dispose(): void {
    this.#disposed = true;
    this.#close();
    if (this.#settleTimer !== null) clearTimeout(this.#settleTimer);
    this.#settleTimer = null;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /**
   * Watches the home, or the nearest folder above it; returns whether the target changed. With
   * `renew` the watch is set again even on a target that looks the same.
   */
  #arm(renew = false): boolean {
    // Folders may come and go between the look and the watch: a few looks settle it.
    for (let attempt = 1; ; attempt++) {
      const target = findTarget(this.#home);
      if (!renew && target !== null && this.#watcher !== null && sameTarget(target, this.#target)) return false;
      this.#close();
      this.#target = target;
      if (target === null) {
        this.#retryLater(`nothing on the way to ${this.#home} exists`);
        return true;
      }
      try {
        this.#watcher = watch(target.dir, { persistent: false }, (_event, name) => this.#heard(name));
      } catch (error) {
        // The folder went between the look and the watch: look again.
        if (isNotFound(error) && attempt < MAX_ARM_ATTEMPTS) continue;
        this.#retryLater(`${target.dir} cannot be watched: ${errorText(error)}`);
        return true;
      }
      this.#watcher.on('error', (error) => {
        this.#options.logger.warn(`Watching ${target.dir} stopped: ${errorText(error)}`);
        this.#close();
        this.#retryLater(`watching ${target.dir} failed`);
      });
      if (target.next === null) return true;
      // The next folder on the way may have come just before the watch: no event would tell.
      if (findTarget(this.#home)?.dir !== target.dir) {
        if (attempt < MAX_ARM_ATTEMPTS) continue;
        this.#retryLater(`the folders on the way to ${this.#home} keep changing`);
        return true;
      }
      this.#options.logger.info(`${this.#home} is missing; watching ${target.dir} for it to come back.`);
      return true;
    }
  }

  #heard(name: string | Buffer | null): void {
    const target = this.#target;
    if (this.#disposed || target === null) return;
    const entry = name === null ? null : String(name);
    // Unnamed: some platforms do not say which entry changed; it may have been the file.
    const changed = target.next === null && (entry === null || entry === this.#options.file);
    // Another entry of the home (a sandbox folder, oci.db) needs no look; an unnamed event, the
    // folder's own name (how Linux reports the watched folder going) or the next name on the way
    // may mean the target came or went.
    const renew = entry === path.basename(target.dir);
    const recheck = entry === null || renew || (target.next !== null && entry === target.next);
    if (!changed && !recheck) return;
    this.#pending = {
      changed: changed || this.#pending?.changed === true,
      recheck: recheck || this.#pending?.recheck === true,
      renew: renew || this.#pending?.renew === true,
    };
    if (this.#settleTimer !== null) clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(() => this.#settle(), this.#options.settleMs ?? DEFAULT_SETTLE_MS);
  }

  #settle(): void {
    this.#settleTimer = null;
    const pending = this.#pending;
    this.#pending = null;
    if (this.#disposed || pending === null) return;
    // The home came, went or was replaced: server.pid may have changed with it, seen or not. A
    // folder deleted and made again before this look can carry the old inode number (ext4 and
    // tmpfs hand it out again at once): it looks unchanged, but the old watch hears nothing more.
    const moved = pending.recheck && this.#arm(pending.renew);
    if (pending.changed || moved) this.#options.onChange();
  }

  #retryLater(why: string): void {
    if (this.#disposed || this.#retryTimer !== null) return;
    const every = this.#options.retryMs ?? DEFAULT_RETRY_MS;
    this.#options.logger.warn(
      `Could not watch ${this.#home} (${why}); outside starts and stops are seen when the app looks again, in ` +
        `${Math.round(every / 1000)} s.`,
    );
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.#disposed) return;
      if (this.#arm()) this.#options.onChange();
    }, every);
    this.#retryTimer.unref();
  }

  #close(): void {
    this.#watcher?.close();
    this.#watcher = null;
  }
}

/** The home when it is a folder, else the nearest folder above it that exists. */
function findTarget(home: string): Target | null {
  let next: string | null = null;
  let dir = home;
  for (;;) {
    const stat = statOrNull(dir);
    if (stat?.isDirectory() === true) return { dir, ino: stat.ino, dev: stat.dev, next };
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    next = path.basename(dir);
    dir = parent;
  }
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    // Missing, or not reachable: either way not a folder to watch; the caller looks higher up.
    return null;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function sameTarget(a: Target, b: Target | null): boolean {
  return b !== null && a.dir === b.dir && a.ino === b.ino && a.dev === b.dev && a.next === b.next;
}
