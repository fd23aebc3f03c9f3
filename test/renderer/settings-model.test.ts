import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, validateSetting, type Settings } from '../../shared/settings-schema.ts';
import {
  ALL_FIELDS,
  checkField,
  parseField,
  placeholderOf,
  rawOf,
  SETTINGS_FIELDS,
  type FieldSpec,
  type NumberField,
} from '../../renderer/src/settings-model.ts';

const LINUX_HOME = { home: '/home/u/.microsandbox', platform: 'linux' } as const;

describe('settings fields', () => {
  it('say a wrong value in the unit and words their own spec carries, not the start timeout’s', () => {
    const spec: FieldSpec = {
      key: 'readinessTimeoutMs',
      label: 'Another wait',
      kind: 'number',
      unit: 'seconds',
      min: 1,
      max: 120,
      storage: { stored: 'thousandths', invalid: 'Another wait must be 1 to 120 seconds.' },
      placeholder: 'Default: 15',
    };
    expect(checkField(spec, 'ten')).toEqual({ ok: false, error: 'Another wait must be 1 to 120 seconds.' });
    expect(checkField(spec, '')).toEqual({ ok: false, error: 'Another wait must be 1 to 120 seconds.' });
    expect(checkField(spec, '2.5')).toEqual({ ok: true, value: 2_500 });
    expect(rawOf(spec, 2_500)).toBe('2.5');
    expect(placeholderOf(spec, LINUX_HOME)).toBe('Default: 15');
  });

  // One row per setting: what the window shows for it, from the model.
  const SHOWN: Readonly<Record<keyof Settings, { label: string; unit?: string | null; placeholder: string | null }>> = {
    host: { label: 'Host', placeholder: 'Default: 127.0.0.1' },
    port: { label: 'Port', unit: null, placeholder: 'Default: 5555' },
    devMode: { label: 'Development mode (no keys needed)', placeholder: null },
    namespacesPath: { label: 'Namespaces folder', placeholder: 'Default: /home/u/.microsandbox/namespaces' },
    msbserverPath: { label: 'msbserver path', placeholder: 'Automatic: where msb looks' },
    generation: { label: 'Generation', placeholder: null },
    msbPath: { label: 'msb path', placeholder: 'Automatic: where installs put msb' },
    logLevel: { label: 'Log level', placeholder: null },
    startAtLogin: { label: 'Start at login', placeholder: null },
    startServerOnLaunch: { label: 'Start the server when the app starts', placeholder: null },
    stopServerOnQuit: { label: 'Stop the server on quit', placeholder: null },
    autoRestart: { label: 'Restart the server if it crashes', placeholder: null },
    readinessTimeoutMs: { label: 'Start timeout', unit: 'seconds', placeholder: 'Default: 15' },
    clipboardClearSeconds: { label: 'Clear copied keys after', unit: 'seconds', placeholder: 'Default: 60' },
    defaultNamespace: { label: 'Default namespace', placeholder: 'Default: *' },
    defaultExpiry: { label: 'Default expiry', placeholder: 'Default: 24h' },
    checkForAppUpdates: { label: 'Check for app updates', placeholder: null },
    checkForMicrosandboxUpdates: { label: 'Check for microsandbox updates', placeholder: null },
  };

  it.each(Object.entries(SHOWN))('give %s its own label, unit and placeholder', (key, shown) => {
    const spec = SETTINGS_FIELDS[key as keyof Settings];
    expect(spec.key).toBe(key);
    expect(spec.label).toBe(shown.label);
    expect(spec.kind === 'number' ? spec.unit : undefined).toBe(shown.unit);
    expect(placeholderOf(spec, LINUX_HOME)).toBe(shown.placeholder);
  });

  it('keep units out of the labels: the view shows them beside the input', () => {
    for (const spec of ALL_FIELDS) expect(spec.label).not.toMatch(/\bseconds\b/);
  });

  it('give each chooser its own placeholder, saying where that program is looked for', () => {
    const choosers = ALL_FIELDS.filter((spec) => spec.kind === 'chooser');
    expect(choosers.map((spec) => spec.key)).toEqual(['msbserverPath', 'msbPath']);
    expect(new Set(choosers.map((spec) => spec.placeholder)).size).toBe(choosers.length);
  });

  it('show the namespaces folder’s default under the home main reports, with the platform’s separator', () => {
    const spec = SETTINGS_FIELDS.namespacesPath;
    expect(placeholderOf(spec, { home: 'C:\\Users\\u\\.microsandbox', platform: 'win32' })).toBe(
      'Default: C:\\Users\\u\\.microsandbox\\namespaces',
    );
    expect(placeholderOf(spec, { home: null, platform: 'linux' })).toBe('Default: the home’s namespaces folder');
  });

  const numbers = ALL_FIELDS.filter((spec): spec is NumberField => spec.kind === 'number');

  it.each(numbers.map((spec) => [spec.key, spec] as const))(
    'hold %s’s limits, as typed, to the schema’s',
    (_key, spec) => {
      const step = spec.storage.stored === 'thousandths' ? 0.001 : 1;
      expect(checkField(spec, String(spec.min)).ok).toBe(true);
      expect(checkField(spec, String(spec.max)).ok).toBe(true);
      expect(checkField(spec, String(spec.min - step)).ok).toBe(false);
      expect(checkField(spec, String(spec.max + step)).ok).toBe(false);
      // What the field shows for the stored default reads back as that default.
      const stored = DEFAULT_SETTINGS[spec.key];
      expect(parseField(spec, rawOf(spec, stored))).toBe(stored);
      expect(validateSetting(spec.key, stored).ok).toBe(true);
    },
  );

  it('ask for a number in the field’s unit when it is left empty, and keep the schema’s words otherwise', () => {
    expect(checkField(SETTINGS_FIELDS.clipboardClearSeconds, ' ')).toEqual({
      ok: false,
      error: 'Enter a number of seconds for “Clear copied keys after”.',
    });
    expect(checkField(SETTINGS_FIELDS.port, '')).toEqual({ ok: false, error: 'Enter a number for “Port”.' });
    expect(checkField(SETTINGS_FIELDS.clipboardClearSeconds, '4000')).toEqual({
      ok: false,
      error: 'The clipboard clearing delay must be a whole number from 0 to 3600 seconds (0 never clears it).',
    });
    expect(checkField(SETTINGS_FIELDS.clipboardClearSeconds, '1.5')).toMatchObject({ ok: false });
  });

  it('store the start timeout in milliseconds and say its errors in seconds', () => {
    const spec = SETTINGS_FIELDS.readinessTimeoutMs;
    expect(checkField(spec, '2.5')).toEqual({ ok: true, value: 2_500 });
    expect(checkField(spec, '0.0005')).toEqual({
      ok: false,
      error: 'The start timeout must be a number of seconds from 1 to 120, such as 15 or 30.',
    });
  });
});
