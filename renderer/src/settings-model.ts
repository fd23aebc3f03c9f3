import { DEV_MODE_EXPOSURE } from '../../shared/exposure.ts';
import { NETWORK_USES, type NetworkSwitch } from '../../shared/network.ts';
import type { Settings } from '../../shared/settings-schema.ts';
import { DEFAULT_SETTINGS, LOG_LEVELS, validateSetting } from '../../shared/settings-schema.ts';

/** The units a number is typed in; the view shows the word beside the input. */
export type FieldUnit = 'seconds';

/**
 * How a typed number is stored: as typed, or in thousandths (seconds typed, milliseconds kept,
 * so a thousandth is the finest step). The schema's messages speak of what is stored, so a field
 * stored otherwise than typed says its own.
 */
export type NumberStorage =
  { readonly stored: 'as-typed' } | { readonly stored: 'thousandths'; readonly invalid: string };

const NUMBER_STORAGE: Readonly<Record<NumberStorage['stored'], { readonly factor: number; readonly pattern: RegExp }>> =
  {
    'as-typed': { factor: 1, pattern: /^-?[0-9]+$/ },
    thousandths: { factor: 1000, pattern: /^[0-9]+(\.[0-9]{1,3})?$/ },
  };

/** Where a path field's default lies: the microsandbox home, as main reports it. */
export interface HomeContext {
  readonly home: string | null;
  readonly platform: string;
}

interface FieldBase {
  readonly key: keyof Settings;
  /** The label, without a unit: the view shows the unit beside the input. */
  readonly label: string;
  readonly hint?: string;
}

export interface TextField extends FieldBase {
  readonly kind: 'text';
  /** What an empty field means. */
  readonly placeholder: string;
}

export interface NumberField extends FieldBase {
  readonly kind: 'number';
  /** null: a plain count, such as a port. */
  readonly unit: FieldUnit | null;
  /** The limits as typed, in `unit`; tests hold them to the schema's. */
  readonly min: number;
  readonly max: number;
  readonly storage: NumberStorage;
  readonly placeholder: string;
}

export interface PathField extends FieldBase {
  readonly kind: 'path';
  /** Its default depends on the home main reports, and on the platform's separator. */
  readonly placeholder: (where: HomeContext) => string;
}

export interface ChooserField extends FieldBase {
  readonly kind: 'chooser';
  /** What an empty path means: where the app looks then. */
  readonly placeholder: string;
}

export interface ToggleField extends FieldBase {
  readonly kind: 'toggle';
}

export interface ChoiceField extends FieldBase {
  readonly kind: 'choice';
  /** `''` is the option for a setting of null. */
  readonly options: readonly ChoiceOption[];
}

export interface ChoiceOption {
  readonly value: string;
  readonly label: string;
}

/** Each field carries what its kind needs: a number its unit, limits and storage; a typed one its placeholder. */
export type FieldSpec = TextField | NumberField | PathField | ChooserField | ToggleField | ChoiceField;

/**
 * What input a field is, and only that: `number` is typed as text and read as a number, `path` a
 * typed path (empty: the default), `chooser` a path shown, never typed (main sets it from its own
 * native file dialog), `toggle` a checkbox, `choice` a list to pick from.
 */
export type FieldKind = FieldSpec['kind'];

/** One field per setting, each under its own key: a setting without its field fails to compile. */
export type SettingsFields = { readonly [K in keyof Settings]: FieldSpec & { readonly key: K } };

/** The start timeout's limits in seconds: the schema's, which are in milliseconds. */
export const START_TIMEOUT_SECONDS = { min: 1, max: 120 } as const;

export const GENERATION_OPTIONS: readonly ChoiceOption[] = [
  { value: 'automatic', label: 'Automatic' },
  { value: 'runtime', label: 'Today’s microsandbox (msb 0.3 or later)' },
  { value: 'server', label: 'The 0.2 server (msbserver)' },
];

export const LOG_LEVEL_OPTIONS: readonly ChoiceOption[] = [
  { value: '', label: 'Default (from RUST_LOG)' },
  ...LOG_LEVELS.map((level) => ({ value: level, label: level })),
];

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

