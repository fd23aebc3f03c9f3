// The state machine (server/controller.ts): one operation at a time, crash policy, quitting, key reset, robustness.
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN_TIMEOUT_MS } from '../../../../electron/adapters/app-lifecycle.ts';
import { DEFAULT_TIMING, stopDeadlineMs } from '../../../../electron/core/server/context.ts';
import { waitFor } from '../../../support/wait-for.ts';
import {
  countingTimers,
  harnessPerTest,
  isAlive,
  nextState,
  waitUntil,
  type Harness,
  SERVER_UP_MS,
} from './lifecycle-harness.ts';
import path from 'node:path';
import { processLiveness } from '../../../../electron/core/process/process-identity.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import type { Controller } from '../../../../electron/core/server/controller.ts';
import { processesIn } from './lifecycle-harness.ts';
import { acquireLock } from '../../../../electron/core/server/start-lock.ts';
import { LOCK_WAIT_LINE, lockHeldByAnotherProcess, sleep } from './hostile-world.ts';
import { cliStart, renamedExecWrapper } from './world.ts';
import { fileURLToPath } from 'node:url';
import { createController } from '../../../../electron/core/server/controller.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { type Logger, silentLogger } from '../../../../electron/core/base/logger.ts';

let h: Harness;
let stateDir: string;

harnessPerTest((made) => {
  h = made;
  stateDir = made.stateDir;
});

describe('one server only', () => {
  it('five concurrent starts give one server', async () => {
    const c = h.controller();
    const results = await Promise.all([c.start(), c.start(), c.start(), c.start(), c.start()]);
    const pids = new Set(results.map((s) => s.pid));
    expect(pids.size).toBe(1);
    expect(results.every((s) => s.state === 'running')).toBe(true);
    expect(h.liveServers()).toEqual([...pids]);
    expect(await h.pidFile()).toBe(String([...pids][0]));
    await c.stop();
  });

  it('two racing controllers on one home give one server and agree on it', async () => {
    const a = h.controller();
    const b = h.controller();
    const [sa, sb] = await Promise.all([a.start(), b.start()]);
    expect(sa.state).toBe('running');
    expect(sb.state).toBe('running');
    expect(sa.pid).toBe(sb.pid);
    expect([sa.external, sb.external].sort()).toEqual([false, true]);
    expect(h.liveServers()).toEqual([sa.pid]);
    expect(await h.pidFile()).toBe(String(sa.pid));
    await (sa.external ? b : a).stop();
    await waitUntil(() => a.snapshot().state === 'stopped' && b.snapshot().state === 'stopped');
    expect(b.snapshot().state).toBe('stopped');
  });

  it('sees a stop made by another controller as a stop, even while it checks liveness constantly', async () => {
    const owner = h.controller();
    const running = await owner.start();
    const observer = h.controller({ livenessMs: 1 });
    await observer.ready;
    expect(observer.snapshot()).toMatchObject({ state: 'running', external: true, pid: running.pid });
    await owner.stop();
    await waitUntil(() => observer.snapshot().state !== 'running');
    expect(observer.snapshot().state).toBe('stopped');
    expect(h.states(observer)).not.toContain('failed');
  });

  it('recovers a start lock left by a dead process', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    await fsp.mkdir(h.home, { recursive: true });
    await fsp.writeFile(h.paths.lockFile, JSON.stringify({ pid: gone.pid, token: 'stale' }));
    const running = await h.controller().start();
    expect(running.state).toBe('running');
    await expect(fsp.access(h.paths.lockFile)).rejects.toThrow();
    await h.controllers[0]?.stop();
  });
});

/**
 * A crash timed from the start could beat a health check slowed by a loaded machine, so no start
 * would ever succeed: the stand-in answers the start's readiness check and crashes right after
 * answering the next one, a heartbeat, which the monitor makes only once the server runs.
 */
const CRASH_ONCE_RUNNING = { MSB_STANDIN_CRASH_ON_HEALTH: '2' };
const CRASH_TIMING = { heartbeatMs: 50 };

/** Servers that came up: a heartbeat overlapping the crash may add a second, unhealthy, running state. */
function runs(c: Controller): number {
  return new Set((h.events.get(c) ?? []).filter((s) => s.state === 'running').map((s) => s.pid)).size;
}

