// The home and its files: odd files in the home (a FIFO or odd contents at
// server.pid, links, leftover locks), homes given as links or relative paths, a CLI server whose
// process is named `.msbserver-wrapped`, descriptors over failed starts.
import { execFileSync, spawnSync } from 'node:child_process';
import { constants, promises as fsp, readdirSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { harnessPerTest, isAlive, processesIn, waitUntil, type Harness, SERVER_UP_MS } from './lifecycle-harness.ts';
import { bystander, sleep } from './hostile-world.ts';
import { cliStart, renamedExecWrapper } from './world.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { build } from 'vite';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { ServerKeyError, tightenKeyFile } from '../../../../electron/core/keys/server-key.ts';
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../../../shared/server-status.ts';
import type { Controller } from '../../../../electron/core/server/controller.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';

const isRoot = process.getuid?.() === 0;

/** A test that runs only where `allowed`; elsewhere it is skipped, and the run's summary says `needs`. */
function itOnlyIf(allowed: boolean, needs: string) {
  return (name: string, fn: () => Promise<void>): void => {
    it(name, { skip: !allowed, meta: { needs } }, fn);
  };
}
const rootOnly = itOnlyIf(isRoot, 'needs root (chowns the home to uid 65534)');

let h: Harness;
let stateDir: string;
const cleanups: (() => Promise<void> | void)[] = [];

harnessPerTest((made) => {
  h = made;
  stateDir = made.stateDir;
});
// Registered after the harness, so it runs before the harness ends (after hooks run as a stack).
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
});

/** Resolves with `promise`'s value, or with 'hung' after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'hung'> {
  return Promise.race([promise, sleep(ms).then(() => 'hung' as const)]);
}

/**
 * Releases every reader blocked on the FIFO `file` (opens it for writing and closes it), until
 * none is left: a reader still there after the deadline is a look that never lets go.
 */
async function releaseFifo(file: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        const handle = await fsp.open(file, constants.O_WRONLY | constants.O_NONBLOCK);
        await handle.close();
        return false;
      } catch {
        return true; // ENXIO: nobody reads it any more (or it is gone)
      }
    },
    { every: 20, timeout: 5_000, what: `the last reader of ${file} to let go` },
  );
}

describe('server.pid that is not a plain file', () => {
  it('a FIFO at server.pid does not hang the first look, Start or Stop', { timeout: 60_000 }, async () => {
    await fsp.mkdir(h.home, { recursive: true, mode: 0o700 });
    execFileSync('mkfifo', [h.paths.pidFile]);
    cleanups.push(() => releaseFifo(h.paths.pidFile));
    const c = h.controller({}, { stateDir });
    // A hang never ends; the bounds are only for a loaded machine's slow start.
    const ready = await within(c.ready, 10_000);
    const start = await within(c.start(), SERVER_UP_MS);
    const verdict = {
      ready: ready === 'hung' ? 'hung' : 'settled',
      start: start === 'hung' ? 'hung' : `${start.state} ${start.error?.message ?? ''}`,
    };
    await releaseFifo(h.paths.pidFile);
    const stop = await within(c.stop(), 10_000);
    const stopVerdict = stop === 'hung' ? 'hung' : stop.state;
    expect(verdict.ready, JSON.stringify(verdict)).toBe('settled');
    expect(verdict.start, JSON.stringify(verdict)).not.toBe('hung');
    expect(stopVerdict, 'Stop after the FIFO went').not.toBe('hung');
  });

  it('a server.pid that is a link to someone else’s file: the target is never written or removed', async () => {
    await fsp.mkdir(h.home, { recursive: true, mode: 0o700 });
    const target = path.join(h.root, 'not-yours.txt');
    await fsp.writeFile(target, 'precious\n');
    await fsp.symlink(target, h.paths.pidFile);
    const c = h.controller({}, { stateDir });
    const running = await c.start();
    expect(running.state).toBe('running');
    expect(await h.pidFile()).toBe(String(running.pid));
    await c.stop();
    expect(await fsp.readFile(target, 'utf8')).toBe('precious\n');
  });
});

