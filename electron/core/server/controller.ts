/**
 * The server's state machine. It owns the operation queue (one start, stop, reset or look at a time),
 * the app's own child, the listeners, and the snapshot: `#apply` turns the outcome a procedure
 * returns (start.ts, stop.ts, observe.ts) into the next snapshot; `#set` alone changes the snapshot.
 */
import type { LocateResult } from '../../../shared/contract.ts';
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../../shared/server-status.ts';
import type { TimerHandle } from '../base/clock.ts';
import { errorText, ignoreFailure } from '../base/logger.ts';
import type { OwnChild } from './child.ts';
import { type ControllerOptions, createServerContext, type ExitStatus, type ServerContext } from './context.ts';
import { crashLoopFailure, crashPolicy, decideAfterCrash } from './crash-policy.ts';
import { createHome } from './home.ts';
import { resetKeyUnderLock } from './key-reset.ts';
import { locateMsbserver } from '../programs/locate.ts';
import { ServerMonitor } from './server-monitor.ts';
import { childExitOutcome, firstLook, reconcile } from './observe.ts';
import { failed, type Outcome, type Progress, STOPPED, type TrackedServer } from './outcome.ts';
import type { Controller, StartOptions } from './server-control.ts';
import { tailLines } from '../base/log-tail.ts';
import { serverLogPath } from './server-log.ts';
import { startServer } from './start.ts';
import { stopServer } from './stop.ts';
import { sameSnapshot, snapshotAfter, snapshotDuring } from './transitions.ts';

export { DEFAULT_TIMING, type ControllerOptions, type ControllerTiming } from './context.ts';
export type { Controller } from './server-control.ts';

export function createController(options: ControllerOptions): Controller {
  return new ServerController(options);
}

class ServerController implements Controller {
  readonly ready: Promise<void>;
  readonly logFile: string;
  readonly #ctx: ServerContext;
  readonly #monitor: ServerMonitor;
  readonly #listeners = new Set<(snapshot: ServerSnapshot) => void>();
  #snapshot: ServerSnapshot = INITIAL_SNAPSHOT;
  /** The server followed while one runs: the app's child, or one it adopted. */
  #tracked: TrackedServer | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  /** A look queued but not begun yet, which every refresh asked meanwhile shares. */
  #queuedLook: Promise<ServerSnapshot> | null = null;
  #crashTimes: readonly number[] = [];
  #restartTimer: TimerHandle | null = null;
  /** Aborted by each act of the user: no auto-restart after it, and a stop-or-crash wait ends. */
  #userActs = new AbortController();
  /** Aborts the health wait of a start in flight, so that quitting need not wait for its timeout. */
  #startAbort: AbortController | null = null;
  #disposing = false;
  #disposed = false;