describe('crash policy', () => {
  it('restarts after a crash and stops at the crash-loop limit', async () => {
    h.env = { ...h.env, ...CRASH_ONCE_RUNNING };
    h.settings = { ...h.settings, autoRestart: true };
    const t = countingTimers();
    const c = h.controller({ restartBackoffMs: 20, maxCrashRestarts: 2, ...CRASH_TIMING }, { timers: t.timers });
    await c.start();
    const loop = await waitUntil(() => c.snapshot().error?.code === 'crash-loop', 15_000);
    expect(loop).toBe(true);
    expect(c.snapshot().state).toBe('failed');
    expect(runs(c)).toBe(3);
    expect(c.snapshot().error?.message).toMatch(/3 times/);
    expect(t.scheduled()).toBe(2); // one restart per crash before the limit
    expect(t.pending(), 'a further restart is scheduled').toBe(0);
    expect(c.snapshot().state).toBe('failed');
    expect(h.liveServers()).toEqual([]);
  });

  it('says when the automatic restart is due, and Cancel stops it', async () => {
    h.env = { ...h.env, ...CRASH_ONCE_RUNNING };
    h.settings = { ...h.settings, autoRestart: true };
    const t = countingTimers();
    const c = h.controller({ restartBackoffMs: 1_500, ...CRASH_TIMING }, { timers: t.timers });
    await c.start();
    const before = Date.now();
    const scheduled = await waitUntil(() => c.snapshot().restartAt !== null, 10_000);
    expect(scheduled).toBe(true);
    expect(c.snapshot().state).toBe('failed');
    expect(c.snapshot().restartAt ?? 0).toBeGreaterThanOrEqual(before);
    const cancelled = await c.cancelRestart();
    expect(cancelled.restartAt).toBeNull();
    expect(t.scheduled()).toBe(1);
    expect(t.pending(), 'the cancelled restart is still scheduled').toBe(0);
    expect(runs(c)).toBe(1);
    expect(c.snapshot().state).toBe('failed');
  });

  it('does not restart when auto-restart is off', async () => {
    const t = countingTimers();
    const c = h.controller({ restartBackoffMs: 20 }, { timers: t.timers });
    // The crash comes once the start has answered (a crash timer could beat a loaded health check).
    const running = await c.start();
    expect(running.state).toBe('running');
    process.kill(running.pid ?? 0, 'SIGKILL');
    expect((await nextState(c, 'failed')).error?.code).toBe('crashed');
    // The crash is handled (the state is set) before a restart would be scheduled: none is.
    await c.refresh();
    expect(t.scheduled(), 'a restart was scheduled').toBe(0);
    expect(h.states(c).filter((s) => s === 'running')).toHaveLength(1);
  });
});

describe('quit and logs', () => {
  it('dispose leaves a detached server running unless asked to stop it', async () => {
    const c = h.controller();
    const running = await c.start();
    await c.dispose();
    expect(isAlive(running.pid ?? 0)).toBe(true);
    expect(await h.pidFile()).toBe(String(running.pid));

    const next = h.controller();
    await next.ready;
    expect(next.snapshot()).toMatchObject({ state: 'running', pid: running.pid, external: true });
    await next.dispose({ stopServer: true });
    expect(isAlive(running.pid ?? 0)).toBe(false);
    expect(await h.pidFile()).toBeNull();
  });

  it('serves the last lines of the log', async () => {
    const c = h.controller();
    await c.start();
    await c.stop();
    const lines = await c.logTail(3);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines.length).toBeGreaterThan(0);
    expect((await c.logTail(1000)).some((line) => line.includes('Server listening'))).toBe(true);
  });
});

