import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  RESTART_KEYS,
  sanitizeSettings,
  validateSetting,
  validateSettingsPatch,
} from '../../shared/settings-schema.ts';
import type { Settings } from '../../shared/settings-schema.ts';

type Row = [keyof Settings, unknown];

function expectValid(key: keyof Settings, value: unknown): void {
  expect(validateSetting(key, value)).toEqual({ ok: true, value });
}

function errorFor(key: keyof Settings, value: unknown): string {
  const result = validateSetting(key, value);
  if (result.ok) throw new Error(`${key}=${JSON.stringify(value)} was accepted`);
  return result.error;
}

describe('defaults', () => {
  it('are the documented values', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      host: '127.0.0.1',
      port: 5555,
      devMode: false,
      namespacesPath: null,
      msbserverPath: null,
      generation: 'automatic',
      msbPath: null,
      logLevel: null,
      startAtLogin: false,
      startServerOnLaunch: false,
      stopServerOnQuit: false,
      autoRestart: false,
      readinessTimeoutMs: 15_000,
      clipboardClearSeconds: 60,
      defaultNamespace: '*',
      defaultExpiry: '24h',
      checkForAppUpdates: true,
      checkForMicrosandboxUpdates: true,
    });
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
  });

  it('pass their own validation', () => {
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) expectValid(key as keyof Settings, value);
    expect(validateSettingsPatch({ ...DEFAULT_SETTINGS })).toEqual({ ok: true, value: DEFAULT_SETTINGS });
  });

  it('mark the settings that need a server restart', () => {
    expect([...RESTART_KEYS].sort()).toEqual([
      'devMode',
      'host',
      'logLevel',
      'msbserverPath',
      'namespacesPath',
      'port',
    ]);
  });
});

describe('host', () => {
  const valid = [
    '127.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '10.0.0.10',
    '::1',
    '::',
    'fe80::1',
    '2001:db8::8a2e:370:7334',
    '2001:DB8:0:0:0:0:0:1',
    '0000:0000:0000:0000:0000:0000:0000:0001',
    '::ffff:192.0.2.1',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
    '1:2:3:4:5:6:1.2.3.4',
    '1::1.2.3.4',
  ];
  it.each(valid)('accepts the IP literal %j', (host) => expectValid('host', host));

  it('explains that localhost is a host name, not an IP literal', () => {
    expect(errorFor('host', 'localhost')).toMatch(/msbserver needs an IP address.*127\.0\.0\.1.*instead of localhost/);
    expect(errorFor('host', 'LocalHost')).toMatch(/instead of localhost/);
  });

  it('asks for IPv6 without brackets and without a zone', () => {
    expect(errorFor('host', '[::1]')).toMatch(/without brackets/);
    expect(errorFor('host', 'fe80::1%eth0')).toMatch(/zone/);
  });

  const invalid = [
    '',
    ' 127.0.0.1',
    '127.0.0.1 ',
    '1.2.3.256',
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3.04',
    '1.2.3',
    '1.2.3.4.5',
    '127.1',
    '0x7f.0.0.1',
    '1.2.3.-4',
    '1..3.4',
    'example.com',
    '1::2::3',
    ':::',
    ':1',
    '1:',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '12345::',
    '::g',
    '1.2.3.4::',
    '1.2.3.4::1',
    '::1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::ffff:1.2.3.256',
    '١٢٧.0.0.1',
  ];
  it.each(invalid)('rejects %j', (host) => {
    expect(errorFor('host', host)).toMatch(/IP address|brackets|zone/);
  });

  it.each([127, null, undefined, ['127.0.0.1']])('rejects the non-string %j', (host) => {
    expect(errorFor('host', host)).toMatch(/Enter an IP address/);
  });
});

