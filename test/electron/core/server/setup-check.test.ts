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

  it('names Windows as unsupported', async () => {
    expect(await checkSetup({ env: {}, settingsPath: null, platform: 'win32', userHome: dir })).toEqual({
      kind: 'unsupported',
      platformName: 'Windows',
    });
  });
});