describe('key reset', () => {
  it('while stopped: writes a new server.key and starts nothing', async () => {
    await fsp.mkdir(h.home, { recursive: true });
    await fsp.writeFile(h.paths.keyFile, 'old-key');
    const c = h.controller();
    const after = await c.resetKey();
    expect(after.state).toBe('stopped');
    const key = await fsp.readFile(h.paths.keyFile, 'utf8');
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await fsp.stat(h.paths.keyFile)).mode & 0o777).toBe(0o600);
    expect(h.liveServers()).toEqual([]);
  });

  it('while stopped with the home deleted: makes the home again, owner-only, with the new key', async () => {
    const c = h.controller();
    await c.ready;
    await fsp.rm(h.home, { recursive: true });
    const after = await c.resetKey();
    expect(after.state).toBe('stopped');
    expect(after.error).toBeNull();
    expect(await fsp.readFile(h.paths.keyFile, 'utf8')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await fsp.stat(h.home)).mode & 0o777).toBe(0o700);
  });

  it('while a secure server runs: restarts it with the new key', async () => {
    const c = h.controller();
    const before = await c.start();
    const oldKey = await fsp.readFile(h.paths.keyFile, 'utf8');
    const after = await c.resetKey();
    const newKey = await fsp.readFile(h.paths.keyFile, 'utf8');
    expect(newKey).not.toBe(oldKey);
    expect(after).toMatchObject({ state: 'running', devMode: false });
    expect(after.pid).not.toBe(before.pid);
    expect((await h.record()).argv[0]).toBe(`--key=${newKey}`);
    await c.stop();
  });

  it('while a dev server runs: only replaces server.key', async () => {
    h.settings = { ...h.settings, devMode: true };
    const c = h.controller();
    const before = await c.start();
    const after = await c.resetKey();
    expect(after.pid).toBe(before.pid);
    expect(await fsp.readFile(h.paths.keyFile, 'utf8')).toMatch(/^[A-Za-z0-9]{32}$/);
    await c.stop();
  });

  it('rotates server.key even when the settings switched to dev mode while a secure server runs', async () => {
    const c = h.controller();
    await c.start();
    const oldKey = await fsp.readFile(h.paths.keyFile, 'utf8');
    h.settings = { ...h.settings, devMode: true };
    const after = await c.resetKey();
    expect(await fsp.readFile(h.paths.keyFile, 'utf8')).not.toBe(oldKey);
    // The restart follows the settings: dev mode now, as the next start would be anyway.
    expect(after).toMatchObject({ state: 'running', devMode: true });
    await c.stop();
  });
});

