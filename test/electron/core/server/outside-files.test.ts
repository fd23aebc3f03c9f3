// The outside world (7, 8): server.key never through a link, a key others own or a read-only home
// still usable with a warning, the home created owner-only; a full disk leaves no lock and no
// stall, and a failed start leaks no file descriptor.
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fsp, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { ServerKeyError, tightenKeyFile } from '../../../../electron/core/keys/server-key.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { cleanupChecked, createHarness, processesIn, type Harness } from './lifecycle-harness.ts';

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
const rootOnly = canMountTmpfs() ? it : it.skip;
if (rootOnly === it.skip)
  console.warn(
    'SKIP outside-files: the full-disk, read-only-home and foreign-owner cases need root allowed to mount a tmpfs; not here',
  );

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(() => cleanupChecked(h));

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
 * Runs `entry` (a module of the tree, bundled with its imports into one file by esbuild) as
 * `nobody`. That user may not enter the checkout or the folder Node came from (a clone in a
 * private folder, Node from `npx -p node@24` under /root/.npm): the bundle and a copy of the Node
 * binary go into a fresh world-readable folder, so the child needs nothing else of ours.
 */
async function runAsNobody(entry: string, env: Record<string, string>): Promise<unknown> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'as-nobody-'));
  try {
    await fsp.chmod(dir, 0o755);
    const bundle = path.join(dir, 'script.mjs');
    await build({
      stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
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
    'stays usable, with a warning saying who can read it and how to fix it (key owned by root, app run by another user)',
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
