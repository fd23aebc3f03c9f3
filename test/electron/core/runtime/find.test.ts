import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyMsbVersion, findMicrosandbox, msbCandidates } from '../../../../electron/core/runtime/find.ts';
import { REAL_MSB, REAL_MSB_MISSING } from '../../../fixtures/runtime-home.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function userHome(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-find-'));
  dirs.push(dir);
  return dir;
}

/** A small msb stand-in that prints `version` for --version (or hangs with `hang`). */
function script(file: string, version: string, mode = 0o755): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, version === 'hang' ? '#!/bin/sh\nexec /bin/sleep 600\n' : `#!/bin/sh\necho '${version}'\n`);
  chmodSync(file, mode);
  return file;
}

const find = (home: string, pathDirs: readonly string[], extra: { settingsPath?: string } = {}) =>
  findMicrosandbox({
    env: { PATH: pathDirs.join(':') },
    userHome: home,
    platform: 'linux',
    versionTimeoutMs: 500,
    ...extra,
  });

describe('where msb is looked for on Windows (path logic)', () => {
  const windows = (env: Record<string, string>) =>
    msbCandidates({ env, userHome: 'C:\\Users\\ada', platform: 'win32', arch: 'x64' });

  it('looks in %USERPROFILE%\\.microsandbox\\bin\\msb.exe after PATH, with backslashes and .exe', () => {
    const found = windows({ Path: 'C:\\Tools;relative\\dir;D:\\bin' });
    expect(found.slice(0, 3)).toEqual([
      { file: 'C:\\Tools\\msb.exe', origin: 'path' },
      { file: 'D:\\bin\\msb.exe', origin: 'path' },
      { file: 'C:\\Users\\ada\\.microsandbox\\bin\\msb.exe', origin: 'microsandbox-bin' },
    ]);
  });

  it('looks nowhere Unix-only: no ~/.local/bin, no Homebrew, no /usr prefixes', () => {
    const files = windows({ PATH: '' }).map((candidate) => candidate.file);
    expect(files.every((file) => file.startsWith('C:\\') && file.endsWith('msb.exe'))).toBe(true);
    expect(files.some((file) => file.includes('.local') || file.includes('homebrew'))).toBe(false);
  });

  it("finds npm's platform binary under %APPDATA%\\npm, never the .cmd shim", () => {
    const files = windows({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }).map((candidate) => candidate.file);
    expect(files).toContain(
      'C:\\Users\\ada\\AppData\\Roaming\\npm\\node_modules\\microsandbox\\node_modules\\' +
        '@superradcompany\\microsandbox-win32-x64-msvc\\bin\\msb.exe',
    );
    expect(files.some((file) => file.endsWith('.cmd'))).toBe(false);
  });

  it('puts the Settings path first and lists each file once', () => {
    const found = msbCandidates({
      env: { PATH: 'C:\\Users\\ada\\.microsandbox\\bin' },
      userHome: 'C:\\Users\\ada',
      platform: 'win32',
      arch: 'x64',
      settingsPath: 'E:\\msb\\msb.exe',
    });
    expect(found[0]).toEqual({ file: 'E:\\msb\\msb.exe', origin: 'settings' });
    const files = found.map((candidate) => candidate.file);
    expect(new Set(files).size).toBe(files.length);
    expect(files.filter((file) => file === 'C:\\Users\\ada\\.microsandbox\\bin\\msb.exe')).toHaveLength(1);
  });
});

