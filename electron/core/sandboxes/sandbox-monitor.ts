/**
 * Keeps a `SandboxesView` current and says when it changes.
 *
 * Changes made outside the app (the server, `msb`, a supervisor ending) are seen by watching
 * folders, not by polling them: the namespaces folder (new namespaces, portal.ports), each
 * namespace folder (its Sandboxfile, `.menv` appearing) and each `.menv` folder (sandbox.db and
 * its journal). Where the namespaces folder does not exist yet, its nearest existing ancestor is
 * watched until it appears. Watchers are re-armed after each listing that an event caused, so
 * folders that appear or go are picked up. Events are coalesced (`debounceMs`), and a listing
 * reads only what changed (see catalog.ts).
 *
 * Two things write no file, so they are looked for:
 * - a supervisor that dies without writing STOPPED (SIGKILL, crash): while sandboxes run, their
 *   supervisor PIDs get a `kill(pid, 0)` every `livenessIntervalMs` (no file is read);
 * - memory and CPU: sampled every `metricsIntervalMs` only while someone holds interest
 *   (`watchMetrics()`), e.g. the window shows the list or the tray menu is about to open.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { SandboxesView } from '../../../shared/sandboxes.ts';
import { defaultTimers, type TimerHandle, type Timers } from '../base/clock.ts';
import { SandboxCatalog, type CatalogOptions } from './catalog.ts';
import { errorText as describeError, silentLogger, type Logger } from '../base/logger.ts';
import { MENV_DIR } from './sandbox-paths.ts';

export interface MonitorOptions extends CatalogOptions {
  /** The catalog to list with (by default one made from these options); the monitor disposes it. */
  readonly catalog?: SandboxCatalog;
  readonly timers?: Timers;
  /** Quiet time after a file event before listing (default 40 ms). */
  readonly debounceMs?: number;
  readonly metricsIntervalMs?: number;
  readonly livenessIntervalMs?: number;
}

export type ViewListener = (view: SandboxesView) => void;

export class SandboxMonitor {
  readonly #catalog: SandboxCatalog;
  readonly #logger: Logger;
  readonly #timers: Timers;
  readonly #debounceMs: number;
  readonly #metricsIntervalMs: number;
  readonly #livenessIntervalMs: number;
  readonly #listeners = new Set<ViewListener>();
  readonly #watchers = new Map<string, FSWatcher>();
  /** Which folder (device and inode) each watch was put on. */
  readonly #watchedIds = new Map<string, string>();
  #view: SandboxesView | null = null;
  #lastEmitted = '';
  #debounce: TimerHandle | null = null;
  #metricsTimer: TimerHandle | null = null;
  #livenessTimer: TimerHandle | null = null;
  #interest = 0;
  #listing: Promise<SandboxesView> | null = null;
  /** The listing after the one under way, which every ask made during that one shares. */
  #next: Promise<SandboxesView> | null = null;
  #rearm = true;
  #disposed = false;

  constructor(options: MonitorOptions) {
    this.#catalog = options.catalog ?? new SandboxCatalog(options);
    this.#logger = options.logger ?? silentLogger;
    this.#timers = options.timers ?? defaultTimers;
    this.#debounceMs = options.debounceMs ?? 40;
    this.#metricsIntervalMs = options.metricsIntervalMs ?? 2_000;
    // Only a killed supervisor needs it (a stop writes STOPPED, which the watch sees): rare enough
    // to be noticed within 15 s, and each wake-up of an idle app costs CPU all day.
    this.#livenessIntervalMs = options.livenessIntervalMs ?? 15_000;
  }

  get namespacesDir(): string {
    return this.#catalog.namespacesDir;
  }

  /** The last view, or null before the first listing finished. */
  current(): SandboxesView | null {
    return this.#view;
  }

