// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppInfo, SettingsView } from '../../shared/contract.ts';
import { NETWORK_USES } from '../../shared/network.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { DEFAULT_SETTINGS, validateSetting } from '../../shared/settings-schema.ts';
import {
  buildPatch,
  checkField,
  parseField,
  SETTINGS_FIELDS,
  SETTINGS_GROUPS,
  START_TIMEOUT_SECONDS,
} from '../../renderer/src/settings-model.ts';
import { createSettingsView } from '../../renderer/src/settings-view.ts';
import type { SettingsScreen } from '../../renderer/src/settings-view.ts';
import { signal } from '../../renderer/src/signal.ts';
import { APP_INFO, IpcFailure, RUNNING, fakeMsb, flush, settingsView } from './fake-msb.ts';
import type { FakeMsb } from './fake-msb.ts';

let msb: FakeMsb;
let view: SettingsScreen;
const snapshot = signal<ServerSnapshot>(RUNNING);
const settings = signal<SettingsView | null>(null);
const appInfo = signal<AppInfo | null>(null);

function input(label: string): HTMLInputElement | HTMLSelectElement {
  const labelEl = [...view.element.querySelectorAll('label')].find((l) => l.textContent === label);
  const id = labelEl?.getAttribute('for');
  const el = id == null ? null : view.element.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`);
  if (el === null) throw new Error(`no control labelled ${label}`);
  return el;
}
function edit(label: string, value: string | boolean): void {
  const el = input(label);
  if (typeof value === 'boolean' && el instanceof HTMLInputElement) el.checked = value;
  else el.value = String(value);
  el.dispatchEvent(new Event(typeof value === 'boolean' ? 'change' : 'input', { bubbles: true }));
}
function button(name: string): HTMLButtonElement {
  const found = [...view.element.querySelectorAll('button')].find((b) => b.textContent === name);
  if (found === undefined) throw new Error(`no button ${name}`);
  return found;
}
const errorOf = (key: string): string => view.element.querySelector(`[data-testid="error-${key}"]`)?.textContent ?? '';
const save = async (): Promise<void> => {
  view.element.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  await flush();
};

beforeEach(() => {
  msb = fakeMsb();
  snapshot.set(RUNNING);
  settings.set(settingsView());
  appInfo.set(APP_INFO);
  view = createSettingsView({ api: msb.api, settings, snapshot, appInfo, announce: () => undefined });
  document.body.append(view.element);
});
afterEach(() => view.element.remove());

describe('settings model', () => {
  it('has a labelled control for every setting the window offers', () => {
    const keys = SETTINGS_GROUPS.flatMap((g) => g.fields.map((f) => f.key));
    expect(new Set(keys)).toEqual(new Set(Object.keys(DEFAULT_SETTINGS)));
    // Each once: a field in two groups would be two controls for one setting.
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('parses controls: numbers, empty paths and the default log level become null', () => {
    expect(parseField(SETTINGS_FIELDS.port, ' 8080 ')).toBe(8080);
    expect(parseField(SETTINGS_FIELDS.port, '80a')).toBe('80a');
    expect(parseField(SETTINGS_FIELDS.namespacesPath, '  ')).toBeNull();
    expect(parseField(SETTINGS_FIELDS.logLevel, '')).toBeNull();
    expect(parseField(SETTINGS_FIELDS.generation, 'server')).toBe('server');
    expect(parseField(SETTINGS_FIELDS.devMode, true)).toBe(true);
  });

  it('uses the shared validator messages', () => {
    const port = SETTINGS_GROUPS[0]!.fields.find((f) => f.key === 'port')!;
    expect(checkField(port, '70000')).toEqual({ ok: false, error: 'The port must be a whole number from 1 to 65535.' });
    expect(checkField(port, '')).toEqual({ ok: false, error: 'Enter a number for “Port”.' });
    const host = SETTINGS_GROUPS[0]!.fields.find((f) => f.key === 'host')!;
    expect(checkField(host, 'localhost')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not a host name/) as unknown,
    });
  });

  it('builds a patch of changed fields only', () => {
    const raws = new Map<keyof typeof DEFAULT_SETTINGS, string | boolean>([
      ['port', '7000'],
      ['host', '127.0.0.1'],
      ['devMode', true],
    ]);
    expect(buildPatch(DEFAULT_SETTINGS, raws)).toEqual({ ok: true, patch: { port: 7000, devMode: true } });
    raws.set('port', 'x');
    expect(buildPatch(DEFAULT_SETTINGS, raws)).toMatchObject({
      ok: false,
      errors: { port: expect.any(String) as unknown },
    });
  });
});

describe('the settings view', () => {
  it('shows the stored values', () => {
    expect(input('Host').value).toBe('127.0.0.1');
    expect(input('Port').value).toBe('5555');
    expect((input('Development mode (no keys needed)') as HTMLInputElement).checked).toBe(false);
    expect(input('Log level').value).toBe('');
    expect(view.element.textContent).toContain('Microsandbox Tray 0.1.0');
  });

  it('validates inline and keeps Save from sending an invalid value', async () => {
    edit('Port', '99999');
    expect(errorOf('port')).toMatch(/1 to 65535/);
    expect(input('Port').getAttribute('aria-invalid')).toBe('true');
    expect(input('Port').getAttribute('aria-describedby')).toContain('setting-port-error');
    await save();
    expect(msb.calls).toEqual([]);
    expect(document.activeElement).toBe(input('Port'));
  });

  it('saves the changed fields and says when a restart is needed', async () => {
    msb.answers.setSettings = (patch) =>
      settingsView({ settings: { ...DEFAULT_SETTINGS, ...(patch as object) }, restartNeeded: true });
    edit('Port', '7000');
    edit('Stop the server on quit', true);
    await save();
    expect(msb.calls).toEqual([{ method: 'setSettings', payload: { port: 7000, stopServerOnQuit: true } }]);
    expect(view.element.querySelector('[data-testid="settings-message"]')?.textContent).toBe('Saved.');
    const banner = view.element.querySelector<HTMLElement>('[data-testid="restart-needed"]')!;
    expect(banner.hidden).toBe(false);
    button('Restart').click();
    await flush();
    expect(msb.calls.at(-1)?.method).toBe('restart');
  });

  it('lists every use of the network with the switch that turns it off, or says it happens only on request', () => {
    const rows = [...view.element.querySelectorAll('[data-testid^="network-use-"]')];
    expect(rows.map((row) => row.getAttribute('data-testid'))).toEqual(
      NETWORK_USES.map((use) => `network-use-${use.id}`),
    );
    const text = (id: string): string =>
      view.element.querySelector(`[data-testid="network-use-${id}"]`)?.textContent ?? '';
    expect(text('app-update-check')).toContain('Off with “Check for app updates”');
    expect(text('microsandbox-release-check')).toContain('Off with “Check for microsandbox updates”');
    expect(text('microsandbox-self-update')).toContain('Only when you ask');
  });

  it('turns the update checks off with their switches', async () => {
    msb.answers.setSettings = (patch) => settingsView({ settings: { ...DEFAULT_SETTINGS, ...(patch as object) } });
    expect((input('Check for app updates') as HTMLInputElement).checked).toBe(true);
    edit('Check for app updates', false);
    edit('Check for microsandbox updates', false);
    await save();
    expect(msb.calls).toEqual([
      { method: 'setSettings', payload: { checkForAppUpdates: false, checkForMicrosandboxUpdates: false } },
    ]);
  });

  it('hides the restart banner once the server has been restarted', async () => {
    settings.set(settingsView({ restartNeeded: true }));
    const banner = view.element.querySelector<HTMLElement>('[data-testid="restart-needed"]')!;
    expect(banner.hidden).toBe(false);
    snapshot.set({ ...RUNNING, pid: 5000, startedAt: RUNNING.startedAt! + 10_000 });
    expect(banner.hidden).toBe(true);
    await flush();
  });

  it('shows errors from the main process next to their fields', async () => {
    msb.answers.setSettings = () => {
      throw new IpcFailure('invalid-input', 'The settings were refused.', { host: 'msbserver needs an IP address.' });
    };
    edit('Host', '10.0.0.1');
    await save();
    expect(errorOf('host')).toBe('msbserver needs an IP address.');
    expect(input('Host').getAttribute('aria-invalid')).toBe('true');
  });

  it('shows any other error as a message', async () => {
    msb.answers.setSettings = () => {
      throw new IpcFailure('internal', 'Disk full.');
    };
    edit('Host', '10.0.0.1');
    await save();
    expect(view.element.querySelector('[data-testid="settings-message"]')?.textContent).toBe('Not saved: Disk full.');
  });

  it(
    'shows the msbserver path read-only; ' + 'Choose… and Use automatic ask main, which answers with the new settings',
    async () => {
      const path = input('msbserver path') as HTMLInputElement;
      expect(path.readOnly).toBe(true);
      expect(path.placeholder).toBe('Automatic: where msb looks');
      button('Choose…').click();
      await flush();
      expect(msb.calls.filter((call) => call.method === 'chooseMsbserver')).toEqual([
        { method: 'chooseMsbserver', payload: undefined },
      ]);
      expect(path.value).toBe('/opt/microsandbox/bin/msbserver');
      expect(view.element.querySelector('[data-testid="settings-message"]')?.textContent).toBe('msbserver path saved.');
      button('Use automatic').click();
      await flush();
      expect(path.value).toBe('');
      // Typing into it does nothing, and a save never carries it.
      path.value = '/tmp/evil';
      path.dispatchEvent(new Event('input', { bubbles: true }));
      edit('Port', '7000');
      await save();
      expect(msb.calls.find((call) => call.method === 'setSettings')?.payload).toEqual({ port: 7000 });
    },
  );

  it('says when the file dialog was cancelled, or why main refused the file', async () => {
    msb.answers.chooseMsbserver = () => {
      throw new IpcFailure('declined', 'No file was chosen: the msbserver path is unchanged.');
    };
    button('Choose…').click();
    await flush();
    const message = (): string => view.element.querySelector('[data-testid="settings-message"]')?.textContent ?? '';
    expect(message()).toBe('No file was chosen: the msbserver path is unchanged.');
    msb.answers.chooseMsbserver = () => {
      throw new IpcFailure('refused', '/tmp/x/msbserver can be changed by other users.');
    };
    button('Choose…').click();
    await flush();
    expect(message()).toBe('Not changed: /tmp/x/msbserver can be changed by other users.');
  });

  it('says what was not confirmed in the native dialog', async () => {
    msb.answers.setSettings = () => {
      throw new IpcFailure('declined', 'Development mode stays off: it was not confirmed.');
    };
    edit('Development mode (no keys needed)', true);
    await save();
    expect(view.element.querySelector('[data-testid="settings-message"]')?.textContent).toBe(
      'Not saved: Development mode stays off: it was not confirmed.',
    );
  });

  it('tells where the key can be read, and what dev mode and a host others reach mean, in plain words', () => {
    expect(view.element.querySelector('[data-testid="settings-note"]')?.textContent).toMatch(
      /command line.*every user of this computer can read it.*hidepid=2/,
    );
    expect(view.element.textContent).toContain('open to every program on this computer and every web page you visit');
    const exposure = view.element.querySelector<HTMLElement>('[data-testid="settings-exposure"]');
    expect(exposure?.hidden).toBe(true);
    settings.set(settingsView({ settings: { ...DEFAULT_SETTINGS, devMode: true } }));
    expect(exposure?.hidden).toBe(false);
    expect(exposure?.textContent).toBe(
      'With these settings the server is open to every program on this computer and every web page you visit.',
    );
    settings.set(settingsView({ settings: { ...DEFAULT_SETTINGS, host: '0.0.0.0' } }));
    expect(exposure?.textContent).toBe(
      'With these settings the server is reachable from other computers (they still need a key).',
    );
  });

  it('follows pushed settings but keeps what the user is typing', () => {
    edit('Port', '6000');
    settings.set(settingsView({ settings: { ...DEFAULT_SETTINGS, port: 6001, host: '0.0.0.0' } }));
    expect(input('Port').value).toBe('6000');
    expect(input('Host').value).toBe('0.0.0.0');
    button('Undo changes').click();
    expect(input('Port').value).toBe('6001');
  });
});

describe('the namespaces folder', () => {
  it('says beside the field that msb server status, list and log look only in <home>/namespaces', () => {
    const field = input('Namespaces folder');
    const hints = (field.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => view.element.querySelector(`#${id}`)?.textContent ?? '');
    const note = hints.find((text) => text.includes('msb server status'));
    expect(note).toBeDefined();
    expect(note).toMatch(/`msb server list` and `msb server log` look only there/);
    expect(note).toMatch(/hidden from the CLI/);
  });
});

