// The state machine (server/controller.ts): one operation at a time, crash policy, quitting, key reset, robustness.
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SHUTDOWN_TIMEOUT_MS } from '../../../../electron/adapters/app-lifecycle.ts';
import { DEFAULT_TIMING, stopDeadlineMs } from '../../../../electron/core/server/context.ts';
import { createHarness, isAlive, nextState, waitUntil, type Harness } from './lifecycle-harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(async () => {
  const leftovers = h.liveServers();
  await h.cleanup();
  // Every test must leave no server behind; cleanup kills them anyway, so report rather than hide.
  expect(leftovers, 'stand-in processes left running by the test').toEqual([]);
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

describe('crash policy', () => {
  it('restarts after a crash and stops at the crash-loop limit', async () => {
    h.env = { ...h.env, MSB_STANDIN_CRASH_AFTER_MS: '100' };
    h.settings = { ...h.settings, autoRestart: true };
    const c = h.controller({ restartBackoffMs: 20, maxCrashRestarts: 2 });
    await c.start();
    const loop = await waitUntil(() => c.snapshot().error?.code === 'crash-loop', 15_000);
    expect(loop).toBe(true);
    expect(c.snapshot().state).toBe('failed');
    const states = h.states(c);
    expect(states.filter((s) => s === 'running')).toHaveLength(3);
    expect(c.snapshot().error?.message).toMatch(/3 times/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(c.snapshot().state).toBe('failed'); // no further restart
    expect(h.liveServers()).toEqual([]);
  });

  it('says when the automatic restart is due, and Cancel stops it', async () => {
    h.env = { ...h.env, MSB_STANDIN_CRASH_AFTER_MS: '100' };
    h.settings = { ...h.settings, autoRestart: true };
    const c = h.controller({ restartBackoffMs: 1_500 });
    await c.start();
    const before = Date.now();
    const scheduled = await waitUntil(() => c.snapshot().restartAt !== null, 10_000);
    expect(scheduled).toBe(true);
    expect(c.snapshot().state).toBe('failed');
    expect(c.snapshot().restartAt ?? 0).toBeGreaterThanOrEqual(before);
    const cancelled = await c.cancelRestart();
    expect(cancelled.restartAt).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(h.states(c).filter((s) => s === 'running')).toHaveLength(1);
    expect(c.snapshot().state).toBe('failed');
  });

  it('does not restart when auto-restart is off', async () => {
    h.env = { ...h.env, MSB_STANDIN_CRASH_AFTER_MS: '100' };
    const c = h.controller({ restartBackoffMs: 20 });
    await c.start();
    await nextState(c, 'failed');
    await new Promise((resolve) => setTimeout(resolve, 300));
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
    h.env = { ...h.env, MSB_STANDIN_CRASH_AFTER_MS: '100' };
    h.settings = { ...h.settings, autoRestart: true };
    const c = h.controller({ restartBackoffMs: 50 });
    const pressed: { stop?: Promise<unknown> } = {};
    c.onChange((s) => {
      // Stop is pressed the moment the crash shows, while the crash is still being handled.
      if (s.state === 'failed' && s.error?.code === 'crashed') pressed.stop ??= c.stop();
    });
    await c.start();
    await nextState(c, 'failed');
    await waitUntil(() => pressed.stop !== undefined);
    await pressed.stop;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.states(c).filter((s) => s === 'running')).toHaveLength(1);
    expect(h.liveServers()).toEqual([]);
  });

  it('quitting during a start does not wait for the readiness timeout, and leaves the detached server', async () => {
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    h.settings = { ...h.settings, readinessTimeoutMs: 60_000 };
    const c = h.controller();
    const started = c.start();
    await waitUntil(async () => (await h.pidFile()) !== null);
    const disposed = c.dispose().then(() => 'disposed' as const);
    const outcome = await Promise.race([disposed, new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000))]);
    expect(outcome).toBe('disposed');
    await started;
    const pid = Number(await h.pidFile());
    expect(isAlive(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !isAlive(pid));
  });

  it('quitting during a start with stop-on-quit stops the server and removes server.pid', async () => {
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    h.settings = { ...h.settings, readinessTimeoutMs: 60_000 };
    const c = h.controller();
    void c.start();
    await waitUntil(async () => (await h.pidFile()) !== null);
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