/** Every setting's field: its label, its input, and what that input needs. */
export const SETTINGS_FIELDS: SettingsFields = {
  host: {
    key: 'host',
    label: 'Host',
    kind: 'text',
    placeholder: `Default: ${DEFAULT_SETTINGS.host}`,
    hint:
      'An IP address, such as 127.0.0.1 or ::1. An address other computers can reach (0.0.0.0, say) asks you to ' +
      'confirm first.',
  },
  port: {
    key: 'port',
    label: 'Port',
    kind: 'number',
    unit: null,
    min: 1,
    max: 65_535,
    storage: { stored: 'as-typed' },
    placeholder: `Default: ${DEFAULT_SETTINGS.port}`,
  },
  devMode: {
    key: 'devMode',
    label: 'Development mode (no keys needed)',
    kind: 'toggle',
    hint:
      `No key is asked of anyone: the server is then ${DEV_MODE_EXPOSURE}. Turning it on asks you to confirm; ` +
      `it is never allowed on an address other computers reach.`,
  },
  namespacesPath: {
    key: 'namespacesPath',
    label: 'Namespaces folder',
    kind: 'path',
    placeholder: ({ home, platform }) =>
      home === null
        ? 'Default: the home’s namespaces folder'
        : `Default: ${home}${platform === 'win32' ? '\\' : '/'}namespaces`,
    // CLI parity: msb reads only <home>/namespaces, whatever --path the server was given.
    hint:
      'A full path (~/… is fine); empty: the microsandbox home’s namespaces folder. ' +
      'Another folder asks you to confirm first. ' +
      '`msb server status`, `msb server list` and `msb server log` look only there: ' +
      'sandboxes in another folder are hidden from the CLI (the app shows them).',
  },
  msbserverPath: {
    key: 'msbserverPath',
    label: 'msbserver path',
    kind: 'chooser',
    placeholder: 'Automatic: where msb looks',
    hint: 'Chosen in a file dialog of the app (Choose…). Empty: look where msb does.',
  },
  logLevel: { key: 'logLevel', label: 'Log level', kind: 'choice', options: LOG_LEVEL_OPTIONS },
  readinessTimeoutMs: {
    key: 'readinessTimeoutMs',
    label: 'Start timeout',
    kind: 'number',
    unit: 'seconds',
    ...START_TIMEOUT_SECONDS,
    storage: {
      stored: 'thousandths',
      invalid:
        `The start timeout must be a number of seconds from ${START_TIMEOUT_SECONDS.min} to ` +
        `${START_TIMEOUT_SECONDS.max}, such as 15 or 30.`,
    },
    placeholder: `Default: ${DEFAULT_SETTINGS.readinessTimeoutMs / 1000}`,
    hint:
      `How long a start waits for msbserver’s first health answer before the app stops it: ` +
      `${START_TIMEOUT_SECONDS.min} to ${START_TIMEOUT_SECONDS.max} s.`,
  },
  startAtLogin: { key: 'startAtLogin', label: 'Start at login', kind: 'toggle' },
  startServerOnLaunch: { key: 'startServerOnLaunch', label: 'Start the server when the app starts', kind: 'toggle' },
  stopServerOnQuit: { key: 'stopServerOnQuit', label: 'Stop the server on quit', kind: 'toggle' },
  autoRestart: { key: 'autoRestart', label: 'Restart the server if it crashes', kind: 'toggle' },
  clipboardClearSeconds: {
    key: 'clipboardClearSeconds',
    label: 'Clear copied keys after',
    kind: 'number',
    unit: 'seconds',
    min: 0,
    max: 3_600,
    storage: { stored: 'as-typed' },
    placeholder: `Default: ${DEFAULT_SETTINGS.clipboardClearSeconds}`,
    hint: '0 never clears the clipboard.',
  },
  defaultNamespace: {
    key: 'defaultNamespace',
    label: 'Default namespace',
    kind: 'text',
    placeholder: `Default: ${DEFAULT_SETTINGS.defaultNamespace}`,
  },
  defaultExpiry: {
    key: 'defaultExpiry',
    label: 'Default expiry',
    kind: 'text',
    placeholder: `Default: ${DEFAULT_SETTINGS.defaultExpiry}`,
    hint: 'msb’s grammar: 24h, 7d, 90m, 1y…',
  },
  generation: {
    key: 'generation',
    label: 'Generation',
    kind: 'choice',
    options: GENERATION_OPTIONS,
    hint:
      'Automatic uses today’s microsandbox (msb 0.3 or later) when it is installed, else the 0.2 server ' +
      '(msbserver).',
  },
  msbPath: {
    key: 'msbPath',
    label: 'msb path',
    kind: 'chooser',
    placeholder: 'Automatic: where installs put msb',
    hint: 'Chosen in a file dialog of the app (Choose…). Empty: look where installs put msb.',
  },
  checkForAppUpdates: {
    key: 'checkForAppUpdates',
    label: NETWORK_SWITCH_LABELS.checkForAppUpdates,
    kind: 'toggle',
  },
  checkForMicrosandboxUpdates: {
    key: 'checkForMicrosandboxUpdates',
    label: NETWORK_SWITCH_LABELS.checkForMicrosandboxUpdates,
    kind: 'toggle',
  },
};