describe("where msb's installer put it (MSB_HOME)", () => {
  const linux = (env: NodeJS.ProcessEnv, extra: { msbHome?: string } = {}) =>
    msbCandidates({ env, userHome: '/home/ada', platform: 'linux', arch: 'x64', ...extra })
      .filter((candidate) => candidate.origin === 'microsandbox-bin')
      .map((candidate) => candidate.file);

  it("looks in $MSB_HOME/bin first, then the default home's bin (an msb from before it was set)", () => {
    expect(linux({ PATH: '', MSB_HOME: '/data/msb' })).toEqual([
      '/data/msb/bin/msb',
      '/home/ada/.microsandbox/bin/msb',
    ]);
  });

  it("resolves a relative MSB_HOME against the app's working folder, where every msb it runs starts", () => {
    expect(linux({ PATH: '', MSB_HOME: 'msb-home' })).toEqual([
      path.posix.join(process.cwd(), 'msb-home', 'bin', 'msb'),
      '/home/ada/.microsandbox/bin/msb',
    ]);
  });

  it('looks in the msb home its caller decided, when given one', () => {
    expect(linux({ PATH: '', MSB_HOME: '/ignored' }, { msbHome: '/decided' })).toEqual([
      '/decided/bin/msb',
      '/home/ada/.microsandbox/bin/msb',
    ]);
  });

  it('takes an empty MSB_HOME for unset, as the installer does, and lists the default once', () => {
    expect(linux({ PATH: '', MSB_HOME: '' })).toEqual(['/home/ada/.microsandbox/bin/msb']);
    expect(linux({ PATH: '' })).toEqual(['/home/ada/.microsandbox/bin/msb']);
  });

  it('finds an msb installed into $MSB_HOME/bin, ahead of an old one left in ~/.microsandbox/bin', async () => {
    const home = userHome();
    const msbHome = path.join(home, 'elsewhere');
    script(path.join(home, '.microsandbox', 'bin', 'msb'), 'msb 0.5.0');
    const installed = script(path.join(msbHome, 'bin', 'msb'), 'msb 0.6.18');
    const found = await findMicrosandbox({
      env: { PATH: '', MSB_HOME: msbHome },
      userHome: home,
      platform: 'linux',
      versionTimeoutMs: 2_000,
    });
    expect(found.msb).toMatchObject({ path: installed, version: '0.6.18' });
  });
});

describe('telling the generation from msb --version', () => {
  it('reads `msb 0.6.18` as the runtime and `v0.2.6` as the 0.2 CLI', () => {
    expect(classifyMsbVersion('msb 0.6.18\n')).toMatchObject({ kind: 'runtime', version: '0.6.18', minor: 6 });
    expect(classifyMsbVersion('v0.2.6\n')).toMatchObject({ kind: 'server-cli', version: '0.2.6' });
    expect(classifyMsbVersion('msb 0.3.0')).toMatchObject({ kind: 'runtime' });
    expect(classifyMsbVersion('msb 1.0.0-rc.1')).toMatchObject({ kind: 'runtime', major: 1 });
    expect(classifyMsbVersion('hello')).toMatchObject({ kind: 'unknown' });
  });
});