describe('the start timeout', () => {
  it('is shown and edited in seconds, and stored in milliseconds', async () => {
    const field = input('Start timeout');
    expect(field.value).toBe('15');
    edit('Start timeout', '30');
    edit('Port', '7000');
    await save();
    expect(msb.calls).toEqual([{ method: 'setSettings', payload: { port: 7000, readinessTimeoutMs: 30_000 } }]);
    settings.set(settingsView({ settings: { ...DEFAULT_SETTINGS, readinessTimeoutMs: 2_500 } }));
    expect(field.value).toBe('2.5');
  });

  it('has the schema’s limits, said in seconds', () => {
    const { min, max } = START_TIMEOUT_SECONDS;
    expect(validateSetting('readinessTimeoutMs', min * 1000).ok).toBe(true);
    expect(validateSetting('readinessTimeoutMs', min * 1000 - 1).ok).toBe(false);
    expect(validateSetting('readinessTimeoutMs', max * 1000).ok).toBe(true);
    expect(validateSetting('readinessTimeoutMs', max * 1000 + 1).ok).toBe(false);
  });

  it.each(['0.5', '121', 'ten', '-3', ''])('refuses %j with a message in seconds', (text) => {
    edit('Start timeout', text);
    expect(errorOf('readinessTimeoutMs')).toBe(
      'The start timeout must be a number of seconds from 1 to 120, such as 15 or 30.',
    );
    expect(errorOf('readinessTimeoutMs')).not.toMatch(/millisecond/);
  });
});

