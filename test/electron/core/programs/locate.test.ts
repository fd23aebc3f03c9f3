import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateMsbrun, locateMsbserver, serverEnvironment } from '../../../../electron/core/programs/locate.ts';
import { MICROSANDBOX_INSTALL_HINT } from '../../../../shared/server-status.ts';

const posixOnly = describe.skipIf(process.platform === 'win32');

let root: string;
/** The user's home: `~/.local/bin/msbserver` lives here. */
let home: string;
let localBin: string;
/** A PATH directory holding `msb` as a symlink into `install`. */
let pathDir: string;
/** Where the real msb and its msbserver live. */
let install: string;

beforeEach(async () => {
  root = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-locate-')));
  home = path.join(root, 'home');
  localBin = path.join(home, '.local', 'bin');
  pathDir = path.join(root, 'path-bin');
  install = path.join(root, 'opt', 'microsandbox', 'bin');
  for (const d of [localBin, pathDir, install]) await fsp.mkdir(d, { recursive: true });
});

afterEach(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

/**
 * Makes `file` someone else's: as root by giving it to another user; otherwise by checking as if
 * the app ran as another user (then the test's own files are the stranger's).
 */
async function ownedByStranger(file: string): Promise<{ uid?: number }> {
  const uid = process.getuid?.() ?? -1;
  if (uid === 0) {
    await fsp.lchown(file, 4242, 4242);
    return {};
  }
  return { uid: uid + 1 };
}

async function executable(file: string, mode = 0o755): Promise<string> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, '#!/bin/sh\nexit 0\n');
  await fsp.chmod(file, mode);
  return file;
}

/** The installer's layout seen through a package manager: PATH has a symlink to the real msb. */
async function installMsbBehindSymlink(): Promise<{ beside: string }> {
  await executable(path.join(install, 'msb'));
  const beside = await executable(path.join(install, 'msbserver'));
  await fsp.symlink(path.join(install, 'msb'), path.join(pathDir, 'msb'));
  // A decoy beside the symlink: msb looks beside the real binary, not beside the link.
  await executable(path.join(pathDir, 'msbserver'));
  return { beside };
}

function envWith(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: pathDir, ...vars };
}

