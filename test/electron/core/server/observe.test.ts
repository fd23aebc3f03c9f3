// Reconcile and adopt (server/observe.ts): what the CLI left in server.pid.
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHealth } from '../../../../electron/core/server/health.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import { createHarness, isAlive, waitUntil, type Harness } from './lifecycle-harness.ts';

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

describe('adopting what the CLI left', () => {
  it('adopts a running CLI-started server as external, and stops it', async () => {
    const child = await h.cliStart();
    await waitUntil(async () => checkHealth(`http://127.0.0.1:${h.settings.port}`));
    const c = h.controller();
    await c.ready;
    expect(c.snapshot()).toMatchObject({
      state: 'running',
      external: true,
      pid: child.pid,
      healthy: true,
      devMode: false,
    });
    const stopped = await c.stop();
    expect(stopped.state).toBe('stopped');
    expect(isAlive(child.pid ?? 0)).toBe(false);
    expect(await h.pidFile()).toBeNull();
  });

  it('reads dev mode and port back from an adopted server', async () => {
    await fsp.mkdir(h.home, { recursive: true });
    const child = spawn(STANDIN_PATH, ['--dev', '--port', String(h.settings.port)], {
      detached: true,
      stdio: 'ignore',
      cwd: h.home,
      env: { ...process.env, MICROSANDBOX_HOME: h.home },
    });
    await fsp.writeFile(h.paths.pidFile, String(child.pid));
    const c = h.controller();
    await c.ready;
    expect(c.snapshot()).toMatchObject({ state: 'running', devMode: true, url: `http://127.0.0.1:${h.settings.port}` });
    await c.stop();
    expect(isAlive(child.pid ?? 0)).toBe(false);
  });

  for (const content of ['garbage', '', '0', '-1', '1', '99999999999', ' 123', '123\n', '12 34']) {
    it(`removes a PID file holding ${JSON.stringify(content)} without signalling anything, then starts`, async () => {
      await fsp.mkdir(h.home, { recursive: true });
      await fsp.writeFile(h.paths.pidFile, content);
      // Left by an earlier run: a file written a moment ago may be msb's, mid-write.
      const earlier = new Date(Date.now() - 60_000);
      await fsp.utimes(h.paths.pidFile, earlier, earlier);
      const c = h.controller();
      await c.ready;
      expect(c.snapshot().state).toBe('stopped');
      expect(await h.pidFile()).toBeNull();
      const running = await c.start();
      expect(running.state).toBe('running');
      expect(await h.pidFile()).toBe(String(running.pid));
      await c.stop();
    });
  }

  it('leaves an empty server.pid written a moment ago alone (msb writes it in place: truncate, then write)', async () => {
    await fsp.mkdir(h.home, { recursive: true });
    await fsp.writeFile(h.paths.pidFile, '');
    const c = h.controller();
    await c.ready;
    expect(await h.pidFile()).toBe('');
  });

  it('never adopts or signals an unrelated live process named in server.pid', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await fsp.mkdir(h.home, { recursive: true });
      await fsp.writeFile(h.paths.pidFile, String(sleeper.pid));
      const c = h.controller();
      await c.ready;
      expect(c.snapshot().state).toBe('stopped');
      expect(await h.pidFile()).toBeNull();
      await fsp.writeFile(h.paths.pidFile, String(sleeper.pid));
      expect((await c.stop()).state).toBe('stopped');
      expect(isAlive(sleeper.pid ?? 0)).toBe(true);
      const running = await c.start();
      expect(running.pid).not.toBe(sleeper.pid);
      await c.stop();
      expect(isAlive(sleeper.pid ?? 0)).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('removes the PID file of a dead process', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    await fsp.mkdir(h.home, { recursive: true });
    await fsp.writeFile(h.paths.pidFile, String(gone.pid));
    const c = h.controller();
    await c.ready;
    expect(c.snapshot().state).toBe('stopped');
    expect(await h.pidFile()).toBeNull();
  });
});