describe('a Save with errors', () => {
  const message = (): string => view.element.querySelector('[data-testid="settings-message"]')?.textContent ?? '';

  it('says in the footer how many fields need attention, and goes to the first', async () => {
    edit('Default expiry', '0');
    edit('Port', '99999');
    await save();
    expect(msb.calls).toEqual([]);
    expect(message()).toBe('Not saved: 2 fields need attention.');
    expect(view.element.querySelector('[data-testid="settings-message"]')?.getAttribute('data-tone')).toBe('bad');
    expect(document.activeElement).toBe(input('Port'));
    edit('Port', '7000');
    edit('Default expiry', '7d');
    await save();
    expect(message()).toBe('Saved.');
    expect(view.element.querySelector('[data-testid="settings-message"]')?.hasAttribute('data-tone')).toBe(false);
  });

  it('counts main’s refusals too', async () => {
    msb.answers.setSettings = () => {
      throw new IpcFailure('invalid-input', 'The settings were refused.', { host: 'msbserver needs an IP address.' });
    };
    edit('Host', '10.0.0.1');
    await save();
    expect(message()).toBe('Not saved: 1 field needs attention.');
    expect(document.activeElement).toBe(input('Host'));
  });
});

describe('path fields', () => {
  it(
    'take a full path or one from the home folder (main expands ~/), ' + 'and never show a Windows example on Linux',
    async () => {
      edit('Namespaces folder', '~/sandboxes');
      expect(errorOf('namespacesPath')).toBe('');
      edit('Namespaces folder', 'relative/dir');
      expect(errorOf('namespacesPath')).toMatch(/full path/);
      expect(errorOf('namespacesPath')).not.toContain('C:');
      edit('Namespaces folder', '~/sandboxes');
      await save();
      expect(msb.calls).toEqual([{ method: 'setSettings', payload: { namespacesPath: '~/sandboxes' } }]);
    },
  );
});

