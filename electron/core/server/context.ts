import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../../../shared/settings-schema.ts';
import { type Clock, defaultTimers, type IntervalTimers, systemClock } from '../base/clock.ts';
import { type Logger, silentLogger } from '../base/logger.ts';
import type { LineScrubber } from '../base/scrub.ts';
import { homePaths, type HomePaths } from '../home-paths.ts';
import type { ProcessContext } from '../process/process-context.ts';
import { checkHealth } from './health.ts';
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

/** Slack for what a stop does besides waiting: reading `server.pid`, judging the process, the files. */
const STOP_SLACK_MS = 3_000;

/**
 * The longest a stop asked for while quitting takes: a start in flight gives way first (it is
 * aborted and, if its server was spawned, killed at once: one kill wait), then the stop sends
 * SIGTERM, waits the grace, sends SIGKILL and waits again. Quitting must wait at least this long
 * (adapters/app-lifecycle.ts), or *Quit and Stop* would exit with the server still running.
 */
export function stopDeadlineMs(timing: Pick<ControllerTiming, 'stopGraceMs' | 'killWaitMs'>): number {
  return timing.killWaitMs + timing.stopGraceMs + timing.killWaitMs + STOP_SLACK_MS;
}

/** How a process ended: its exit code, or the signal that ended it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Everything the lifecycle procedures read: where, on what, with which settings and time. */
export interface ServerContext extends ProcessContext {
  readonly paths: HomePaths;
  /** The server log, in the app's own log folder. */
  readonly logFile: string;
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  readonly userHome: string;
  readonly timing: ControllerTiming;
  /** Read at every use, so a settings change applies to the next start. */
  readonly settings: () => Settings;
  readonly clock: Clock;
  /** What the controller and the monitor schedule (restart, liveness, heartbeat), so a test can observe it. */
  readonly timers: IntervalTimers;
  readonly logger: Logger;
  /** The app's one scrubber (main's): a failure's message and log lines pass through it. */
  readonly scrubber: LineScrubber;
}

/**
 * Runs `operation` holding the home's start lock, the one lock start, stop and key reset share.
 * It waits as long as the slowest start or stop of another holder can take.
 */
export async function withLock<T>(ctx: ServerContext, operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const timeoutMs = ctx.settings().readinessTimeoutMs + ctx.timing.stopGraceMs + 5_000;
  const lock = await acquireLock(ctx.paths.lockFile, {
    timeoutMs,
    logger: ctx.logger,
    ...(signal === undefined ? {} : { signal }),
  });
  try {
    return await operation();
  } finally {
    await lock.dispose();
  }
}

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
  clock?: Clock;
  timers?: IntervalTimers;
  logger?: Logger;
  /**
   * The app's one scrubber of the server key and tokens, made in main: required, so no
   * controller scrubs with one of its own.
   */
  scrubber: LineScrubber;
  /** The app's data folder, where it records the servers it starts (recognised after a restart). */
  stateDir?: string;
}

/** The context of a controller, with the defaults filled in. */
export function createServerContext(options: ControllerOptions & { readonly logFile: string }): ServerContext {
  return {
    // Absolute: the server runs with the home as its working directory and in MICROSANDBOX_HOME,
    // so a relative home (used verbatim, as msb does) would name another folder for it.
    paths: homePaths(path.resolve(options.home)),
    logFile: options.logFile,
    platform: options.platform ?? process.platform,
    env: options.env ?? process.env,
    userHome: options.userHome ?? os.homedir(),
    timing: { ...DEFAULT_TIMING, ...options.timing },
    settings: options.settings,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? defaultTimers,
    logger: options.logger ?? silentLogger,
    scrubber: options.scrubber,
    stateDir: options.stateDir,
    answersHealth: (baseUrl) => checkHealth(baseUrl),
  };
}
