import { DEV_MODE_EXPOSURE } from '../../shared/exposure.ts';
import { NETWORK_USES, type NetworkSwitch } from '../../shared/network.ts';
import type { Settings } from '../../shared/settings-schema.ts';
import { DEFAULT_SETTINGS, LOG_LEVELS, validateSetting } from '../../shared/settings-schema.ts';

/**
 * `chooser`: shown, never typed: main sets it from its own native file dialog. `seconds`: typed
 * in seconds, stored in milliseconds.
 */
export type FieldKind = 'text' | 'path' | 'int' | 'seconds' | 'bool' | 'level' | 'chooser' | 'generation';

/** A field typed in seconds and stored in milliseconds: its limits in seconds, and what a wrong value is told. */
export interface SecondsUnit {
  readonly min: number;
  readonly max: number;
  readonly invalid: string;
}

interface FieldBase {
  readonly key: keyof Settings;
  /** The label, with its unit where it has one. */
  readonly label: string;
  readonly hint?: string;
}

/** Each field carries what its kind needs: a `seconds` field its unit, limits and message. */
export type FieldSpec =
  | (FieldBase & { readonly kind: Exclude<FieldKind, 'seconds'> })
  | (FieldBase & { readonly kind: 'seconds'; readonly seconds: SecondsUnit });

/** The start timeout's limits in seconds: the schema's, which are in milliseconds. */
export const START_TIMEOUT_SECONDS = { min: 1, max: 120 } as const;

export interface FieldGroup {
  readonly title: string;
  /** Said once at the top of the group. */
  readonly note?: string;
  readonly fields: readonly FieldSpec[];
}

/** Where it matters, what anyone on this computer can see: msbserver's key on its command line. */
export const KEY_ON_COMMAND_LINE_NOTE =
  'msbserver receives the server key on its command line (microsandbox 0.2 has no other way), ' +
  'so every user of this computer can read it in the process list (ps, /proc) and make keys of their own. ' +
  'That is fine on a computer only you use; ' +
  'on a shared Linux machine, mounting /proc with hidepid=2 hides other users’ processes.';

/** The switches' labels, as the Network group and its list of uses show them. */
export const NETWORK_SWITCH_LABELS: Readonly<Record<NetworkSwitch, string>> = Object.freeze({
  checkForAppUpdates: 'Check for app updates',
  checkForMicrosandboxUpdates: 'Check for microsandbox updates',
});

/** Each use of the network with the switch that turns it off, or that it happens only on request. */
export function networkUseRows(): readonly { id: string; what: string; where: string; when: string; switch: string }[] {
  return NETWORK_USES.map((use) => ({
    id: use.id,
    what: use.what,
    where: use.where,
    when: use.when,
    switch: use.setting === null ? 'Only when you ask' : `Off with “${NETWORK_SWITCH_LABELS[use.setting]}”`,
  }));
}

export const SETTINGS_GROUPS: readonly FieldGroup[] = [
  {
    title: 'Server',
    note: KEY_ON_COMMAND_LINE_NOTE,
    fields: [
      {
        key: 'host',
        label: 'Host',
        kind: 'text',
        hint: 'An IP address, such as 127.0.0.1 or ::1. An address other computers can reach (0.0.0.0, say) asks you to confirm first.',
      },
      { key: 'port', label: 'Port', kind: 'int' },
      {
        key: 'devMode',
        label: 'Development mode (no keys needed)',
        kind: 'bool',
        hint:
          `No key is asked of anyone: the server is then ${DEV_MODE_EXPOSURE}. Turning it on asks you to confirm; ` +
          `it is never allowed on an address other computers reach.`,
      },
      {
        key: 'namespacesPath',
        label: 'Namespaces folder',
        kind: 'path',
        // CLI parity: msb reads only <home>/namespaces, whatever --path the server was given.
        hint:
          'A full path (~/… is fine); empty: the microsandbox home’s namespaces folder. ' +
          'Another folder asks you to confirm first. ' +
          '`msb server status`, `msb server list` and `msb server log` look only there: ' +
          'sandboxes in another folder are hidden from the CLI (the app shows them).',
      },
      {
        key: 'msbserverPath',
        label: 'msbserver path',
        kind: 'chooser',
        hint: 'Chosen in a file dialog of the app (Choose…). Empty: look where msb does.',
      },
      { key: 'logLevel', label: 'Log level', kind: 'level' },
      {
        key: 'readinessTimeoutMs',
        label: 'Start timeout (seconds)',
        kind: 'seconds',
        seconds: {
          ...START_TIMEOUT_SECONDS,
          invalid: `The start timeout must be a number of seconds from ${START_TIMEOUT_SECONDS.min} to ${START_TIMEOUT_SECONDS.max}, such as 15 or 30.`,
        },
        hint: `How long a start waits for msbserver’s first health answer before the app stops it: ${START_TIMEOUT_SECONDS.min} to ${START_TIMEOUT_SECONDS.max} s.`,
      },
    ],
  },
  {
    title: 'App',
    fields: [
      { key: 'startAtLogin', label: 'Start at login', kind: 'bool' },
      { key: 'startServerOnLaunch', label: 'Start the server when the app starts', kind: 'bool' },
      { key: 'stopServerOnQuit', label: 'Stop the server on quit', kind: 'bool' },
      { key: 'autoRestart', label: 'Restart the server if it crashes', kind: 'bool' },
      {
        key: 'clipboardClearSeconds',
        label: 'Clear copied keys after (seconds)',
        kind: 'int',
        hint: '0 never clears the clipboard.',
      },
    ],
  },
  {
    title: 'New keys',
    fields: [
      { key: 'defaultNamespace', label: 'Default namespace', kind: 'text' },
      { key: 'defaultExpiry', label: 'Default expiry', kind: 'text', hint: 'msb’s grammar: 24h, 7d, 90m, 1y…' },
    ],
  },
  {
    title: 'microsandbox',
    fields: [
      {
        key: 'generation',
        label: 'Generation',
        kind: 'generation',
        hint: 'Automatic uses today’s microsandbox (msb 0.3 or later) when it is installed, else the 0.2 server (msbserver).',
      },
      {
        key: 'msbPath',
        label: 'msb path',
        kind: 'chooser',
        hint: 'Chosen in a file dialog of the app (Choose…). Empty: look where installs put msb.',
      },
    ],
  },
  {
    title: 'Network',
    note: 'All the app itself sends beyond this computer is listed below with the switch that turns it off.',
    fields: [
      { key: 'checkForAppUpdates', label: NETWORK_SWITCH_LABELS.checkForAppUpdates, kind: 'bool' },
      { key: 'checkForMicrosandboxUpdates', label: NETWORK_SWITCH_LABELS.checkForMicrosandboxUpdates, kind: 'bool' },
    ],
  },
];

