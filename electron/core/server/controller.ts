import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp, watch, type FSWatcher } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocateResult } from '../../../shared/contract.ts';
import type { FailureCode, ServerFailure, ServerSnapshot } from '../../../shared/server-status.ts';
import { INITIAL_SNAPSHOT } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { sleep } from '../delay.ts';
import { checkHealth, serverUrl, waitForHealth } from './health.ts';
import { locateMsbserver, serverEnvironment } from './locate.ts';
import { homePaths, type HomePaths } from '../paths.ts';
import { readPidFile, removePidFileIf, writePidFile } from './pid-file.ts';
import { portInUse } from './port-check.ts';
import { identifyServerProcess, processLiveness, processStartTime } from './process-identity.ts';
import { flagsFromArgv, redactArgs, serverArgs } from './server-args.ts';
import type { ServerControl, StartOptions } from './server-control.ts';
import { chooseStartKey, resetServerKey } from '../keys/server-key.ts';
import { openServerLog, serverLogPath, tailLines } from './server-log.ts';
import { acquireLock } from './start-lock.ts';

export interface ControllerTiming {
  /** How long a stopped server gets between SIGTERM and SIGKILL. */
  stopGraceMs: number;
  /** How long to wait for the exit after SIGKILL before reporting a stop failure. */
  killWaitMs: number;
  /** Cheap `kill(pid, 0)` check of a server the app did not spawn (it has no exit event). */
  livenessMs: number;
  /** Slow health check that marks a hung server unhealthy. */
  heartbeatMs: number;
  /** Auto-restart: crashes counted within this window... */
  crashWindowMs: number;
  /** ...up to this many restarts, then the state stays `failed` (crash loop). */
  maxCrashRestarts: number;
  /** Delay before the first automatic restart; doubles for each further one. */
  restartBackoffMs: number;
  /** Log lines kept with a failure. */
  failureLogLines: number;
}

export const DEFAULT_TIMING: ControllerTiming = {
  stopGraceMs: 5_000,
  killWaitMs: 2_000,
  livenessMs: 2_000,
  heartbeatMs: 15_000,
  crashWindowMs: 60_000,
  maxCrashRestarts: 3,
  restartBackoffMs: 1_000,
  failureLogLines: 20,
};

export interface ControllerOptions {
  /** The microsandbox home (`resolveHome()`), shared with the msb CLI. */
  home: string;
  /** Where the server log is written: the app's own log folder. */
  logDir: string;
  /** Read at every start, so a settings change applies to the next start. */
  settings: () => Settings;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  userHome?: string;
  timing?: Partial<ControllerTiming>;
}

export interface Controller extends ServerControl {
  /** Settles once the first look at the PID file (adopting a running server) is done. */
  readonly ready: Promise<void>;
  /** Re-reads the PID file and the process table now. */
  refresh(): Promise<ServerSnapshot>;
}

interface OwnChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Set before the app itself signals it, so its exit is not taken for a crash. */
  expectingExit: boolean;
  readonly logOffset: number;
}

export function createController(options: ControllerOptions): Controller {
  return new ServerController(options);
}

class ServerController implements Controller {
  readonly ready: Promise<void>;
  readonly logFile: string;