  constructor(options: ControllerOptions) {
    this.logFile = serverLogPath(options.logDir);
    this.#ctx = createServerContext({ ...options, logFile: this.logFile });
    this.#monitor = new ServerMonitor(this.#ctx, {
      snapshot: () => this.#snapshot,
      refresh: () => this.refresh(),
      health: (url, pid, healthy) => this.#recordHealth(url, pid, healthy),
    });
    this.ready = this.#enqueue(async () => {
      await createHome(this.#ctx);
      this.#monitor.watchHome(); // before the look, so that nothing written meanwhile is missed
      this.#apply(await firstLook(this.#ctx, this.#snapshot));
    }).catch((error: unknown) =>
      this.#ctx.logger.error(`The first look at ${this.#ctx.paths.home} failed: ${errorText(error)}`),
    );
  }

  snapshot(): ServerSnapshot {
    return this.#snapshot;
  }

  onChange(listener: (snapshot: ServerSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(options: StartOptions = {}): Promise<ServerSnapshot> {
    this.#userActed();
    return this.#enqueue(() => this.#start(options));
  }

  stop(): Promise<ServerSnapshot> {
    this.#userActed();
    // Stop wins: a start in flight stops waiting at once; this stop, queued behind it, ends what it spawned.
    this.#startAbort?.abort();
    return this.#enqueue(() => this.#stop());
  }

  restart(options: StartOptions = {}): Promise<ServerSnapshot> {
    this.#userActed();
    return this.#enqueue(() => this.#restart(options));
  }

  resetKey(): Promise<ServerSnapshot> {
    this.#userActed();
    return this.#enqueue(async () => {
      const running = this.#snapshot.state === 'running' && this.#snapshot.devMode === false;
      const problem = await resetKeyUnderLock(this.#ctx);
      if (problem !== null) return this.#apply(problem);
      // A secure server keeps the key it was started with until it restarts.
      return running ? this.#restart({}) : this.#snapshot;
    });
  }

  cancelRestart(): Promise<ServerSnapshot> {
    this.#userActed();
    return Promise.resolve(this.#snapshot);
  }

  refresh(): Promise<ServerSnapshot> {
    // Asked again before the queued look began (a burst of watch events, liveness ticks behind a
    // slow stop): that look is after the ask too, so it answers both, and looks cannot pile up.
    if (this.#queuedLook !== null) return this.#queuedLook;
    const acted = this.#userActs.signal; // as at the ask: an act after it ends the look's waits
    const look = this.#enqueue(async () => {
      this.#queuedLook = null; // from now on, an ask may come after what this look sees
      return this.#disposed ? this.#snapshot : this.#look(acted);
    });
    this.#queuedLook = look;
    return look;
  }

  locate(): Promise<LocateResult> {
    const { env, platform, userHome } = this.#ctx;
    return locateMsbserver({ env, settingsPath: this.#ctx.settings().msbserverPath, platform, userHome });
  }

  logTail(lines: number): Promise<string[]> {
    return tailLines(this.logFile, lines);
  }

  async dispose(options: { stopServer?: boolean } = {}): Promise<void> {
    if (this.#disposed || this.#disposing) return;
    this.#disposing = true;
    this.#userActed();
    // A start in flight stops waiting for health; its detached server comes up (or, with stopServer, is stopped).
    this.#startAbort?.abort();
    if (options.stopServer) await this.#enqueue(() => this.#stop());
    else await this.#queue;
    this.#disposed = true;
    this.#monitor.dispose();
    // A detached server outlives the app; only the handle to it is let go.
    this.#tracked?.child?.process.unref();
    this.#listeners.clear();
  }

  /** Runs operations one at a time; a failed one is logged and does not stop the next. */
  #enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation, operation);
    this.#queue = run.catch(ignoreFailure(this.#ctx.logger, 'running a server operation'));
    return run;
  }

  /** Looks at the world; a look that fails (a pipe at server.pid) is logged and changes nothing. */
  async #look(acted = this.#userActs.signal): Promise<ServerSnapshot> {
    try {
      return this.#apply(await reconcile(this.#ctx, this.#snapshot, this.#tracked, acted));
    } catch (error) {
      this.#ctx.logger.warn(`Looking at ${this.#ctx.paths.home} failed: ${errorText(error)}`);
      return this.#snapshot;
    }
  }

  #userActed(): void {
    this.#userActs.abort();
    this.#userActs = new AbortController();
    this.#cancelAutoRestart();
  }

  async #start(options: StartOptions): Promise<ServerSnapshot> {
    if (this.#disposing) return this.#snapshot;
    if (this.#snapshot.state === 'running') {
      await this.#look();
      if (this.#snapshot.state === 'running') return this.#snapshot;
    }
    const abort = new AbortController();
    this.#startAbort = abort;
    try {
      const progress = (step: Progress): void => this.#progress(step);
      return this.#apply(
        await startServer(this.#ctx, { options, signal: abort.signal, current: this.#snapshot, progress }),
      );
    } catch (error) {
      // The procedure answers its own failures; this is a bug, but the state must not stay "starting".
      return this.#apply(await failed(this.#ctx, 'spawn-error', `Starting msbserver failed: ${errorText(error)}`));
    } finally {
      this.#startAbort = null;
    }
  }

  async #stop(): Promise<ServerSnapshot> {
    // Asked for while a crash was being handled: no automatic restart after this.
    this.#cancelAutoRestart();
    if (this.#disposed) return this.#snapshot;
    // A start that gave way before it spawned anything (it waited for another holder's lock): nothing of ours to stop.
    if (this.#snapshot.state === 'starting' && this.#tracked === null) return this.#apply(STOPPED);
    const progress = (step: Progress): void => this.#progress(step);
    return this.#apply(await stopServer(this.#ctx, { tracked: this.#tracked, current: this.#snapshot, progress }));
  }

  async #restart(options: StartOptions): Promise<ServerSnapshot> {
    const stopped = await this.#stop();
    return stopped.state === 'failed' && stopped.error?.code === 'stop-failed' ? stopped : this.#start(options);
  }

  #watchChild(child: OwnChild): void {
    void child.exited.then((exit) => {
      if (child.expectingExit || this.#disposed) return;
      const acted = this.#userActs.signal;
      void this.#enqueue(() => this.#onChildExit(child, exit, acted));
    });
  }

  async #onChildExit(child: OwnChild, exit: ExitStatus, acted: AbortSignal): Promise<void> {
    if (this.#tracked?.child !== child || child.expectingExit) return;
    const outcome = this.#apply(await childExitOutcome(this.#ctx, child, exit, acted));
    const crash = outcome.state === 'failed' ? outcome.error : null;
    // No restart when auto-restart is off, the app is quitting, or the user acted since the crash.
    if (crash === null || !this.#ctx.settings().autoRestart || this.#disposing || acted.aborted) return;
    const { decision, history } = decideAfterCrash(
      this.#crashTimes,
      this.#ctx.clock.now(),
      crashPolicy(this.#ctx.timing),
    );
    this.#crashTimes = history;
    if (decision.kind === 'give-up') {
      this.#apply({
        kind: 'failed',
        failure: crashLoopFailure(crash, decision.crashes, this.#ctx.timing.crashWindowMs, this.#ctx.clock.now()),
      });
      return;
    }
    this.#restartTimer = this.#ctx.timers.setTimeout(() => {
      this.#restartTimer = null;
      if (!acted.aborted) void this.#enqueue(() => this.#start({}));
    }, decision.delayMs);
    this.#set({ ...this.#snapshot, restartAt: this.#ctx.clock.now() + decision.delayMs });
  }

  #cancelAutoRestart(): void {
    if (this.#restartTimer) this.#ctx.timers.clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    if (this.#snapshot.restartAt !== null) this.#set({ ...this.#snapshot, restartAt: null });
  }

  #recordHealth(url: string, pid: number | null, healthy: boolean): void {
    const current = this.#snapshot;
    if (
      current.state !== 'running' ||
      current.url !== url ||
      (pid !== null && current.pid !== pid) ||
      current.healthy === healthy
    )
      return;
    this.#set({ ...current, healthy });
  }

  #progress(step: Progress): void {
    if (step.kind === 'spawned')
      this.#tracked = { pid: step.child.pid, pgid: step.child.pid, startTime: null, child: step.child };
    this.#set(snapshotDuring(this.#snapshot, step));
  }

  /** Applies an outcome: what the app tracks follows it, and the snapshot becomes the table's. */
  #apply(outcome: Outcome): ServerSnapshot {
    if (outcome.kind === 'running') {
      if (outcome.server.child !== this.#tracked?.child) this.#dropTracked();
      this.#tracked = outcome.server;
      if (outcome.server.child !== null) this.#watchChild(outcome.server.child);
    } else if (outcome.kind === 'stopped' || (outcome.kind === 'failed' && outcome.keepServer !== true)) {
      this.#dropTracked();
    }
    this.#set(snapshotAfter(this.#snapshot, outcome));
    return this.#snapshot;
  }

  /** A server the app lets go of: its child's exit, whenever it comes, is no crash. */
  #dropTracked(): void {
    if (this.#tracked?.child != null) this.#tracked.child.expectingExit = true;
    this.#tracked = null;
  }

  #set(next: ServerSnapshot): void {
    if (sameSnapshot(next, this.#snapshot)) return;
    this.#snapshot = Object.freeze({ ...next });
    this.#monitor.follow(this.#snapshot);
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#snapshot);
      } catch (error) {
        // A failing listener must not break the state machine or the other listeners.
        this.#ctx.logger.warn(`A status listener failed: ${errorText(error)}`);
      }
    }
  }
}
