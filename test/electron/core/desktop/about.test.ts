import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  aboutText,
  collectAbout,
  msbserverFact,
  msbVersionBeside,
  showAbout,
  type AboutInfo,
} from '../../../../electron/core/desktop/about.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { runtimeAboutLines } from '../../../../electron/core/desktop/about.ts';
import type { RuntimeView } from '../../../../shared/runtime.ts';

describe('About', () => {
  it('asks the msb beside msbserver for its version, and says nothing when there is none', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'about-'));
    try {
      await fsp.writeFile(path.join(dir, 'msb'), '#!/bin/sh\necho "msb 0.2.6"\n', { mode: 0o755 });
      expect(await msbVersionBeside(path.join(dir, 'msbserver'), silentLogger)).toBe('msb 0.2.6');
      await fsp.rm(path.join(dir, 'msb'));
      expect(await msbVersionBeside(path.join(dir, 'msbserver'), silentLogger)).toBeNull();
      expect(await msbVersionBeside(null, silentLogger)).toBeNull();
      // One others could change is never run.
      await fsp.writeFile(path.join(dir, 'msb'), `#!/bin/sh\ntouch ${path.join(dir, 'ran')}\necho "msb 0.2.6"\n`, {
        mode: 0o755,
      });
      await fsp.chmod(path.join(dir, 'msb'), 0o777);
      expect(await msbVersionBeside(path.join(dir, 'msbserver'), silentLogger)).toBeNull();
      await expect(fsp.access(path.join(dir, 'ran'))).rejects.toThrow();
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

describe('showAbout', () => {
  const info: AboutInfo = {
    appName: 'Microsandbox Tray',
    appVersion: '0.1.0',
    electron: '45.5.0',
    chrome: '142.0',
    node: '22.20.0',
    platform: 'linux',
    arch: 'x64',
    msbserver: '/m/msbserver',
    msbVersion: 'msb 0.2.6',
    home: '/h',
    appLog: '/l/main.log',
    serverLog: '/l/msbserver.log',
    settingsFile: '/c/settings.json',
  };

  it('shows the facts natively and copies all of them only on Copy', async () => {
    for (const [answer, copies] of [
      [0, [aboutText(info)]],
      [1, []],
    ] as const) {
      const copied: string[] = [];
      const asked: { title: string; detail?: string; buttons: readonly string[] }[] = [];
      await showAbout({
        info: () => Promise.resolve(info),
        choice: { choose: (question) => Promise.resolve((asked.push(question), answer)) },
        copy: (text) => Promise.resolve(void copied.push(text)),
      });
      expect(asked).toMatchObject([
        { title: 'About Microsandbox Tray', detail: aboutText(info), buttons: ['Copy', 'OK'] },
      ]);
      expect(copied).toEqual(copies);
    }
  });
});

describe("About and the app's own update", () => {
  const info = {
    appName: 'Microsandbox Tray',
    appVersion: '0.1.0',
    electron: '45.5.0',
    chrome: '142.0',
    node: '22.20.0',
    platform: 'linux',
    arch: 'x64',
    msbserver: '/m/msbserver',
    msbVersion: null,
    home: '/h',
    appLog: '/l/main.log',
    serverLog: '/l/msbserver.log',
    settingsFile: '/c/settings.json',
  } satisfies AboutInfo;

  it('offers Restart to Update for a downloaded update and the release page for an unsigned macOS build', async () => {
    for (const [offer, button, done] of [
      [{ kind: 'restart-to-update', version: '0.2.0' }, 'Restart to Update', 'restart'],
      [{ kind: 'release-page', version: '0.2.0', url: 'https://x/releases/latest' }, 'Open Release Page', 'page'],
    ] as const) {
      const asked: { detail?: string; buttons: readonly string[]; cancelIndex: number }[] = [];
      const acted: string[] = [];
      await showAbout({
        info: () => Promise.resolve(info),
        choice: { choose: (question) => Promise.resolve((asked.push(question), 1)) },
        copy: () => Promise.resolve(),
        update: {
          offer: () => offer,
          restartToUpdate: () => void acted.push('restart'),
          openReleasePage: () => Promise.resolve(void acted.push('page')),
        },
      });
      expect(asked[0]?.buttons).toEqual(['Copy', button, 'OK']);
      expect(asked[0]?.cancelIndex).toBe(2);
      expect(asked[0]?.detail).toContain('Update: 0.2.0 is');
      expect(acted).toEqual([done]);
    }
  });

  it('says why Restart to Update waits during a start, with no button to press', async () => {
    const asked: { detail?: string; buttons: readonly string[] }[] = [];
    await showAbout({
      info: () => Promise.resolve(info),
      choice: { choose: (question) => Promise.resolve((asked.push(question), 1)) },
      copy: () => Promise.resolve(),
      update: {
        offer: () => ({ kind: 'restart-later', version: '0.2.0', reason: 'The server is starting.' }),
        restartToUpdate: () => {
          throw new Error('must not restart');
        },
        openReleasePage: () => Promise.resolve(),
      },
    });
    expect(asked[0]?.buttons).toEqual(['Copy', 'OK']);
    expect(asked[0]?.detail).toContain('The server is starting. Restart to Update waits.');
  });
});

describe('collectAbout', () => {
  it("says which msbserver is in use or why there is none, with this runtime's versions", async () => {
    expect(msbserverFact({ kind: 'ready', msbserver: '/m/msbserver', msbrun: { found: false, searched: [] } })).toBe(
      '/m/msbserver (no msbrun beside it)',
    );
    expect(
      msbserverFact({
        kind: 'msbrun-unsafe',
        msbserver: '/m/msbserver',
        msbrun: { searched: ['/m/msbrun'], problem: '/m/msbrun belongs to another user (uid 4242).' },
      }),
    ).toBe('/m/msbserver (msbrun is unsafe: /m/msbrun belongs to another user (uid 4242).)');
    expect(
      msbserverFact({
        kind: 'missing',
        locate: { found: false, searched: [], problem: 'msbserver was not found.', hint: '' },
      }),
    ).toBe('not found (msbserver was not found.)');
    expect(msbserverFact({ kind: 'unsupported', platformName: 'Windows' })).toBe('does not run natively on Windows');
    const facts = {
      appName: 'Microsandbox Tray',
      appVersion: '0.1.0',
      home: '/h',
      appLog: '/l/main.log',
      serverLog: '/l/s.log',
      settingsFile: '/c/s.json',
    };
    const info = await collectAbout(facts, { kind: 'unknown' }, silentLogger);
    expect(info).toMatchObject({
      ...facts,
      node: process.versions.node,
      electron: 'none (plain Node)',
      msbserver: 'not looked for yet',
      msbVersion: null,
    });
  });
});

describe('About in the runtime generation', () => {
  const view: RuntimeView = {
    generation: 'runtime',
    setting: 'automatic',
    msb: { path: '/home/u/.microsandbox/bin/msb', version: '0.6.18' },
    serverFound: false,
    notes: [],
    state: {
      sandboxes: [],
      metrics: {},
      host: {
        ok: false,
        checks: [
          { name: 'kvm', state: 'fail', detail: '/dev/kvm missing', fixes: ['sudo modprobe kvm'] },
          { name: 'libkrunfw', state: 'ok', detail: 'found', fixes: [] },
        ],
      },
      context: null,
      capabilities: { pause: false },
      error: null,
      listedAt: 1,
    },
  };

  it('names the msb used and each failing check with its fix', () => {
    expect(runtimeAboutLines(view)).toEqual([
      'msb (runtime): 0.6.18 at /home/u/.microsandbox/bin/msb',
      'Host check: sandboxes cannot start',
      '  ✗ kvm /dev/kvm missing',
      '    → sudo modprobe kvm',
    ]);
  });

  it('says ready when every check passes, and nothing in the server generation', () => {
    const ready = { ...view, state: { ...view.state!, host: { ok: true, checks: [] } } };
    expect(runtimeAboutLines(ready)).toContain('Host check: ready');
    expect(runtimeAboutLines({ ...view, generation: 'server' })).toEqual([]);
  });
});
