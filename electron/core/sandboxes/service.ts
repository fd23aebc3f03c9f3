/**
 * The sandboxes as main uses them, for the IPC handlers, the tray and the stop question: one
 * `SandboxMonitor` on the namespaces folder in use (`settings.namespacesPath`, else
 * `<home>/namespaces`; a new monitor when that setting changes), who holds interest in metrics,
 * the one sandbox log the window follows, stopping, and log tails scrubbed of secrets.
 *
 * Stopping is stop-request.ts's (through the running server's `sandbox.stop`, or a SIGTERM to the
 * confirmed supervisor), always on a fresh listing; the followed log is followed-log.ts's.
 *
 * The folder shown is the one the settings name now; a server started before that setting
 * changed still serves its old folder (the window asks for a restart), and its `sandbox.stop`
 * acts there.
 */
import path from 'node:path';
import type {
  SandboxesView,
  SandboxLogEvent,
  SandboxLogRequest,
  SandboxLogView,
  SandboxStopRequest,
  SandboxStopResult,
  SandboxWatchRequest,
} from '../../../shared/sandboxes.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { type Clock, systemClock } from '../base/clock.ts';
import type { Disposable } from '../base/disposable.ts';
import { errorText, ignoreFailure, type Logger, silentLogger } from '../base/logger.ts';
import type { LineScrubber } from '../base/scrub.ts';
import { FollowedSandboxLog } from './followed-log.ts';
import { tailSandboxLog } from './logs.ts';
import { SandboxMonitor, type MonitorOptions } from './sandbox-monitor.ts';
import { stopRequested, type StopRequestDeps } from './stop-request.ts';

export type { LineScrubber } from '../base/scrub.ts';

type FetchLike = NonNullable<StopRequestDeps['fetch']>;

export interface SandboxesServiceDeps {
  /** `<home>/namespaces`: the folder in use while `settings.namespacesPath` is null. */
  readonly defaultNamespacesDir: string;
  readonly settings: { get(): Settings; onChange(listener: (settings: Settings) => void): () => void };
  readonly server: () => ServerSnapshot;
  readonly keyFile: string;
  readonly scrubber: LineScrubber;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly fetch?: FetchLike;
  /** For every monitor (timers, intervals, platform); tests shorten them. */
  readonly monitor?: Omit<MonitorOptions, 'namespacesDir' | 'logger'>;
  /** The most bytes of a burst the followed log hands over (default 256 KiB). */
  readonly followMaxReadBytes?: number;
  /** How long the stop token lives, seconds (default 60). */
  readonly tokenSeconds?: number;
}

export interface SandboxesService extends Disposable {
  /** The namespaces folder in use. */
  readonly namespacesDir: string;
  /** The last view (empty until the first listing finished). */
  view(): SandboxesView;
  /** The view, after the first listing. */
  list(): Promise<SandboxesView>;
  /** Lists now; the view after it. */
  refresh(): Promise<SandboxesView>;
  /** Every view that differs from the one before, whichever folder it is of. */
  onChange(listener: (view: SandboxesView) => void): () => void;
  /** Lines of the followed log (see `watch`). */
  onLogLines(listener: (event: SandboxLogEvent) => void): () => void;
  /** Hold interest in memory and CPU (sampled every 2 s while held); returns the release (idempotent). */
  watchMetrics(): () => void;
  /** Whether anyone holds interest in metrics now. */
  readonly metricsWanted: boolean;
  /** What the window looks at: the view (metrics) and the log it follows. */
  watch(request: SandboxWatchRequest): void;
  /** The window is gone: its interest and its follower end. */
  windowClosed(): void;
  stop(request: SandboxStopRequest): Promise<SandboxStopResult>;
  logTail(request: SandboxLogRequest): Promise<SandboxLogView>;
  /** Synchronous: watchers, timers and the follower are let go at once. */
  dispose(): void;
}

const DEFAULT_FOLLOW_BYTES = 256 * 1024;

export function createSandboxesService(deps: SandboxesServiceDeps): SandboxesService {
  return new Service(deps);
}

class Service implements SandboxesService {
  readonly #deps: SandboxesServiceDeps;
  readonly #logger: Logger;
  readonly #listeners = new Set<(view: SandboxesView) => void>();
  readonly #offSettings: () => void;
  readonly #stopDeps: StopRequestDeps;
  readonly #log: FollowedSandboxLog;
  #monitor: SandboxMonitor;
  #first: Promise<SandboxesView>;
  /** Every hold on metrics, so that a new monitor (another folder) gets them too. */
  readonly #holds = new Map<symbol, () => void>();
  #windowHold: (() => void) | null = null;
  #disposed = false;