describe('robustness', () => {
  it('fails a start whose log cannot be opened instead of staying "starting"', async () => {
    await fsp.mkdir(h.root, { recursive: true });
    await fsp.writeFile(h.logDir, 'a file where the log folder should be');
    const c = h.controller();
    const failed = await c.start();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('home-error');
    expect(failed.error?.message).toContain(h.logDir);
    expect(await h.pidFile()).toBeNull();
    // Nothing is stuck: an outside start is still adopted.
    await h.cliStart();
    expect((await c.refresh()).state).toBe('running');
    await c.stop();
  });

  it('does not restart after a crash when Stop was pressed while the crash was being handled', async () => {
    h.env = { ...h.env, ...CRASH_ONCE_RUNNING };
    h.settings = { ...h.settings, autoRestart: true };
    const t = countingTimers();
    const c = h.controller({ restartBackoffMs: 50, ...CRASH_TIMING }, { timers: t.timers });
    const pressed: { stop?: Promise<unknown> } = {};
    c.onChange((s) => {
      // Stop is pressed the moment the crash shows, while the crash is still being handled.
      if (s.state === 'failed' && s.error?.code === 'crashed') pressed.stop ??= c.stop();
    });
    await c.start();
    await nextState(c, 'failed');
    await waitFor(() => pressed.stop !== undefined, { what: 'Stop to be pressed' });
    await pressed.stop;
    await c.refresh(); // after whatever the crash's handling queued
    expect(t.pending(), 'a restart is still scheduled after Stop').toBe(0);
    expect(runs(c)).toBe(1);
    expect(h.liveServers()).toEqual([]);
  });

  it('quitting during a start does not wait for the readiness timeout, and leaves the detached server', async () => {
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    h.settings = { ...h.settings, readinessTimeoutMs: 60_000 };
    const c = h.controller();
    const started = c.start();
    await waitFor(async () => (await h.pidFile()) !== null, { timeout: SERVER_UP_MS, what: 'server.pid' });
    const disposed = c.dispose().then(() => 'disposed' as const);
    const outcome = await Promise.race([disposed, new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000))]);
    expect(outcome).toBe('disposed');
    await started;
    const pid = Number(await h.pidFile());
    expect(isAlive(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { what: `the killed server ${pid} to be gone` });
  });

  it('quitting during a start with stop-on-quit stops the server and removes server.pid', async () => {
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    h.settings = { ...h.settings, readinessTimeoutMs: 60_000 };
    const c = h.controller();
    void c.start();
    await waitFor(async () => (await h.pidFile()) !== null, { timeout: SERVER_UP_MS, what: 'server.pid' });
    const pid = Number(await h.pidFile());
    await c.dispose({ stopServer: true });
    expect(isAlive(pid)).toBe(false);
    expect(await h.pidFile()).toBeNull();
  });

  it('Quit and Stop ends a server that ignores SIGTERM before the quit timeout lets the app exit', async () => {
    // The app's quit waits SHUTDOWN_TIMEOUT_MS, made from the stop's grace and kill wait.
    expect(SHUTDOWN_TIMEOUT_MS).toBeGreaterThan(stopDeadlineMs(DEFAULT_TIMING));
    expect(stopDeadlineMs(DEFAULT_TIMING)).toBeGreaterThan(DEFAULT_TIMING.stopGraceMs + DEFAULT_TIMING.killWaitMs);

    h.env = { ...h.env, MSB_STANDIN_IGNORE_SIGTERM: '1' };
    const timing = { stopGraceMs: 300, killWaitMs: 500 };
    const c = h.controller(timing);
    const pid = (await c.start()).pid ?? 0;
    expect(isAlive(pid)).toBe(true);
    let timer: NodeJS.Timeout | undefined;
    const quitTimeout = new Promise<'quit timeout'>((resolve) => {
      timer = setTimeout(() => resolve('quit timeout'), stopDeadlineMs(timing));
    });
    const first = await Promise.race([c.dispose({ stopServer: true }).then(() => 'stopped' as const), quitTimeout]);
    clearTimeout(timer);
    expect(first).toBe('stopped');
    expect(isAlive(pid)).toBe(false);
    expect(await h.pidFile()).toBeNull();
  });
});

