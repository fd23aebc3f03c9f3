import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, type TestFunction } from 'vitest';
import { itOnLinux } from '../../../support/platform.ts';
import { waitFor } from '../../../support/wait-for.ts';
import {
  argvLooksLikeMsbserver,
  identifyServerProcess,
  parseLstart,
  processLiveness,
  processStartTime,
  readProcessArgv,
} from '../../../../electron/core/process/process-identity.ts';
import { STANDIN_PATH, freePort, startStandin, waitForExit } from '../../../fixtures/standin-helpers.ts';
import type { RunningStandin } from '../../../fixtures/standin-helpers.ts';

const linuxOnly = (name: string, fn: TestFunction): void =>
  itOnLinux(name, "reads what only /proc/<pid> shows: a zombie's state, arguments kept apart", fn);
const posixOnly = it.skipIf(process.platform === 'win32');

const children: ChildProcess[] = [];
const standins: RunningStandin[] = [];

afterEach(async () => {
  for (const standin of standins.splice(0)) {
    const status = await standin.stop(1000);
    expect(status.code !== null || status.signal !== null).toBe(true);
  }
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const status = await waitForExit(child);
    expect(status.code !== null || status.signal !== null).toBe(true);
  }
});

function track(child: ChildProcess): ChildProcess & { pid: number } {
  children.push(child);
  if (child.pid === undefined) throw new Error('spawn failed');
  return child as ChildProcess & { pid: number };
}

/** A `sleep 30` of our own user: alive, and certainly not msbserver. */
async function spawnSleeper(): Promise<ChildProcess & { pid: number }> {
  const child = track(spawn('sleep', ['30'], { stdio: 'ignore' }));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child;
}

/** The PID of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = track(spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }));
  const status = await waitForExit(child);
  expect(status).toEqual({ code: 0, signal: null });
  return child.pid;
}

/** Waits for `check`; a generous bound because real processes are involved. */
const eventually = (check: () => Promise<boolean>, timeout = 10_000): Promise<void> => waitFor(check, { timeout });

