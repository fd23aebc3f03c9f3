// Reconcile and adopt (server/observe.ts): what the CLI left in server.pid.
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHealth } from '../../../../electron/core/server/health.ts';
import { pidFileReleased } from '../../../../electron/core/server/observe.ts';
import { createServerContext, stopDeadlineMs, type ServerContext } from '../../../../electron/core/server/context.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { type Logger, silentLogger } from '../../../../electron/core/base/logger.ts';
import { LOCK_WAIT_LINE, lockHeldByAnotherProcess } from './hostile-world.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { harnessPerTest, isAlive, waitUntil, type Harness, SERVER_UP_MS } from './lifecycle-harness.ts';
import { type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../../fixtures/standin-helpers.ts';
import { processesIn } from './lifecycle-harness.ts';
import { cliStart, deadPid } from './world.ts';

let h: Harness;

harnessPerTest((made) => {
  h = made;
});

describe('adopting what the CLI left', () => {
  it('adopts a running CLI-started server as external, and stops it', async () => {
    const child = await h.cliStart();
    await waitFor(async () => checkHealth(`http://127.0.0.1:${h.settings.port}`), {
      timeout: SERVER_UP_MS,
      what: 'the CLI-started server healthy',
    });
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

  it(
    'leaves an empty server.pid written a moment ago alone (msb writes it in place: ' + 'truncate, then write)',
    async () => {
      await fsp.mkdir(h.home, { recursive: true });
      await fsp.writeFile(h.paths.pidFile, '');
      const c = h.controller();
      await c.ready;
      expect(await h.pidFile()).toBe('');
    },
  );

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

// The home is part of a server's identity, a live server is never
// dropped when server.pid is rewritten, and server.pid is read as msb reads it.
describe('other homes, and a live server never dropped', () => {
  let otherHome: string;
  const strays: ChildProcess[] = [];

  beforeEach(async () => {
    otherHome = path.join(h.root, 'other-home');
    await fsp.mkdir(otherHome, { recursive: true });
  });

  afterEach(() => {
    // The other home's server is the test's own to end; this home's must be gone by now (the
    // harness ends it after this, and fails the test as well if one was left).
    const leftovers = processesIn(h.home);
    for (const pid of processesIn(otherHome)) process.kill(pid, 'SIGKILL');
    for (const child of strays.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    expect(leftovers, 'processes of the test left running').toEqual([]);
  });

  async function healthy(port: number): Promise<void> {
    const ok = await waitUntil(
      async () => (await fetch(`http://127.0.0.1:${port}/api/v1/health`).catch(() => null))?.ok === true,
      SERVER_UP_MS,
    );
    if (!ok) throw new Error(`no health on ${port}`);
  }

  describe('another home’s server', () => {
    it(
      'is never adopted or signalled, even when this home’s server.pid names it, and the app says which home it ' +
        'serves',
      async () => {
        const otherPort = await freePort();
        const other = await cliStart({ home: otherHome, port: otherPort, executable: STANDIN_PATH });
        await healthy(otherPort);
        await fsp.mkdir(h.home, { recursive: true });
        await fsp.writeFile(h.paths.pidFile, String(other.pid));

        const c = h.controller();
        await c.ready;
        expect(c.snapshot().state).toBe('stopped');
        expect(c.snapshot().warnings.join(' ')).toContain(otherHome);
        expect(await h.pidFile()).toBe(String(other.pid)); // it names a live msbserver: kept

        const stopped = await c.stop();
        expect(stopped.state).toBe('stopped');
        expect(stopped.warnings.join(' ')).toContain(otherHome);
        expect(isAlive(other.pid ?? 0)).toBe(true);

        const running = await c.start();
        expect(running.state).toBe('running');
        expect(running.pid).not.toBe(other.pid);
        expect(await h.pidFile()).toBe(String(running.pid));
        await c.stop();
        expect(isAlive(other.pid ?? 0)).toBe(true);
      },
    );

    it('names another home’s server that holds the port', async () => {
      const other = await cliStart({
        home: otherHome,
        port: h.settings.port,
        executable: STANDIN_PATH,
        writePid: false,
      });
      await healthy(h.settings.port);
      const failed = await h.controller().start();
      expect(failed.error?.code).toBe('port-in-use');
      expect(failed.error?.message).toContain(
        `msbserver (PID ${other.pid}), which serves the microsandbox home ${otherHome}`,
      );
      expect(isAlive(other.pid ?? 0)).toBe(true);
    });
  });

  describe('never drop a live server', () => {
    it('puts server.pid back when a losing starter overwrote it with a PID that died', async () => {
      const c = h.controller({ livenessMs: 100 });
      const running = await c.start();
      await fsp.writeFile(h.paths.pidFile, String(await deadPid()));
      expect(await waitUntil(async () => (await h.pidFile()) === String(running.pid))).toBe(true);
      expect(c.snapshot()).toMatchObject({ state: 'running', pid: running.pid });
      await c.stop();
      expect(isAlive(running.pid ?? 0)).toBe(false);
    });

    it(
      'keeps tracking an adopted server when server.pid is overwritten with an unrelated live PID, and Stop ' +
        'stops it',
      async () => {
        const cli = await cliStart({ home: h.home, port: h.settings.port, executable: STANDIN_PATH });
        await healthy(h.settings.port);
        const c = h.controller({ livenessMs: 100 });
        await c.ready;
        expect(c.snapshot()).toMatchObject({ state: 'running', pid: cli.pid, external: true });
        const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
        strays.push(sleeper);
        await fsp.writeFile(h.paths.pidFile, String(sleeper.pid));
        expect(await waitUntil(async () => (await h.pidFile()) === String(cli.pid))).toBe(true);
        await c.refresh(); // a look after the repair still tracks the same server
        expect(c.snapshot()).toMatchObject({ state: 'running', pid: cli.pid });
        await c.stop();
        expect(isAlive(cli.pid ?? 0)).toBe(false);
        expect(isAlive(sleeper.pid ?? 0)).toBe(true);
      },
    );

    it('puts server.pid back when it is removed while the server keeps running', async () => {
      const c = h.controller({ livenessMs: 100 });
      const running = await c.start();
      await fsp.rm(h.paths.pidFile);
      expect(await waitUntil(async () => (await h.pidFile()) === String(running.pid))).toBe(true);
      expect(c.snapshot().state).toBe('running');
      await c.stop();
    });
  });

  describe('server.pid as msb reads it', () => {
    it.each([
      ['a trailing newline', (pid: number) => `${pid}\n`],
      ['spaces around it', (pid: number) => ` ${pid} `],
      ['a plus sign', (pid: number) => `+${pid}`],
    ])('adopts a CLI server whose PID file has %s, and stops it', async (_name, pidText) => {
      const cli = await cliStart({ home: h.home, port: h.settings.port, executable: STANDIN_PATH, pidText });
      await healthy(h.settings.port);
      const c = h.controller();
      await c.ready;
      expect(c.snapshot()).toMatchObject({ state: 'running', pid: cli.pid });
      await c.stop();
      expect(isAlive(cli.pid ?? 0)).toBe(false);
      expect(await h.pidFile()).toBeNull();
    });
  });
});

describe("telling another's stop from a crash (pidFileReleased)", () => {
  const context = (logger: Logger = silentLogger): ServerContext =>
    createServerContext({
      logger,
      home: h.home,
      logDir: h.logDir,
      logFile: path.join(h.logDir, 'server.log'),
      settings: () => h.settings,
      timing: { stopGraceMs: 200, killWaitMs: 200 },
      scrubber: new SecretScrubber(h.paths.keyFile, silentLogger),
    });
  const GONE = 999_999; // server.pid still names the server that exited: nobody removed it

  beforeEach(async () => {
    await fsp.mkdir(h.home, { recursive: true, mode: 0o700 });
    await fsp.writeFile(h.paths.pidFile, String(GONE));
  });

  it("the user's act decides no exit when nobody holds the lock: still a crash", async () => {
    expect(await pidFileReleased(context(), GONE, 0, AbortSignal.abort())).toBe(false);
  });

  it('with nobody acting, a held lock is waited on to the stop deadline, then it is a crash', async () => {
    const other = await lockHeldByAnotherProcess(h.paths.lockFile);
    try {
      const t0 = Date.now();
      expect(await pidFileReleased(context(), GONE, 0)).toBe(false);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(stopDeadlineMs({ stopGraceMs: 200, killWaitMs: 200 }));
    } finally {
      await other.release();
    }
  });

  it("while another process holds the lock, the user's act ends the wait: a stop", async () => {
    const other = await lockHeldByAnotherProcess(h.paths.lockFile);
    try {
      expect(await pidFileReleased(context(), GONE, 0, AbortSignal.abort())).toBe(true);
    } finally {
      await other.release();
    }
  });

  it('the file removed while the wait on the held lock goes on: a stop, before the deadline', async () => {
    const other = await lockHeldByAnotherProcess(h.paths.lockFile);
    try {
      const logged: string[] = [];
      const keep = (line: string): void => void logged.push(line);
      const t0 = Date.now();
      const released = pidFileReleased(context({ debug: keep, info: keep, warn: keep, error: keep }), GONE, 0);
      await waitFor(() => logged.some((line) => line.includes(LOCK_WAIT_LINE)), {
        what: 'the wait on the lock to begin',
      });
      await fsp.rm(h.paths.pidFile);
      expect(await released).toBe(true);
      expect(Date.now() - t0).toBeLessThan(stopDeadlineMs({ stopGraceMs: 200, killWaitMs: 200 }));
    } finally {
      await other.release();
    }
  });
});
