import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSetup } from '../../../../electron/core/server/setup-check.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';

let dir = '';
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'setup-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('checkSetup', () => {
  it('says microsandbox is missing, with every place looked in, when nothing is installed', async () => {
    const setup = await checkSetup({
      env: { PATH: path.join(dir, 'bin') },
      settingsPath: null,
      platform: 'linux',
      userHome: dir,
    });
    expect(setup.kind).toBe('missing');
    if (setup.kind === 'missing') expect(setup.locate.searched).toContain(path.join(dir, '.local', 'bin', 'msbserver'));
  });

  it('finds msbserver and msbrun beside it (the stand-in has both)', async () => {
    const setup = await checkSetup({
      env: { MSBSERVER_EXE: STANDIN_PATH },
      settingsPath: null,
      platform: 'linux',
      userHome: dir,
    });
    expect(setup).toEqual({
      kind: 'ready',
      msbserver: STANDIN_PATH,
      msbrun: { found: true, searched: [path.join(path.dirname(STANDIN_PATH), 'msbrun')] },
    });
  });

  it('finds msbserver without msbrun beside it', async () => {
    const bin = path.join(dir, '.local', 'bin');
    await fsp.mkdir(bin, { recursive: true });
    await fsp.chmod(dir, 0o755);
    await fsp.writeFile(path.join(bin, 'msbserver'), '#!/bin/sh\n', { mode: 0o755 });
    const setup = await checkSetup({ env: { PATH: '' }, settingsPath: null, platform: 'linux', userHome: dir });
    expect(setup).toMatchObject({ kind: 'ready', msbrun: { found: false, searched: [path.join(bin, 'msbrun')] } });
  });

  /** msbserver in `~/.local/bin` of `dir`, as the installer puts it; `msbrun` beside it when given. */
  async function installed(msbrunMode?: number): Promise<string> {
    const bin = path.join(dir, '.local', 'bin');
    await fsp.mkdir(bin, { recursive: true });
    await fsp.chmod(dir, 0o755);
    await fsp.writeFile(path.join(bin, 'msbserver'), '#!/bin/sh\n', { mode: 0o755 });
    if (msbrunMode !== undefined) {
      await fsp.writeFile(path.join(bin, 'msbrun'), '#!/bin/sh\n');
      await fsp.chmod(path.join(bin, 'msbrun'), msbrunMode);
    }
    return bin;
  }

  it('says msbrun is unsafe, not missing, when others can write to it, naming it and the fix', async () => {
    const bin = await installed(0o777);
    const msbrun = path.join(bin, 'msbrun');
    const setup = await checkSetup({ env: { PATH: '' }, settingsPath: null, platform: 'linux', userHome: dir });
    expect(setup).toMatchObject({
      kind: 'msbrun-unsafe',
      msbserver: path.join(bin, 'msbserver'),
      msbrun: { searched: [msbrun] },
    });
    if (setup.kind !== 'msbrun-unsafe') return;
    expect(setup.msbrun.problem).toContain(`${msbrun} can be changed by other users`);
    expect(setup.msbrun.problem).toContain(`chmod go-w "${msbrun}"`);
  });

  it('says msbrun is unsafe when $MSBRUN_EXE links into a folder others can write to, naming the folder', async () => {
    await installed(0o755);
    const open = path.join(dir, 'open');
    await fsp.mkdir(open);
    await fsp.writeFile(path.join(open, 'msbrun'), '#!/bin/sh\n', { mode: 0o755 });
    await fsp.chmod(open, 0o777);
    await fsp.symlink(path.join(open, 'msbrun'), path.join(dir, 'msbrun-link'));
    const setup = await checkSetup({
      env: { PATH: '', MSBRUN_EXE: path.join(dir, 'msbrun-link') },
      settingsPath: null,
      platform: 'linux',
      userHome: dir,
    });
    expect(setup.kind).toBe('msbrun-unsafe');
    if (setup.kind === 'msbrun-unsafe') expect(setup.msbrun.problem).toMatch(`The folder ${open} can be changed`);
  });

  it('says msbrun is unsafe for a relative $MSBRUN_EXE, which msbserver would look up from the home', async () => {
    await installed(0o755);
    const setup = await checkSetup({
      env: { PATH: '', MSBRUN_EXE: 'bin/msbrun' },
      settingsPath: null,
      platform: 'linux',
      userHome: dir,
    });
    expect(setup).toMatchObject({ kind: 'msbrun-unsafe', msbrun: { searched: ['bin/msbrun'] } });
    if (setup.kind === 'msbrun-unsafe') expect(setup.msbrun.problem).toMatch(/relative path/);
  });

  it('a safe msbrun beside msbserver is ready', async () => {
    const bin = await installed(0o755);
    const setup = await checkSetup({ env: { PATH: '' }, settingsPath: null, platform: 'linux', userHome: dir });
    expect(setup).toEqual({
      kind: 'ready',
      msbserver: path.join(bin, 'msbserver'),
      msbrun: { found: true, searched: [path.join(bin, 'msbrun')] },
    });
  });

  it('names Windows as unsupported', async () => {
    expect(await checkSetup({ env: {}, settingsPath: null, platform: 'win32', userHome: dir })).toEqual({
      kind: 'unsupported',
      platformName: 'Windows',
    });
  });
});