describe('odd contents written into server.pid while the app tracks its server', () => {
  it.each([['0'], ['-1'], ['1'], ['2147483648'], ['-2147483649'], [''], ['   \n'], ['12abc'], ['SELF']])(
    'server.pid := %j — the server keeps running, the file is put back, nothing else is signalled',
    async (text) => {
      const guard = bystander();
      const c = h.controller({ livenessMs: 100 }, { stateDir });
      const running = await c.start();
      expect(running.state).toBe('running');
      await fsp.writeFile(h.paths.pidFile, text === 'SELF' ? String(process.pid) : text);
      expect(await waitUntil(async () => (await h.pidFile()) === String(running.pid))).toBe(true);
      expect(c.snapshot()).toMatchObject({ state: 'running', pid: running.pid });
      await fsp.writeFile(h.paths.pidFile, text === 'SELF' ? String(process.pid) : text);
      const stopped = await c.stop();
      expect(stopped.state).toBe('stopped');
      expect(isAlive(running.pid ?? 0)).toBe(false);
      expect(isAlive(guard.pid ?? 0)).toBe(true);
      guard.kill('SIGKILL');
    },
  );

  it('Stop with no server and server.pid naming 0, -1, 1, the app itself or its parent signals nothing', async () => {
    const guard = bystander();
    const c = h.controller({}, { stateDir });
    await c.ready;
    for (const text of ['0', '-1', '1', String(process.pid), String(process.ppid)]) {
      await fsp.writeFile(h.paths.pidFile, text);
      const stopped = await c.stop();
      expect(stopped.state, text).toBe('stopped');
    }
    expect(isAlive(guard.pid ?? 0)).toBe(true);
    guard.kill('SIGKILL');
  });
});

