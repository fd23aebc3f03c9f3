// A temporary microsandbox home with a real controller driving the msbserver stand-in, and the
// checks every lifecycle test ends with: which stand-ins are alive, what server.pid says.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createController,
  type Controller,
  type ControllerTiming,
} from '../../../../electron/core/server/controller.ts';
import { defaultTimers, type IntervalTimers, type TimerHandle } from '../../../../electron/core/base/clock.ts';
import { homePaths, type HomePaths } from '../../../../electron/core/home-paths.ts';
import { serverLogPath } from '../../../../electron/core/server/server-log.ts';
import type { ServerSnapshot, ServerState } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../../shared/settings-schema.ts';
import { afterEach, beforeEach, expect } from 'vitest';
import { freePort, STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import { skipUnlessLinux } from '../../../support/platform.ts';
import type { LineScrubber } from '../../../../electron/core/base/scrub.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { type Logger, silentLogger } from '../../../../electron/core/base/logger.ts';
import { holdsWithin, waitFor } from '../../../support/wait-for.ts';

// Every check the harness ends a test with (processesIn, isAlive) reads /proc, so each test of a
// file built on it needs Linux: registered here, once per test file (vitest isolates files), it
// skips them elsewhere with the reason, before the file's own hooks make a harness.
beforeEach((ctx) => skipUnlessLinux(ctx, 'the lifecycle harness finds leftover servers through /proc'));

export interface Harness {
  readonly root: string;
  readonly home: string;
  /** The app's data folder, where a controller given it keeps the record of what it started. */
  readonly stateDir: string;
  readonly logDir: string;
  readonly paths: HomePaths;
  readonly recordFile: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  readonly controllers: Controller[];
  /** Every snapshot each controller emitted, in order. */
  readonly events: Map<Controller, ServerSnapshot[]>;
  controller(
    timing?: Partial<ControllerTiming>,
    extra?: { stateDir?: string; home?: string; timers?: IntervalTimers; scrubber?: LineScrubber; logger?: Logger },
  ): Controller;
  states(controller: Controller): ServerState[];
  record(): Promise<StandinRecord>;
  pidFile(): Promise<string | null>;
  /** What the servers the controllers spawned wrote to the server log so far ('' before any). */
  serverLog(): Promise<string>;
  /** PIDs of live stand-ins whose working directory is this home (the controller spawns them there). */
  liveServers(): number[];
  /** Spawns the stand-in the way `msb server start` does: detached, key on argv, PID file without newline. */
  cliStart(extraArgs?: string[]): Promise<ChildProcess>;
  cleanup(): Promise<void>;
}

export interface StandinRecord {
  pid: number;
  argv: string[];
  listeningAt: number;
  env: { RUST_LOG?: string };
}

export async function createHarness(): Promise<Harness> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-lifecycle-'));
  const home = path.join(root, 'home');
  const logDir = path.join(root, 'logs');
  const recordFile = path.join(root, 'standin-record.json');
  const port = await freePort();
  const controllers: Controller[] = [];
  const events = new Map<Controller, ServerSnapshot[]>();
  const spawned: ChildProcess[] = [];

  const harness: Harness = {
    root,
    home,
    stateDir: path.join(root, 'app-data'),
    logDir,
    paths: homePaths(home),
    recordFile,
    settings: { ...DEFAULT_SETTINGS, port, readinessTimeoutMs: 10_000 },
    env: { PATH: process.env['PATH'], MSBSERVER_EXE: STANDIN_PATH, MSB_STANDIN_RECORD: recordFile },
    controllers,
    events,
    controller(timing = {}, extra = {}) {
      const controller = createController({
        home: extra.home ?? home,
        ...(extra.stateDir === undefined ? {} : { stateDir: extra.stateDir }),
        ...(extra.timers === undefined ? {} : { timers: extra.timers }),
        ...(extra.logger === undefined ? {} : { logger: extra.logger }),
        logDir,
        settings: () => harness.settings,
        env: harness.env,
        userHome: root,
        timing: { stopGraceMs: 2_000, ...timing },
        scrubber: extra.scrubber ?? new SecretScrubber(homePaths(extra.home ?? home).keyFile, silentLogger),
      });
      const seen: ServerSnapshot[] = [];
      controller.onChange((s) => seen.push(s));
      events.set(controller, seen);
      controllers.push(controller);
      return controller;
    },
    states(controller) {
      return (events.get(controller) ?? []).map((s) => s.state);
    },
    async record() {
      return JSON.parse(await fsp.readFile(recordFile, 'utf8')) as StandinRecord;
    },
    async pidFile() {
      return fsp.readFile(harness.paths.pidFile, 'utf8').catch(() => null);
    },
    async serverLog() {
      // Missing until the first server writes: nothing written yet.
      return fsp.readFile(serverLogPath(logDir), 'utf8').catch(() => '');
    },
    liveServers() {
      return standinsIn(home);
    },
    async cliStart(extraArgs = []) {
      await fsp.mkdir(path.join(home, 'namespaces'), { recursive: true });
      const key = 'CliKey0123456789CliKey0123456789';
      await fsp.writeFile(harness.paths.keyFile, key);
      const child = spawn(STANDIN_PATH, ['--key', key, '--port', String(harness.settings.port), ...extraArgs], {
        detached: true,
        stdio: 'ignore',
        cwd: home,
        // As msb passes it on: the CLI found this home through MICROSANDBOX_HOME.
        env: { ...harness.env, MICROSANDBOX_HOME: home, MSB_STANDIN_RECORD: recordFile },
      });
      spawned.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      await fsp.writeFile(harness.paths.pidFile, String(child.pid));
      return child;
    },
    async cleanup() {
      for (const controller of controllers) await controller.dispose({ stopServer: false });
      for (const pid of standinsIn(home)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      try {
        await waitFor(() => standinsIn(home).length === 0, {
          what: 'the killed servers in the home to be gone',
          detail: () => JSON.stringify(standinsIn(home)),
        });
      } finally {
        await fsp.rm(root, { recursive: true, force: true });
      }
    },
  };
  return harness;
}

/**
 * Live processes working in `dir`: the controller spawns the server there, and so does every
 * wrapper, daemon and CLI-style start of the tests, whatever the process is named.
 */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== dir) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (/^State:\s+[ZX]/m.test(status)) continue;
      pids.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return pids;
}