// Two app instances on one home plus the CLI, Stop racing a
// crash, restart racing `msb server stop`, quitting mid-stop, the CLI starting while the app
// stops.
describe('two app instances, the CLI, and Stop, restart and quit racing', () => {
  /** `msb server start` as msb does it: nothing if server.pid names a live process. */
  async function msbStart(): Promise<number | null> {
    const text = await fsp.readFile(h.paths.pidFile, 'utf8').catch(() => null);
    const pid = text === null ? NaN : Number(text.trim());
    if (Number.isInteger(pid) && pid > 1 && (await processLiveness(pid)) === 'alive') return null;
    await fsp.rm(h.paths.pidFile, { force: true });
    const child = await cliStart({ home: h.home, port: h.settings.port, executable: STANDIN_PATH });
    return child.pid ?? null;
  }

  /** `msb server stop`: SIGTERM to the PID in server.pid, then the file goes at once. */
  async function msbStop(): Promise<void> {
    const text = await fsp.readFile(h.paths.pidFile, 'utf8').catch(() => null);
    if (text === null) return;
    try {
      process.kill(Number(text.trim()), 'SIGTERM');
    } catch {
      // stale
    }
    await fsp.rm(h.paths.pidFile, { force: true });
  }

  /** One live server, every controller tracking it, server.pid naming it — or none and nobody running. */
  async function consistent(controllers: Controller[]): Promise<string | null> {
    const live = processesIn(h.home);
    const file = await h.pidFile();
    const states = controllers.map((c) => `${c.snapshot().state}:${c.snapshot().pid}`);
    const ok =
      (live.length === 0 && controllers.every((c) => c.snapshot().state !== 'running')) ||
      (live.length === 1 &&
        file === String(live[0]) &&
        controllers.every((c) => c.snapshot().state === 'running' && c.snapshot().pid === live[0]));
    return ok
      ? null
      : `live ${JSON.stringify(live)}, server.pid ${JSON.stringify(file)}, controllers ${states.join(' ')}`;
  }

  describe('two app instances on one home, and the CLI', () => {
    it(
      "another instance's stop that holds the lock past the grace before it removes server.pid is a " +
        'stop, not a crash: no restart',
      async () => {
        h.settings = { ...h.settings, autoRestart: true };
        const logged: string[] = [];
        const aTimers = countingTimers();
        const a = h.controller({}, { stateDir, timers: aTimers.timers, logger: recordingLogger(logged) });
        const pid = startedPid(await a.start());
        // The other instance's stop, as slow as a loaded machine makes it: another process holds
        // the lock while the server ends, and removes server.pid only after A waited out its grace.
        const other = await lockHeldByAnotherProcess(h.paths.lockFile);
        try {
          process.kill(pid, 'SIGTERM');
          await waitFor(() => logged.some((line) => line.includes(LOCK_WAIT_LINE)), {
            what: 'A to wait for the lock before calling the exit a crash',
          });
          await fsp.rm(h.paths.pidFile);
        } finally {
          await other.release();
        }
        await nextState(a, 'stopped');
        await a.refresh();
        expect(h.states(a)).not.toContain('failed');
        expect(aTimers.scheduled(), 'A scheduled an automatic restart').toBe(0);
      },
    );

    it('a server that exits while another holder has the lock, and nobody removes server.pid, crashed', async () => {
      const timing = { stopGraceMs: 200, killWaitMs: 200 };
      const logged: string[] = [];
      const a = h.controller(timing, { stateDir, logger: recordingLogger(logged) });
      const pid = startedPid(await a.start());
      const other = await lockHeldByAnotherProcess(h.paths.lockFile);
      try {
        const killedAt = Date.now();
        process.kill(pid, 'SIGKILL');
        expect((await nextState(a, 'failed')).error?.code).toBe('crashed');
        // It waited for the holder, as long as a stop can take, and no longer than the test.
        expect(logged.some((line) => line.includes(LOCK_WAIT_LINE))).toBe(true);
        expect(Date.now() - killedAt).toBeGreaterThanOrEqual(stopDeadlineMs({ ...DEFAULT_TIMING, ...timing }));
        expect(await h.pidFile(), 'the crashed server is no longer named').toBeNull();
      } finally {
        await other.release();
      }
    });

    it('Stop pressed while the app waits on another holder to tell a stop from a crash: stopped at once', async () => {
      const logged: string[] = [];
      const a = h.controller({}, { stateDir, logger: recordingLogger(logged) });
      const pid = startedPid(await a.start());
      const other = await lockHeldByAnotherProcess(h.paths.lockFile);
      try {
        process.kill(pid, 'SIGKILL');
        await waitFor(() => logged.some((line) => line.includes(LOCK_WAIT_LINE)), {
          what: 'A to wait for the lock before calling the exit a crash',
        });
        // The holder keeps the lock and server.pid stays: only the user's Stop can end the wait.
        const pressedAt = Date.now();
        const stopping = a.stop();
        await waitFor(() => a.snapshot().state === 'stopped', { what: 'the exit to count as a stop at once' });
        // Well below the 9 s the wait would otherwise last (the stop deadline of this timing).
        expect(Date.now() - pressedAt).toBeLessThan(5_000);
        expect(await fsp.readFile(h.paths.lockFile, 'utf8'), 'the holder still has its lock').toBe(other.text);
        // The stop itself then waits for the lock, as any stop does, and finds nothing left.
        await other.release();
        expect((await stopping).state).toBe('stopped');
        expect(h.states(a)).not.toContain('failed');
      } finally {
        await other.release();
      }
    });

    it(
      'instance B stops the server instance A spawned: A says stopped, no auto-restart, no crash; B ' +
        'does not call it external',
      async () => {
        h.settings = { ...h.settings, autoRestart: true };
        const aTimers = countingTimers();
        const a = h.controller({ livenessMs: 100 }, { stateDir, timers: aTimers.timers });
        const b = h.controller({ livenessMs: 100 }, { stateDir });
        await Promise.all([a.ready, b.ready]);
        const running = await a.start();
        await b.refresh();
        const seenByB = { ...b.snapshot() };
        expect(seenByB).toMatchObject({ state: 'running', pid: running.pid });
        expect((await b.stop()).state).toBe('stopped');
        // A sees the stop (its child's exit, then a look), and schedules no restart for it.
        await nextState(a, 'stopped');
        await a.refresh();
        expect(aTimers.scheduled(), 'A scheduled an automatic restart').toBe(0);
        expect(a.snapshot().state).toBe('stopped');
        expect(h.states(a)).not.toContain('failed');
        expect(processesIn(h.home)).toEqual([]);
        // B saw server.pid before A wrote its record, judged by name, and the label stuck.
        expect(seenByB.external, 'B labels the server the app (instance A) started as started outside the app').toBe(
          false,
        );
      },
    );

    it(
      'while instance A starts a `.msbserver-wrapped` server, instance B never deletes the ' + 'server.pid naming it',
      async () => {
        h.env = { ...h.env, MSBSERVER_EXE: await renamedExecWrapper(path.join(h.root, 'wrapper')) };
        const aTimers = countingTimers();
        const a = h.controller({ livenessMs: 100 }, { stateDir, timers: aTimers.timers });
        const bTimers = countingTimers();
        const b = h.controller({ livenessMs: 100 }, { stateDir, timers: bTimers.timers });
        await Promise.all([a.ready, b.ready]);
        let written = false;
        let vanished = 0;
        let watching = true;
        const watcher = (async () => {
          while (watching) {
            const text = await h.pidFile();
            if (text !== null) written = true;
            else if (written) vanished++;
            // A sampler, not a wait: it looks as often as it can while the race runs.
            await sleep(1);
          }
        })();
        const running = await a.start();
        // B has judged the server when it tracks it; three ticks of its liveness check (each reads
        // server.pid) and a full look of its own after that are where it would delete the file.
        await waitFor(() => b.snapshot().pid === running.pid, { timeout: SERVER_UP_MS, what: 'b to track the server' });
        const ticks = bTimers.ticks();
        await waitFor(() => bTimers.ticks() >= ticks + 3, { what: "three of b's liveness ticks" });
        await b.refresh();
        watching = false;
        await watcher;
        const bState = `${b.snapshot().state}:${b.snapshot().pid}`;
        await a.stop();
        expect(running.state).toBe('running');
        expect(vanished, `server.pid was missing in ${vanished} samples after A wrote it; B is ${bState}`).toBe(0);
      },
    );

    it(
      'A, B and the CLI all start at once: one server, both instances track it, server.pid names ' +
        'it; A stops it and B sees that',
      { timeout: 60_000 },
      async () => {
        const aTimers = countingTimers();
        const a = h.controller({ livenessMs: 100 }, { stateDir, timers: aTimers.timers });
        const b = h.controller({ livenessMs: 100 }, { stateDir });
        await Promise.all([a.ready, b.ready]);
        // The CLI's start lands just after both app starts began: a race offset on purpose.
        await Promise.all([a.start(), b.start(), sleep(5).then(msbStart)]);
        const settled = await waitUntil(
          async () => (await consistent([a, b])) === null && processesIn(h.home).length === 1,
          SERVER_UP_MS,
        );
        expect(settled, (await consistent([a, b])) ?? '').toBe(true);
        await a.stop();
        expect(await waitUntil(() => b.snapshot().state === 'stopped')).toBe(true);
        expect(processesIn(h.home)).toEqual([]);
      },
    );

    it('the CLI starts while the app stops, in 30 rounds: the end is consistent', { timeout: 120_000 }, async () => {
      const problems: string[] = [];
      for (let round = 0; round < 30; round++) {
        const c = h.controller({ livenessMs: 100 }, { stateDir });
        await c.start();
        const stopping = c.stop();
        // A race offset on purpose: each round lets the CLI start at another point of the stop.
        await sleep((round * 3) % 20);
        await msbStart();
        await stopping;
        await waitUntil(async () => (await consistent([c])) === null);
        const problem = await consistent([c]);
        if (problem !== null) problems.push(`round ${round}: ${problem}`);
        await c.stop();
        await c.dispose();
        for (const pid of processesIn(h.home)) process.kill(pid, 'SIGKILL');
        await waitFor(() => processesIn(h.home).length === 0, { what: `round ${round}'s server to end` });
        await fsp.rm(h.paths.pidFile, { force: true });
      }
      expect(problems).toEqual([]);
    });
  });

  describe('Stop, restart and quit racing the world', () => {
    it('Stop racing a crash, auto-restart on: stopped, nothing left, no restart afterwards', async () => {
      h.settings = { ...h.settings, autoRestart: true };
      h.env = { ...h.env, MSB_STANDIN_CRASH_AFTER_MS: '400' };
      const t = countingTimers();
      const c = h.controller({ restartBackoffMs: 200 }, { stateDir, timers: t.timers });
      const running = await c.start();
      expect(running.state).toBe('running');
      const listening = (await h.record()).listeningAt;
      // Aims the Stop at the moment of the crash (a race on purpose, not a wait for something).
      // It must be timed: the stand-in schedules the crash on its own clock in its own process,
      // and nothing it does shortly before crashing could be waited for without moving the race.
      await sleep(Math.max(0, listening + 395 - (performance.timeOrigin + performance.now())));
      const stopped = await c.stop();
      await c.refresh(); // after whatever the crash's handling queued
      expect(t.pending(), 'a restart is scheduled after Stop').toBe(0);
      expect(stopped.state === 'stopped' || stopped.state === 'failed').toBe(true);
      expect(c.snapshot().state).not.toBe('running');
      expect(processesIn(h.home)).toEqual([]);
    });

    it(
      "Stop pressed while the start waits for another instance's lock: the start gives way at once, " +
        'nothing is spawned, and the other holder keeps its lock',
      async () => {
        // Another instance's start holds the home's lock (taken here, so that no server of its own
        // can be adopted first and the wait is certain).
        const a = h.controller({}, { stateDir });
        await a.ready;
        const other = await acquireLock(h.paths.lockFile, { timeoutMs: 5_000 });
        const held = await fsp.readFile(h.paths.lockFile, 'utf8');
        try {
          const starting = a.start();
          await nextState(a, 'starting');
          const stopped = await a.stop();
          expect(stopped.state).toBe('stopped');
          expect((await starting).state, 'the start gave way before it spawned').toBe('starting');
          expect(processesIn(h.home)).toEqual([]);
          expect(await fsp.readFile(h.paths.lockFile, 'utf8'), 'the other holder keeps its lock').toBe(held);
        } finally {
          await other.dispose();
        }
      },
    );

    it(
      "Stop pressed in instance A after A adopted the server instance B is starting: A's stop waits " +
        "for B's start to let go of the lock, then stops that server, nothing left",
      { timeout: 60_000 },
      async () => {
        // A sees B's server as soon as B names it in server.pid (B's record is in the shared data
        // folder) and adopts it; B still waits for its health. Stop never leaves a server the user
        // asked to stop, even one another instance is still starting.
        h.env = { ...h.env, MSB_STANDIN_READY_DELAY_MS: '2000' };
        h.settings = { ...h.settings, readinessTimeoutMs: SERVER_UP_MS };
        const a = h.controller({}, { stateDir });
        const b = h.controller({}, { stateDir });
        await Promise.all([a.ready, b.ready]);
        const bStarting = b.start();
        await waitFor(
          () => {
            const seen = a.snapshot();
            return seen.state === 'running' && seen.pid !== null && seen.pid === b.snapshot().pid;
          },
          { timeout: SERVER_UP_MS, what: 'A to adopt the server B is starting' },
        );
        const stopped = await a.stop();
        expect(stopped.state).toBe('stopped');
        expect(processesIn(h.home)).toEqual([]);
        // B's start ended first (A's stop waited for its lock), with its server up.
        expect((await bStarting).state).toBe('running');
        await waitFor(() => b.snapshot().state !== 'running', { what: 'B to see that its server was stopped' });
        await b.stop();
        expect(processesIn(h.home)).toEqual([]);
      },
    );

    it('restart racing `msb server stop`: one server afterwards, tracked and named', async () => {
      const c = h.controller({ livenessMs: 100 }, { stateDir });
      await c.start();
      const restarting = c.restart();
      await msbStop();
      const after = await restarting;
      await waitUntil(async () => (await consistent([c])) === null);
      expect(await consistent([c]), `restart answered ${after.state} ${after.error?.message ?? ''}`).toBeNull();
      expect(c.snapshot().state).toBe('running');
      await c.stop();
    });

    it('quitting with stopServer while a stop waits out a server that ignores SIGTERM: nothing left', async () => {
      h.env = { ...h.env, MSB_STANDIN_IGNORE_SIGTERM: '1' };
      const c = h.controller({ stopGraceMs: 1_000 }, { stateDir });
      const running = await c.start();
      const stopping = c.stop();
      // The stand-in's own word that the stop's SIGTERM arrived (and was ignored).
      await waitFor(async () => (await h.serverLog()).includes('ignoring SIGTERM'), {
        timeout: SERVER_UP_MS,
        what: 'the server to log that it ignores SIGTERM',
      });
      await c.dispose({ stopServer: true });
      await stopping;
      expect(isAlive(running.pid ?? 0)).toBe(false);
      expect(await h.pidFile()).toBeNull();
    });

    it('quitting without stopServer mid-stop: the stop still finishes, nothing left', async () => {
      const c = h.controller({}, { stateDir });
      const running = await c.start();
      const stopping = c.stop();
      await c.dispose();
      await stopping;
      expect(isAlive(running.pid ?? 0)).toBe(false);
    });
  });
});