  constructor(deps: SandboxesServiceDeps) {
    this.#deps = deps;
    this.#logger = deps.logger ?? silentLogger;
    const platform = deps.monitor?.platform;
    this.#stopDeps = {
      defaultNamespacesDir: deps.defaultNamespacesDir,
      namespacesDir: () => this.namespacesDir,
      server: deps.server,
      keyFile: deps.keyFile,
      clock: deps.clock ?? systemClock,
      logger: this.#logger,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      ...(platform === undefined ? {} : { platform }),
      ...(deps.tokenSeconds === undefined ? {} : { tokenSeconds: deps.tokenSeconds }),
    };
    this.#log = new FollowedSandboxLog({
      scrubber: deps.scrubber,
      logger: this.#logger,
      maxReadBytes: deps.followMaxReadBytes ?? DEFAULT_FOLLOW_BYTES,
    });
    this.#monitor = this.#createMonitor(this.#folderFrom(deps.settings.get()));
    this.#first = this.#startMonitor(this.#monitor);
    this.#offSettings = deps.settings.onChange((settings) => this.#settingsChanged(settings));
  }

  get namespacesDir(): string {
    return this.#monitor.namespacesDir;
  }

  view(): SandboxesView {
    return this.#monitor.current() ?? { namespacesDir: this.#monitor.namespacesDir, namespaces: [] };
  }

  async list(): Promise<SandboxesView> {
    const monitor = this.#monitor;
    await this.#first;
    return monitor === this.#monitor ? this.view() : this.list();
  }

  refresh(): Promise<SandboxesView> {
    if (this.#disposed) return Promise.resolve(this.view());
    const monitor = this.#monitor;
    // The folder setting changed meanwhile (its monitor was disposed, its answer of the old
    // folder or none): ask the new one.
    const changed = (): boolean => monitor !== this.#monitor && !this.#disposed;
    return monitor.refresh().then(
      (view) => (changed() ? this.refresh() : view),
      (error: unknown) => {
        if (changed()) return this.refresh();
        throw error;
      },
    );
  }

  onChange(listener: (view: SandboxesView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onLogLines(listener: (event: SandboxLogEvent) => void): () => void {
    return this.#log.onLines(listener);
  }

  watchMetrics(): () => void {
    if (this.#disposed) return () => {};
    const id = Symbol('metrics hold');
    this.#holds.set(id, this.#monitor.watchMetrics());
    return () => {
      this.#holds.get(id)?.();
      this.#holds.delete(id);
    };
  }

  get metricsWanted(): boolean {
    return this.#holds.size > 0;
  }

  watch(request: SandboxWatchRequest): void {
    if (this.#disposed) return;
    if (request.visible && this.#windowHold === null) this.#windowHold = this.watchMetrics();
    if (!request.visible && this.#windowHold !== null) {
      this.#windowHold();
      this.#windowHold = null;
    }
    if (request.log === null) this.#log.unfollow();
    else this.#log.follow(this.namespacesDir, request.log);
  }

  windowClosed(): void {
    this.#windowHold?.();
    this.#windowHold = null;
    this.#log.unfollow();
  }

  async stop(request: SandboxStopRequest): Promise<SandboxStopResult> {
    if (this.#disposed) return { stopped: [], failed: [], via: 'none' };
    // A fresh look: only what runs now is stopped.
    const result = await stopRequested(this.#stopDeps, await this.refresh(), request);
    if (result.stopped.length > 0) this.refresh().catch(ignoreFailure(this.#logger, 'listing sandboxes after a stop'));
    return result;
  }

  async logTail(request: SandboxLogRequest): Promise<SandboxLogView> {
    const tail = await tailSandboxLog({
      namespacesDir: this.namespacesDir,
      namespace: request.namespace,
      name: request.name,
      lines: request.lines,
    });
    return {
      namespace: request.namespace,
      name: request.name,
      exists: tail.exists,
      lines: await this.#deps.scrubber.scrubLines(tail.lines),
    };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#offSettings();
    this.#log.unfollow();
    for (const release of this.#holds.values()) release();
    this.#holds.clear();
    this.#windowHold = null;
    this.#monitor.dispose();
    this.#listeners.clear();
    this.#log.dispose();
  }

  #folderFrom(settings: Settings): string {
    return path.resolve(settings.namespacesPath ?? this.#deps.defaultNamespacesDir);
  }

  #createMonitor(namespacesDir: string): SandboxMonitor {
    const monitor = new SandboxMonitor({ ...this.#deps.monitor, namespacesDir, logger: this.#logger });
    monitor.onChange((view) => {
      if (monitor !== this.#monitor || this.#disposed) return;
      for (const listener of [...this.#listeners]) {
        try {
          listener(view);
        } catch (error) {
          this.#logger.error(`sandboxes: a view listener failed: ${errorText(error)}`);
        }
      }
    });
    return monitor;
  }

  #startMonitor(monitor: SandboxMonitor): Promise<SandboxesView> {
    return monitor.start().catch((error: unknown) => {
      this.#logger.warn(`sandboxes: the first listing of ${monitor.namespacesDir} failed: ${errorText(error)}`);
      return { namespacesDir: monitor.namespacesDir, namespaces: [] };
    });
  }

  #settingsChanged(settings: Settings): void {
    const folder = this.#folderFrom(settings);
    if (this.#disposed || folder === this.#monitor.namespacesDir) return;
    this.#logger.info(`sandboxes: now watching ${folder}`);
    const old = this.#monitor;
    this.#log.unfollow();
    this.#monitor = this.#createMonitor(folder);
    // Whoever held interest in the old folder's metrics holds it in the new one's.
    for (const [id, release] of this.#holds) {
      release();
      this.#holds.set(id, this.#monitor.watchMetrics());
    }
    old.dispose();
    this.#first = this.#startMonitor(this.#monitor);
  }
}
