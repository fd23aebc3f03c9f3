// The start procedure (server/start.ts) through the controller, against the msbserver stand-in.
import { promises as fsp } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHealth } from '../../../../electron/core/server/health.ts';
import { MSBRUN_STANDIN_PATH, STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { harnessPerTest, isAlive, nextState, type Harness, SERVER_UP_MS } from './lifecycle-harness.ts';
import { MAX_LINE_CHARS, MAX_TAIL_BYTES } from '../../../../electron/core/base/log-tail.ts';
import { floodingWrapper, loneWrapper } from './world.ts';

let h: Harness;

harnessPerTest((made) => {
  h = made;
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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
    await waitFor(async () => (await h.pidFile()) !== null, { timeout: SERVER_UP_MS, what: 'server.pid' });
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

  it('scrubs a failure with the scrubber it is given, not one of its own', async () => {
    h.env = { ...h.env, MSBSERVER_EXE: await writeWrapper('nokey-scrubbed', `exec "${STANDIN_PATH}"`) };
    const given = { scrubLines: (lines: readonly string[]) => Promise.resolve(lines.map((line) => `given: ${line}`)) };
    const failed = await h.controller({}, { scrubber: given }).start();
    expect(failed.error?.code).toBe('exited');
    expect(failed.error?.message).toMatch(/^given: /);
    expect(failed.error?.logTail.length).toBeGreaterThan(0);
    expect(failed.error?.logTail.every((line) => line.startsWith('given: '))).toBe(true);
  });

  it("keeps the server key and clients' tokens out of the failure's log lines and message", async () => {
    const key = 'LoggedKey0123456789LoggedKey0123';
    const token = 'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';
    await fsp.mkdir(h.home, { recursive: true });
    await fsp.writeFile(h.paths.keyFile, key, { mode: 0o600 });
    // A server build that logs its argv, its key and a client's token, then dies.
    const leaky = await writeWrapper(
      'leaky',
      `echo "argv: $*"\necho "using key ${key}"\necho "rejected Bearer ${token}"\nexit 4`,
    );
    h.env = { ...h.env, MSBSERVER_EXE: leaky };
    const failed = await h.controller().start();
    expect(failed.error?.code).toBe('exited');
    expect(failed.error?.exitCode).toBe(4);
    const tail = failed.error?.logTail.join('\n') ?? '';
    expect(tail).toContain('using key [server key hidden]');
    expect(tail).toContain('rejected Bearer msb_[token hidden]');
    expect(tail).toMatch(/argv: --key=\[server key hidden\]/);
    expect(JSON.stringify(failed)).not.toContain(key);
    expect(JSON.stringify(failed)).not.toContain(token);
    // The log file itself keeps what the server wrote: it is the app's own file, never the window's.
    expect(await fsp.readFile(path.join(h.logDir, 'msbserver.log'), 'utf8')).toContain(`using key ${key}`);
  });

  it('refuses to run an msbserver others could change, from Settings too, and spawns nothing', async () => {
    const wrapper = await writeWrapper('writable', `exec "${STANDIN_PATH}" "$@"`);
    await fsp.chmod(wrapper, 0o777);
    h.env = { ...h.env, MSBSERVER_EXE: '' };
    h.settings = { ...h.settings, msbserverPath: wrapper };
    const failed = await h.controller().start();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('unsafe-executable');
    expect(failed.error?.message).toMatch(/msbserver path in Settings points at .*group- or world-writable/);
    await expect(fsp.access(h.recordFile)).rejects.toThrow();
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

  it('never starts development mode on a host others reach, whatever the stored settings say', async () => {
    h.settings = { ...h.settings, devMode: true, host: '0.0.0.0' };
    const failed = await h.controller().start();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('unsafe-settings');
    expect(failed.error?.message).toMatch(/Development mode on 0\.0\.0\.0 is refused.*The server was not started\./);
    await expect(fsp.access(h.recordFile)).rejects.toThrow();
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

  it('starts with a fresh key, not a one-byte secret, when server.key holds only a newline', async () => {
    await fsp.mkdir(h.home, { recursive: true });
    await fsp.writeFile(h.paths.keyFile, '\n', { mode: 0o644 });
    const c = h.controller();
    const running = await c.start();
    expect(running.state).toBe('running');
    const key = await fsp.readFile(h.paths.keyFile, 'utf8');
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await h.record()).argv[0]).toBe(`--key=${key}`);
    await c.stop();
  });

  it('names server.key and the fix when it is a folder, and starts nothing', async () => {
    await fsp.mkdir(h.paths.keyFile, { recursive: true });
    const failed = await h.controller().start();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('home-error');
    expect(failed.error?.message).toContain(`${h.paths.keyFile} is a folder`);
    expect(failed.error?.message).toContain(`rmdir ${h.paths.keyFile}`);
    expect(failed.error?.message).not.toMatch(/EISDIR/);
    expect(h.liveServers()).toEqual([]);
    expect(await h.pidFile()).toBeNull();
  });

  it('counts a first health answer slower than a second when it comes within the start timeout', async () => {
    h.env = { ...h.env, MSB_STANDIN_HEALTH_DELAY_MS: '1500' };
    const c = h.controller();
    const running = await c.start();
    expect(running.state).toBe('running');
    expect(running.healthy).toBe(true);
    expect(h.states(c)).toEqual(['starting', 'starting', 'running']);
    expect(await h.pidFile()).toBe(String(running.pid));
    expect((await c.stop()).state).toBe('stopped');
  });

  it('gives up after the readiness timeout, kills the server and leaves no PID file', async () => {
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    h.settings = { ...h.settings, readinessTimeoutMs: 1_000 };
    const c = h.controller();
    const failed = await c.start();
    expect(failed.error?.code).toBe('timeout');
    expect(failed.error?.signal).toBe('SIGKILL');
    // Not the stand-in's record: on a loaded machine it may not have bound within the second.
    expect(h.liveServers()).toEqual([]);
    expect(await h.pidFile()).toBeNull();
  });

  it('notices a server killed while it is still starting', async () => {
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    const c = h.controller();
    const started = c.start();
    await waitFor(async () => (await h.pidFile()) !== null, { timeout: SERVER_UP_MS, what: 'server.pid' });
    process.kill(Number(await h.pidFile()), 'SIGKILL');
    const failed = await started;
    expect(failed.error?.code).toBe('exited');
    expect(failed.error?.signal).toBe('SIGKILL');
    expect(await h.pidFile()).toBeNull();
  });
});

// A server that writes one 64 MiB line without a newline cannot
// flood the window, a failure or an event; msbrun missing beside msbserver is said before it matters.
describe('what a start reports: bounded log lines, msbrun', () => {
  describe('bounded log lines', () => {
    it('caps a 64 MiB line in the log tail and in the failure the window is sent', { timeout: 60_000 }, async () => {
      h.env = {
        ...h.env,
        MSBSERVER_EXE: await floodingWrapper(path.join(h.root, 'flood'), 64 * 1024 * 1024),
        MSB_STANDIN_CRASH_AFTER_MS: '500',
      };
      const c = h.controller();
      const running = await c.start();
      expect(running.state).toBe('running');
      const tail = await c.logTail(1000);
      expect(tail.join('\n').length).toBeLessThanOrEqual(MAX_TAIL_BYTES);
      const flood = tail.find((line) => line.includes('AAAA'));
      expect(flood).toMatch(/ \[… \d+ more characters cut\]$/);
      expect(flood?.length).toBeLessThan(MAX_LINE_CHARS + 100);

      const failed = await nextState(c, 'failed', 15_000);
      expect(failed.error?.code).toBe('crashed');
      const payload = JSON.stringify(failed);
      expect(payload.length).toBeLessThan(64 * 1024);
      expect(failed.error?.logTail.some((line) => line.includes('more characters cut'))).toBe(true);
    });
  });

  describe('msbrun', () => {
    it('is found beside the stand-in: no warning', async () => {
      const c = h.controller();
      const running = await c.start();
      expect(running.warnings.filter((w) => w.includes('msbrun'))).toEqual([]);
      await c.stop();
    });

    it(
      'missing beside msbserver: the start goes on, and says sandboxes could not start and where it ' + 'looked',
      async () => {
        const wrapper = await loneWrapper(path.join(h.root, 'lone'));
        h.env = { ...h.env, MSBSERVER_EXE: wrapper };
        const c = h.controller();
        const running = await c.start();
        expect(running.state).toBe('running');
        const warning = running.warnings.find((w) => w.includes('msbrun'));
        expect(warning).toContain('sandboxes could not start');
        expect(warning).toContain(path.join(h.root, 'lone', 'msbrun'));
        await c.stop();
      },
    );

    /** What a refused start must leave: no server process, no PID file, no stand-in run at all. */
    async function expectNoServer(): Promise<void> {
      await expect(fsp.access(h.recordFile)).rejects.toThrow();
      expect(await h.pidFile()).toBeNull();
      expect(h.liveServers()).toEqual([]);
    }

    it('others can write to it beside msbserver: the start is refused, naming it, and no server runs', async () => {
      const wrapper = await loneWrapper(path.join(h.root, 'open-msbrun'));
      const msbrun = path.join(h.root, 'open-msbrun', 'msbrun');
      await fsp.writeFile(
        msbrun,
        `#!/bin/sh
exec "${MSBRUN_STANDIN_PATH}" "$@"
`,
      );
      await fsp.chmod(msbrun, 0o777);
      h.env = { ...h.env, MSBSERVER_EXE: wrapper };
      const c = h.controller();
      const failed = await c.start();
      expect(failed.state).toBe('failed');
      expect(failed.error?.code).toBe('unsafe-msbrun');
      expect(failed.error?.message).toMatch(
        new RegExp(`^msbrun is unsafe: ${escape(msbrun)} can be changed by other users .*chmod go-w`),
      );
      expect(failed.error?.message).toContain('reinstall microsandbox');
      expect(failed.error?.searched).toEqual([msbrun]);
      expect(h.states(c)).toEqual(['starting', 'failed']);
      await expectNoServer();
    });

    it(
      '$MSBRUN_EXE a link into a folder others can write to: refused, naming that folder, and no ' + 'server runs',
      async () => {
        const open = path.join(h.root, 'open');
        await fsp.mkdir(open, { recursive: true });
        const target = path.join(open, 'msbrun');
        await fsp.writeFile(
          target,
          `#!/bin/sh
exec "${MSBRUN_STANDIN_PATH}" "$@"
`,
          { mode: 0o755 },
        );
        await fsp.chmod(open, 0o777);
        const link = path.join(h.root, 'msbrun-link');
        await fsp.symlink(target, link);
        h.env = { ...h.env, MSBRUN_EXE: link };
        const failed = await h.controller().start();
        expect(failed.error?.code).toBe('unsafe-msbrun');
        expect(failed.error?.message).toMatch(
          new RegExp(`^msbrun is unsafe: The folder ${escape(open)} can be changed by other users`),
        );
        await expectNoServer();
      },
    );
  });
});
