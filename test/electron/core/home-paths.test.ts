import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { homePaths, resolveHome } from '../../../electron/core/home-paths.ts';

describe('resolveHome', () => {
  it('uses MICROSANDBOX_HOME verbatim', () => {
    expect(resolveHome({ MICROSANDBOX_HOME: '/srv/msb' }, '/home/u')).toBe('/srv/msb');
  });

  it.each([['~/x'], ['~'], ['$HOME/msb'], ['relative/home'], ['/with trailing slash/'], ['/a/../b'], [' /spaced ']])(
    'does no expansion or normalisation of %j',
    (value) => {
      expect(resolveHome({ MICROSANDBOX_HOME: value }, '/home/u')).toBe(value);
    },
  );

  it('falls back to ~/.microsandbox under the given user home when unset', () => {
    expect(resolveHome({}, '/home/u')).toBe(path.join('/home/u', '.microsandbox'));
  });

  it('treats an empty MICROSANDBOX_HOME as unset', () => {
    expect(resolveHome({ MICROSANDBOX_HOME: '' }, '/home/u')).toBe(path.join('/home/u', '.microsandbox'));
  });

  it('ignores other variables such as HOME', () => {
    expect(resolveHome({ HOME: '/elsewhere' }, '/home/u')).toBe(path.join('/home/u', '.microsandbox'));
  });

  it('defaults to this process’s environment and the OS user home', () => {
    const expected = process.env['MICROSANDBOX_HOME'] || path.join(os.homedir(), '.microsandbox');
    expect(resolveHome()).toBe(expected);
  });
});

describe('homePaths', () => {
  it('names the files msb and msbserver share', () => {
    expect(homePaths('/srv/msb')).toEqual({
      home: '/srv/msb',
      pidFile: path.join('/srv/msb', 'server.pid'),
      keyFile: path.join('/srv/msb', 'server.key'),
      namespacesDir: path.join('/srv/msb', 'namespaces'),
      lockFile: path.join('/srv/msb', 'tray-start.lock'),
    });
  });

  it('keeps the home itself verbatim', () => {
    expect(homePaths('~/x').home).toBe('~/x');
    expect(homePaths('~/x').pidFile).toBe(path.join('~/x', 'server.pid'));
  });

  it('puts every file directly inside the home', () => {
    const paths = homePaths('/h');
    for (const file of [paths.pidFile, paths.keyFile, paths.namespacesDir, paths.lockFile]) {
      expect(path.dirname(file)).toBe('/h');
    }
    expect(path.basename(paths.pidFile)).toBe('server.pid');
    expect(path.basename(paths.keyFile)).toBe('server.key');
    expect(path.basename(paths.namespacesDir)).toBe('namespaces');
  });
});