describe('processLiveness', () => {
  it('sees this process as alive', async () => {
    expect(await processLiveness(process.pid)).toBe('alive');
  });

  it('sees a live child as alive', async () => {
    const child = await spawnSleeper();
    expect(await processLiveness(child.pid)).toBe('alive');
  });

  it('sees a reaped child as dead', async () => {
    expect(await processLiveness(await deadPid())).toBe('dead');
  });

  it('sees a killed and reaped child as dead', async () => {
    const child = await spawnSleeper();
    child.kill('SIGKILL');
    expect((await waitForExit(child)).signal).toBe('SIGKILL');
    expect(await processLiveness(child.pid)).toBe('dead');
  });

  it('sees a PID beyond pid_max as dead', async () => {
    expect(await processLiveness(2 ** 31 - 1)).toBe('dead');
  });

  posixOnly('sees pid 1 as alive when running as root, else as another user’s', async () => {
    const expected = process.getuid?.() === 0 ? 'alive' : 'other-user';
    expect(await processLiveness(1)).toBe(expected);
  });

  linuxOnly('sees a zombie (exited, not yet reaped) as dead', async () => {
    // `sleep 0.05` is started in the background, then the shell becomes `sleep 30`, which never
    // reaps its children: the background sleep stays a zombie until the parent is killed.
    const parent = track(
      spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    const zombie = await new Promise<number>((resolve, reject) => {
      parent.stdout?.setEncoding('utf8').once('data', (text: string) => resolve(Number(text.trim())));
      parent.once('error', reject);
    });
    expect(Number.isInteger(zombie) && zombie > 1).toBe(true);
    await eventually(async () =>
      /^State:\s+Z/m.test(await fsp.readFile(`/proc/${zombie}/status`, 'utf8').catch(() => '')),
    );
    // kill(pid, 0) still succeeds for a zombie: only the state tells it apart.
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(await processLiveness(zombie)).toBe('dead');
    expect(await identifyServerProcess(zombie)).toEqual({ kind: 'dead' });
    expect(await processLiveness(parent.pid)).toBe('alive');
  });
});

describe('argvLooksLikeMsbserver', () => {
  it.each([
    [['/home/u/.local/bin/msbserver', '--key', 'x']],
    [['msbserver']],
    [['./msbserver', '--dev']],
    [['node', '/x/msbserver']],
    [['/usr/bin/node', '/x/msbserver', '--dev', '--port', '5556']],
    [['/usr/bin/env', 'node', '/x/msbserver', '--port', '1']],
    [['node', '--inspect', '/x/msbserver']],
    [['node', '--inspect', '--enable-source-maps', '/x/msbserver', '--dev']],
    [['bash', '/x/msbserver']],
    [['sh', '-e', '/x/msbserver', '--dev']],
    [['/usr/bin/env', '-i', 'node', '/x/msbserver']],
    [['python3', '-u', '/x/msbserver']],
  ])('recognises %j', (argv) => {
    expect(argvLooksLikeMsbserver(argv)).toBe(true);
  });

  it.each([
    [['msb', 'server', 'start']],
    [['/home/u/.local/bin/msb', 'server', 'start', '--dev']],
    [['node', '/x/msbserver.js']],
    [['sh', '-c', 'msbserver']],
    [['sh', '-c', '/x/msbserver']],
    [['/bin/bash', '-lc', 'msbserver --dev']],
    [['zsh', '-e', '-c', 'msbserver']],
    [['bash', '--command', 'msbserver']],
    [['node', '-e', 'run()', 'msbserver']],
    [['node', '-p', '1', '/x/msbserver']],
    [['node', '--eval', 'run()', '/x/msbserver']],
    [['node', '--eval=run()', '/x/msbserver']],
    [['node', '--print=1', '/x/msbserver']],
    [['python3', '-c', 'run()', 'msbserver']],
    [['python3', '-m', 'msbserver']],
    [['/usr/bin/env', '-S', 'node /x/msbserver']],
    [[]],
    [['']],
    [['/bin/msbserver-helper']],
    [['/bin/not-msbserver']],
    [['/x/msbserver/run']],
    [['node']],
    [['node', '--inspect']],
    [['sleep', '30', 'msbserver']],
    [['/usr/bin/env', 'python3', '/x/server.py', 'msbserver']],
  ])('rejects %j', (argv) => {
    expect(argvLooksLikeMsbserver(argv)).toBe(false);
  });
});

describe('identifyServerProcess', () => {
  posixOnly('recognises the msbserver stand-in and returns its argv', async () => {
    const standin = await startStandin({ args: ['--dev'] });
    standins.push(standin);
    const pid = standin.child.pid;
    if (pid === undefined) throw new Error('no pid');
    const identity = await identifyServerProcess(pid);
    expect(identity.kind).toBe('msbserver');
    if (identity.kind !== 'msbserver') return;
    expect(identity.argv).toContain(STANDIN_PATH);
    expect(identity.argv).toContain('--dev');
    expect(identity.argv.slice(-2)).toEqual(['--port', String(standin.port)]);
    expect(argvLooksLikeMsbserver(identity.argv)).toBe(true);
  });

  posixOnly('calls a sleep another process', async () => {
    const child = await spawnSleeper();
    expect(await identifyServerProcess(child.pid)).toEqual({ kind: 'other-process' });
  });

  posixOnly('calls this test runner another process', async () => {
    expect(await identifyServerProcess(process.pid)).toEqual({ kind: 'other-process' });
  });

  it('calls a reaped PID dead', async () => {
    expect(await identifyServerProcess(await deadPid())).toEqual({ kind: 'dead' });
  });

  posixOnly('calls the stand-in dead once it has been stopped', async () => {
    const standin = await startStandin({ args: ['--dev'] });
    standins.push(standin);
    const pid = standin.child.pid ?? 0;
    expect((await identifyServerProcess(pid)).kind).toBe('msbserver');
    await standin.stop();
    expect(await identifyServerProcess(pid)).toEqual({ kind: 'dead' });
  });

  posixOnly('calls pid 1 someone else’s or another process, never msbserver', async () => {
    const identity = await identifyServerProcess(1);
    expect(identity.kind).toBe(process.getuid?.() === 0 ? 'other-process' : 'other-user');
  });
});

describe('readProcessArgv', () => {
  linuxOnly('round-trips arguments with spaces, empty ones and non-ASCII text', async () => {
    const args = ['-e', 'setTimeout(() => {}, 30000)', '--', 'a b', '', '  two  spaces ', 'ünïcødé ✓', ''];
    const child = track(spawn(process.execPath, args, { stdio: 'ignore' }));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    // The kernel may show the pre-exec argv for an instant; wait until it is node's.
    await eventually(async () => (await readProcessArgv(child.pid))?.[0] === process.execPath);
    expect(await readProcessArgv(child.pid)).toEqual([process.execPath, ...args]);
  });

  linuxOnly('reads a sleeper’s argv', async () => {
    const child = await spawnSleeper();
    await eventually(async () => (await readProcessArgv(child.pid))?.[0] === 'sleep');
    expect(await readProcessArgv(child.pid)).toEqual(['sleep', '30']);
  });

  it('returns null for a reaped PID', async () => {
    expect(await readProcessArgv(await deadPid())).toBeNull();
  });

  it('returns null on Windows', async () => {
    expect(await readProcessArgv(process.pid, 'win32')).toBeNull();
  });

  posixOnly('falls back to ps on other Unixes (words split at spaces)', async () => {
    const child = await spawnSleeper();
    await eventually(async () => (await readProcessArgv(child.pid))?.[0] === 'sleep');
    expect(await readProcessArgv(child.pid, 'darwin')).toEqual(['sleep', '30']);
    expect(await readProcessArgv(await deadPid(), 'darwin')).toBeNull();
  });
});

describe('processStartTime', () => {
  it('puts a just-spawned child within a few seconds of now', async () => {
    const before = Date.now();
    const child = await spawnSleeper();
    const started = await processStartTime(child.pid);
    const after = Date.now();
    expect(started).not.toBeNull();
    // btime has whole seconds and the clock ticks are 10 ms: allow a few seconds either way.
    expect(started ?? 0).toBeGreaterThan(before - 3_000);
    expect(started ?? 0).toBeLessThan(after + 3_000);
  });

  it('puts this test runner before a child it spawns', async () => {
    const child = await spawnSleeper();
    const [self, spawned] = await Promise.all([processStartTime(process.pid), processStartTime(child.pid)]);
    expect(self).not.toBeNull();
    expect(spawned).not.toBeNull();
    expect(self ?? Infinity).toBeLessThanOrEqual((spawned ?? 0) + 1_000);
  });

  it('returns null for a reaped PID', async () => {
    expect(await processStartTime(await deadPid())).toBeNull();
  });

  it('returns null on Windows', async () => {
    expect(await processStartTime(process.pid, 'win32')).toBeNull();
  });

  posixOnly('falls back to ps lstart on other Unixes, stable between two looks', async () => {
    const before = Date.now();
    const child = await spawnSleeper();
    const started = await processStartTime(child.pid, 'darwin');
    const firstLook = Math.floor(Date.now() / 1_000);
    expect(started).not.toBeNull();
    expect(started ?? 0).toBeGreaterThan(before - 3_000);
    expect(started ?? 0).toBeLessThan(Date.now() + 1_000);
    // ps counts in whole seconds: the second look comes in a later second than the first.
    await waitFor(() => Math.floor(Date.now() / 1_000) > firstLook, { what: 'the next wall-clock second' });
    expect(await processStartTime(child.pid, 'darwin')).toBe(started);
    expect(await processStartTime(await deadPid(), 'darwin')).toBeNull();
  });
});

describe('parseLstart', () => {
  it.each([
    ['Tue Dec  1 19:42:07 2026', new Date(2026, 11, 1, 19, 42, 7).getTime()],
    ['Sat Feb 29 00:00:00 2028', new Date(2028, 1, 29, 0, 0, 0).getTime()],
    ['Mon Jan 12 09:05:59 2026', new Date(2026, 0, 12, 9, 5, 59).getTime()],
  ])('reads %j', (text, ms) => {
    expect(parseLstart(text)).toBe(ms);
  });

  it.each([
    '',
    '19:42:07',
    'Tue Dez  1 19:42:07 2026',
    'Tue Dec  1 19:42 2026',
    '1 Dec 2026 19:42:07',
    'Tue Dec  1 19:42:07 2026 extra',
  ])('rejects %j', (text) => {
    expect(parseLstart(text)).toBeNull();
  });
});

describe('identity through ps (macOS and the BSDs)', () => {
  it('joins a script path that ps split at its spaces', () => {
    const split = ['node', '/Users/me/My', 'Tools/msbserver', '--dev'];
    expect(argvLooksLikeMsbserver(split)).toBe(false);
    expect(argvLooksLikeMsbserver(split, { spacesSplit: true })).toBe(true);
    expect(argvLooksLikeMsbserver(['node', '/a/b', 'c/other', '--dev'], { spacesSplit: true })).toBe(false);
    expect(argvLooksLikeMsbserver(['sh', '-c', 'x', 'msbserver'], { spacesSplit: true })).toBe(false);
  });

  posixOnly('recognises msbserver under a path with spaces', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb tray identity '));
    try {
      const launcher = path.join(dir, 'msbserver');
      const main = new URL('../../../fixtures/msbserver-standin/main.js', import.meta.url).href;
      await fsp.writeFile(launcher, `#!/usr/bin/env node\nimport ${JSON.stringify(main)};\n`, { mode: 0o755 });
      const port = await freePort();
      const child = track(spawn(launcher, ['--dev', '--port', String(port)], { stdio: 'ignore' }));
      await eventually(async () => (await identifyServerProcess(child.pid)).kind === 'msbserver');
      expect((await identifyServerProcess(child.pid, 'darwin')).kind).toBe('msbserver');
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('says unknown, not "another process", when the command line cannot be read', async () => {
    // Windows has no way to read another process's argv here: alive but unknown.
    expect((await identifyServerProcess(process.pid, 'win32')).kind).toBe('unknown');
  });
});
