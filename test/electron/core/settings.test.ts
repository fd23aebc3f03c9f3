import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SettingsStore, openSettings } from '../../../electron/core/settings.ts';
import type { SettingsBackingStore } from '../../../electron/core/settings.ts';
import { DEFAULT_SETTINGS } from '../../../shared/settings-schema.ts';
import type { Settings } from '../../../shared/settings-schema.ts';

let dir: string;
let settingsFile: string;

beforeEach(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'msb-tray-settings-'));
  settingsFile = path.join(dir, 'settings.json');
});

afterEach(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true });
});

// Typed as the interface on purpose: this line fails to compile if conf stops satisfying it.
function createConf(): SettingsBackingStore {
  return new Conf({ cwd: dir, configName: 'settings', projectName: 'microsandbox-tray-test' });
}

const FIXED_TIME = new Date('2024-05-06T07:08:09.123Z');
const clock = (): Date => FIXED_TIME;

function readFileJson(): unknown {
  return JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
}

describe('openSettings on a fresh profile', () => {
  it('gives the defaults and reports nothing', () => {
    const opened = openSettings(createConf, settingsFile, clock);
    expect(opened.recovered).toBeNull();
    expect(opened.invalidFields).toEqual([]);
    expect(opened.store.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('uses the file conf actually writes', () => {
    expect(createConf().path).toBe(settingsFile);
  });

  it('accepts a conf typed with the Settings interface, without a cast', () => {
    const typed = (): SettingsBackingStore =>
      new Conf<Settings>({
        cwd: dir,
        configName: 'settings',
        projectName: 'microsandbox-tray-test',
        defaults: { ...DEFAULT_SETTINGS },
      });
    const opened = openSettings(typed, settingsFile, clock);
    expect(opened.store.get()).toEqual(DEFAULT_SETTINGS);
    expect(opened.store.update({ port: 6000 })).toMatchObject({ ok: true });
    expect(readFileJson()).toMatchObject({ port: 6000, host: '127.0.0.1' });
  });
});

describe('SettingsStore.update', () => {
  it('writes a valid patch, and a later open reads it back', () => {
    const { store } = openSettings(createConf, settingsFile, clock);
    const result = store.update({ port: 6000, defaultExpiry: '7d' });
    expect(result).toEqual({
      ok: true,
      settings: { ...DEFAULT_SETTINGS, port: 6000, defaultExpiry: '7d' },
      restartNeeded: true,
    });
    expect(readFileJson()).toMatchObject({ port: 6000, defaultExpiry: '7d' });
    expect(store.get().port).toBe(6000);
    expect(openSettings(createConf, settingsFile, clock).store.get()).toEqual({
      ...DEFAULT_SETTINGS,
      port: 6000,
      defaultExpiry: '7d',
    });
  });

  it('writes nothing at all when any field is invalid', () => {
    const { store } = openSettings(createConf, settingsFile, clock);
    store.update({ devMode: true });
    const before = fs.readFileSync(settingsFile);
    const result = store.update({ port: 0, autoRestart: true });
    expect(result).toEqual({
      ok: false,
      errors: { port: expect.stringMatching(/1 to 65535/) as unknown },
      unknownKeys: [],
    });
    expect(fs.readFileSync(settingsFile).equals(before)).toBe(true);
    expect(store.get()).toEqual({ ...DEFAULT_SETTINGS, devMode: true });
  });

  it('refuses unknown keys, __proto__ included, without writing', () => {
    const { store } = openSettings(createConf, settingsFile, clock);
    const patch: unknown = JSON.parse('{"__proto__": {"port": 1}, "theme": "dark"}');
    expect(store.update(patch)).toEqual({ ok: false, errors: {}, unknownKeys: ['__proto__', 'theme'] });
    expect(fs.existsSync(settingsFile) ? readFileJson() : {}).toEqual({});
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('says a restart is needed only when a restart setting actually changes', () => {
    const { store } = openSettings(createConf, settingsFile, clock);
    expect(store.update({ clipboardClearSeconds: 0, startAtLogin: true })).toMatchObject({
      ok: true,
      restartNeeded: false,
    });
    expect(store.update({ port: 5555 })).toMatchObject({ ok: true, restartNeeded: false });
    expect(store.update({ host: '::1' })).toMatchObject({ ok: true, restartNeeded: true });
    expect(store.update({ namespacesPath: '/srv/ns' })).toMatchObject({ ok: true, restartNeeded: true });
    expect(store.update({ logLevel: 'debug' })).toMatchObject({ ok: true, restartNeeded: true });
    expect(store.update({ logLevel: 'debug' })).toMatchObject({ ok: true, restartNeeded: false });
  });

  it('stores null values, which mean "use the default"', () => {
    const { store } = openSettings(createConf, settingsFile, clock);
    store.update({ msbserverPath: '/opt/msbserver' });
    store.update({ msbserverPath: null });
    expect(readFileJson()).toMatchObject({ msbserverPath: null });
    expect(store.get().msbserverPath).toBeNull();
  });

  it('hands out copies, so a caller cannot change the settings behind its back', () => {
    const { store } = openSettings(createConf, settingsFile, clock);
    const snapshot = store.get();
    snapshot.port = 1;
    expect(store.get().port).toBe(5555);
  });
});

describe('SettingsStore.onChange', () => {
  it('tells listeners about changes until they unsubscribe', () => {
    const { store } = openSettings(createConf, settingsFile, clock);
    const listener = vi.fn<(settings: Settings) => void>();
    const unsubscribe = store.onChange(listener);
    store.update({ autoRestart: true });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenLastCalledWith({ ...DEFAULT_SETTINGS, autoRestart: true });
    store.update({ autoRestart: true }); // no change
    store.update({ port: 'x' }); // invalid
    store.update({}); // empty
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    store.update({ autoRestart: false });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('works over any backing store with the same shape', () => {
    const values: Record<string, unknown> = { port: 7000 };
    const backing: SettingsBackingStore = {
      path: '/memory',
      get store() {
        return { ...values };
      },
      set(patch) {
        Object.assign(values, patch);
      },
    };
    const store = new SettingsStore(backing);
    expect(store.get().port).toBe(7000);
    store.update({ port: 7001 });
    expect(values['port']).toBe(7001);
  });
});

describe('a settings file with invalid fields', () => {
  it('runs those fields on defaults, reports them, and leaves the file as the user wrote it', () => {
    const written = JSON.stringify({ port: 0, host: 'localhost', devMode: true, clipboardClearSeconds: 5 });
    fs.writeFileSync(settingsFile, written);
    const opened = openSettings(createConf, settingsFile, clock);
    expect(opened.recovered).toBeNull();
    expect(opened.invalidFields.sort()).toEqual(['host', 'port']);
    expect(opened.store.get()).toEqual({ ...DEFAULT_SETTINGS, devMode: true, clipboardClearSeconds: 5 });
    expect(readFileJson()).toEqual(JSON.parse(written));
  });

  it('replaces a bad value when that setting is saved', () => {
    fs.writeFileSync(settingsFile, JSON.stringify({ port: 0 }));
    const { store } = openSettings(createConf, settingsFile, clock);
    store.update({ port: 5556 });
    expect(openSettings(createConf, settingsFile, clock).invalidFields).toEqual([]);
  });
});

describe('a corrupt settings file', () => {
  const expectedMove = (): string => `${settingsFile}.corrupt-2024-05-06T07-08-09.123Z`;

  it('is moved aside with a note, and the app starts on defaults', () => {
    fs.writeFileSync(settingsFile, '{not json');
    const opened = openSettings(createConf, settingsFile, clock);

    expect(opened.recovered).toEqual({
      movedTo: expectedMove(),
      reason: expect.stringMatching(/not valid JSON/) as unknown,
    });
    expect(opened.store.get()).toEqual(DEFAULT_SETTINGS);
    expect(opened.invalidFields).toEqual([]);
    expect(fs.readFileSync(expectedMove(), 'utf8')).toBe('{not json');

    const note = fs.readFileSync(`${expectedMove()}.txt`, 'utf8');
    expect(note).toContain('2024-05-06T07:08:09.123Z');
    expect(note).toContain(settingsFile);
    expect(note).toMatch(/not valid JSON/);
    expect(note).toMatch(/default settings/);

    opened.store.update({ port: 6001 });
    expect(readFileJson()).toMatchObject({ port: 6001 });
  });

  it('keeps the exact original bytes, whatever they are', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x70, 0xff, 0xfe, 0x00, 0x0a]);
    fs.writeFileSync(settingsFile, bytes);
    const opened = openSettings(createConf, settingsFile, clock);
    expect(opened.recovered).not.toBeNull();
    expect(fs.readFileSync(expectedMove()).equals(bytes)).toBe(true);
  });

  it('never overwrites an earlier copy moved aside at the same time', () => {
    fs.writeFileSync(settingsFile, '{first');
    openSettings(createConf, settingsFile, clock);
    fs.writeFileSync(settingsFile, '{second');
    const second = openSettings(createConf, settingsFile, clock);
    expect(second.recovered?.movedTo).toBe(`${expectedMove()}-2`);
    expect(fs.readFileSync(expectedMove(), 'utf8')).toBe('{first');
    expect(fs.readFileSync(`${expectedMove()}-2`, 'utf8')).toBe('{second');
    expect(fs.existsSync(`${expectedMove()}-2.txt`)).toBe(true);
  });

  it('does not hide other failures, such as a store that cannot be created', () => {
    fs.writeFileSync(settingsFile, '{"port": 6000}');
    const failing = (): SettingsBackingStore => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    expect(() => openSettings(failing, settingsFile, clock)).toThrow(/EACCES/);
    expect(fs.readdirSync(dir)).toEqual(['settings.json']);
  });
});

describe('paths typed from the home folder', () => {
  it('are stored and used in full: ~/x is <home>/x, on save and from a file edited by hand', async () => {
    const { default: Conf } = await import('conf');
    const fsp = await import('node:fs/promises');
    const os = await import('node:os');
    const pathMod = await import('node:path');
    const dir = await fsp.mkdtemp(pathMod.join(os.tmpdir(), 'settings-home-'));
    try {
      const conf = new Conf<Record<string, unknown>>({ cwd: dir, configName: 'settings', projectName: 'x' });
      const store = new SettingsStore(conf, '/home/me');
      const saved = store.update({ namespacesPath: '~/sandboxes' });
      expect(saved.ok && saved.settings.namespacesPath).toBe('/home/me/sandboxes');
      expect(conf.store['namespacesPath']).toBe('/home/me/sandboxes');
      expect(store.update({ namespacesPath: '~' }).ok && store.get().namespacesPath).toBe('/home/me');
      // "~user/x" is not the user's home: refused, not guessed.
      expect(store.update({ namespacesPath: '~other/x' }).ok).toBe(false);
      conf.set('msbserverPath', '~/.local/bin/msbserver');
      expect(new SettingsStore(conf, '/home/me').get().msbserverPath).toBe('/home/me/.local/bin/msbserver');
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