posixOnly('locateMsbserver', () => {
  it('prefers MSBSERVER_EXE over everything', async () => {
    await installMsbBehindSymlink();
    await executable(path.join(localBin, 'msbserver'));
    const settings = await executable(path.join(root, 'settings', 'msbserver'));
    const fromEnv = await executable(path.join(root, 'env', 'msbserver'));
    expect(
      await locateMsbserver({
        env: envWith({ MSBSERVER_EXE: fromEnv }),
        settingsPath: settings,
        platform: 'linux',
        userHome: home,
      }),
    ).toEqual({
      found: true,
      path: fromEnv,
      source: 'environment',
      searched: [fromEnv],
    });
  });

  it('then the settings path', async () => {
    await installMsbBehindSymlink();
    await executable(path.join(localBin, 'msbserver'));
    const settings = await executable(path.join(root, 'settings', 'msbserver'));
    expect(
      await locateMsbserver({ env: envWith({}), settingsPath: settings, platform: 'linux', userHome: home }),
    ).toEqual({
      found: true,
      path: settings,
      source: 'settings',
      searched: [settings],
    });
  });

  it('then beside the real, symlink-resolved msb on PATH', async () => {
    const { beside } = await installMsbBehindSymlink();
    await executable(path.join(localBin, 'msbserver'));
    const result = await locateMsbserver({ env: envWith({}), settingsPath: null, platform: 'linux', userHome: home });
    expect(result).toEqual({ found: true, path: beside, source: 'beside-msb', searched: [beside] });
    expect(result.searched).not.toContain(path.join(pathDir, 'msbserver'));
  });

  it('resolves a chain of symlinks to msb', async () => {
    const { beside } = await installMsbBehindSymlink();
    const otherDir = path.join(root, 'other-bin');
    await fsp.mkdir(otherDir);
    await fsp.symlink(path.join(pathDir, 'msb'), path.join(otherDir, 'msb'));
    const result = await locateMsbserver({ env: { PATH: otherDir }, platform: 'linux', userHome: home });
    expect(result).toEqual({ found: true, path: beside, source: 'beside-msb', searched: [beside] });
  });

  it('then ~/.local/bin', async () => {
    const local = await executable(path.join(localBin, 'msbserver'));
    expect(await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home })).toEqual({
      found: true,
      path: local,
      source: 'local-bin',
      searched: [local],
    });
  });

  it('goes on to ~/.local/bin when there is no msbserver beside msb', async () => {
    await executable(path.join(install, 'msb'));
    await fsp.symlink(path.join(install, 'msb'), path.join(pathDir, 'msb'));
    const local = await executable(path.join(localBin, 'msbserver'));
    expect(await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home })).toEqual({
      found: true,
      path: local,
      source: 'local-bin',
      searched: [path.join(install, 'msbserver'), local],
    });
  });

  it('ignores an empty MSBSERVER_EXE and an empty settings path', async () => {
    const local = await executable(path.join(localBin, 'msbserver'));
    const result = await locateMsbserver({
      env: envWith({ MSBSERVER_EXE: '' }),
      settingsPath: '',
      platform: 'linux',
      userHome: home,
    });
    expect(result).toMatchObject({ found: true, path: local, source: 'local-bin' });
  });

  it('takes MSBSERVER_EXE as final: a missing file there is reported, even with one in ~/.local/bin', async () => {
    await installMsbBehindSymlink();
    await executable(path.join(localBin, 'msbserver'));
    const missing = path.join(root, 'env', 'msbserver');
    const result = await locateMsbserver({
      env: envWith({ MSBSERVER_EXE: missing }),
      platform: 'linux',
      userHome: home,
    });
    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.searched).toEqual([missing]);
    expect(result.problem).toContain('MSBSERVER_EXE');
    expect(result.problem).toContain(missing);
    expect(result.problem).toMatch(/does not exist/);
    expect(result.hint).toBe(MICROSANDBOX_INSTALL_HINT);
  });

  it('takes the settings path as final too', async () => {
    await executable(path.join(localBin, 'msbserver'));
    const missing = path.join(root, 'settings', 'msbserver');
    const result = await locateMsbserver({
      env: envWith({}),
      settingsPath: missing,
      platform: 'linux',
      userHome: home,
    });
    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.searched).toEqual([missing]);
    expect(result.problem).toContain('Settings');
    expect(result.problem).toContain(missing);
    expect(result.problem).not.toContain('MSBSERVER_EXE');
  });

  it('reports a non-executable (0644) MSBSERVER_EXE as not executable, root or not', async () => {
    const file = await executable(path.join(root, 'env', 'msbserver'), 0o644);
    await executable(path.join(localBin, 'msbserver'));
    const result = await locateMsbserver({ env: envWith({ MSBSERVER_EXE: file }), platform: 'linux', userHome: home });
    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.problem).toContain('MSBSERVER_EXE');
    expect(result.problem).toMatch(/not an executable file/);
  });

  it('does not accept a 0644 msbserver in ~/.local/bin, and says it is not executable', async () => {
    const file = await executable(path.join(localBin, 'msbserver'), 0o644);
    const result = await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home });
    expect(result).toEqual({
      found: false,
      searched: [file],
      problem: `${file} is not an executable file.`,
      hint: MICROSANDBOX_INSTALL_HINT,
      reason: 'not-executable',
    });
  });

  it('skips a non-executable msbserver beside msb for an executable one in ~/.local/bin', async () => {
    const { beside } = await installMsbBehindSymlink();
    await fsp.chmod(beside, 0o644);
    const local = await executable(path.join(localBin, 'msbserver'));
    expect(await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home })).toEqual({
      found: true,
      path: local,
      source: 'local-bin',
      searched: [beside, local],
    });
  });

  it('names the first non-executable file when nothing usable is found', async () => {
    const { beside } = await installMsbBehindSymlink();
    await fsp.chmod(beside, 0o600);
    await executable(path.join(localBin, 'msbserver'), 0o644);
    const result = await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home });
    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.problem).toBe(`${beside} is not an executable file.`);
  });

  it('does not accept a directory named msbserver', async () => {
    const dirInLocal = path.join(localBin, 'msbserver');
    await fsp.mkdir(dirInLocal, { mode: 0o755 });
    const result = await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home });
    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.problem).toBe(`${dirInLocal} is not an executable file.`);

    const explicit = await locateMsbserver({
      env: envWith({ MSBSERVER_EXE: dirInLocal }),
      platform: 'linux',
      userHome: home,
    });
    expect(explicit.found).toBe(false);
    if (explicit.found) return;
    expect(explicit.problem).toMatch(/MSBSERVER_EXE .* not an executable file/);
  });

  it('accepts an executable reached through a symlink, reporting the path it was given', async () => {
    const real = await executable(path.join(root, 'real', 'msbserver-0.2.6'));
    const link = path.join(localBin, 'msbserver');
    await fsp.symlink(real, link);
    expect(await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home })).toMatchObject({
      found: true,
      path: link,
    });
  });

  it('does not accept a dangling symlink', async () => {
    await fsp.symlink(path.join(root, 'gone'), path.join(localBin, 'msbserver'));
    const result = await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home });
    expect(result.found).toBe(false);
  });

  it('lists every place looked at, in order, without duplicates', async () => {
    // Two installs on PATH, one of them reachable twice (directly and through a link), the other
    // being ~/.local/bin itself (the installer's layout), plus relative and empty PATH entries.
    const otherInstall = path.join(root, 'other', 'bin');
    await executable(path.join(install, 'msb'));
    await executable(path.join(otherInstall, 'msb'));
    await executable(path.join(localBin, 'msb'));
    await fsp.symlink(path.join(install, 'msb'), path.join(pathDir, 'msb'));
    const PATH = [pathDir, '', 'relative/bin', install, otherInstall, localBin, pathDir].join(path.delimiter);
    const result = await locateMsbserver({ env: { PATH }, platform: 'linux', userHome: home });
    const expected = [
      path.join(install, 'msbserver'),
      path.join(otherInstall, 'msbserver'),
      path.join(localBin, 'msbserver'),
    ];
    expect(result).toEqual({
      found: false,
      searched: expected,
      problem: `msbserver was not found. Looked in: ${expected.join(', ')}.`,
      hint: MICROSANDBOX_INSTALL_HINT,
      reason: 'missing',
    });
  });

  it('refuses, with the reason, an msbserver others could change, wherever it was found', async () => {
    const settings = await executable(path.join(root, 'settings', 'msbserver'), 0o757);
    const viaSettings = await locateMsbserver({
      env: envWith({}),
      settingsPath: settings,
      platform: 'linux',
      userHome: home,
    });
    expect(viaSettings).toMatchObject({ found: false, reason: 'unsafe', searched: [settings] });
    expect(viaSettings.found ? '' : viaSettings.problem).toMatch(
      new RegExp(
        '^the msbserver path in Settings points at .*, ' +
          'and the app does not run this msbserver: .*group- or world-writable',
      ),
    );

    // Not skipped for the next candidate: the user should learn why it was not run.
    await executable(path.join(localBin, 'msbserver'));
    const { beside } = await installMsbBehindSymlink();
    await fsp.chmod(path.dirname(beside), 0o775);
    const besideMsb = await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home });
    expect(besideMsb).toMatchObject({ found: false, reason: 'unsafe', searched: [beside] });
    expect(besideMsb.found ? '' : besideMsb.problem).toMatch(
      /^The app does not run this msbserver: The folder .*opt\/microsandbox\/bin can be changed by other users/,
    );
  });

  it('does not take a non-executable or missing msb on PATH for an install', async () => {
    await executable(path.join(pathDir, 'msb'), 0o644);
    await executable(path.join(pathDir, 'msbserver'));
    const result = await locateMsbserver({ env: envWith({}), platform: 'linux', userHome: home });
    expect(result.searched).toEqual([path.join(localBin, 'msbserver')]);
    expect(result.found).toBe(false);
  });

  it('looks only in ~/.local/bin when PATH is unset', async () => {
    const result = await locateMsbserver({ env: {}, platform: 'darwin', userHome: home });
    expect(result.searched).toEqual([path.join(localBin, 'msbserver')]);
  });

  it('reports that Windows is not supported, with a WSL hint, without looking anywhere', async () => {
    const fromEnv = await executable(path.join(root, 'env', 'msbserver'));
    const result = await locateMsbserver({ env: { MSBSERVER_EXE: fromEnv }, platform: 'win32', userHome: home });
    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.searched).toEqual([]);
    expect(result.problem).toMatch(/Windows/);
    expect(result.hint).toMatch(/WSL/);
  });
});

