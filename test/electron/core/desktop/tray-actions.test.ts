// The tray's clicks against the real controller (msbserver stand-in), the real mint service and
// key file; only the clipboard, notifications and shell (Electron's) are recording ports.
import { promises as fsp } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClipboardGuard } from '../../../../electron/core/desktop/clipboard-guard.ts';
import type { Notification } from '../../../../electron/core/desktop/ports.ts';
import { createTrayActions } from '../../../../electron/core/desktop/tray-actions.ts';
import type { TrayAction } from '../../../../electron/core/desktop/tray-menu.ts';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { verifyToken } from '../../../../electron/core/keys/token.ts';
import { silentLogger } from '../../../../electron/core/logger.ts';
import type { Controller } from '../../../../electron/core/server/controller.ts';
import { createHarness, type Harness } from '../server/lifecycle-harness.ts';

let h: Harness;
let control: Controller;
let clipboardText: string;
let notes: Notification[];
let revealed: string[];
let opened: number;
let quits: number;
let toggles: number;
let errors: string[];
let act: (action: TrayAction) => Promise<void>;

beforeEach(async () => {
  h = await createHarness();
  control = h.controller();
  await control.ready;
  clipboardText = '';
  notes = [];
  revealed = [];
  opened = 0;
  quits = 0;
  toggles = 0;
  errors = [];
  const clipboard = new ClipboardGuard(
    { readText: () => Promise.resolve(clipboardText), writeText: (text) => Promise.resolve(void (clipboardText = text)) },
    () => h.settings.clipboardClearSeconds,
  );
  act = createTrayActions({
    control,
    mint: createMintService({ keyFile: h.paths.keyFile, snapshot: () => control.snapshot(), settings: () => h.settings, clock: { now: () => Date.now() } }),
    clipboard,
    notifier: { notify: (note) => void notes.push(note) },
    shell: { showItemInFolder: (file) => void revealed.push(file), openPath: () => Promise.resolve('') },
    settings: () => h.settings,
    openWindow: () => void opened++,
    toggleStartAtLogin: () => Promise.resolve(void toggles++),
    quit: () => void quits++,
    logger: { ...silentLogger, error: (message) => void errors.push(message) },
  });
});

afterEach(async () => {
  const left = h.liveServers();
  await h.cleanup();
  expect(left, 'stand-ins left running').toEqual([]);
});

describe('tray actions', () => {
  it('start, restart and stop drive the server', async () => {
    await act('start');
    const first = control.snapshot();
    expect(first.state).toBe('running');
    await act('restart');
    expect(control.snapshot().state).toBe('running');
    expect(control.snapshot().pid).not.toBe(first.pid);
    await act('stop');
    expect(control.snapshot().state).toBe('stopped');
    expect(h.liveServers()).toEqual([]);
  });

  it('copies a key signed with server.key for the preset expiry and says so', async () => {
    h.settings = { ...h.settings, defaultNamespace: 'team-a', clipboardClearSeconds: 30 };
    await act('copy-key:7d');
    expect(clipboardText).toMatch(/^msb_/);
    const key = await fsp.readFile(h.paths.keyFile, 'utf8');
    const verified = await verifyToken(clipboardText, key);
    if (!verified.valid) throw new Error(verified.reason);
    expect(verified.claims.namespace).toBe('team-a');
    expect(verified.claims.exp - verified.claims.iat).toBe(7 * 86_400);
    expect(notes).toEqual([{ title: 'API key copied', body: 'A key for the namespace team-a is on the clipboard. The clipboard clears in 30 s.' }]);
  });

  it('copies nothing and says why when no key can be made', async () => {
    await fsp.mkdir(h.paths.keyFile, { recursive: true }); // a folder where server.key should be
    await act('copy-key');
    expect(clipboardText).toBe('');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.title).toBe('No API key was copied');
    expect(notes[0]?.body).toContain(h.paths.keyFile);
  });

  it('copies the URL, opens the window and the log, toggles start at login and quits', async () => {
    await act('copy-url');
    expect(clipboardText).toBe(`http://127.0.0.1:${h.settings.port}`);
    await act('open-window');
    await act('open-log');
    await act('toggle-start-at-login');
    await act('quit');
    expect({ opened, revealed, toggles, quits }).toEqual({ opened: 1, revealed: [control.logFile], toggles: 1, quits: 1 });
  });

  it('logs a failing action instead of rejecting', async () => {
    const failing = createTrayActions({
      control,
      mint: { mint: () => Promise.reject(new Error('unused')) },
      clipboard: new ClipboardGuard({ readText: () => Promise.resolve(''), writeText: () => Promise.reject(new Error('clipboard gone')) }, () => 0),
      notifier: { notify: () => undefined },
      shell: { showItemInFolder: () => undefined, openPath: () => Promise.resolve('') },
      settings: () => h.settings,
      openWindow: () => undefined,
      toggleStartAtLogin: () => Promise.resolve(),
      quit: () => undefined,
      logger: { ...silentLogger, error: (message) => void errors.push(message) },
    });
    await expect(failing('copy-url')).resolves.toBeUndefined();
    expect(errors).toEqual(['Tray action copy-url failed: clipboard gone']);
  });
});
