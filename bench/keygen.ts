// Mint-and-answer latency of the keys:mint handler, as the window sees it minus the IPC hop.
import Conf from 'conf';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ClipboardGuard,
  createHandlerTable,
  createMintService,
  createSandboxesService,
  DEFAULT_SETTINGS,
  homePaths,
  openSettings,
  type Settings,
  systemClock,
} from '../electron/core/index.ts';
import { createHarness } from '../test/electron/core/server/lifecycle-harness.ts';
import { summarize, type Summary } from './stats.ts';

export interface KeygenFigures {
  /** The very first mint of the process: loads jose and imports the HMAC key. */
  readonly firstMs: number;
  /** No server running: read server.key, mint, answer. */
  readonly serverStopped: Summary;
  /** Secure server running: the same plus one authenticated call that checks the new key. */
  readonly serverRunning: Summary;
}

export async function measureKeygen(runs: number): Promise<KeygenFigures> {
  const h = await createHarness();
  const confDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-bench-settings-'));
  try {
    const { store } = openSettings(
      () =>
        new Conf<Settings>({
          cwd: confDir,
          configName: 'settings',
          defaults: { ...DEFAULT_SETTINGS, port: h.settings.port },
        }),
      path.join(confDir, 'settings.json'),
    );
    const control = h.controller();
    await control.ready;
    let clip = '';
    const scrubber = { scrubLines: (lines: readonly string[]) => Promise.resolve([...lines]) };
    const sandboxes = createSandboxesService({
      defaultNamespacesDir: homePaths(h.home).namespacesDir,
      settings: store,
      server: () => control.snapshot(),
      keyFile: homePaths(h.home).keyFile,
      scrubber,
    });
    const table = createHandlerTable({
      control,
      scrubber,
      settings: store,
      paths: homePaths(h.home),
      clipboard: new ClipboardGuard(
        { readText: () => Promise.resolve(clip), writeText: (t) => Promise.resolve(void (clip = t)) },
        () => 0,
      ),
      shell: { showItemInFolder: () => undefined, openPath: () => Promise.resolve('') },
      appInfo: {
        name: 'bench',
        version: '0',
        platform: process.platform,
        home: h.home,
        platformName: 'Linux',
      },
      mint: createMintService({
        keyFile: homePaths(h.home).keyFile,
        snapshot: () => control.snapshot(),
        settings: () => store.get(),
        clock: systemClock,
      }),
      isTrustedSender: () => true,
      // The bench never asks anything: every question is answered no.
      confirm: { confirm: () => Promise.resolve(false) },
      fileChooser: { chooseFile: () => Promise.resolve(null) },
      sandboxes,
      setup: { refresh: () => Promise.resolve({ kind: 'unknown' }) },
      // Never asked: no sandbox runs here.
      choice: { choose: (question) => Promise.resolve(question.cancelIndex) },
    });
    const sender = { id: 1, url: 'app://microsandbox-tray/index.html', isMainFrame: true };
    const mintOnce = async (): Promise<number> => {
      const t0 = performance.now();
      const answer = await table.handle('keys:mint', sender, { namespace: 'team-a', expiresIn: '1h' });
      const elapsed = performance.now() - t0;
      if (!answer.ok) throw new Error(answer.error.message);
      return elapsed;
    };
    const firstMs = await mintOnce();
    const sample = async (): Promise<number[]> => {
      // Steady state, as in an app that has run a while: JIT tiers settled, key imported, page cache warm.
      for (let i = 0; i < 2_000; i++) await mintOnce();
      const out: number[] = [];
      for (let i = 0; i < runs; i++) out.push(await mintOnce());
      return out;
    };
    const serverStopped = summarize(await sample());
    await control.start();
    const serverRunning = summarize(await sample());
    await control.stop();
    sandboxes.dispose();
    return { firstMs, serverStopped, serverRunning };
  } finally {
    await h.cleanup();
    await fsp.rm(confDir, { recursive: true, force: true });
  }
}