const F = SETTINGS_FIELDS;

export const SETTINGS_GROUPS: readonly FieldGroup[] = [
  {
    title: 'Server',
    note: KEY_ON_COMMAND_LINE_NOTE,
    fields: [F.host, F.port, F.devMode, F.namespacesPath, F.msbserverPath, F.logLevel, F.readinessTimeoutMs],
  },
  {
    title: 'App',
    fields: [F.startAtLogin, F.startServerOnLaunch, F.stopServerOnQuit, F.autoRestart, F.clipboardClearSeconds],
  },
  { title: 'New keys', fields: [F.defaultNamespace, F.defaultExpiry] },
  { title: 'microsandbox', fields: [F.generation, F.msbPath] },
  {
    title: 'Network',
    note: 'All the app itself sends beyond this computer is listed below with the switch that turns it off.',
    fields: [F.checkForAppUpdates, F.checkForMicrosandboxUpdates],
  },
];

export const ALL_FIELDS: readonly FieldSpec[] = SETTINGS_GROUPS.flatMap((group) => group.fields);

/** What a form control holds: text for text-like fields, a flag for checkboxes. */
export type RawValue = string | boolean;

/** Turns a control's value into the value sent to main; the validator has the last word. */
export function parseField(spec: FieldSpec, raw: RawValue): unknown {
  if (spec.kind === 'toggle') return raw === true;
  const text = typeof raw === 'string' ? raw.trim() : '';
  switch (spec.kind) {
    case 'number': {
      const { factor, pattern } = NUMBER_STORAGE[spec.storage.stored];
      return pattern.test(text) ? Math.round(Number(text) * factor) : text === '' ? null : text;
    }
    case 'path':
    case 'chooser':
    case 'choice':
      return text === '' ? null : text;
    case 'text':
      return text;
  }
}

/** The control's value for a stored setting. */
export function rawOf(spec: FieldSpec, value: unknown): RawValue {
  if (spec.kind === 'toggle') return value === true;
  if (spec.kind === 'number' && typeof value === 'number')
    return String(value / NUMBER_STORAGE[spec.storage.stored].factor);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}

export type FieldCheck =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** The shared validator decides; a number stored otherwise than typed says its own message, in its unit. */
export function checkField(spec: FieldSpec, raw: RawValue): FieldCheck {
  const parsed = parseField(spec, raw);
  if (spec.kind !== 'number') return validateSetting(spec.key, parsed);
  const { storage } = spec;
  if (storage.stored === 'thousandths') {
    const result = parsed === null ? null : validateSetting(spec.key, parsed);
    return result?.ok === true ? result : { ok: false, error: storage.invalid };
  }
  if (parsed === null) {
    const what = spec.unit === null ? 'a number' : `a number of ${spec.unit}`;
    return { ok: false, error: `Enter ${what} for “${spec.label}”.` };
  }
  return validateSetting(spec.key, parsed);
}

/** What an empty field means: the value in use then, shown as its placeholder; null for a toggle or a choice. */
export function placeholderOf(spec: FieldSpec, where: HomeContext): string | null {
  switch (spec.kind) {
    case 'path':
      return spec.placeholder(where);
    case 'text':
    case 'number':
    case 'chooser':
      return spec.placeholder;
    case 'toggle':
    case 'choice':
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