const standinsIn = processesIn;

/**
 * How long a test may wait for a server to come up (a start through a wrapper, a CLI start): on a
 * loaded machine (two suites on two cores) one took over 5 s.
 */
export const SERVER_UP_MS = 20_000;

/** Whether `condition` came to hold in time, for a test that asserts the answer itself. */
export function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  return holdsWithin(condition, { timeout: timeoutMs });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    // no such process, or gone meanwhile
    return false;
  }
}

/** Waits for a snapshot in `state` (already current, or the next one emitted). */
export function nextState(controller: Controller, state: ServerState, timeoutMs = 10_000): Promise<ServerSnapshot> {
  if (controller.snapshot().state === state) return Promise.resolve(controller.snapshot());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${state}" within ${timeoutMs} ms; now ${controller.snapshot().state}`));
    }, timeoutMs);
    const off = controller.onChange((s) => {
      if (s.state !== state) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

/**
 * A fresh harness for each test of the calling scope, handed to `use` (the test file keeps it in
 * its own variable), and ended after the test with `cleanupChecked`.
 */
export function harnessPerTest(use: (harness: Harness) => void): void {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await createHarness();
    use(current);
  });
  afterEach(async () => {
    const ending = current;
    current = undefined;
    if (ending !== undefined) await cleanupChecked(ending);
  });
}

/** Ends the harness, and fails the test when one of its processes was still running. */
export async function cleanupChecked(h: Harness): Promise<void> {
  const leftovers = processesIn(h.home);
  await h.cleanup();
  expect(leftovers, 'processes of the test left running').toEqual([]);
}

/** The next start runs `executable` (a wrapper, a look-alike) as msbserver. */
export function useServer(h: Harness, executable: string): void {
  h.env = { ...h.env, MSBSERVER_EXE: executable };
}

/**
 * Real timers that keep count: what a controller has scheduled and not yet run or cleared. A test
 * that must show something does NOT happen later (an automatic restart) shows nothing is
 * scheduled to make it happen, instead of waiting to see.
 */
export interface CountingTimers {
  /** Counts timeouts (what the controller schedules); the monitor's intervals pass through uncounted. */
  readonly timers: IntervalTimers;
  /** Timers scheduled, ever. */
  scheduled(): number;
  /** Timers scheduled and neither run nor cleared yet. */
  pending(): number;
  /** Runs of the intervals (the monitor's liveness and heartbeat checks), ever. */
  ticks(): number;
}

export function countingTimers(): CountingTimers {
  const live = new Set<TimerHandle>();
  let scheduled = 0;
  let ticks = 0;
  return {
    timers: {
      setTimeout(callback, ms) {
        scheduled++;
        const handle = defaultTimers.setTimeout(() => {
          live.delete(handle);
          callback();
        }, ms);
        live.add(handle);
        return handle;
      },
      clearTimeout(handle) {
        live.delete(handle);
        defaultTimers.clearTimeout(handle);
      },
      setInterval: (callback, ms) =>
        defaultTimers.setInterval(() => {
          ticks++;
          callback();
        }, ms),
      clearInterval: (handle) => defaultTimers.clearInterval(handle),
    },
    scheduled: () => scheduled,
    pending: () => live.size,
    ticks: () => ticks,
  };
}