describe('the other fields', () => {
  const valid: Row[] = [
    ['port', 1],
    ['port', 5555],
    ['port', 65_535],
    ['devMode', true],
    ['startAtLogin', false],
    ['autoRestart', true],
    ['stopServerOnQuit', true],
    ['startServerOnLaunch', true],
    ['namespacesPath', null],
    ['namespacesPath', '/home/me/namespaces'],
    ['namespacesPath', 'C:\\Users\\me\\namespaces'],
    ['namespacesPath', 'd:/data'],
    ['namespacesPath', '~/namespaces'],
    ['namespacesPath', '~'],
    ['msbserverPath', '\\\\server\\share\\msbserver.exe'],
    ['msbserverPath', '/usr/local/bin/msbserver'],
    ['logLevel', null],
    ['logLevel', 'error'],
    ['logLevel', 'trace'],
    ['readinessTimeoutMs', 1_000],
    ['readinessTimeoutMs', 120_000],
    ['clipboardClearSeconds', 0],
    ['clipboardClearSeconds', 3_600],
    ['defaultNamespace', '*'],
    ['defaultNamespace', 'team-1'],
    ['defaultExpiry', '24h'],
    ['defaultExpiry', '1y'],
    ['defaultExpiry', '90m'],
    ['defaultExpiry', '12'],
  ];
  it.each(valid)('accepts %s = %j', (key, value) => expectValid(key, value));

  const invalid: [keyof Settings, unknown, RegExp][] = [
    ['port', 0, /whole number from 1 to 65535/],
    ['port', 65_536, /from 1 to 65535/],
    ['port', -1, /from 1 to 65535/],
    ['port', 1.5, /whole number/],
    ['port', '80', /whole number/],
    ['port', Number.NaN, /whole number/],
    ['port', Number.POSITIVE_INFINITY, /whole number/],
    ['port', null, /whole number/],
    ['devMode', 'true', /true or false/],
    ['devMode', 1, /true or false/],
    ['startAtLogin', null, /true or false/],
    ['autoRestart', undefined, /true or false/],
    ['namespacesPath', 'relative/dir', /full path/],
    ['namespacesPath', './dir', /full path/],
    ['namespacesPath', '~other/dir', /full path/],
    ['namespacesPath', '', /full path/],
    ['namespacesPath', 'C:', /full path/],
    ['namespacesPath', 'C:dir', /full path/],
    ['msbserverPath', '\\\\server', /full path/],
    ['msbserverPath', '/usr/bin/ms\0bserver', /NUL/],
    ['msbserverPath', 42, /must be a path/],
    ['logLevel', 'INFO', /one of error, warn, info, debug, trace/],
    ['logLevel', 'verbose', /one of/],
    ['logLevel', '', /one of/],
    ['readinessTimeoutMs', 999, /from 1000 to 120000 milliseconds/],
    ['readinessTimeoutMs', 120_001, /from 1000 to 120000/],
    ['readinessTimeoutMs', 1_500.5, /whole number/],
    ['clipboardClearSeconds', -1, /from 0 to 3600 seconds/],
    ['clipboardClearSeconds', 3_601, /from 0 to 3600/],
    ['clipboardClearSeconds', Number.NaN, /whole number/],
    ['defaultNamespace', '', /Enter a namespace/],
    ['defaultNamespace', '-team', /start with a letter or a digit/],
    ['defaultNamespace', 'n'.repeat(64), /at most 63/],
    ['defaultNamespace', 5, /must be text/],
    ['defaultExpiry', '0h', /longer than zero/],
    ['defaultExpiry', '1H', /not a valid duration/],
    ['defaultExpiry', '1 day', /not a valid duration/],
    ['defaultExpiry', '99999999999999999999h', /too large/],
    // The tray mints with the default without asking: at most a year.
    ['defaultExpiry', '366d', /at most a year/],
    ['defaultExpiry', '2y', /at most a year/],
    ['defaultExpiry', 24, /must be text/],
  ];
  it.each(invalid)('rejects %s = %j', (key, value, message) => {
    expect(errorFor(key, value)).toMatch(message);
  });

  it('refuses a key that is not a setting', () => {
    expect(validateSetting('nope' as keyof Settings, 1)).toEqual({ ok: false, error: '"nope" is not a setting.' });
    expect(validateSetting('__proto__' as keyof Settings, {})).toMatchObject({ ok: false });
    expect(validateSetting('toString' as keyof Settings, 'x')).toMatchObject({ ok: false });
  });
});