describe('a CLI server whose process is named .msbserver-wrapped (a wrapper that execs the real binary)', () => {
  it(
    'server.pid naming that live msbserver is never deleted, and the app does not call it another ' + 'program',
    async () => {
      const wrapper = await renamedExecWrapper(path.join(h.root, 'wrapper'));
      const cli = await cliStart({ home: h.home, port: h.settings.port, executable: wrapper });
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${h.settings.port}/api/v1/health`).catch(() => null))?.ok === true,
        { timeout: SERVER_UP_MS, what: 'the CLI-started server healthy' },
      );
      const c = h.controller({}, { stateDir });
      await c.ready;
      const afterLook = { state: c.snapshot().state, pidFile: await h.pidFile() };
      const start = await c.start();
      const afterStart = {
        state: start.state,
        pid: start.pid,
        error: start.error?.message ?? null,
        pidFile: await h.pidFile(),
      };
      await c.stop();
      if (isAlive(cli.pid ?? 0)) process.kill(cli.pid ?? 0, 'SIGKILL');
      await waitFor(() => processesIn(h.home).length === 0, { what: 'the servers in the home to end' });
      expect(afterLook.pidFile, `first look: ${JSON.stringify(afterLook)}`).toBe(String(cli.pid));
      expect(afterStart.error ?? '', `start: ${JSON.stringify(afterStart)}`).not.toMatch(/another program/);
    },
  );
});

/**
 * A start lock judged held is waited on for the readiness timeout (10 s here) + the stop grace
 * (2 s) + 5 s before the start fails: a spawn sooner than that came after the lock was broken.
 */
const LOCK_WAIT_BOUND_MS = 10_000;
const STALL_MESSAGE = 'ms from Start to the spawn: the stale lock was waited on, not broken';

/** A start, and how long it took to spawn (the spawn comes only once the lock is taken). */
async function timedStart(c: Controller): Promise<{ start: ServerSnapshot; toSpawn: number }> {
  const t0 = Date.now();
  let spawnedAt: number | null = null;
  const off = c.onChange((snapshot) => {
    if (spawnedAt === null && snapshot.pid !== null) spawnedAt = Date.now();
  });
  const start = await c.start();
  off();
  return { start, toSpawn: (spawnedAt ?? Number.POSITIVE_INFINITY) - t0 };
}

describe('the start lock', () => {
  it('a lock left by an earlier run of the app whose PID is now this process does not stall Start', async () => {
    await fsp.mkdir(h.home, { recursive: true, mode: 0o700 });
    // A crashed instance; the new one got the same PID (usual in a fresh PID namespace: a container, a sandboxed app).
    await fsp.writeFile(h.paths.lockFile, JSON.stringify({ pid: process.pid, token: 'deadbeefdeadbeef' }));
    const c = h.controller({}, { stateDir });
    await c.ready;
    const { start, toSpawn } = await timedStart(c);
    expect(start.state, start.error?.message ?? '').toBe('running');
    expect(toSpawn, STALL_MESSAGE).toBeLessThan(LOCK_WAIT_BOUND_MS);
    await c.stop();
  });

  it('a lock whose PID was reused by a process started after the lock was written does not stall Start', async () => {
    await fsp.mkdir(h.home, { recursive: true, mode: 0o700 });
    await fsp.writeFile(h.paths.lockFile, JSON.stringify({ pid: 999_999, token: 'deadbeefdeadbeef' }));
    const old = new Date(Date.now() - 60_000);
    await fsp.utimes(h.paths.lockFile, old, old);
    const reuse = bystander(); // a process younger than the lock: the lock cannot be its
    await fsp.writeFile(h.paths.lockFile, JSON.stringify({ pid: reuse.pid, token: 'deadbeefdeadbeef' }));
    await fsp.utimes(h.paths.lockFile, old, old);
    const c = h.controller({}, { stateDir });
    await c.ready;
    const { start, toSpawn } = await timedStart(c);
    reuse.kill('SIGKILL');
    expect(start.state, start.error?.message ?? '').toBe('running');
    expect(toSpawn, STALL_MESSAGE).toBeLessThan(LOCK_WAIT_BOUND_MS);
    await c.stop();
  });

  it('a folder at the lock path is reported as such, at once, not as "another start is in progress"', async () => {
    await fsp.mkdir(h.paths.lockFile, { recursive: true });
    h.settings = { ...h.settings, readinessTimeoutMs: 1_000 };
    const c = h.controller({ stopGraceMs: 500 }, { stateDir });
    await c.ready;
    const t0 = Date.now();
    const start = await c.start();
    const took = Date.now() - t0;
    expect(start.state).toBe('failed');
    expect(`${took} ms: ${start.error?.message ?? ''}`).not.toMatch(/still in progress/);
    // The lock's wait here is 1 s + 0.5 s + 5 s: a start that waited on it took longer.
    expect(took, 'the start did not wait for the lock').toBeLessThan(6_000);
  });
});

describe('homes given as links or relative paths', () => {
  it('a home that is a symlink: started, adopted across link and real path, stopped', async () => {
    const real = h.home;
    await fsp.mkdir(real, { recursive: true, mode: 0o700 });
    const link = path.join(h.root, 'home-link');
    await fsp.symlink(real, link);
    const viaLink = h.controller({}, { stateDir, home: link });
    const running = await viaLink.start();
    expect(running.state).toBe('running');
    expect(processesIn(real)).toEqual([running.pid]);
    await viaLink.dispose();
    const viaReal = h.controller({}, { stateDir });
    await viaReal.ready;
    expect(viaReal.snapshot()).toMatchObject({ state: 'running', pid: running.pid });
    await viaReal.stop();
    expect(processesIn(real)).toEqual([]);
    // And the CLI (real path) then the app (link).
    const cli = await cliStart({ home: real, port: h.settings.port, executable: STANDIN_PATH });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${h.settings.port}/api/v1/health`).catch(() => null))?.ok === true,
      { timeout: SERVER_UP_MS, what: 'the CLI-started server healthy' },
    );
    const again = h.controller({}, { stateDir, home: link });
    await again.ready;
    expect(again.snapshot()).toMatchObject({ state: 'running', pid: cli.pid });
    await again.stop();
    expect(isAlive(cli.pid ?? 0)).toBe(false);
  });

  it(
    'a relative MICROSANDBOX_HOME (used verbatim, as main.ts does): the server serves that home and ' +
      'a restarted app adopts it',
    async () => {
      await fsp.mkdir(h.logDir, { recursive: true });
      const tsx = fileURLToPath(new URL('../../../../node_modules/tsx/dist/cli.mjs', import.meta.url));
      const controllerModule = new URL('../../../../electron/core/server/controller.ts', import.meta.url).href;
      const script = path.join(h.root, 'relative-home.mts');
      await fsp.writeFile(
        script,
        `import { readFileSync, readlinkSync } from 'node:fs';
const { createController } = await import(${JSON.stringify(controllerModule)});
const settings = JSON.parse(process.env.SETTINGS);
const make = () => createController({
  home: 'home',
  logDir: ${JSON.stringify(h.logDir)},
  settings: () => settings,
  env: { ...process.env },
  userHome: ${JSON.stringify(h.root)},
});
const a = make();
const started = await a.start();
const env = readFileSync('/proc/' + started.pid + '/environ', 'utf8')
  .split('\\0')
  .find((e) => e.startsWith('MICROSANDBOX_HOME='));
const cwd = readlinkSync('/proc/' + started.pid + '/cwd');
await a.dispose();
const b = make();
await b.ready;
const adopted = b.snapshot();
await b.stop();
await b.dispose();
console.log(
  JSON.stringify({
    started: { state: started.state, pid: started.pid },
    env,
    cwd,
    adopted: { state: adopted.state, pid: adopted.pid, warnings: adopted.warnings },
  }),
);
`,
      );
      const result = spawnSync(process.execPath, [tsx, script], {
        cwd: h.root,
        env: { ...h.env, SETTINGS: JSON.stringify(h.settings) },
        encoding: 'utf8',
        timeout: 30_000,
      });
      const out = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
        started: { state: string; pid: number };
        env: string;
        cwd: string;
        adopted: { state: string; pid: number | null; warnings: string[] };
      };
      for (const pid of processesIn(h.home)) process.kill(pid, 'SIGKILL');
      await waitFor(() => processesIn(h.home).length === 0, { what: 'the servers in the home to end' });
      expect(out.started.state, result.stderr).toBe('running');
      // The server runs in the home with MICROSANDBOX_HOME=home, i.e. it serves <home>/home.
      const served = path.resolve(out.cwd, out.env.slice('MICROSANDBOX_HOME='.length));
      const both = `server env ${out.env}, cwd ${out.cwd}; restarted app: ${JSON.stringify(out.adopted)}`;
      expect(served, both).toBe(h.home);
      expect(
        out.adopted,
        'a restarted app (as main.ts builds it: no record) must adopt the server it started',
      ).toMatchObject({ state: 'running', pid: out.started.pid });
    },
  );

  rootOnly('a home owned by another user gets the "belongs to another user" warning', async () => {
    await fsp.mkdir(h.home, { recursive: true, mode: 0o700 });
    await fsp.chown(h.home, 65534, 65534);
    const c = h.controller({}, { stateDir });
    const running = await c.start();
    expect(running.warnings.join(' ')).toMatch(/belongs to another user \(uid 65534\)/);
    await c.stop();
  });
});

