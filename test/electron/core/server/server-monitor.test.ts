// Watching (server/server-monitor.ts, and the child's exit in observe.ts): crashes, outside stops, hung servers.
import { promises as fsp } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../support/wait-for.ts';
import { harnessPerTest, isAlive, nextState, waitUntil, type Harness, SERVER_UP_MS } from './lifecycle-harness.ts';

let h: Harness;

harnessPerTest((made) => {
  h = made;
});

describe('watching', () => {
  it('reports a crash without any user action, with exit code and log', async () => {
    // Crashes after answering its second health check (a heartbeat): the crash cannot beat the start.
    h.env = { ...h.env, MSB_STANDIN_CRASH_ON_HEALTH: '2' };
    const c = h.controller({ heartbeatMs: 50 });
    const running = await c.start();
    expect(running.state).toBe('running');
    const failed = await nextState(c, 'failed');
    expect(failed.error?.code).toBe('crashed');
    expect(failed.error?.exitCode).toBe(101);
    expect(failed.error?.logTail.join('\n')).toMatch(/panic/i);
    expect(isAlive(running.pid ?? 0)).toBe(false);
    expect(await h.pidFile()).toBeNull();
  });

  it('escalates to SIGKILL when the server ignores SIGTERM', async () => {
    h.env = { ...h.env, MSB_STANDIN_IGNORE_SIGTERM: '1' };
    const c = h.controller({ stopGraceMs: 300 });
    const running = await c.start();
    const stopped = await c.stop();
    expect(stopped.state).toBe('stopped');
    expect(isAlive(running.pid ?? 0)).toBe(false);
    expect(await h.pidFile()).toBeNull();
    expect(await fsp.readFile(c.logFile, 'utf8')).toMatch(/SIGTERM/);
  });

  it('notices `msb server stop` (SIGTERM, then server.pid removed) as a stop, not a crash', async () => {
    const c = h.controller();
    const running = await c.start();
    process.kill(running.pid ?? 0, 'SIGTERM');
    await fsp.unlink(h.paths.pidFile);
    const stopped = await nextState(c, 'stopped');
    expect(stopped.error).toBeNull();
    expect(h.states(c)).not.toContain('failed');
  });

  it('sees a server started outside (CLI style) and then its outside stop', async () => {
    // The monitor waits for the health of a server it sees start for the readiness timeout.
    h.settings = { ...h.settings, readinessTimeoutMs: SERVER_UP_MS };
    const c = h.controller();
    await c.ready;
    const child = await h.cliStart();
    const running = await nextState(c, 'running');
    expect(running).toMatchObject({ external: true, pid: child.pid, url: `http://127.0.0.1:${h.settings.port}` });
    expect(await waitUntil(() => c.snapshot().healthy === true, SERVER_UP_MS)).toBe(true);

    process.kill(child.pid ?? 0, 'SIGTERM');
    await fsp.unlink(h.paths.pidFile);
    const stopped = await nextState(c, 'stopped');
    expect(stopped.pid).toBeNull();
  });

  it('sees a CLI start after the home was deleted and made again while stopped, and its stop', async () => {
    const c = h.controller();
    await c.ready;
    expect(c.snapshot().state).toBe('stopped');
    await fsp.rm(h.home, { recursive: true });
    // `msb server start` makes the home again, then writes server.pid.
    const child = await h.cliStart();
    const running = await nextState(c, 'running');
    expect(running).toMatchObject({ external: true, pid: child.pid });

    // The watch moved onto the new home: the CLI's stop is seen too.
    process.kill(child.pid ?? 0, 'SIGTERM');
    await fsp.unlink(h.paths.pidFile);
    expect((await nextState(c, 'stopped')).pid).toBeNull();
  });

  it('reports an adopted server that died while still recorded as crashed', async () => {
    const child = await h.cliStart();
    const c = h.controller({ livenessMs: 50 });
    await c.ready;
    await waitFor(() => c.snapshot().state === 'running', { timeout: SERVER_UP_MS, what: 'the server running' });
    child.kill('SIGKILL');
    const failed = await nextState(c, 'failed');
    expect(failed.error?.code).toBe('crashed');
    expect(await h.pidFile()).toBeNull();
  });

  it('marks a hung server unhealthy on the heartbeat', async () => {
    const c = h.controller({ heartbeatMs: 50 });
    const running = await c.start();
    process.kill(running.pid ?? 0, 'SIGSTOP');
    try {
      await waitUntil(() => c.snapshot().healthy === false);
      expect(c.snapshot()).toMatchObject({ state: 'running', healthy: false });
    } finally {
      process.kill(running.pid ?? 0, 'SIGCONT');
    }
    await waitFor(() => c.snapshot().healthy === true, { timeout: SERVER_UP_MS, what: 'the server healthy again' });
    await c.stop();
  });
});