describe.skipIf(process.platform === 'win32')('finding microsandbox', () => {
  it.skipIf(REAL_MSB_MISSING !== null)(
    'finds the real msb in ~/.microsandbox/bin: the runtime generation',
    async () => {
      const home = userHome();
      mkdirSync(path.join(home, '.microsandbox', 'bin'), { recursive: true });
      symlinkSync(REAL_MSB ?? '', path.join(home, '.microsandbox', 'bin', 'msb'));
      const found = await find(home, []);
      expect(found).toEqual({
        generation: 'runtime',
        msb: { path: path.join(home, '.microsandbox', 'bin', 'msb'), version: '0.6.18' },
        msbserver: null,
        notes: [],
      });
    },
  );

  it('detects the upgrade trap: an old msb first on PATH shadowing the new one, and says how to fix it', async () => {
    const home = userHome();
    const old = script(path.join(home, '.local', 'bin', 'msb'), 'v0.2.6');
    const current = script(path.join(home, '.microsandbox', 'bin', 'msb'), 'msb 0.6.18');
    const found = await find(home, [path.dirname(old)]);
    expect(found.generation).toBe('runtime');
    expect(found.msb).toEqual({ path: current, version: '0.6.18' });
    const trap = found.notes.find((note) => note.code === 'upgrade-trap');
    expect(trap?.message).toContain(`${old} is the old msb 0.2.6`);
    expect(trap?.fix).toContain(`rm "${old}" && ln -s "${current}" "${old}"`);
  });

  it('is the server generation with msbserver and only the 0.2 msb', async () => {
    const home = userHome();
    const bin = path.join(home, '.local', 'bin');
    script(path.join(bin, 'msb'), 'v0.2.6');
    script(path.join(bin, 'msbserver'), 'v0.2.6');
    const found = await find(home, [bin]);
    expect(found).toMatchObject({ generation: 'server', msb: null, msbserver: { path: path.join(bin, 'msbserver') } });
    expect(found.notes).toEqual([]);
  });

  it('is none when nothing is installed', async () => {
    expect(await find(userHome(), [])).toEqual({ generation: 'none', msb: null, msbserver: null, notes: [] });
  });

  it('notes an msb that hangs on --version, in bounded time, and uses the next one', async () => {
    const home = userHome();
    const hung = script(path.join(home, 'hung', 'msb'), 'hang');
    script(path.join(home, '.microsandbox', 'bin', 'msb'), 'msb 0.6.18');
    const started = Date.now();
    const found = await find(home, [path.dirname(hung)]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(found.generation).toBe('runtime');
    const note = found.notes.find((item) => item.code === 'msb-unusable');
    expect(note?.message).toContain(`The msb at ${hung} cannot be used: msb --version did not answer within 0.5 s`);
  });

  it('refuses an msb others can change', async () => {
    const home = userHome();
    const unsafe = script(path.join(home, 'shared', 'msb'), 'msb 0.6.18', 0o777);
    const found = await find(home, [path.dirname(unsafe)]);
    expect(found.generation).toBe('none');
    expect(found.notes[0]?.message).toMatch(/can be changed by other users/);
  });

  it('says what an 0.4 msb means and how to update', async () => {
    const home = userHome();
    script(path.join(home, '.microsandbox', 'bin', 'msb'), 'msb 0.4.2');
    const found = await find(home, []);
    expect(found.generation).toBe('runtime');
    expect(found.notes.map((note) => note.code)).toEqual(['runtime-old']);
    expect(found.notes[0]?.fix).toContain('msb self update');
  });

  it('uses a version newer than it knows, with a note, never refusing it', async () => {
    const home = userHome();
    script(path.join(home, '.microsandbox', 'bin', 'msb'), 'msb 0.9.1');
    const found = await find(home, []);
    expect(found).toMatchObject({ generation: 'runtime', msb: { version: '0.9.1' } });
    expect(found.notes.map((note) => note.code)).toEqual(['runtime-newer']);
  });

  it('looks at the Settings path first and says when it is gone', async () => {
    const home = userHome();
    const chosen = script(path.join(home, 'chosen', 'msb'), 'msb 0.7.0');
    script(path.join(home, '.microsandbox', 'bin', 'msb'), 'msb 0.6.18');
    expect((await find(home, [], { settingsPath: chosen })).msb).toEqual({ path: chosen, version: '0.7.0' });
    const gone = await find(home, [], { settingsPath: path.join(home, 'nowhere', 'msb') });
    expect(gone.msb?.version).toBe('0.6.18');
    expect(gone.notes.map((note) => note.code)).toEqual(['settings-msb-unusable']);
  });

  it('runs the binary behind npm’s Node shim, not the shim', async () => {
    const home = userHome();
    const prefix = path.join(home, '.npm-global');
    const pkg = path.join(prefix, 'lib', 'node_modules', 'microsandbox');
    const shim = path.join(pkg, 'bin', 'microsandbox.cjs');
    mkdirSync(path.dirname(shim), { recursive: true });
    writeFileSync(shim, '#!/usr/bin/env node\n');
    chmodSync(shim, 0o755);
    mkdirSync(path.join(prefix, 'bin'));
    symlinkSync(shim, path.join(prefix, 'bin', 'msb'));
    const binary = script(
      path.join(pkg, 'node_modules', '@superradcompany', 'microsandbox-linux-x64-gnu', 'bin', 'msb'),
      'msb 0.6.18',
    );
    const found = await findMicrosandbox({
      env: { PATH: path.join(prefix, 'bin') },
      userHome: home,
      platform: 'linux',
      arch: 'x64',
      versionTimeoutMs: 500,
    });
    expect(found.msb).toEqual({ path: binary, version: '0.6.18' });
    // The shim on PATH led to the binary: it was not run (and refused) on its own.
    expect(found.notes).toEqual([]);
  });
});
