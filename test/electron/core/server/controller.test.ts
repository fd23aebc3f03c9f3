import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHealth } from '../../../../electron/core/server/health.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
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

async function writeWrapper(name: string, body: string): Promise<string> {
  const dir = path.join(h.root, name);
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'msbserver');
  await fsp.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('start and stop', () => {
  it('starts in secure mode with the key from server.key, healthy before running, then stops', async () => {
    await fsp.mkdir(h.home, { recursive: true });
    await fsp.writeFile(h.paths.keyFile, 'ExistingKey0123456789abcdefghijk', { mode: 0o644 });
    const c = h.controller();
    const running = await c.start();

    expect(running.state).toBe('running');
    expect(running.external).toBe(false);
    expect(running.healthy).toBe(true);
    expect(running.devMode).toBe(false);
    expect(running.url).toBe(`http://127.0.0.1:${h.settings.port}`);
    expect(h.states(c)).toEqual(['starting', 'starting', 'running']);
    expect(await h.pidFile()).toBe(String(running.pid));
    expect(h.liveServers()).toEqual([running.pid]);

    const record = await h.record();
    expect(record.pid).toBe(running.pid);
    expect(record.argv).toEqual(['--key=ExistingKey0123456789abcdefghijk', '--port', String(h.settings.port)]);
    // Health answered before the controller said running.
    expect(record.listeningAt).toBeLessThanOrEqual(running.startedAt ?? 0);
    expect(await checkHealth(running.url ?? '')).toBe(true);
    expect((await fsp.stat(h.paths.keyFile)).mode & 0o777).toBe(0o600);

    const stopped = await c.stop();
    expect(stopped.state).toBe('stopped');
    expect(stopped.pid).toBeNull();
    expect(h.states(c).slice(3)).toEqual(['stopping', 'stopped']);
    expect(await h.pidFile()).toBeNull();
    expect(isAlive(running.pid ?? 0)).toBe(false);

    const log = await fsp.readFile(c.logFile, 'utf8');
    expect(log).toContain('Server listening on 127.0.0.1:');
    expect(log).toContain('--key=<redacted>');
    expect(log).not.toContain('ExistingKey0123456789abcdefghijk');
  });

  it('creates a fresh 32-character key when none exists, and namespaces/', async () => {
    const c = h.controller();
    await c.start();
    const key = await fsp.readFile(h.paths.keyFile, 'utf8');
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await h.record()).argv[0]).toBe(`--key=${key}`);
    expect((await fsp.stat(h.paths.namespacesDir)).isDirectory()).toBe(true);
    await c.stop();
  });

  it('uses a custom key (overwriting server.key) and resets the key on request', async () => {
    await fsp.mkdir(h.home, { recursive: true });
    await fsp.writeFile(h.paths.keyFile, 'old-key');
    const c = h.controller();
    await c.start({ customKey: 'my custom key' });
    expect((await h.record()).argv[0]).toBe('--key=my custom key');
    expect(await fsp.readFile(h.paths.keyFile, 'utf8')).toBe('my custom key');

    const restarted = await c.restart({ resetKey: true });
    expect(restarted.state).toBe('running');
    const fresh = await fsp.readFile(h.paths.keyFile, 'utf8');
    expect(fresh).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await h.record()).argv[0]).toBe(`--key=${fresh}`);
    await c.stop();
  });

  it('starts in dev mode without a key and forwards only the flags that were set', async () => {
    h.settings = { ...h.settings, devMode: true, namespacesPath: path.join(h.root, 'ns'), logLevel: 'debug' };
    const c = h.controller();
    const running = await c.start();
    expect(running.devMode).toBe(true);
    const record = await h.record();
    expect(record.argv).toEqual(['--dev', '--port', String(h.settings.port), '--path', path.join(h.root, 'ns')]);
    expect(record.env.RUST_LOG).toBe('debug');
    await expect(fsp.access(h.paths.keyFile)).rejects.toThrow();
    await c.stop();
  });

  it('restart replaces the process', async () => {
    const c = h.controller();
    const first = await c.start();
    const second = await c.restart();
    expect(second.state).toBe('running');
    expect(second.pid).not.toBe(first.pid);
    expect(isAlive(first.pid ?? 0)).toBe(false);
    expect(await h.pidFile()).toBe(String(second.pid));
    await c.stop();
  });

  it('stays "starting" until the server answers its health check', async () => {
    h.env = { ...h.env, MSB_STANDIN_READY_DELAY_MS: '400' };
    const c = h.controller();
    const starting = nextState(c, 'starting');
    const started = c.start();
    await starting;
    await waitUntil(async () => (await h.pidFile()) !== null);
    expect(c.snapshot().state).toBe('starting');
    const running = await started;
    expect(running.state).toBe('running');
    expect((await h.record()).listeningAt).toBeLessThanOrEqual(running.startedAt ?? 0);
    await c.stop();
  });
});

