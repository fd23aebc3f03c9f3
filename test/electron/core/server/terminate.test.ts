// Ending a server and its process group: msbserver behind wrapper scripts — without `exec`, putting the
// server in the background, exec'ing another name — stopped as a whole process group, recognised
// after an app restart by the app's own record, and Stop winning over a start.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHealth } from '../../../../electron/core/server/health.ts';
import { portInUse } from '../../../../electron/core/server/port-check.ts';
import {
  useServer,
  harnessPerTest,
  isAlive,
  nextState,
  processesIn,
  waitUntil,
  type Harness,
} from './lifecycle-harness.ts';
import { daemonWrapper, noExecWrapper, renamedExecWrapper } from './world.ts';

let h: Harness;
let stateDir: string;

harnessPerTest((made) => {
  h = made;
  stateDir = made.stateDir;
});

const withServer = (executable: string): void => useServer(h, executable);

describe('process groups', () => {
  it('stops a wrapper that runs the server without exec: the whole group goes and the port is free', async () => {
    withServer(await noExecWrapper(path.join(h.root, 'wrapper')));
    const c = h.controller();
    const running = await c.start();
    expect(running.state).toBe('running');
    const group = processesIn(h.home);
    expect(group.length).toBe(2); // the shell and the server it runs
    expect(await checkHealth(running.url ?? '')).toBe(true);

    const stopped = await c.stop();
    expect(stopped.state).toBe('stopped');
    expect(processesIn(h.home)).toEqual([]);
    expect(await portInUse('127.0.0.1', h.settings.port)).toBe(false);
    expect(await h.pidFile()).toBeNull();
    expect((await c.start()).state).toBe('running'); // no "port in use"
    await c.stop();
  });

  it('ends the whole group when the readiness timeout kills a start, and says the real seconds', async () => {
    withServer(await noExecWrapper(path.join(h.root, 'wrapper')));
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    h.settings = { ...h.settings, readinessTimeoutMs: 1_500 };
    const failed = await h.controller().start();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('timeout');
    expect(failed.error?.message).toContain('after 1.5 s without a health answer');
    expect(processesIn(h.home)).toEqual([]);
    expect(await h.pidFile()).toBeNull();
  });

  it(
    'tracks the server a backgrounding wrapper leaves (it exits 0), ' + 'names it in server.pid, and stops it',
    async () => {
      withServer(await daemonWrapper(path.join(h.root, 'wrapper')));
      const c = h.controller({}, { stateDir });
      const running = await c.start();
      expect(running.state).toBe('running');
      expect(running.external).toBe(false);
      const [server] = processesIn(h.home);
      expect(processesIn(h.home)).toHaveLength(1);
      expect(running.pid).toBe(server);
      expect(await h.pidFile()).toBe(String(server));
      await c.stop();
      expect(processesIn(h.home)).toEqual([]);
      expect(await h.pidFile()).toBeNull();
    },
  );

  it('leaves nothing when a backgrounding wrapper’s server never answers', async () => {
    withServer(await daemonWrapper(path.join(h.root, 'wrapper')));
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    h.settings = { ...h.settings, readinessTimeoutMs: 1_000 };
    const failed = await h.controller().start();
    expect(failed.state).toBe('failed');
    expect(processesIn(h.home)).toEqual([]);
    expect(await h.pidFile()).toBeNull();
  });

  it('ends what a wrapper left in its group when `msb server stop` signals only the wrapper', async () => {
    withServer(await noExecWrapper(path.join(h.root, 'wrapper')));
    const c = h.controller();
    const running = await c.start();
    // msb server stop: SIGTERM to the PID in server.pid, then the file goes.
    process.kill(running.pid ?? 0, 'SIGTERM');
    await fsp.rm(h.paths.pidFile, { force: true });
    await nextState(c, 'stopped');
    await waitUntil(() => processesIn(h.home).length === 0);
    expect(processesIn(h.home)).toEqual([]);
  });
});

describe('the app’s record of what it started', () => {
  it(
    'adopts its own server after an app restart although the process is named .msbserver-wrapped, ' + 'and stops it',
    async () => {
      withServer(await renamedExecWrapper(path.join(h.root, 'wrapper')));
      const first = h.controller({}, { stateDir });
      const running = await first.start();
      expect(running.state).toBe('running');
      const cmdline = await fsp.readFile(`/proc/${running.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('.msbserver-wrapped');
      await first.dispose(); // the app quits; the detached server stays

      const second = h.controller({}, { stateDir });
      await second.ready;
      expect(second.snapshot()).toMatchObject({
        state: 'running',
        pid: running.pid,
        external: false,
        url: running.url,
      });
      const stopped = await second.stop();
      expect(stopped.state).toBe('stopped');
      expect(isAlive(running.pid ?? 0)).toBe(false);
      expect(await h.pidFile()).toBeNull();
    },
  );

  it('does not take a reused PID for its server: the record holds the start time', async () => {
    const first = h.controller({}, { stateDir });
    const running = await first.start();
    await first.dispose({ stopServer: true });
    // Another process now has... any other PID; the record names a dead one. Write server.pid
    // naming a live unrelated process, as a reuse would look.
    await fsp.writeFile(h.paths.pidFile, String(process.pid));
    const second = h.controller({}, { stateDir });
    await second.ready;
    expect(second.snapshot().state).toBe('stopped');
    expect(isAlive(running.pid ?? 0)).toBe(false);
    expect(isAlive(process.pid)).toBe(true);
  });
});

describe('Stop wins', () => {
  it('stops a start that waits for health at once, not after the readiness timeout', async () => {
    h.env = { ...h.env, MSB_STANDIN_READY_DELAY_MS: '600000' };
    h.settings = { ...h.settings, readinessTimeoutMs: 120_000 };
    const c = h.controller();
    const starting = c.start();
    await new Promise<void>((resolve) => {
      const off = c.onChange((s) => {
        if (s.state === 'starting' && s.pid !== null) {
          off();
          resolve();
        }
      });
    });
    const stopped = await c.stop(); // within the test's 30 s, so not after the 120 s timeout
    expect(stopped.state).toBe('stopped');
    expect((await starting).state).not.toBe('running');
    expect(processesIn(h.home)).toEqual([]);
    expect(await h.pidFile()).toBeNull();
    expect(h.states(c)).not.toContain('failed');
  });
});

describe('honest labels', () => {
  it('calls a folder at server.pid a home problem and says how to fix it', async () => {
    await fsp.mkdir(h.paths.pidFile, { recursive: true });
    const failed = await h.controller().start();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('home-error');
    expect(failed.error?.message).toContain(`${h.paths.pidFile} is a folder`);
    expect(failed.error?.message).toContain('rmdir');
  });
});