posixOnly('serverEnvironment', () => {
  /** A standard install: msbserver in <prefix>/bin, its libraries in <prefix>/lib. */
  let prefix: string;
  let userLib: string;
  beforeEach(async () => {
    prefix = path.join(root, 'opt', 'msb');
    userLib = path.join(home, '.local', 'lib');
    for (const d of [path.join(prefix, 'bin'), path.join(prefix, 'lib'), userLib])
      await fsp.mkdir(d, { recursive: true });
    await fsp.chmod(root, 0o755);
  });
  const server = (): string => path.join(prefix, 'bin', 'msbserver');

  it('adds ~/.local/lib and <bin>/../lib to LD_LIBRARY_PATH on Linux', async () => {
    const env = await serverEnvironment({ PATH: '/usr/bin' }, server(), 'linux', home);
    expect(env['LD_LIBRARY_PATH']).toBe([userLib, path.join(prefix, 'lib')].join(path.delimiter));
    expect(env['DYLD_LIBRARY_PATH']).toBeUndefined();
    expect(env['PATH']).toBe('/usr/bin');
  });

  it('uses DYLD_LIBRARY_PATH on macOS and leaves LD_LIBRARY_PATH alone', async () => {
    const env = await serverEnvironment({ LD_LIBRARY_PATH: '/x' }, server(), 'darwin', home);
    expect(env['DYLD_LIBRARY_PATH']).toBe([userLib, path.join(prefix, 'lib')].join(path.delimiter));
    expect(env['LD_LIBRARY_PATH']).toBe('/x');
  });

  it('keeps existing entries first', async () => {
    const env = await serverEnvironment(
      { LD_LIBRARY_PATH: ['/a', '/b'].join(path.delimiter) },
      server(),
      'linux',
      home,
    );
    expect(env['LD_LIBRARY_PATH']).toBe(['/a', '/b', userLib, path.join(prefix, 'lib')].join(path.delimiter));
  });

  it('does not duplicate entries already there, or the two extra folders when they are one', async () => {
    const existing = [path.join(prefix, 'lib'), '/a'].join(path.delimiter);
    expect((await serverEnvironment({ LD_LIBRARY_PATH: existing }, server(), 'linux', home))['LD_LIBRARY_PATH']).toBe(
      [path.join(prefix, 'lib'), '/a', userLib].join(path.delimiter),
    );
    // The standard install: msbserver in ~/.local/bin, so <bin>/../lib is ~/.local/lib.
    const local = path.join(home, '.local', 'bin', 'msbserver');
    const once = await serverEnvironment({}, local, 'linux', home);
    expect(once['LD_LIBRARY_PATH']).toBe(userLib);
    expect((await serverEnvironment(once, local, 'linux', home))['LD_LIBRARY_PATH']).toBe(userLib);
  });

  it('drops empty entries (which would mean the working directory)', async () => {
    const env = await serverEnvironment(
      { LD_LIBRARY_PATH: `${path.delimiter}/a${path.delimiter}${path.delimiter}` },
      server(),
      'linux',
      home,
    );
    expect(env['LD_LIBRARY_PATH']).toBe(['/a', userLib, path.join(prefix, 'lib')].join(path.delimiter));
  });

  it('does not change the environment it is given', async () => {
    const base: NodeJS.ProcessEnv = { LD_LIBRARY_PATH: '/a', HOME: '/home/u' };
    const env = await serverEnvironment(base, server(), 'linux', home);
    expect(base).toEqual({ LD_LIBRARY_PATH: '/a', HOME: '/home/u' });
    expect(env).not.toBe(base);
    expect(env['HOME']).toBe('/home/u');
  });

  it('adds no library folder that does not exist, so nobody can create it later', async () => {
    await fsp.rm(path.join(prefix, 'lib'), { recursive: true });
    await fsp.rm(userLib, { recursive: true });
    const env = await serverEnvironment({}, server(), 'linux', home);
    expect(env['LD_LIBRARY_PATH']).toBeUndefined();
  });

  it('adds no library folder that others can write to, or that lies in one', async () => {
    await fsp.chmod(path.join(prefix, 'lib'), 0o777);
    expect((await serverEnvironment({}, server(), 'linux', home))['LD_LIBRARY_PATH']).toBe(userLib);
    await fsp.chmod(path.join(prefix, 'lib'), 0o755);
    await fsp.chmod(path.join(home, '.local'), 0o777);
    expect((await serverEnvironment({}, server(), 'linux', home))['LD_LIBRARY_PATH']).toBe(path.join(prefix, 'lib'));
    await fsp.chmod(path.join(home, '.local'), 0o755);
  });

  it(
    'adds no lib folder of another user in a sticky shared ' + 'folder such as /tmp (a release unpacked there)',
    async () => {
      const shared = path.join(root, 'shared-tmp');
      await fsp.mkdir(path.join(shared, 'bin'), { recursive: true });
      await fsp.mkdir(path.join(shared, 'lib'));
      await fsp.chmod(shared, 0o1777);
      const env = await serverEnvironment(
        {},
        path.join(shared, 'bin', 'msbserver'),
        'linux',
        home,
        await ownedByStranger(path.join(shared, 'lib')),
      );
      expect(env['LD_LIBRARY_PATH'] ?? '').not.toContain(path.join(shared, 'lib'));
    },
  );

  it('adds no library folder reached through a link into a folder others can write to', async () => {
    const open = path.join(root, 'open');
    await fsp.mkdir(path.join(open, 'lib'), { recursive: true });
    await fsp.chmod(open, 0o777);
    await fsp.rm(userLib, { recursive: true });
    await fsp.symlink(path.join(open, 'lib'), userLib);
    const env = await serverEnvironment({}, server(), 'linux', home);
    expect(env['LD_LIBRARY_PATH']).toBe(path.join(prefix, 'lib'));
  });
});