describe('descriptors over many failed starts', () => {
  it(
    'no descriptor leaks over failed starts of every kind (exit, timeout, port taken, not executable)',
    { timeout: 60_000 },
    async () => {
      const env = h.env; // the controller reads this very object at each start
      const c = h.controller({ stopGraceMs: 300, killWaitMs: 500 }, { stateDir });
      await c.ready;
      const notExecutable = path.join(h.root, 'bin', 'msbserver');
      await fsp.mkdir(path.dirname(notExecutable), { recursive: true });
      await fsp.writeFile(notExecutable, 'not a program', { mode: 0o644 });
      const blocker: Server = createServer();
      const port = h.settings.port;
      const kinds: (() => void | Promise<void>)[] = [
        function exitCode1() {
          Object.assign(env, { MSBSERVER_EXE: STANDIN_PATH, MSB_STANDIN_EXIT_CODE: '1' });
        },
        function timeout() {
          delete env['MSB_STANDIN_EXIT_CODE'];
          env['MSB_STANDIN_NEVER_HEALTHY'] = '1';
          h.settings = { ...h.settings, readinessTimeoutMs: 1_000 };
        },
        async function portTaken() {
          delete env['MSB_STANDIN_NEVER_HEALTHY'];
          // Taken is what this step needs: if another suite took the port first, it is taken already.
          await new Promise<void>((resolve) => {
            blocker.once('error', () => resolve());
            blocker.listen(port, '127.0.0.1', resolve);
          });
        },
        async function notExecutableFile() {
          await new Promise<void>((resolve) => blocker.close(() => resolve()));
          env['MSBSERVER_EXE'] = notExecutable;
        },
      ];
      const round = async (): Promise<void> => {
        for (const kind of kinds) {
          await kind();
          const failed = await c.start();
          if (failed.state !== 'failed') await c.stop();
          expect(failed.state, `${kind.name}: ${failed.error?.message ?? ''}`).toBe('failed');
        }
        env['MSBSERVER_EXE'] = STANDIN_PATH;
      };
      // Warm-up: what is opened lazily once (watchers, sockets) is open from here on. Nothing
      // of a round outlives it (measured: the count right after the warm-up stays put), and a
      // descriptor still closing here would only raise `before`, so no wait is needed.
      await round();
      const before = readdirSync('/proc/self/fd').length;
      for (let i = 0; i < 3; i++) await round();
      // Closing is asynchronous: wait for the count to come back; a leak never does.
      await waitUntil(() => readdirSync('/proc/self/fd').length <= before);
      const after = readdirSync('/proc/self/fd').map(
        (fd) =>
          `${fd} -> ${(() => {
            try {
              return readlinkSync(`/proc/self/fd/${fd}`);
            } catch {
              // closed meanwhile: the list shows it as unknown
              return '?';
            }
          })()}`,
      );
      expect(after.length, after.join('\n')).toBeLessThanOrEqual(before + 2);
      expect(processesIn(h.home)).toEqual([]);
    },
  );
});