describe('start failures', () => {
  it('reports a missing binary with every place searched', async () => {
    h.env = { PATH: '', MSBSERVER_EXE: undefined };
    const c = h.controller();
    const failed = await c.start();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('not-found');
    expect(failed.error?.searched).toEqual([path.join(h.root, '.local', 'bin', 'msbserver')]);
    expect(failed.error?.message).toMatch(/microsandbox/);
    expect(h.states(c)).toEqual(['starting', 'failed']);
    expect(await h.pidFile()).toBeNull();
  });

  it('reports MSBSERVER_EXE pointing nowhere', async () => {
    h.env = { ...h.env, MSBSERVER_EXE: path.join(h.root, 'nope', 'msbserver') };
    const failed = await h.controller().start();
    expect(failed.error?.code).toBe('not-found');
    expect(failed.error?.message).toContain('MSBSERVER_EXE');
    expect(failed.error?.searched).toEqual([path.join(h.root, 'nope', 'msbserver')]);
  });

  it('reports a binary that is not executable', async () => {
    const file = await writeWrapper('noexec', 'exit 0');
    await fsp.chmod(file, 0o644);
    h.env = { ...h.env, MSBSERVER_EXE: undefined };
    h.settings = { ...h.settings, msbserverPath: file };
    const failed = await h.controller().start();
    expect(failed.error?.code).toBe('not-executable');
    expect(failed.error?.searched).toContain(file);
    expect(await h.pidFile()).toBeNull();
  });

  it('fails at once with the exit code and log tail when the server exits (no key given)', async () => {
    h.env = { ...h.env, MSBSERVER_EXE: await writeWrapper('nokey', `exec "${STANDIN_PATH}"`) };
    const failed = await h.controller().start();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('exited');
    expect(failed.error?.exitCode).toBe(1);
    expect(failed.error?.logTail.join('\n')).toMatch(/No key provided/);
    expect(await h.pidFile()).toBeNull();
  });

  it('fails with exit code 2 on a flag the server does not know', async () => {
    h.env = { ...h.env, MSBSERVER_EXE: await writeWrapper('badflag', `exec "${STANDIN_PATH}" --bogus "$@"`) };
    const failed = await h.controller().start();
    expect(failed.error?.code).toBe('exited');
    expect(failed.error?.exitCode).toBe(2);
    expect(failed.error?.logTail.join('\n')).toMatch(/--bogus/);
    expect(await h.pidFile()).toBeNull();
  });

  it('reports an immediate exit with its code (fault knob)', async () => {
    h.env = { ...h.env, MSB_STANDIN_EXIT_CODE: '3' };
    const failed = await h.controller().start();
    expect(failed.error?.code).toBe('exited');
    expect(failed.error?.exitCode).toBe(3);
    expect(failed.error?.logTail.length).toBeGreaterThan(0);
    expect(await h.pidFile()).toBeNull();
  });

  it('reports a port in use before spawning anything', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(h.settings.port, '127.0.0.1', resolve));
    try {
      const failed = await h.controller().start();
      expect(failed.error?.code).toBe('port-in-use');
      expect(failed.error?.message).toContain(String(h.settings.port));
      await expect(fsp.access(h.recordFile)).rejects.toThrow();
      expect(await h.pidFile()).toBeNull();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('gives up after the readiness timeout, kills the server and leaves no PID file', async () => {
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    h.settings = { ...h.settings, readinessTimeoutMs: 1_000 };
    const c = h.controller();
    const failed = await c.start();
    expect(failed.error?.code).toBe('timeout');
    expect(failed.error?.signal).toBe('SIGKILL');
    const { pid } = await h.record();
    expect(isAlive(pid)).toBe(false);
    expect(await h.pidFile()).toBeNull();
  });

  it('notices a server killed while it is still starting', async () => {
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    const c = h.controller();
    const started = c.start();
    await waitUntil(async () => (await h.pidFile()) !== null);
    process.kill(Number(await h.pidFile()), 'SIGKILL');
    const failed = await started;
    expect(failed.error?.code).toBe('exited');
    expect(failed.error?.signal).toBe('SIGKILL');
    expect(await h.pidFile()).toBeNull();
  });
});

describe('watching', () => {
  it('reports a crash without any user action, with exit code and log', async () => {
    h.env = { ...h.env, MSB_STANDIN_CRASH_AFTER_MS: '200' };
    const c = h.controller();
    const running = await c.start();
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
    const c = h.controller();
    await c.ready;
    const child = await h.cliStart();
    const running = await nextState(c, 'running');
    expect(running).toMatchObject({ external: true, pid: child.pid, url: `http://127.0.0.1:${h.settings.port}` });
    expect(await waitUntil(() => c.snapshot().healthy === true)).toBe(true);

    process.kill(child.pid ?? 0, 'SIGTERM');
    await fsp.unlink(h.paths.pidFile);
    const stopped = await nextState(c, 'stopped');
    expect(stopped.pid).toBeNull();
  });

  it('reports an adopted server that died while still recorded as crashed', async () => {
    const child = await h.cliStart();
    const c = h.controller({ livenessMs: 50 });
    await c.ready;
    await waitUntil(() => c.snapshot().state === 'running');
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
      await waitUntil(() => c.snapshot().healthy === false, 8_000);
      expect(c.snapshot()).toMatchObject({ state: 'running', healthy: false });
    } finally {
      process.kill(running.pid ?? 0, 'SIGCONT');
    }
    await waitUntil(() => c.snapshot().healthy === true, 8_000);
    await c.stop();
  });
});

describe('adopting what the CLI left', () => {
  it('adopts a running CLI-started server as external, and stops it', async () => {
    const child = await h.cliStart();
    await waitUntil(async () => checkHealth(`http://127.0.0.1:${h.settings.port}`));
    const c = h.controller();
    await c.ready;
    expect(c.snapshot()).toMatchObject({ state: 'running', external: true, pid: child.pid, healthy: true, devMode: false });
    const stopped = await c.stop();
    expect(stopped.state).toBe('stopped');
    expect(isAlive(child.pid ?? 0)).toBe(false);
    expect(await h.pidFile()).toBeNull();
  });

  it('reads dev mode and port back from an adopted server', async () => {
    await fsp.mkdir(h.home, { recursive: true });
    const child = spawn(STANDIN_PATH, ['--dev', '--port', String(h.settings.port)], { detached: true, stdio: 'ignore', cwd: h.home });
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
});