describe('empty fields', () => {
  it('show the value in use as their placeholder', () => {
    expect(input('Host').getAttribute('placeholder')).toBe('Default: 127.0.0.1');
    expect(input('Port').getAttribute('placeholder')).toBe('Default: 5555');
    expect(input('Start timeout').getAttribute('placeholder')).toBe('Default: 15');
    expect(input('Clear copied keys after').getAttribute('placeholder')).toBe('Default: 60');
    expect(input('Namespaces folder').getAttribute('placeholder')).toBe('Default: /home/u/.microsandbox/namespaces');
    expect(input('Default namespace').getAttribute('placeholder')).toBe('Default: *');
    expect(input('Default expiry').getAttribute('placeholder')).toBe('Default: 24h');
    expect(input('msbserver path').getAttribute('placeholder')).toBe('Automatic: where msb looks');
    expect(input('msb path').getAttribute('placeholder')).toBe('Automatic: where installs put msb');
    expect(input('Log level').hasAttribute('placeholder')).toBe(false);
  });
});

describe('units', () => {
  const describedBy = (label: string): string[] =>
    (input(label).getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => view.element.querySelector(`#${id}`)?.textContent ?? '');

  it.each([
    ['Start timeout', 'readinessTimeoutMs'],
    ['Clear copied keys after', 'clipboardClearSeconds'],
  ])('%s shows “seconds” beside its input, read with it, not in its label', (label, key) => {
    const field = input(label);
    const unit = view.element.querySelector(`#setting-${key}-unit`);
    expect(unit?.textContent).toBe('seconds');
    expect(unit?.parentElement).toBe(field.parentElement);
    expect(field.nextElementSibling).toBe(unit);
    expect(describedBy(label)[0]).toBe('seconds');
    expect(view.element.querySelector(`label[for="${field.id}"]`)?.textContent).toBe(label);
  });

  it('a count without a unit, such as the port, shows none', () => {
    expect(view.element.querySelector('#setting-port-unit')).toBeNull();
    expect(input('Port').getAttribute('aria-describedby')).toBe('setting-port-error');
    expect(view.element.querySelectorAll('.field-unit')).toHaveLength(2);
  });

  it('an empty seconds field asks for a number of seconds, named without its unit', () => {
    edit('Clear copied keys after', '');
    expect(errorOf('clipboardClearSeconds')).toBe('Enter a number of seconds for “Clear copied keys after”.');
  });
});

describe('focusing a field from elsewhere', () => {
  it('focuses and selects it', () => {
    view.focusField('port');
    expect(document.activeElement).toBe(input('Port'));
  });
});