  readonly #options: ControllerOptions;
  readonly #paths: HomePaths;
  readonly #timing: ControllerTiming;
  readonly #platform: NodeJS.Platform;
  readonly #env: NodeJS.ProcessEnv;
  readonly #listeners = new Set<(snapshot: ServerSnapshot) => void>();
  #snapshot: ServerSnapshot = INITIAL_SNAPSHOT;
  #child: OwnChild | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #watcher: FSWatcher | null = null;
  #watchTimer: NodeJS.Timeout | null = null;
  #livenessTimer: NodeJS.Timeout | null = null;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #restartTimer: NodeJS.Timeout | null = null;
  #healthWait: AbortController | null = null;
  #crashTimes: number[] = [];
  /** Bumped by every start, stop, restart and key reset the user asks for: a crash handled after one does not restart the server. */
  #intent = 0;
  /** The health wait of a start in flight, so that quitting need not wait for its timeout. */
  #startAbort: AbortController | null = null;
  #disposing = false;
  #disposed = false;

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#paths = homePaths(options.home);
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    this.#platform = options.platform ?? process.platform;
    this.#env = options.env ?? process.env;
    this.logFile = serverLogPath(options.logDir);
    this.ready = this.#enqueue(async () => {
      await fsp.mkdir(this.#paths.home, { recursive: true });
      this.#watchHome();
      await this.#reconcile();
    }).catch(() => undefined);
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
      try {
        await this.#withLock(() => resetServerKey(this.#paths.keyFile));
      } catch (error) {
        return this.#fail('home-error', `Could not reset the server key: ${errorMessage(error)}`);
      }
      // A secure server keeps the key it was started with until it restarts.
      return running ? this.#restart({}) : this.#snapshot;
    });
  }

  async #restart(options: StartOptions): Promise<ServerSnapshot> {
    const stopped = await this.#stop();
    if (stopped.state === 'failed' && stopped.error?.code === 'stop-failed') return stopped;
    return this.#start(options);
  }

  #userActed(): void {
    this.#intent++;
    this.#cancelAutoRestart();
  }

  refresh(): Promise<ServerSnapshot> {
    return this.#enqueue(async () => {
      await this.#reconcile();
      return this.#snapshot;
    });
  }

  locate(): Promise<LocateResult> {
    return locateMsbserver({
      env: this.#env,
      settingsPath: this.#options.settings().msbserverPath,
      platform: this.#platform,
      userHome: this.#userHome(),
    });
  }

  logTail(lines: number): Promise<string[]> {
    return tailLines(this.logFile, lines);
  }

  async dispose(options: { stopServer?: boolean } = {}): Promise<void> {
    if (this.#disposed || this.#disposing) return;
    this.#disposing = true;
    this.#userActed();
    // A start in flight stops waiting for health: its server is detached and is left to come up
    // (or is stopped right after, with stopServer).
    this.#startAbort?.abort();
    if (options.stopServer) await this.#enqueue(() => this.#stop());
    else await this.#queue.catch(() => undefined);
    this.#disposed = true;
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#watchTimer) clearTimeout(this.#watchTimer);
    this.#stopMonitoring();
    // A detached server outlives the app; only the handle to it is let go.
    this.#child?.process.unref();
    this.#listeners.clear();
  }

  // ---- operations (always run one at a time through #enqueue) ----

  #enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation, operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #withLock<T>(operation: () => Promise<T>): Promise<T> {
    const settings = this.#options.settings();
    const lock = await acquireLock(this.#paths.lockFile, { timeoutMs: settings.readinessTimeoutMs + this.#timing.stopGraceMs + 5_000 });
    try {
      return await operation();
    } finally {
      await lock.release();
    }
  }

  async #start(options: StartOptions): Promise<ServerSnapshot> {
    try {
      return await this.#startUnguarded(options);
    } catch (error) {
      // Whatever went wrong, the state must not stay "starting": nothing could be done then.
      const child = this.#child;
      if (child !== null && this.#snapshot.state === 'starting') await this.#killAndReap(child);
      return this.#fail('spawn-error', `Starting msbserver failed: ${errorMessage(error)}`);
    }
  }

  async #startUnguarded(options: StartOptions): Promise<ServerSnapshot> {
    if (this.#disposed || this.#disposing) return this.#snapshot;
    if (this.#snapshot.state === 'running') {
      await this.#reconcile();
      if (this.#snapshot.state === 'running') return this.#snapshot;
    }
    const settings = this.#options.settings();
    const url = serverUrl(settings.host, settings.port);
    this.#set({ ...INITIAL_SNAPSHOT, state: 'starting', url, devMode: settings.devMode, error: this.#snapshot.error });

    if (this.#platform === 'win32') {
      return this.#fail('unsupported-platform', 'msbserver does not run natively on Windows. Run microsandbox inside WSL 2.');
    }
    let lock;
    try {
      await fsp.mkdir(this.#paths.namespacesDir, { recursive: true });
      lock = await acquireLock(this.#paths.lockFile, { timeoutMs: settings.readinessTimeoutMs + this.#timing.stopGraceMs + 5_000 });
    } catch (error) {
      return this.#fail('home-error', `Could not prepare ${this.#paths.home}: ${errorMessage(error)}`);
    }
    try {
      // Under the lock, look again: the CLI or another instance may have started one meanwhile.
      if (await this.#adoptFromPidFile()) return this.#snapshot;

      const located = await this.locate();
      if (!located.found) {
        const code: FailureCode = located.problem.includes('not an executable') ? 'not-executable' : 'not-found';
        return this.#fail(code, `${located.problem} ${located.hint}`, { searched: located.searched });
      }
      if (await portInUse(settings.host, settings.port)) {
        return this.#fail(
          'port-in-use',
          `Port ${settings.port} on ${settings.host} is already in use by another program. Stop it or choose another port in Settings.`,
        );
      }
      let key: string | null = null;
      if (!settings.devMode) {
        try {
          key = await chooseStartKey(this.#paths.keyFile, options);
        } catch (error) {
          return this.#fail('home-error', `Could not prepare the server key: ${errorMessage(error)}`);
        }
      }
      return await this.#spawnAndWait(located.path, serverArgs(settings, key), settings, url);
    } finally {
      await lock.release();
    }
  }

  async #spawnAndWait(executable: string, args: string[], settings: Settings, url: string): Promise<ServerSnapshot> {
    let log;
    try {
      log = await openServerLog(
        this.logFile,
        `--- ${new Date().toISOString()} Microsandbox Tray starts ${executable} ${redactArgs(args).join(' ')}`,
      );
    } catch (error) {
      return this.#fail('home-error', `Could not open the server log ${this.logFile}: ${errorMessage(error)}`);
    }
    let child: OwnChild;
    try {
      child = await this.#spawn(executable, args, log.handle.fd, log.offset);
    } catch (error) {
      return this.#fail('spawn-error', `Could not start ${executable}: ${errorMessage(error)}`);
    } finally {
      await log.handle.close();
    }
    this.#child = child;
    try {
      await writePidFile(this.#paths.pidFile, child.pid);
    } catch (error) {
      await this.#killAndReap(child);
      return this.#fail('home-error', `Could not write ${this.#paths.pidFile}: ${errorMessage(error)}`);
    }
    this.#set({ ...this.#snapshot, pid: child.pid });

    const abort = new AbortController();
    this.#startAbort = abort;
    // dispose() may have come between the spawn and here, before there was a wait to abort.
    if (this.#disposing) abort.abort();
    const outcome = await Promise.race([
      child.exited.then((exit) => ({ kind: 'exited' as const, ...exit })),
      waitForHealth(url, { timeoutMs: settings.readinessTimeoutMs, signal: abort.signal }).then((result) => ({ kind: result })),
    ]);
    abort.abort();
    this.#startAbort = null;
    // The app is quitting: the detached server is left as it is (a stop may follow).
    if (outcome.kind === 'aborted') return this.#snapshot;

    if (outcome.kind === 'healthy') {
      this.#set({
        state: 'running',
        pid: child.pid,
        url,
        devMode: settings.devMode,
        startedAt: Date.now(),
        external: false,
        healthy: true,
        error: null,
      });
      this.#watchChild(child);
      this.#startMonitoring();
      return this.#snapshot;
    }
    if (outcome.kind === 'exited') {
      this.#child = null;
      await removePidFileIf(this.#paths.pidFile, child.pid);
      return this.#fail('exited', `msbserver exited before it was ready (${describeExit(outcome.code, outcome.signal)}).`, {
        exitCode: outcome.code,
        signal: outcome.signal,
        logOffset: child.logOffset,
      });
    }
    const exit = await this.#killAndReap(child);
    return this.#fail(
      'timeout',
      `msbserver did not answer its health check within ${Math.round(settings.readinessTimeoutMs / 1000)} s and was stopped.`,
      { exitCode: exit.code, signal: exit.signal, logOffset: child.logOffset },
    );
  }

  async #spawn(executable: string, args: string[], logFd: number, logOffset: number): Promise<OwnChild> {
    const logLevel = this.#options.settings().logLevel;
    // NO_COLOR: the output goes to a file, where colour codes are noise.
    // MICROSANDBOX_HOME: the server finds its namespaces in the very home the app works in.
    const base = {
      NO_COLOR: '1',
      ...this.#env,
      MICROSANDBOX_HOME: this.#paths.home,
      ...(logLevel === null ? {} : { RUST_LOG: logLevel }),
    };
    const env = serverEnvironment(base, executable, this.#platform, this.#userHome());
    // node:child_process rather than execa here: the server's output must go to the log file's
    // descriptor directly (execa pipes a `{ file }` target through this process, which would break
    // the server's stdout when the app quits), and a detached daemon needs none of execa's promises.
    const child = spawn(executable, args, {
      // A new session, so the server outlives the app and a terminal's signals, as with msb.
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env,
      cwd: this.#paths.home,
      windowsHide: true,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => (child.pid === undefined ? reject(new Error('the process has no PID')) : resolve(child.pid)));
      child.once('error', reject);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    child.unref();
    return { process: child, pid, exited, expectingExit: false, logOffset };
  }

  async #stop(): Promise<ServerSnapshot> {
    // Asked for while a crash was being handled: no automatic restart after this.
    this.#cancelAutoRestart();
    try {
      return await this.#stopUnguarded();
    } catch (error) {
      return this.#fail('stop-failed', `Stopping msbserver failed: ${errorMessage(error)}`);
    }
  }

  async #stopUnguarded(): Promise<ServerSnapshot> {
    if (this.#disposed) return this.#snapshot;
    const settings = this.#options.settings();
    let lock;
    try {
      lock = await acquireLock(this.#paths.lockFile, { timeoutMs: settings.readinessTimeoutMs + this.#timing.stopGraceMs + 5_000 });
    } catch (error) {
      return this.#fail('home-error', `Could not stop the server: ${errorMessage(error)}`);
    }
    try {
      const target = await this.#stopTarget();
      if (target === 'unknown') {
        return this.#fail(
          'stop-failed',
          `Could not tell whether the process in ${this.#paths.pidFile} is msbserver, so it was not signalled. Try again, or stop it with \`msb server stop\`.`,
        );
      }
      if (target === null) {
        // Our child may have exited on its own just now: its exit is no crash once stop was asked for.
        if (this.#child !== null) {
          this.#child.expectingExit = true;
          this.#child = null;
        }
        if (this.#snapshot.state !== 'failed') this.#set({ ...INITIAL_SNAPSHOT, error: this.#snapshot.error });
        return this.#snapshot;
      }
      this.#stopMonitoring();
      this.#set({ ...this.#snapshot, state: 'stopping', pid: target });
      const own = this.#child?.pid === target ? this.#child : null;
      if (own) own.expectingExit = true;
      const exited = await this.#terminate(target, own);
      if (!exited) {
        return this.#fail('stop-failed', `msbserver (PID ${target}) did not exit, even after SIGKILL.`);
      }
      if (own) this.#child = null;
      await removePidFileIf(this.#paths.pidFile, target);
      this.#set({ ...INITIAL_SNAPSHOT, error: this.#snapshot.error });
      return this.#snapshot;
    } finally {
      await lock.release();
    }
  }

  /** The PID to stop: only a live msbserver of ours, never a stale or foreign PID. */
  async #stopTarget(): Promise<number | null | 'unknown'> {
    if (this.#child && this.#child.process.exitCode === null && this.#child.process.signalCode === null) {
      return this.#child.pid;
    }
    const candidates = new Set<number>();
    if (this.#snapshot.pid !== null) candidates.add(this.#snapshot.pid);
    const file = await readPidFile(this.#paths.pidFile);
    if (file.kind === 'pid') candidates.add(file.pid);
    let unknown = false;
    for (const pid of candidates) {
      const identity = await identifyServerProcess(pid, this.#platform);
      if (identity.kind === 'msbserver') return pid;
      if (identity.kind === 'unknown') unknown = true;
    }
    if (unknown) return 'unknown';
    await this.#recordedServer(); // clears a stale record
    return null;
  }

  async #terminate(pid: number, own: OwnChild | null): Promise<boolean> {
    const waitExit = async (ms: number): Promise<boolean> =>
      own ? raceTimeout(own.exited.then(() => true), ms, false) : this.#pollUntilGone(pid, ms);
    // A process that is not our child may die and its PID be reused during the grace period:
    // SIGKILL goes only to the same process, still msbserver, that got SIGTERM.
    const startedAt = own ? null : await processStartTime(pid, this.#platform);
    if (!signal(pid, 'SIGTERM')) return true;
    if (await waitExit(this.#timing.stopGraceMs)) return true;
    if (!own) {
      const identity = await identifyServerProcess(pid, this.#platform);
      if (identity.kind === 'dead' || identity.kind === 'other-process' || identity.kind === 'other-user') return true;
      if (identity.kind === 'unknown' || (startedAt !== null && (await processStartTime(pid, this.#platform)) !== startedAt)) return false;
    }
    if (!signal(pid, 'SIGKILL')) return true;
    return waitExit(this.#timing.killWaitMs);
  }

  async #killAndReap(child: OwnChild): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    child.expectingExit = true;
    signal(child.pid, 'SIGKILL');
    const exit = await raceTimeout(child.exited, this.#timing.killWaitMs, { code: null, signal: null });
    if (this.#child === child) this.#child = null;
    await removePidFileIf(this.#paths.pidFile, child.pid);
    return exit;
  }

  /** A process that is not our child has no exit event: poll `kill(pid, 0)` briefly and densely. */
  async #pollUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let delay = 1;
    while (Date.now() < deadline) {
      if ((await processLiveness(pid, this.#platform)) === 'dead') return true;
      await sleep(delay);
      delay = Math.min(delay * 2, 20);
    }
    return (await processLiveness(pid, this.#platform)) === 'dead';
  }

  // ---- watching ----

  #watchChild(child: OwnChild): void {
    void child.exited.then((exit) => {
      if (child.expectingExit || this.#disposed) return;
      const intent = this.#intent;
      void this.#enqueue(() => this.#onCrash(child, exit, intent));
    });
  }

  async #onCrash(child: OwnChild, exit: { code: number | null; signal: NodeJS.Signals | null }, intent: number): Promise<void> {
    if (this.#child !== child || child.expectingExit) return;
    this.#child = null;
    this.#stopMonitoring();
    if (await this.#pidFileReleased(child.pid, exit.signal === 'SIGTERM' ? 100 : 0)) {
      // `msb server stop` signals the server and deletes server.pid: a stop, not a crash.
      this.#set({ ...INITIAL_SNAPSHOT, error: this.#snapshot.error });
      return;
    }
    await removePidFileIf(this.#paths.pidFile, child.pid);
    await this.#crashed(`msbserver stopped unexpectedly (${describeExit(exit.code, exit.signal)}).`, exit, child.logOffset, intent);
  }

  /** Whether server.pid no longer records `pid`, waiting up to `graceMs` for someone to remove it. */
  async #pidFileReleased(pid: number, graceMs: number): Promise<boolean> {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const file = await readPidFile(this.#paths.pidFile);
      if (file.kind !== 'pid' || file.pid !== pid) return true;
      if (Date.now() >= deadline) return false;
      await sleep(5);
    }
  }

  async #crashed(
    message: string,
    exit: { code: number | null; signal: NodeJS.Signals | null },
    logOffset: number,
    intent: number,
  ): Promise<void> {
    await this.#failWith('crashed', message, { exitCode: exit.code, signal: exit.signal, logOffset });
    // No restart when auto-restart is off, the app is quitting, or the user acted since the crash.
    if (!this.#options.settings().autoRestart || this.#disposed || this.#disposing || intent !== this.#intent) return;
    const now = Date.now();
    this.#crashTimes = [...this.#crashTimes.filter((t) => now - t < this.#timing.crashWindowMs), now];
    const restarts = this.#crashTimes.length;
    if (restarts > this.#timing.maxCrashRestarts) {
      this.#crashTimes = [];
      await this.#failWith(
        'crash-loop',
        `msbserver crashed ${restarts} times within ${Math.round(this.#timing.crashWindowMs / 1000)} s; automatic restarts stopped. Last: ${message}`,
        { exitCode: exit.code, signal: exit.signal, logOffset },
      );
      return;
    }
    const delay = this.#timing.restartBackoffMs * 2 ** (restarts - 1);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (intent === this.#intent) void this.#enqueue(() => this.#start({}));
    }, delay);
  }

  #cancelAutoRestart(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
  }

  #watchHome(): void {
    try {
      this.#watcher = watch(this.#paths.home, { persistent: false }, (_event, name) => {
        if (name !== null && name !== path.basename(this.#paths.pidFile)) return;
        // Coalesce the burst of events one write or rename makes.
        if (this.#watchTimer) clearTimeout(this.#watchTimer);
        this.#watchTimer = setTimeout(() => {
          this.#watchTimer = null;
          void this.refresh();
        }, 2);
      });
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = null;
      });
    } catch {
      this.#watcher = null;
    }
  }

  #startMonitoring(): void {
    this.#stopMonitoring();
    if (this.#snapshot.external) {
      // One kill(pid, 0) per tick; the full look (PID file, identity) only when it fails.
      this.#livenessTimer = setInterval(() => {
        const pid = this.#snapshot.pid;
        if (pid !== null && !signal(pid, 0)) void this.refresh();
      }, this.#timing.livenessMs);
      this.#livenessTimer.unref();
    }
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), this.#timing.heartbeatMs);
    this.#heartbeatTimer.unref();
  }

  #stopMonitoring(): void {
    this.#healthWait?.abort();
    this.#healthWait = null;
    if (this.#livenessTimer) clearInterval(this.#livenessTimer);
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#livenessTimer = null;
    this.#heartbeatTimer = null;
  }

  async #heartbeat(): Promise<void> {
    const { state, url, external } = this.#snapshot;
    if (state !== 'running' || url === null) return;
    // A server the app did not spawn has no exit event: confirm now and then that its PID still
    // names an msbserver (PIDs are reused).
    if (external) await this.refresh();
    if (this.#snapshot.state !== 'running' || this.#snapshot.url !== url) return;
    const healthy = await checkHealth(url);
    if (this.#snapshot.state === 'running' && this.#snapshot.url === url && this.#snapshot.healthy !== healthy) {
      this.#set({ ...this.#snapshot, healthy });
    }
  }

  /** Brings the snapshot in line with the PID file and the process table (outside changes). */
  async #reconcile(): Promise<void> {
    if (this.#disposed) return;
    const { state } = this.#snapshot;
    if (state === 'starting' || state === 'stopping') return;
    if (this.#child && !this.#child.expectingExit) return; // our own child reports its exit itself
    if (state === 'running') {
      const pid = this.#snapshot.pid;
      const identity = pid === null ? null : await identifyServerProcess(pid, this.#platform);
      // Could not look: keep showing it; the next look decides.
      if (identity?.kind === 'unknown') return;
      if (identity?.kind === 'msbserver' && pid !== null) {
        const file = await readPidFile(this.#paths.pidFile);
        if (file.kind === 'pid' && file.pid === pid) return;
        // Unrecorded: `msb server stop` removes the file right after its SIGTERM, so give the
        // process a moment to go before still showing it as running.
        if (file.kind !== 'pid' && !(await this.#pollUntilGone(pid, 500))) return;
        this.#stopMonitoring();
        this.#set({ ...INITIAL_SNAPSHOT, error: this.#snapshot.error });
      } else {
        const file = await readPidFile(this.#paths.pidFile);
        this.#stopMonitoring();
        // Dead but still recorded: whoever stopped it (msb, another instance of the app) removes
        // the file just after the exit; if nobody does within a moment, it crashed.
        if (file.kind === 'pid' && file.pid === pid && pid !== null && !(await this.#pidFileReleased(pid, 250))) {
          await removePidFileIf(this.#paths.pidFile, file.pid);
          await this.#failWith('crashed', `msbserver (PID ${pid}, started outside the app) stopped unexpectedly.`, {});
          return;
        }
        this.#set({ ...INITIAL_SNAPSHOT, error: this.#snapshot.error });
      }
    }
    await this.#adoptFromPidFile();
  }

  /**
   * The live msbserver `server.pid` names, if any. A record that is invalid or names a dead process
   * or another program is removed; one naming another user's process, or a process that could not
   * be looked at, is left alone.
   */
  async #recordedServer(): Promise<{ readonly pid: number; readonly argv: readonly string[] } | null> {
    const file = await readPidFile(this.#paths.pidFile);
    if (file.kind === 'invalid') await removePidFileIf(this.#paths.pidFile, file.raw);
    if (file.kind !== 'pid') return null;
    const identity = await identifyServerProcess(file.pid, this.#platform);
    if (identity.kind === 'msbserver') return { pid: file.pid, argv: identity.argv };
    if (identity.kind === 'dead' || identity.kind === 'other-process') await removePidFileIf(this.#paths.pidFile, file.pid);
    return null;
  }

  /** Shows a live msbserver recorded in `server.pid` as running; removes a stale record. */
  async #adoptFromPidFile(): Promise<boolean> {
    const recorded = await this.#recordedServer();
    if (recorded === null) return false;
    const { pid } = recorded;
    if (this.#snapshot.state === 'running' && this.#snapshot.pid === pid) return true;
    const flags = flagsFromArgv(recorded.argv.slice(1));
    const url = serverUrl(flags.host, flags.port);
    const [healthy, startedAt] = await Promise.all([checkHealth(url), processStartTime(pid, this.#platform)]);
    this.#set({
      state: 'running',
      pid,
      url,
      devMode: flags.devMode,
      startedAt: startedAt ?? Date.now(),
      external: true,
      healthy,
      error: null,
    });
    this.#startMonitoring();
    if (!healthy) this.#awaitHealth(url, pid);
    return true;
  }

  /** A server the CLI just started is probably still booting: follow it until it answers. */
  #awaitHealth(url: string, pid: number): void {
    this.#healthWait?.abort();
    const abort = new AbortController();
    this.#healthWait = abort;
    void waitForHealth(url, { timeoutMs: this.#options.settings().readinessTimeoutMs, signal: abort.signal }).then((result) => {
      if (result === 'healthy' && this.#snapshot.state === 'running' && this.#snapshot.pid === pid) {
        this.#set({ ...this.#snapshot, healthy: true });
      }
    });
  }

  // ---- snapshot ----

  async #fail(
    code: FailureCode,
    message: string,
    details: FailureDetails = {},
  ): Promise<ServerSnapshot> {
    await this.#failWith(code, message, details);
    return this.#snapshot;
  }

  async #failWith(code: FailureCode, message: string, details: FailureDetails): Promise<void> {
    const logTail =
      details.logOffset === undefined ? [] : await tailLines(this.logFile, this.#timing.failureLogLines, details.logOffset);
    const error: ServerFailure = {
      code,
      message,
      exitCode: details.exitCode ?? null,
      signal: details.signal ?? null,
      logTail,
      searched: details.searched ?? [],
      at: Date.now(),
    };
    this.#set({ ...INITIAL_SNAPSHOT, state: 'failed', url: this.#snapshot.url, devMode: this.#snapshot.devMode, error });
  }

  #set(next: ServerSnapshot): void {
    if (shallowEqual(next, this.#snapshot)) return;
    this.#snapshot = Object.freeze({ ...next });
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#snapshot);
      } catch {
        // A failing listener must not break the state machine or the other listeners.
      }
    }
  }

  #userHome(): string {
    return this.#options.userHome ?? os.homedir();
  }
}

interface FailureDetails {
  exitCode?: number | null;
  signal?: string | null;
  searched?: readonly string[];
  /** Where this run's output starts in the log; no log lines are attached without it. */
  logOffset?: number;
}

/** Sends `name` (0: only checks the process exists); false when there is no such process. */
function signal(pid: number, name: NodeJS.Signals | 0): boolean {
  // 0 and -1 address process groups or every process of the user: never.
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}

function describeExit(code: number | null, signalName: string | null): string {
  if (signalName !== null) return `killed by ${signalName}`;
  return `exit code ${code ?? 'unknown'}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function raceTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}


function shallowEqual(a: ServerSnapshot, b: ServerSnapshot): boolean {
  return (Object.keys(a) as (keyof ServerSnapshot)[]).every((key) => a[key] === b[key]);
}