  /** Called with every view that differs from the one before. Returns the unsubscribe. */
  onChange(listener: ViewListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first listing; arms the watchers. Safe to call again (it refreshes). */
  start(): Promise<SandboxesView> {
    this.#rearm = true;
    return this.refresh();
  }

  /**
   * List now (or right after a listing under way) and emit if the view changed. The answer is
   * always a listing begun after the ask: one under way may have read the folders before it.
   * Asks made during one listing share the next.
   */
  refresh(): Promise<SandboxesView> {
    if (this.#disposed) return Promise.reject(new Error('the sandbox monitor was disposed'));
    if (this.#listing === null) return this.#beginListing();
    const afterCurrent = (): Promise<SandboxesView> => {
      this.#next = null;
      if (this.#disposed) return Promise.reject(new Error('the sandbox monitor was disposed'));
      // Another ask may have begun one since the last ended: it began after these asks too.
      return this.#listing ?? this.#beginListing();
    };
    this.#next ??= this.#listing.then(afterCurrent, afterCurrent);
    return this.#next;
  }

  #beginListing(): Promise<SandboxesView> {
    // Only ever begun when none is under way, so the one that ends is always the current one.
    this.#listing = this.#runListing().finally(() => {
      this.#listing = null;
    });
    return this.#listing;
  }

  /**
   * Hold interest in memory and CPU figures: sampled at once, then every `metricsIntervalMs`
   * until every holder has released. Returns the release (idempotent).
   */
  watchMetrics(): () => void {
    if (this.#disposed) return () => {};
    this.#interest++;
    if (this.#interest === 1) {
      this.refresh().catch((error: unknown) =>
        this.#logger.debug('sandboxes: metrics listing failed', describeError(error)),
      );
      this.#scheduleMetrics();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#interest--;
      if (this.#interest === 0 && this.#metricsTimer !== null) {
        this.#timers.clearTimeout(this.#metricsTimer);
        this.#metricsTimer = null;
      }
    };
  }

  /** Whether anyone holds interest in metrics (for tests and the tray's bookkeeping). */
  get metricsWanted(): boolean {
    return this.#interest > 0;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const timer of [this.#debounce, this.#metricsTimer, this.#livenessTimer])
      if (timer !== null) this.#timers.clearTimeout(timer);
    this.#debounce = this.#metricsTimer = this.#livenessTimer = null;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    this.#watchedIds.clear();
    this.#listeners.clear();
    this.#catalog.dispose();
  }

  async #runListing(): Promise<SandboxesView> {
    const view = await this.#catalog.list();
    if (this.#disposed) return view;
    this.#view = view;
    if (this.#rearm) {
      this.#rearm = false;
      this.#armWatchers(view);
    }
    this.#scheduleLiveness();
    const text = JSON.stringify(view);
    if (text !== this.#lastEmitted) {
      this.#lastEmitted = text;
      for (const listener of [...this.#listeners]) {
        try {
          listener(view);
        } catch (error) {
          this.#logger.error('sandboxes: a view listener threw', error);
        }
      }
    }
    return view;
  }

  #changed(): void {
    if (this.#disposed) return;
    this.#rearm = true;
    if (this.#debounce !== null) return;
    this.#debounce = this.#timers.setTimeout(() => {
      this.#debounce = null;
      this.refresh().catch((error: unknown) =>
        this.#logger.debug('sandboxes: listing after a change failed', describeError(error)),
      );
    }, this.#debounceMs);
  }

  #scheduleMetrics(): void {
    this.#metricsTimer = this.#timers.setTimeout(() => {
      this.#metricsTimer = null;
      if (this.#interest === 0 || this.#disposed) return;
      this.refresh().catch((error: unknown) =>
        this.#logger.debug('sandboxes: metrics listing failed', describeError(error)),
      );
      this.#scheduleMetrics();
    }, this.#metricsIntervalMs);
  }

  #scheduleLiveness(): void {
    if (this.#livenessTimer !== null || this.#catalog.runningSupervisors().length === 0) return;
    this.#livenessTimer = this.#timers.setTimeout(() => {
      this.#livenessTimer = null;
      if (this.#disposed) return;
      const gone = this.#catalog.runningSupervisors().some(({ pid }) => {
        try {
          process.kill(pid, 0);
          return false;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === 'ESRCH';
        }
      });
      if (gone) this.#changed();
      else this.#scheduleLiveness();
    }, this.#livenessIntervalMs);
  }

  /** Watch N and every D and D/.menv that exist; N's nearest existing ancestor while N is missing. */
  #armWatchers(view: SandboxesView): void {
    // A watch belongs to the folder it was put on: once that folder is deleted (or replaced under
    // the same path) it hears nothing of what comes there next, so it is put on again.
    for (const [dir, watcher] of this.#watchers) {
      if (folderId(dir) === this.#watchedIds.get(dir)) continue;
      watcher.close();
      this.#watchers.delete(dir);
      this.#watchedIds.delete(dir);
    }
    const root = this.#catalog.namespacesDir;
    const wanted = new Set<string>([root]);
    for (const ns of view.namespaces) {
      wanted.add(path.join(root, ns.name));
      wanted.add(path.join(root, ns.name, MENV_DIR));
    }
    for (const dir of wanted) if (!this.#watchers.has(dir)) this.#tryWatch(dir);
    if (!this.#watchers.has(root)) {
      // Until N exists, the nearest ancestor that does, to see N (or a parent of it) appear.
      for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
        if (this.#watchers.has(dir) || this.#tryWatch(dir)) {
          wanted.add(dir);
          break;
        }
        if (path.dirname(dir) === dir) break;
      }
    }
    for (const [dir, watcher] of this.#watchers) {
      if (wanted.has(dir)) continue;
      watcher.close();
      this.#watchers.delete(dir);
      this.#watchedIds.delete(dir);
    }
  }

  #tryWatch(dir: string): boolean {
    try {
      // Taken before the watch: a folder replaced in between then differs at the next listing.
      const id = folderId(dir);
      const watcher = watch(dir, { persistent: false }, () => this.#changed());
      if (id !== null) this.#watchedIds.set(dir, id);
      watcher.on('error', (error) => {
        this.#logger.debug(`sandboxes: watcher on ${dir} failed`, describeError(error));
        watcher.close();
        this.#watchers.delete(dir);
        this.#watchedIds.delete(dir);
        this.#changed();
      });
      this.#watchers.set(dir, watcher);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        this.#logger.debug(`sandboxes: cannot watch ${dir}`, describeError(error));
      return false;
    }
  }
}

/** The folder now at `dir` (device and inode), or null when there is none. */
function folderId(dir: string): string | null {
  try {
    const stat = statSync(dir);
    return stat.isDirectory() ? `${stat.dev}:${stat.ino}` : null;
  } catch {
    return null; // gone (or unreadable): no folder to keep a watch on
  }
}
