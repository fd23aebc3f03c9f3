import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxAutostart } from '../../../../electron/core/desktop/autostart-linux.ts';
import type { StartAtLoginPort } from '../../../../electron/core/desktop/desktop-ports.ts';
import { StartAtLoginSync } from '../../../../electron/core/desktop/start-at-login.ts';
import { silentLogger, type Logger } from '../../../../electron/core/base/logger.ts';
import { SettingsStore } from '../../../../electron/core/settings.ts';

let dir = '';
let settings: SettingsStore;
let port: LinuxAutostart;
const syncs: StartAtLoginSync[] = [];

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'start-at-login-'));
  settings = new SettingsStore(
    new Conf<Record<string, unknown>>({ cwd: path.join(dir, 'conf'), configName: 'settings', projectName: 'x' }),
  );
  port = new LinuxAutostart({
    env: { XDG_CONFIG_HOME: path.join(dir, 'config') },
    execPath: '/opt/Microsandbox Tray/microsandbox-tray',
  });
});

afterEach(async () => {
  for (const sync of syncs.splice(0)) sync.dispose();
  await fsp.rm(dir, { recursive: true, force: true });
});

function makeSync(
  p: StartAtLoginPort = port,
  logger: Logger = silentLogger,
): { sync: StartAtLoginSync; renders: () => number } {
  let renders = 0;
  const sync = new StartAtLoginSync(p, settings, () => void renders++, logger);
  syncs.push(sync);
  return { sync, renders: () => renders };
}

const exists = (file: string): Promise<boolean> =>
  fsp.access(file).then(
    () => true,
    () => false,
  );

describe('StartAtLoginSync', () => {
  it('brings the setting in line with the system at launch', async () => {
    await port.enable();
    const { sync, renders } = makeSync();
    expect(sync.enabled).toBe(false);
    await sync.syncFromSystem();
    expect(sync.enabled).toBe(true);
    expect(settings.get().startAtLogin).toBe(true);
    expect(renders()).toBe(1);
  });

  it('carries a settings change to the system, and the tray toggle back to the setting', async () => {
    const { sync } = makeSync();
    settings.update({ startAtLogin: true });
    await sync.settled();
    expect(await exists(port.file)).toBe(true);
    expect(sync.enabled).toBe(true);
    await sync.toggle();
    expect(await exists(port.file)).toBe(false);
    expect(settings.get().startAtLogin).toBe(false);
  });

  it('keeps the known state and logs when the system refuses the change', async () => {
    const errors: string[] = [];
    const refusing: StartAtLoginPort = {
      isEnabled: () => Promise.resolve(false),
      setEnabled: () => Promise.reject(new Error('EACCES: autostart folder is read-only')),
    };
    const { sync } = makeSync(refusing, { ...silentLogger, error: (m) => void errors.push(m) });
    await sync.apply(true);
    expect(sync.enabled).toBe(false);
    expect(settings.get().startAtLogin).toBe(false);
    expect(errors).toEqual(['Changing start at login failed: EACCES: autostart folder is read-only']);
  });
});
