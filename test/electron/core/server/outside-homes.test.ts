// The outside world (3, 4, 6): the home is part of a server's identity, a live server is never
// dropped when server.pid is rewritten, and server.pid is read as msb reads it.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STANDIN_PATH, freePort } from '../../../fixtures/standin-helpers.ts';
import { createHarness, isAlive, processesIn, waitUntil, type Harness } from './lifecycle-harness.ts';
import { cliStart, deadPid } from './world.ts';

let h: Harness;
let otherHome: string;
const strays: ChildProcess[] = [];

beforeEach(async () => {
  h = await createHarness();
  otherHome = path.join(h.root, 'other-home');
  await fsp.mkdir(otherHome, { recursive: true });
});

afterEach(async () => {
  // The other home's server is the test's own to end; this home's must be gone by now.
  const leftovers = processesIn(h.home);
  for (const pid of processesIn(otherHome)) process.kill(pid, 'SIGKILL');
  for (const child of strays.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await h.cleanup();
  expect(leftovers, 'processes of the test left running').toEqual([]);
});

async function healthy(port: number): Promise<void> {
  const ok = await waitUntil(
    async () => (await fetch(`http://127.0.0.1:${port}/api/v1/health`).catch(() => null))?.ok === true,
    5_000,
  );
  if (!ok) throw new Error(`no health on ${port}`);
}

describe('another home’s server', () => {
  it('is never adopted or signalled, even when this home’s server.pid names it, and the app says which home it serves', async () => {
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
  });

  it('names another home’s server that holds the port', async () => {
    const other = await cliStart({ home: otherHome, port: h.settings.port, executable: STANDIN_PATH, writePid: false });
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
    expect(await waitUntil(async () => (await h.pidFile()) === String(running.pid), 5_000)).toBe(true);
    expect(c.snapshot()).toMatchObject({ state: 'running', pid: running.pid });
    await c.stop();
    expect(isAlive(running.pid ?? 0)).toBe(false);
  });

  it('keeps tracking an adopted server when server.pid is overwritten with an unrelated live PID, and Stop stops it', async () => {
    const cli = await cliStart({ home: h.home, port: h.settings.port, executable: STANDIN_PATH });
    await healthy(h.settings.port);
    const c = h.controller({ livenessMs: 100 });
    await c.ready;
    expect(c.snapshot()).toMatchObject({ state: 'running', pid: cli.pid, external: true });
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    strays.push(sleeper);
    await fsp.writeFile(h.paths.pidFile, String(sleeper.pid));
    expect(await waitUntil(async () => (await h.pidFile()) === String(cli.pid), 5_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(c.snapshot()).toMatchObject({ state: 'running', pid: cli.pid });
    await c.stop();
    expect(isAlive(cli.pid ?? 0)).toBe(false);
    expect(isAlive(sleeper.pid ?? 0)).toBe(true);
  });

  it('puts server.pid back when it is removed while the server keeps running', async () => {
    const c = h.controller({ livenessMs: 100 });
    const running = await c.start();
    await fsp.rm(h.paths.pidFile);
    expect(await waitUntil(async () => (await h.pidFile()) === String(running.pid), 5_000)).toBe(true);
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