/** The PID of a start that ran; anything else fails here, never signals PID 0 (the test's own group). */
function startedPid(snapshot: { state: string; pid: number | null }): number {
  expect(snapshot.state).toBe('running');
  if (snapshot.pid === null) throw new Error('the start gave no PID');
  return snapshot.pid;
}

/** A logger that keeps every line, for a test that waits for what the controller said. */
function recordingLogger(lines: string[]): Logger {
  const keep = (message: string): void => void lines.push(message);
  return { debug: keep, info: keep, warn: keep, error: keep };
}

// As the shipped app has it: main's server part (electron/setup/server-setup.ts) builds the
// controller. The record that recognises the app's own server after a restart lives in
// `stateDir`; without it there is no record at all.
describe('the controller as main creates it', () => {
  describe('the controller as main creates it', () => {
    it(
      "main's server part gives the controller a stateDir, " + 'so the record of what the app started is written',
      async () => {
        const setup = await fsp.readFile(
          fileURLToPath(new URL('../../../../electron/setup/server-setup.ts', import.meta.url)),
          'utf8',
        );
        const call = /createController\(\{[^}]*\}\)/.exec(setup)?.[0] ?? '';
        expect(call, 'the createController call in electron/setup/server-setup.ts').toContain('stateDir');
      },
    );

    it(
      'built without a stateDir, the app recognises its own `.msbserver-wrapped` server after a ' +
        'restart and does not delete server.pid',
      async () => {
        h.env = { ...h.env, MSBSERVER_EXE: await renamedExecWrapper(path.join(h.root, 'wrapper')) };
        // The options main's server part passes, less stateDir, plus env/userHome for the test world.
        const make = () =>
          createController({
            home: h.home,
            logDir: h.logDir,
            settings: () => h.settings,
            env: h.env,
            userHome: h.root,
            platform: process.platform,
            scrubber: new SecretScrubber(h.paths.keyFile, silentLogger),
          });
        const first = make();
        const running = await first.start();
        expect(running.state).toBe('running');
        await first.dispose();

        const second = make();
        await second.ready;
        const seen = { state: second.snapshot().state, pid: second.snapshot().pid, pidFile: await h.pidFile() };
        const stop = await second.stop();
        const stillAlive = isAlive(running.pid ?? 0);
        await second.dispose();
        if (stillAlive) process.kill(running.pid ?? 0, 'SIGKILL');
        await waitFor(() => processesIn(h.home).length === 0, { what: 'the servers in the home to end' });
        expect(
          seen,
          `after the restart (server ${running.pid}); Stop answered ${stop.state}, server alive after ` +
            `Stop: ${stillAlive}`,
        ).toEqual({
          state: 'running',
          pid: running.pid,
          pidFile: String(running.pid),
        });
        expect(stillAlive).toBe(false);
      },
    );
  });
});
