import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aboutText, msbVersionBeside } from '../../../../electron/core/desktop/about.ts';
import { silentLogger } from '../../../../electron/core/logger.ts';

describe('About', () => {
  it('asks the msb beside msbserver for its version, and says nothing when there is none', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'about-'));
    try {
      await fsp.writeFile(path.join(dir, 'msb'), '#!/bin/sh\necho "msb 0.2.6"\n', { mode: 0o755 });
      expect(await msbVersionBeside(path.join(dir, 'msbserver'), silentLogger)).toBe('msb 0.2.6');
      await fsp.rm(path.join(dir, 'msb'));
      expect(await msbVersionBeside(path.join(dir, 'msbserver'), silentLogger)).toBeNull();
      expect(await msbVersionBeside(null, silentLogger)).toBeNull();
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('gives one line per fact, for a bug report', () => {
    const text = aboutText({
      appName: 'Microsandbox Tray',
      appVersion: '0.1.0',
      electron: '45.5.0',
      chrome: '142.0',
      node: '22.20.0',
      platform: 'linux',
      arch: 'x64',
      msbserver: '/home/me/.local/bin/msbserver',
      msbVersion: null,
      home: '/home/me/.microsandbox',
      appLog: '/l/main.log',
      serverLog: '/l/msbserver.log',
      settingsFile: '/c/settings.json',
    });
    expect(text.split('\n')).toEqual([
      'Microsandbox Tray 0.1.0',
      'Electron 45.5.0 · Chrome 142.0 · Node 22.20.0',
      'Platform: linux (x64)',
      'msbserver: /home/me/.local/bin/msbserver',
      'msb: not found beside msbserver',
      'Microsandbox home: /home/me/.microsandbox',
      'App log: /l/main.log',
      'Server log: /l/msbserver.log',
      'Settings: /c/settings.json',
    ]);
  });
});