// server.key never through a link, a key others own or a read-only home
// still usable with a warning, the home created owner-only; a full disk leaves no lock and no
// stall, and a failed start leaks no file descriptor.
describe('the home’s keys, permissions and a full disk', () => {
  /** Whether this machine lets the tests mount a tmpfs (root with CAP_SYS_ADMIN): tried once. */
  function canMountTmpfs(): boolean {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(path.join(os.tmpdir(), 'mount-probe-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false; // no permission to mount here: the cases below skip, saying so
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  }
  const rootOnly = itOnlyIf(
    canMountTmpfs(),
    'needs root allowed to mount a tmpfs (a full disk, a read-only home, a key of another owner)',
  );

  describe('server.key is never used through a link', () => {
    it('refuses a linked key for a start and a mint, says how to fix it, and leaves the target as it was', async () => {
      await fsp.mkdir(h.home, { recursive: true });
      const target = path.join(h.root, 'elsewhere', 'passwd');
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.writeFile(target, 'root:x:0:0:root:/root:/bin/sh\n', { mode: 0o644 });
      await fsp.chmod(target, 0o644);
      await fsp.symlink(target, h.paths.keyFile);

      const failed = await h.controller().start();
      expect(failed.state).toBe('failed');
      expect(failed.error?.code).toBe('home-error');
      expect(failed.error?.message).toContain('is a symbolic link');
      expect(failed.error?.message).toContain('cp --remove-destination');
      expect(processesIn(h.home)).toEqual([]);

      const mint = createMintService({
        keyFile: h.paths.keyFile,
        snapshot: () => INITIAL_SNAPSHOT,
        settings: () => DEFAULT_SETTINGS,
        clock: { now: () => Date.now() },
      });
      await expect(mint.mint({})).rejects.toBeInstanceOf(ServerKeyError);
      await expect(mint.mint({})).rejects.toThrow(/symbolic link/);

      expect((await fsp.stat(target)).mode & 0o777).toBe(0o644);
      expect(await fsp.readFile(target, 'utf8')).toBe('root:x:0:0:root:/root:/bin/sh\n');
      expect((await fsp.lstat(h.paths.keyFile)).isSymbolicLink()).toBe(true);
    });

    it('refuses a key reset through a link too', async () => {
      await fsp.mkdir(h.home, { recursive: true });
      const target = path.join(h.root, 'shared.key');
      await fsp.writeFile(target, 'SharedKey0123456789abcdefghijklm');
      await fsp.symlink(target, h.paths.keyFile);
      const after = await h.controller().resetKey();
      expect(after.state).toBe('failed');
      expect(after.error?.message).toContain('symbolic link');
      expect(await fsp.readFile(target, 'utf8')).toBe('SharedKey0123456789abcdefghijklm');
    });
  });

  describe('the home', () => {
    it('is created owner-only, and a group-writable one gets a warning', async () => {
      const c = h.controller();
      await c.start();
      expect((await fsp.stat(h.home)).mode & 0o777).toBe(0o700);
      await c.stop();
      await fsp.chmod(h.home, 0o775);
      const again = await c.start();
      expect(again.state).toBe('running');
      expect(again.warnings.join(' ')).toMatch(/can be written by its group/);
      await c.stop();
      const next = h.controller(); // a new launch says it at once, before any start
      await next.ready;
      expect(next.snapshot().warnings.join(' ')).toMatch(/can be written by its group/);
    });

    it('creates the namespaces folder the app passes as --path, and <home>/namespaces', async () => {
      const custom = path.join(h.root, 'custom', 'namespaces');
      h.settings = { ...h.settings, namespacesPath: custom };
      const c = h.controller();
      expect((await c.start()).state).toBe('running');
      expect((await fsp.stat(custom)).isDirectory()).toBe(true);
      expect((await fsp.stat(h.paths.namespacesDir)).isDirectory()).toBe(true);
      await c.stop();
    });
  });

  /** Runs `script` (TypeScript, through tsx) as the user `nobody`, and returns its JSON output. */
  /**
   * Runs `entry` (a module of the tree, bundled with its imports into one file by vite) as
   * `nobody`. That user may not enter the checkout or the folder Node came from (a clone in a
   * private folder, Node from `npx -p node@24` under /root/.npm): the bundle and a copy of the Node
   * binary go into a fresh world-readable folder, so the child needs nothing else of ours.
   */
  async function runAsNobody(entry: string, env: Record<string, string>): Promise<unknown> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'as-nobody-'));
    try {
      await fsp.chmod(dir, 0o755);
      const bundle = path.join(dir, 'script.mjs');
      // The entry is no file: a module that claims a path in this folder, so its relative
      // imports resolve as they would beside this test. vite is a declared dependency; the
      // esbuild it once carried is not.
      const entryId = fileURLToPath(new URL('./as-nobody-entry.ts', import.meta.url));
      await build({
        configFile: false,
        logLevel: 'silent',
        plugins: [
          {
            name: 'as-nobody-entry',
            resolveId: (id) => (id === entryId ? entryId : null),
            load: (id) => (id === entryId ? entry : null),
          },
        ],
        ssr: { noExternal: true },
        build: {
          ssr: entryId,
          outDir: dir,
          emptyOutDir: false,
          minify: false,
          rollupOptions: { output: { format: 'es', entryFileNames: 'script.mjs', codeSplitting: false } },
        },
      });
      await fsp.chmod(bundle, 0o644);
      const node = path.join(dir, 'node');
      await fsp.copyFile(process.execPath, node);
      await fsp.chmod(node, 0o755);
      const result = spawnSync(node, [bundle], {
        uid: 65534,
        gid: 65534,
        cwd: dir,
        env: { PATH: '/usr/bin:/bin', HOME: '/tmp', ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (result.status !== 0) throw new Error(`as nobody: ${result.stderr}${result.error?.message ?? ''}`);
      return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? 'null');
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  describe('a key the app cannot tighten', () => {
    rootOnly(
      'stays usable, with a warning saying who can read it and how to fix it (key owned by root, app ' +
        'run by another user)',
      async () => {
        const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'foreign-key-'));
        try {
          await fsp.chmod(dir, 0o755);
          const keyFile = path.join(dir, 'server.key');
          await fsp.writeFile(keyFile, 'RootKey0123456789abcdefghijklmno', { mode: 0o644 });
          await fsp.chmod(keyFile, 0o644);
          const out = (await runAsNobody(
            `import { ensureServerKey } from '../../../../electron/core/keys/server-key.ts';
             const warnings: string[] = [];
             const key = await ensureServerKey(process.env['KEY_FILE'] ?? '', { onWarning: (w) => warnings.push(w) });
             console.log(JSON.stringify({ key: key.key, warnings }));`,
            { KEY_FILE: keyFile },
          )) as { key: string; warnings: string[] };
          expect(out.key).toBe('RootKey0123456789abcdefghijklmno');
          expect(out.warnings).toHaveLength(1);
          expect(out.warnings[0]).toContain('can be read by every user on this computer (mode 0644)');
          expect(out.warnings[0]).toContain('belongs to root');
          expect(out.warnings[0]).toContain('chmod 600');
          expect((await fsp.stat(keyFile)).mode & 0o777).toBe(0o644);
        } finally {
          await fsp.rm(dir, { recursive: true, force: true });
        }
      },
    );

    rootOnly('on a read-only home: still usable, and the warning says why', async () => {
      const mount = await fsp.mkdtemp(path.join(os.tmpdir(), 'ro-home-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
      try {
        const keyFile = path.join(mount, 'server.key');
        await fsp.writeFile(keyFile, 'ReadOnlyKey0123456789abcdefghijk', { mode: 0o644 });
        await fsp.chmod(keyFile, 0o644);
        execFileSync('mount', ['-o', 'remount,ro', mount]);
        const warnings: string[] = [];
        expect(await tightenKeyFile(keyFile, { onWarning: (w) => warnings.push(w) })).toBe(false);
        expect(warnings[0]).toContain('read-only file system');
      } finally {
        execFileSync('umount', [mount]);
        await fsp.rm(mount, { recursive: true, force: true });
      }
    });
  });

  describe('a full disk', () => {
    rootOnly(
      'fails a start at once, leaves no lock or temporary file, and the next start after freeing space does not stall',
      async () => {
        const mount = path.join(h.root, 'tiny');
        await fsp.mkdir(mount);
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
        try {
          const home = path.join(mount, 'home');
          await fsp.mkdir(path.join(home, 'namespaces'), { recursive: true });
          await fsp.writeFile(path.join(home, 'server.key'), 'TinyKey0123456789abcdefghijklmno');
          const filler = path.join(mount, 'filler');
          await fsp.writeFile(filler, Buffer.alloc(1024 * 1024)).catch(() => undefined); // fills it
          const c = h.controller({}, { home });
          const failed = await c.start();
          expect(failed.state).toBe('failed');
          expect(failed.error?.message).toMatch(/ENOSPC|no space/i);
          expect(readdirSync(home).filter((name) => name.includes('lock') || name.endsWith('.tmp'))).toEqual([]);
          expect(processesIn(home)).toEqual([]);

          await fsp.rm(filler);
          const running = await c.start(); // would wait out a stale lock's 10 s if one had been left
          expect(running.state).toBe('running');
          await c.stop();
          expect(processesIn(home)).toEqual([]);
          await c.dispose();
        } finally {
          execFileSync('umount', ['-l', mount]);
        }
      },
    );

    rootOnly('leaks no file descriptor when the log header cannot be written', async () => {
      const mount = path.join(h.root, 'tiny-logs');
      await fsp.mkdir(mount);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
      try {
        await fsp.writeFile(path.join(mount, 'filler'), Buffer.alloc(1024 * 1024)).catch(() => undefined);
        const { createController } = await import('../../../../electron/core/server/controller.ts');
        const c = createController({
          home: h.home,
          logDir: mount,
          settings: () => h.settings,
          env: h.env,
          userHome: h.root,
          scrubber: new SecretScrubber(h.paths.keyFile, silentLogger),
        });
        await c.ready;
        const before = readdirSync('/proc/self/fd').length;
        for (let i = 0; i < 5; i++) {
          const failed = await c.start();
          expect(failed.state).toBe('failed');
          expect(failed.error?.message).toContain('Could not open the server log');
        }
        expect(readdirSync('/proc/self/fd').length).toBe(before);
        await c.dispose();
      } finally {
        execFileSync('umount', ['-l', mount]);
      }
    });
  });
});
