/**
 * The sandboxes as main uses them, for the IPC handlers, the tray and the stop question: one
 * `SandboxMonitor` on the namespaces folder in use (`settings.namespacesPath`, else
 * `<home>/namespaces`; a new monitor when that setting changes), who holds interest in metrics,
 * the one sandbox log the window follows, stopping, and log tails scrubbed of secrets.
 *
 * Stopping goes through the running server's `sandbox.stop`, authenticated with a `*` token that
 * lives for a minute and is minted here from `server.key` (the key never leaves main; a dev-mode
 * server needs none). Without a running server, or when it cannot be reached, the app sends the
 * same SIGTERM itself, to the one PID confirmed to be that sandbox's `msbrun supervisor`
 * (stop.ts). Only a sandbox the last listing shows running is ever stopped: a stale row is
 * upstream's to clear, and nothing that writes is done for it.
 *
 * The folder shown is the one the settings name now; a server started before that setting
 * changed still serves its old folder (the window asks for a restart), and its `sandbox.stop`
 * acts there.
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import {
  findSandbox,
  runningSandboxes,
  sameSandbox,
  sandboxRefProblem,
  type SandboxesView,
  type SandboxLogEvent,
  type SandboxLogRequest,
  type SandboxLogView,
  type SandboxRef,
  type SandboxStopFailure,
  type SandboxStopRequest,
  type SandboxStopResult,
  type SandboxWatchRequest,
} from '../../../shared/sandboxes.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { type Clock, systemClock } from '../base/clock.ts';
import { LogFollower } from '../base/log-follower.ts';
import { openSandboxLog } from './safe-read.ts';
import type { Disposable } from '../base/disposable.ts';
import { readServerKey } from '../keys/server-key.ts';
import { mintToken } from '../keys/token.ts';
import { readProcessArgv } from '../process/process-identity.ts';
import { errorText, ignoreFailure, type Logger, silentLogger } from '../base/logger.ts';
import { MAX_TAIL_LINES, tailSandboxLog } from './logs.ts';
import { SandboxMonitor, type MonitorOptions } from './sandbox-monitor.ts';
import { sandboxLogPath } from './sandbox-paths.ts';
import { stopSandboxDirectly, stopSandboxViaServer, type StopOutcome } from './sandbox-stop.ts';

/** What scrubs secrets out of log lines (base/scrub.ts's `SecretScrubber`). */
export interface LineScrubber {
  scrubLines(lines: readonly string[]): Promise<string[]>;
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

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
  readonly #clock: Clock;
  readonly #listeners = new Set<(view: SandboxesView) => void>();
  readonly #logListeners = new Set<(event: SandboxLogEvent) => void>();
  readonly #offSettings: () => void;
  #monitor: SandboxMonitor;
  #first: Promise<SandboxesView>;
  /** Every hold on metrics, so that a new monitor (another folder) gets them too. */
  readonly #holds = new Map<symbol, () => void>();
  #windowHold: (() => void) | null = null;
  #followed: { readonly ref: SandboxRef; readonly follower: LogFollower; readonly send: Promise<void> } | null = null;
  #disposed = false;

  constructor(deps: SandboxesServiceDeps) {
    this.#deps = deps;
    this.#logger = deps.logger ?? silentLogger;
    this.#clock = deps.clock ?? systemClock;
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
    return this.#monitor.refresh();
  }