posixOnly('locateMsbrun', () => {
  let server: string;
  beforeEach(async () => {
    await fsp.chmod(root, 0o755);
    server = await executable(path.join(install, 'msbserver'));
  });

  it('finds a safe msbrun beside msbserver', async () => {
    const msbrun = await executable(path.join(install, 'msbrun'));
    expect(await locateMsbrun(server, {})).toEqual({ found: true, path: msbrun, searched: [msbrun] });
  });

  it('refuses an msbrun others can write to, naming it', async () => {
    const msbrun = await executable(path.join(install, 'msbrun'), 0o777);
    await fsp.chmod(msbrun, 0o777);
    const location = await locateMsbrun(server, {});
    expect(location.found).toBe(false);
    expect(location.unsafe).toMatch(/msbrun/);
    expect(location.unsafe).toContain(msbrun);
  });

  it('refuses an msbrun that is a link to a file in a folder others can write to', async () => {
    const open = path.join(root, 'open');
    const target = await executable(path.join(open, 'msbrun'));
    await fsp.chmod(open, 0o777);
    await fsp.symlink(target, path.join(install, 'msbrun'));
    const location = await locateMsbrun(server, {});
    expect(location.found).toBe(false);
    expect(location.unsafe).toContain(open);
  });

  it('refuses an msbrun of another owner', async () => {
    const msbrun = await executable(path.join(install, 'msbrun'));
    const location = await locateMsbrun(server, {}, await ownedByStranger(msbrun));
    expect(location.found).toBe(false);
    expect(location.unsafe ?? '').toMatch(/another user|belongs/);
  });

  it('checks $MSBRUN_EXE as it checks the file beside msbserver, and refuses a relative one', async () => {
    const elsewhere = await executable(path.join(root, 'elsewhere', 'msbrun'), 0o777);
    await fsp.chmod(elsewhere, 0o777);
    expect((await locateMsbrun(server, { MSBRUN_EXE: elsewhere })).unsafe).toContain(elsewhere);
    await fsp.chmod(elsewhere, 0o755);
    expect((await locateMsbrun(server, { MSBRUN_EXE: elsewhere })).found).toBe(true);
    const relative = await locateMsbrun(server, { MSBRUN_EXE: 'bin/msbrun' });
    expect(relative.found).toBe(false);
    expect(relative.unsafe).toMatch(/relative/);
  });

  it('reports a missing msbrun as missing, not unsafe', async () => {
    const location = await locateMsbrun(server, {});
    expect(location).toEqual({ found: false, path: null, searched: [path.join(install, 'msbrun')] });
  });
});

posixOnly('a relative $MSBSERVER_EXE', () => {
  it("is resolved once against the app's working folder, and that absolute file is what is run", async () => {
    await fsp.chmod(root, 0o755);
    const file = await executable(path.join(root, 'rel', 'msbserver'));
    const relative = path.relative(process.cwd(), file);
    expect(path.isAbsolute(relative)).toBe(false);
    const result = await locateMsbserver({ env: { MSBSERVER_EXE: relative }, platform: 'linux', userHome: home });
    expect(result.found).toBe(true);
    if (!result.found) return;
    expect(result.path).toBe(file);
    expect(result.searched[0]).toBe(file);
  });
});
