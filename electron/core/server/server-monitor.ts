/**
 * Watching the server from outside: the home folder (so `msb server start/stop` is seen at once),
 * a cheap liveness tick (a server the app did not spawn has no exit event, and a start racing the
 * CLI can leave server.pid naming the CLI's loser without a change the watch catches), a slow health
 * heartbeat that catches a hung server, and a health wait for a server adopted while booting.
 * It never changes the snapshot: it asks the state machine to look again or to record health.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { TimerHandle } from '../base/clock.ts';
import type { Disposable } from '../base/disposable.ts';
import { errorText } from '../base/logger.ts';
import type { ServerContext } from './context.ts';
import { checkHealth, waitForHealth } from './health.ts';
import { HomeWatch } from './home-watch.ts';
import { readPidFileSync } from './pid-file.ts';
import { signal } from './signals.ts';

export interface MonitorHooks {
  snapshot(): ServerSnapshot;
  /** A full look at the PID file and process table, queued like every operation. */
  refresh(): Promise<ServerSnapshot>;
  /** What a health check of the server at `url` with `pid` found. */
  health(url: string, pid: number | null, healthy: boolean): void;
}

export class ServerMonitor implements Disposable {
  readonly #ctx: ServerContext;
  readonly #hooks: MonitorHooks;
  #homeWatch: HomeWatch | null = null;
  #livenessTimer: TimerHandle | null = null;
  #heartbeatTimer: TimerHandle | null = null;
  #healthWait: AbortController | null = null;
  /** The run being followed (PID, URL, origin, start), so a health change alone resets nothing. */
  #run: string | null = null;
  #disposed = false;

  constructor(ctx: ServerContext, hooks: MonitorHooks) {
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  /**
   * Watches the home for changes to `server.pid`, coalescing the burst one write makes, and
   * follows the home when it is deleted and made again (home-watch.ts).
   */
  watchHome(): void {
    if (this.#disposed || this.#homeWatch !== null) return;
    this.#homeWatch = new HomeWatch({
      home: this.#ctx.paths.home,
      file: path.basename(this.#ctx.paths.pidFile),
      onChange: () => void this.#hooks.refresh(),
      logger: this.#ctx.logger,
    });
    this.#homeWatch.start();
  }

  /** Follows the snapshot after each transition: timers run only while a server runs. */
  follow(snapshot: ServerSnapshot): void {
    if (this.#disposed) return;
    const run =
      snapshot.state === 'running'
        ? `${snapshot.pid}|${snapshot.url}|${snapshot.external}|${snapshot.startedAt}`
        : null;
    if (run === this.#run) return;
    this.#stopTimers();
    this.#run = run;
    if (run === null || snapshot.url === null) return;
    // One kill(pid, 0) and one read of server.pid per tick; the full look only when either is off
    // (the server died without an exit event, or someone wrote another PID over it).
    this.#livenessTimer = this.#ctx.timers.setInterval(() => this.#checkLiveness(), this.#ctx.timing.livenessMs);
    this.#livenessTimer.unref();
    this.#heartbeatTimer = this.#ctx.timers.setInterval(() => void this.#heartbeat(), this.#ctx.timing.heartbeatMs);
    this.#heartbeatTimer.unref();
    if (snapshot.healthy === false) this.#awaitHealth(snapshot.url, snapshot.pid);
  }

  dispose(): void {
    this.#disposed = true;
    this.#homeWatch?.dispose();
    this.#homeWatch = null;
    this.#stopTimers();
  }

  #stopTimers(): void {
    this.#healthWait?.abort();
    this.#healthWait = null;
    if (this.#livenessTimer) this.#ctx.timers.clearInterval(this.#livenessTimer);
    if (this.#heartbeatTimer) this.#ctx.timers.clearInterval(this.#heartbeatTimer);
    this.#livenessTimer = null;
    this.#heartbeatTimer = null;
  }

  #checkLiveness(): void {
    const pid = this.#hooks.snapshot().pid;
    if (pid === null) return;
    let recorded: boolean;
    try {
      const file = readPidFileSync(this.#ctx.paths.pidFile);
      // With the home deleted there is no file to repair until it comes back (its watch says when).
      recorded =
        (file.kind === 'pid' && file.pid === pid) || (file.kind === 'missing' && !existsSync(this.#ctx.paths.home));
    } catch (error) {
      this.#ctx.logger.debug(`Reading ${this.#ctx.paths.pidFile} failed: ${errorText(error)}`);
      recorded = false;
    }
    if (!signal(pid, 0) || !recorded) void this.#hooks.refresh();
  }

  async #heartbeat(): Promise<void> {
    const { state, url, external } = this.#hooks.snapshot();
    if (state !== 'running' || url === null) return;
    // A server the app did not spawn has no exit event: confirm now and then that its PID still
    // names an msbserver (PIDs are reused).
    if (external) await this.#hooks.refresh();
    const now = this.#hooks.snapshot();
    if (now.state !== 'running' || now.url !== url) return;
    this.#hooks.health(url, now.pid, await checkHealth(url));
  }

  /** A server the CLI just started is probably still booting: follow it until it answers. */
  #awaitHealth(url: string, pid: number | null): void {
    const abort = new AbortController();
    this.#healthWait = abort;
    void waitForHealth(url, { timeoutMs: this.#ctx.settings().readinessTimeoutMs, signal: abort.signal }).then(
      (result) => {
        if (result === 'healthy') this.#hooks.health(url, pid, true);
      },
    );
  }
}