  onChange(listener: (view: SandboxesView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onLogLines(listener: (event: SandboxLogEvent) => void): () => void {
    this.#logListeners.add(listener);
    return () => this.#logListeners.delete(listener);
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
    if (request.log === null) this.#unfollow();
    else if (!sameSandbox(request.log, this.#followed?.ref ?? null)) this.#follow(request.log);
  }

  windowClosed(): void {
    this.#windowHold?.();
    this.#windowHold = null;
    this.#unfollow();
  }

  async stop(request: SandboxStopRequest): Promise<SandboxStopResult> {
    if (this.#disposed) return { stopped: [], failed: [], via: 'none' };
    // A fresh look: only what runs now is stopped.
    const view = await this.refresh();
    const running = runningSandboxes(view);
    const refs: SandboxRef[] =
      'all' in request
        ? running.map(({ namespace, name }) => ({ namespace, name }))
        : [{ namespace: request.namespace, name: request.name }];
    const failed: SandboxStopFailure[] = [];
    const targets: SandboxRef[] = [];
    for (const ref of refs) {
      const problem = sandboxRefProblem(ref);
      const info = problem === null ? findSandbox(view, ref) : null;
      if (problem !== null) failed.push({ ...ref, message: problem });
      else if (info === null)
        failed.push({ ...ref, message: `There is no sandbox ${ref.namespace}/${ref.name} in ${view.namespacesDir}.` });
      else if (info.state === 'stale') {
        failed.push({
          ...ref,
          message: `${ref.namespace}/${ref.name} is not running: its supervisor is gone and the row is stale. Nothing was signalled.`,
        });
      } else if (info.state !== 'running')
        failed.push({ ...ref, message: `${ref.namespace}/${ref.name} is not running.` });
      else targets.push(ref);
    }
    if (targets.length === 0) return { stopped: [], failed, via: 'none' };

    const way = await this.#way();
    const stopped: SandboxRef[] = [];
    let via: SandboxStopResult['via'] = way.kind === 'server' ? 'server' : 'signal';
    const outcomes = await Promise.all(
      targets.map(async (ref) => ({ ref, ...(await this.#stopOne(ref, way, view.namespacesDir)) })),
    );
    for (const { ref, outcome, signalled } of outcomes) {
      if (signalled) via = 'signal';
      if (outcome.ok) stopped.push(ref);
      else failed.push({ ...ref, message: outcome.message });
    }
    if (stopped.length > 0) this.refresh().catch(ignoreFailure(this.#logger, 'listing sandboxes after a stop'));
    return { stopped, failed, via: stopped.length > 0 ? via : 'none' };
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
    this.#unfollow();
    for (const release of this.#holds.values()) release();
    this.#holds.clear();
    this.#windowHold = null;
    this.#monitor.dispose();
    this.#listeners.clear();
    this.#logListeners.clear();
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
    this.#unfollow();
    this.#monitor = this.#createMonitor(folder);
    // Whoever held interest in the old folder's metrics holds it in the new one's.
    for (const [id, release] of this.#holds) {
      release();
      this.#holds.set(id, this.#monitor.watchMetrics());
    }
    old.dispose();
    this.#first = this.#startMonitor(this.#monitor);
  }

  #follow(ref: SandboxRef): void {
    this.#unfollow();
    let file: string;
    try {
      file = sandboxLogPath(this.namespacesDir, ref.namespace, ref.name);
    } catch (error) {
      this.#logger.debug(`sandboxes: not following ${ref.namespace}/${ref.name}: ${errorText(error)}`);
      return;
    }
    // No log folder: nothing was ever written, and creating it is upstream's business.
    if (!existsSync(path.dirname(file))) {
      this.#logger.debug(`sandboxes: not following ${file}: its folder does not exist`);
      return;
    }
    // Scrubbing is asynchronous: one chain keeps the batches in order.
    const entry = {
      ref,
      send: Promise.resolve(),
      follower: new LogFollower(
        file,
        (lines) => {
          const batch = lines.slice(-MAX_TAIL_LINES);
          entry.send = entry.send
            .then(() => this.#deps.scrubber.scrubLines(batch))
            .then((clean) => {
              if (this.#followed !== entry) return;
              for (const listener of [...this.#logListeners])
                listener({ namespace: ref.namespace, name: ref.name, lines: clean });
            })
            .catch(ignoreFailure(this.#logger, `handing over lines of ${file}`));
        },
        this.#logger,
        // The folder is upstream's: never created here. A burst is read from its end only, and the
        // log only as a regular file, never through a link (safe-read.ts).
        {
          createDir: false,
          maxReadBytes: this.#deps.followMaxReadBytes ?? DEFAULT_FOLLOW_BYTES,
          open: openSandboxLog,
        },
      ),
    };
    this.#followed = entry;
    entry.follower.start();
  }

  #unfollow(): void {
    this.#followed?.follower.dispose();
    this.#followed = null;
  }

  /**
   * Whether the running server serves the folder shown: its `--path`/`-p` (absolute), else its
   * default `<home>/namespaces`. Another folder (the setting changed while it ran, a CLI start with
   * `--path`), or one that cannot be told, means its `sandbox.stop` would act elsewhere.
   */
  async #servesShownFolder(pid: number | null): Promise<boolean> {
    if (pid === null) return false;
    const argv = await readProcessArgv(pid, this.#deps.monitor?.platform ?? process.platform);
    if (argv === null) return false;
    let served: string | undefined = this.#deps.defaultNamespacesDir;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (arg === '--path' || arg === '-p') served = argv[i + 1];
      else if (arg.startsWith('--path=')) served = arg.slice('--path='.length);
    }
    if (served === undefined || !path.isAbsolute(served)) return false;
    const real = (dir: string): Promise<string> => fsp.realpath(dir).catch(() => path.resolve(dir));
    return (await real(served)) === (await real(this.namespacesDir));
  }

  /** How a stop goes now: through the running server (with a token unless dev mode), or directly. */
  async #way(): Promise<Way> {
    const snapshot = this.#deps.server();
    if (snapshot.state !== 'running' || snapshot.url === null) return { kind: 'direct' };
    if (!(await this.#servesShownFolder(snapshot.pid))) {
      this.#logger.info(`sandboxes: the running server does not serve ${this.namespacesDir}; stopping directly`);
      return { kind: 'direct' };
    }
    if (snapshot.devMode === true) return { kind: 'server', url: snapshot.url, token: () => Promise.resolve('') };
    let key: string | null;
    try {
      key = await readServerKey(this.#deps.keyFile);
    } catch (error) {
      return {
        kind: 'no-key',
        message: `The server key ${this.#deps.keyFile} cannot be read (${errorText(error)}), so the server cannot be asked.`,
      };
    }
    if (key === null)
      return {
        kind: 'no-key',
        message: `There is no server key (${this.#deps.keyFile}), so the server cannot be asked.`,
      };
    const secret = key;
    const expiresIn = this.#deps.tokenSeconds ?? 60;
    // One token per stop, for that sandbox's namespace only: one that leaked (a server's request
    // log) reaches no other namespace.
    const token = async (namespace: string): Promise<string> =>
      (await mintToken({ key: secret, namespace, expiresIn, now: this.#clock.now() })).token;
    return { kind: 'server', url: snapshot.url, token };
  }

  async #stopOne(
    ref: SandboxRef,
    way: Way,
    namespacesDir: string,
  ): Promise<{ outcome: StopOutcome; signalled: boolean }> {
    const direct = async (): Promise<{ outcome: StopOutcome; signalled: boolean }> => ({
      outcome: await stopSandboxDirectly({
        namespacesDir,
        namespace: ref.namespace,
        name: ref.name,
        logger: this.#logger,
        ...(this.#deps.monitor?.platform === undefined ? {} : { platform: this.#deps.monitor.platform }),
      }),
      signalled: true,
    });
    if (way.kind === 'direct') return direct();
    if (way.kind === 'no-key')
      return { outcome: { ok: false, code: 'unauthorized', message: way.message }, signalled: false };
    const outcome = await stopSandboxViaServer({
      url: way.url,
      token: await way.token(ref.namespace),
      namespace: ref.namespace,
      name: ref.name,
      ...(this.#deps.fetch === undefined ? {} : { fetch: this.#deps.fetch }),
    });
    // The server went away meanwhile: stopping no longer needs it.
    if (!outcome.ok && outcome.code === 'unreachable') {
      this.#logger.info(`sandboxes: ${outcome.message}; stopping ${ref.namespace}/${ref.name} directly`);
      return direct();
    }
    return { outcome, signalled: false };
  }
}

type Way =
  | { readonly kind: 'server'; readonly url: string; readonly token: (namespace: string) => Promise<string> }
  | { readonly kind: 'direct' }
  | { readonly kind: 'no-key'; readonly message: string };