describe('validateSettingsPatch', () => {
  it('accepts an empty patch and a valid partial one', () => {
    expect(validateSettingsPatch({})).toEqual({ ok: true, value: {} });
    expect(validateSettingsPatch({ port: 8080, host: '::1', logLevel: null })).toEqual({
      ok: true,
      value: { port: 8080, host: '::1', logLevel: null },
    });
  });

  it('accepts an object without a prototype', () => {
    const input = Object.assign(Object.create(null) as Record<string, unknown>, { devMode: true });
    expect(validateSettingsPatch(input)).toEqual({ ok: true, value: { devMode: true } });
  });

  it('reports every invalid field and every unknown key, and accepts nothing then', () => {
    expect(validateSettingsPatch({ port: 0, host: 'localhost', devMode: true, colour: 'red' })).toEqual({
      ok: false,
      errors: {
        port: expect.stringMatching(/1 to 65535/) as unknown,
        host: expect.stringMatching(/localhost/) as unknown,
      },
      unknownKeys: ['colour'],
    });
  });

  it('treats __proto__, constructor and prototype as unknown keys and pollutes nothing', () => {
    const input: unknown = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": 1}',
    );
    const result = validateSettingsPatch(input);
    expect(result).toEqual({ ok: false, errors: {}, unknownKeys: ['__proto__', 'constructor', 'prototype'] });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('never mutates its input', () => {
    const input = Object.freeze({ port: 6000, host: Object.freeze(['bad']) });
    expect(() => validateSettingsPatch(input)).not.toThrow();
    expect(input).toEqual({ port: 6000, host: ['bad'] });
  });

  it('never runs a getter', () => {
    let called = false;
    const input = {
      get port(): number {
        called = true;
        return 6000;
      },
    };
    expect(validateSettingsPatch(input)).toMatchObject({ ok: false, errors: { port: expect.any(String) as unknown } });
    expect(called).toBe(false);
  });

  it.each([
    null,
    undefined,
    'port=1',
    5,
    [],
    [['port', 1]],
    new Date(),
    new Map([['port', 1]]),
    new (class Patch {
      port = 1;
    })(),
  ])('refuses %j, which is not a plain object', (input) => {
    expect(validateSettingsPatch(input)).toEqual({ ok: false, errors: {}, unknownKeys: [] });
  });

  it('never throws and only ever accepts known, valid fields (property test)', () => {
    const keys = [...Object.keys(DEFAULT_SETTINGS), '__proto__', 'constructor', 'other'];
    const value = fc.oneof(
      fc.anything(),
      fc.constantFrom<unknown>('::1', '1.2.3.4', 80, '/abs', null, true, '7d', '*'),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), value), (input) => {
        const result = validateSettingsPatch(input);
        if (!result.ok) return;
        for (const [key, accepted] of Object.entries(result.value)) {
          expect(Object.keys(DEFAULT_SETTINGS)).toContain(key);
          expect(validateSetting(key as keyof Settings, accepted).ok).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('sanitizeSettings', () => {
  it.each([undefined, null, 'text', 42, [1, 2]])('falls back to the defaults for %j', (raw) => {
    expect(sanitizeSettings(raw)).toEqual({ settings: DEFAULT_SETTINGS, invalid: [] });
  });

  it('keeps every valid field and reports the invalid ones', () => {
    const raw = {
      port: 6000,
      host: 'localhost',
      devMode: 'yes',
      defaultExpiry: '7d',
      __internal__: { x: 1 },
      extra: 1,
    };
    expect(sanitizeSettings(raw)).toEqual({
      settings: { ...DEFAULT_SETTINGS, port: 6000, defaultExpiry: '7d' },
      invalid: ['host', 'devMode'],
    });
  });

  it('returns a fresh object each time', () => {
    const first = sanitizeSettings({}).settings;
    first.port = 1;
    expect(sanitizeSettings({}).settings.port).toBe(5555);
    expect(DEFAULT_SETTINGS.port).toBe(5555);
  });

  it('ignores inherited and __proto__ fields', () => {
    const raw: unknown = JSON.parse('{"__proto__": {"port": 1}}');
    expect(sanitizeSettings(raw)).toEqual({ settings: DEFAULT_SETTINGS, invalid: [] });
    expect(sanitizeSettings(Object.create({ port: 1 }))).toEqual({ settings: DEFAULT_SETTINGS, invalid: [] });
  });
});

describe('expandHomePath', () => {
  it('expands ~ and ~/x only', async () => {
    const { expandHomePath } = await import('../../shared/settings-schema.ts');
    expect(expandHomePath('~/x/y', '/home/me')).toBe('/home/me/x/y');
    expect(expandHomePath('~', '/home/me/')).toBe('/home/me/');
    expect(expandHomePath('~/', '/home/me')).toBe('/home/me');
    expect(expandHomePath('/abs/~/x', '/home/me')).toBe('/abs/~/x');
    expect(expandHomePath('~other/x', '/home/me')).toBe('~other/x');
  });
});

describe('generation and msbPath', () => {
  it('takes automatic, runtime and server, and nothing else', () => {
    for (const value of ['automatic', 'runtime', 'server']) expectValid('generation', value);
    expect(errorFor('generation', 'both')).toMatch(/automatic, runtime, server/);
    expect(errorFor('generation', null)).toMatch(/generation/);
  });

  it('takes a full path to msb or null, like the msbserver path', () => {
    expectValid('msbPath', null);
    expectValid('msbPath', '/home/me/.microsandbox/bin/msb');
    expectValid('msbPath', 'C:\\Users\\me\\.microsandbox\\bin\\msb.exe');
    expect(errorFor('msbPath', 'msb')).toMatch(/full path/);
    expect(errorFor('msbPath', '/bin/m\0sb')).toMatch(/NUL/);
  });

  it('keeps a stored file without them at their defaults (a 0.2 user sees no change)', () => {
    const { settings, invalid } = sanitizeSettings({ port: 5556 });
    expect(settings.generation).toBe('automatic');
    expect(settings.msbPath).toBeNull();
    expect(invalid).toEqual([]);
  });
});