export const ALL_FIELDS: readonly FieldSpec[] = SETTINGS_GROUPS.flatMap((group) => group.fields);

/** What a form control holds: text for text-like fields, a flag for checkboxes. */
export type RawValue = string | boolean;

/** Turns a control's value into the value sent to main; the validator has the last word. */
export function parseField(kind: FieldKind, raw: RawValue): unknown {
  if (kind === 'bool') return raw === true;
  const text = typeof raw === 'string' ? raw.trim() : '';
  switch (kind) {
    case 'int':
      return /^-?[0-9]+$/.test(text) ? Number(text) : text === '' ? null : text;
    case 'seconds':
      // Milliseconds are what is stored: a thousandth of a second is the finest step.
      return /^[0-9]+(\.[0-9]{1,3})?$/.test(text) ? Math.round(Number(text) * 1000) : text === '' ? null : text;
    case 'path':
    case 'chooser':
    case 'level':
      return text === '' ? null : text;
    case 'generation':
      return text;
    case 'text':
      return text;
  }
}

/** The control's value for a stored setting. */
export function rawOf(kind: FieldKind, value: unknown): RawValue {
  if (kind === 'bool') return value === true;
  if (kind === 'seconds' && typeof value === 'number') return String(value / 1000);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}

export type FieldCheck =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** The shared validator decides; the timeout is typed in seconds, so its message says seconds. */
export function checkField(spec: FieldSpec, raw: RawValue): FieldCheck {
  const parsed = parseField(spec.kind, raw);
  if (spec.kind === 'int' && parsed === null) return { ok: false, error: `Enter a number for “${spec.label}”.` };
  if (spec.kind === 'seconds') {
    const result = parsed === null ? null : validateSetting(spec.key, parsed);
    return result?.ok === true ? result : { ok: false, error: spec.seconds.invalid };
  }
  return validateSetting(spec.key, parsed);
}

/** What an empty field means: the value in use then, shown as its placeholder. */
export function placeholderOf(spec: FieldSpec, home: string | null, platform: string): string | null {
  switch (spec.kind) {
    case 'path':
      return home === null
        ? `Default: the home’s namespaces folder`
        : `Default: ${home}${platform === 'win32' ? '\\' : '/'}namespaces`;
    case 'seconds': {
      const value = DEFAULT_SETTINGS[spec.key];
      return typeof value === 'number' ? `Default: ${value / 1000}` : null;
    }
    case 'int':
    case 'text': {
      const value = DEFAULT_SETTINGS[spec.key];
      return typeof value === 'string' || typeof value === 'number' ? `Default: ${value}` : null;
    }
    case 'bool':
    case 'level':
    case 'chooser':
    case 'generation':
      return null;
  }
}

export type PatchResult =
  | { readonly ok: true; readonly patch: Partial<Settings> }
  | { readonly ok: false; readonly errors: Partial<Record<keyof Settings, string>> };

/** The changed fields as a patch, or the errors of every invalid field. */
export function buildPatch(saved: Settings, raws: ReadonlyMap<keyof Settings, RawValue>): PatchResult {
  const patch: Partial<Settings> = {};
  const errors: Partial<Record<keyof Settings, string>> = {};
  let bad = false;
  for (const spec of ALL_FIELDS) {
    const raw = raws.get(spec.key);
    // A chosen path is main's to set (Choose…), never part of a patch.
    if (raw === undefined || spec.kind === 'chooser') continue;
    const check = checkField(spec, raw);
    if (!check.ok) {
      errors[spec.key] = check.error;
      bad = true;
    } else if (check.value !== saved[spec.key]) {
      Object.assign(patch, { [spec.key]: check.value });
    }
  }
  return bad ? { ok: false, errors } : { ok: true, patch };
}

export const GENERATION_OPTIONS: readonly { value: string; label: string }[] = [
  { value: 'automatic', label: 'Automatic' },
  { value: 'runtime', label: 'Today’s microsandbox (msb 0.3 or later)' },
  { value: 'server', label: 'The 0.2 server (msbserver)' },
];

export const LOG_LEVEL_OPTIONS: readonly { value: string; label: string }[] = [
  { value: '', label: 'Default (from RUST_LOG)' },
  ...LOG_LEVELS.map((level) => ({ value: level, label: level })),
];
