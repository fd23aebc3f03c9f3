import { LONG_KEY_SECONDS, parseDuration } from './duration.ts';
import { namespaceProblem } from './namespace.ts';
import { isPlainObject } from './plain-object.ts';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Which microsandbox the app drives: `automatic` takes the runtime generation (msb 0.3 and later)
 * when its `msb` is found, else the 0.2 server; the others force one.
 */
export type GenerationSetting = 'automatic' | 'runtime' | 'server';

export interface Settings {
  /** The IP literal msbserver binds to (`--host`). */
  host: string;
  port: number;
  devMode: boolean;
  /** `--path`; null means msb's default, `<home>/namespaces`. */
  namespacesPath: string | null;
  /** null means: locate msbserver the way msb does. */
  msbserverPath: string | null;
  generation: GenerationSetting;
  /** The runtime generation's `msb`; null means: look where installs put it. Set only through main's file chooser. */
  msbPath: string | null;
  /** Passed to msbserver as RUST_LOG; null leaves the environment's value alone. */
  logLevel: LogLevel | null;
  startAtLogin: boolean;
  startServerOnLaunch: boolean;
  stopServerOnQuit: boolean;
  autoRestart: boolean;
  readinessTimeoutMs: number;
  /** 0 means the clipboard is never cleared. */
  clipboardClearSeconds: number;
  defaultNamespace: string;
  /** msb's duration grammar, e.g. `24h`. */
  defaultExpiry: string;
  /** A minute after launch and daily: is there a newer app? (`shared/network.ts`) */
  checkForAppUpdates: boolean;
  /** At most daily, runtime generation: microsandbox's latest release. */
  checkForMicrosandboxUpdates: boolean;
}

export const LOG_LEVELS: readonly LogLevel[] = Object.freeze(['error', 'warn', 'info', 'debug', 'trace']);

export const GENERATION_SETTINGS: readonly GenerationSetting[] = Object.freeze(['automatic', 'runtime', 'server']);
/** msbserver's own defaults (as `msb server start` has them), and the app's. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 5555;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  host: DEFAULT_HOST,
  port: DEFAULT_PORT,
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

/** Settings that only take effect when msbserver is started again. */
export const RESTART_KEYS: readonly (keyof Settings)[] = Object.freeze([
  'host',
  'port',
  'devMode',
  'namespacesPath',
  'msbserverPath',
  'logLevel',
]);

export type FieldErrors = Partial<Record<keyof Settings, string>>;

type Check<T> = { ok: true; value: T } | { ok: false; error: string };
type Validators = { readonly [K in keyof Settings]: (value: unknown) => Check<Settings[K]> };

const SETTING_KEYS = Object.freeze(Object.keys(DEFAULT_SETTINGS)) as readonly (keyof Settings)[];
const KNOWN_KEYS: ReadonlySet<string> = new Set(SETTING_KEYS);

function isSettingKey(key: string): key is keyof Settings {
  return KNOWN_KEYS.has(key);
}

const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function boolean(label: string): (value: unknown) => Check<boolean> {
  return (value) => (typeof value === 'boolean' ? ok(value) : fail(`${label} must be on or off (true or false).`));
}

function integerIn(label: string, min: number, max: number, unit: string): (value: unknown) => Check<number> {
  return (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? ok(value)
      : fail(`${label} must be a whole number from ${min} to ${max}${unit}.`);
}

function optionalAbsolutePath(label: string): (value: unknown) => Check<string | null> {
  return (value) => {
    if (value === null) return ok(null);
    if (typeof value !== 'string') return fail(`${label} must be a path, or empty to use the default.`);
    if (value.includes('\0')) return fail(`${label} cannot contain a NUL character.`);
    // Shown in a native question: a character that hides or reorders text (bidi controls, line
    // separators) could make it show another folder than the one that would be used.
    if (UNSHOWABLE.test(value))
      return fail(`${label} cannot contain control, text-direction or line-separator characters.`);
    if (value.split(/[\\/]/).includes('..'))
      return fail(`${label} cannot go up a folder (..); give the folder itself.`);
    if (!isAbsolutePath(value) && !isHomePath(value)) {
      return fail(
        `${label} must be a full path, such as /opt/microsandbox or ~/microsandbox, or empty to use the default.`,
      );
    }
    return ok(value);
  };
}

const UNSHOWABLE = /[\p{Cc}\p{Zl}\p{Zp}\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/u;

const VALIDATORS: Validators = {
  host: checkHost,
  port: integerIn('The port', 1, 65_535, ''),
  devMode: boolean('Development mode'),
  namespacesPath: optionalAbsolutePath('The namespaces folder'),
  msbserverPath: optionalAbsolutePath('The msbserver path'),
  generation: (value) =>
    GENERATION_SETTINGS.includes(value as GenerationSetting)
      ? ok(value as GenerationSetting)
      : fail(`The generation must be one of ${GENERATION_SETTINGS.join(', ')}.`),
  msbPath: optionalAbsolutePath('The msb path'),
  logLevel: (value) =>
    value === null || LOG_LEVELS.includes(value as LogLevel)
      ? ok(value as LogLevel | null)
      : fail(`The log level must be one of ${LOG_LEVELS.join(', ')}, or empty to leave it unset.`),
  startAtLogin: boolean('Start at login'),
  startServerOnLaunch: boolean('Start the server on launch'),
  stopServerOnQuit: boolean('Stop the server on quit'),
  autoRestart: boolean('Restart the server automatically'),
  readinessTimeoutMs: integerIn('The readiness timeout', 1_000, 120_000, ' milliseconds'),
  clipboardClearSeconds: integerIn('The clipboard clearing delay', 0, 3_600, ' seconds (0 never clears it)'),
  defaultNamespace: (value) => {
    if (typeof value !== 'string') return fail('The default namespace must be text.');
    const problem = namespaceProblem(value);
    return problem === null ? ok(value) : fail(problem);
  },
  checkForAppUpdates: boolean('Checking for app updates'),
  checkForMicrosandboxUpdates: boolean('Checking for microsandbox updates'),
  defaultExpiry: (value) => {
    if (typeof value !== 'string') return fail('The default expiry must be text such as 24h.');
    let seconds: number;
    try {
      seconds = parseDuration(value);
    } catch (error) {
      return fail(error instanceof Error ? error.message : 'The default expiry is not a valid duration.');
    }
    if (seconds <= 0) return fail('The default expiry must be longer than zero.');
    // The tray mints with it without asking; longer keys are made in the Keys view, behind a question.
    if (seconds > LONG_KEY_SECONDS)
      return fail(
        'The default expiry can be at most a year (1y): the tray makes keys with it without asking. ' +
          'Make longer-lived keys in the Keys tab.',
      );
    return ok(value);
  },
};

export function validateSetting<K extends keyof Settings>(
  key: K,
  value: unknown,
): { ok: true; value: Settings[K] } | { ok: false; error: string } {
  if (typeof key !== 'string' || !isSettingKey(key)) return fail(`"${String(key)}" is not a setting.`);
  const validator: (value: unknown) => Check<Settings[K]> = VALIDATORS[key];
  return validator(value);
}

/**
 * Validates a partial update from an untrusted source (the renderer). Every field must be known
 * and valid, or nothing is accepted. Values are read from own data properties only, so a getter
 * never runs, and the result is built from known keys alone, so `__proto__` cannot leak through.
 */
export function validateSettingsPatch(
  input: unknown,
): { ok: true; value: Partial<Settings> } | { ok: false; errors: FieldErrors; unknownKeys: string[] } {
  // Not an object at all: nothing to blame a field for. Only a bug or a hostile sender gets here.
  if (!isPlainObject(input)) return { ok: false, errors: {}, unknownKeys: [] };
  const accepted: [keyof Settings, Settings[keyof Settings]][] = [];
  const errors: [keyof Settings, string][] = [];
  const unknownKeys: string[] = [];
  for (const key of Object.keys(input)) {
    if (!isSettingKey(key)) {
      unknownKeys.push(key);
      continue;
    }
    const result = validateSetting(key, Object.getOwnPropertyDescriptor(input, key)?.value);
    if (result.ok) accepted.push([key, result.value]);
    else errors.push([key, result.error]);
  }
  if (errors.length > 0 || unknownKeys.length > 0) {
    return { ok: false, errors: Object.fromEntries(errors), unknownKeys };
  }
  return { ok: true, value: Object.fromEntries(accepted) };
}

/** Settings from a stored file: every valid known field is kept, every invalid one reported. */
export function sanitizeSettings(raw: unknown): { settings: Settings; invalid: (keyof Settings)[] } {
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const invalid: (keyof Settings)[] = [];
  if (!isPlainObject(raw)) return { settings, invalid };
  for (const key of SETTING_KEYS) {
    if (!Object.hasOwn(raw, key)) continue;
    const value: unknown = Object.getOwnPropertyDescriptor(raw, key)?.value;
    if (!assign(settings, key, value)) invalid.push(key);
  }
  return { settings, invalid };
}

function assign<K extends keyof Settings>(settings: Settings, key: K, value: unknown): boolean {
  const result = validateSetting(key, value);
  if (result.ok) settings[key] = result.value;
  return result.ok;
}

/** `~` or `~/…`: a path in the user's home, as typed; main stores it expanded (`expandHomePath`). */
export function isHomePath(value: string): boolean {
  return value === '~' || value.startsWith('~/');
}

/** `~/x` as `<homeDir>/x`; any other value as it is. */
export function expandHomePath(value: string, homeDir: string): string {
  if (!isHomePath(value)) return value;
  const rest = value.slice(2);
  return rest === '' ? homeDir : `${homeDir.replace(/\/+$/, '')}/${rest}`;
}

/** The settings that hold a path. */
export const PATH_KEYS = ['namespacesPath', 'msbserverPath', 'msbPath'] as const satisfies readonly (keyof Settings)[];

/** POSIX `/…`, Windows `C:\…` or `C:/…`, or a UNC path `\\server\share…`. */
export function isAbsolutePath(value: string): boolean {
  return value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || /^\\\\[^\\/]+[\\/][^\\/]+/.test(value);
}

// ---------------------------------------------------------------------------------------------
// Host: msbserver parses `--host` with Rust's `IpAddr::from_str`, so only what that accepts is
// valid here: dotted-quad IPv4 without leading zeros, and IPv6 without brackets or zone index.

function checkHost(value: unknown): Check<string> {
  if (typeof value !== 'string' || value === '') return fail('Enter an IP address such as 127.0.0.1 or ::1.');
  if (value.toLowerCase() === 'localhost') {
    return fail('msbserver needs an IP address, not a host name: use 127.0.0.1 (or ::1) instead of localhost.');
  }
  if (value.startsWith('[') && value.endsWith(']'))
    return fail('Write the IPv6 address without brackets, for example ::1.');
  if (value.includes('%')) return fail('msbserver does not accept an IPv6 zone index (the part after %).');
  if (isIpLiteral(value)) return ok(value);
  return fail(
    `"${value}" is not an IP address. msbserver needs an IP address such as 127.0.0.1 or ::1, not a host name.`,
  );
}

/**
 * True for an address only this computer can reach: IPv4 127.0.0.0/8, IPv6 `::1` in any
 * spelling, and IPv4-mapped loopback (`::ffff:127.0.0.1`). `0.0.0.0` and `::` mean every
 * interface, which is the opposite.
 */
export function isLoopbackHost(value: string): boolean {
  if (isIPv4(value)) return value.startsWith('127.');
  const groups = ipv6Groups(value);
  if (groups === null) return false;
  const head = groups.slice(0, 5).every((group) => group === 0);
  if (head && groups[5] === 0 && groups[6] === 0 && groups[7] === 1) return true;
  // ::ffff:a.b.c.d (or its hex spelling): the IPv4 address decides.
  return head && groups[5] === 0xffff && (groups[6] ?? 0) >> 8 === 127;
}

/** The eight 16-bit groups of a valid IPv6 literal, or null. */
function ipv6Groups(value: string): number[] | null {
  if (!isIPv6(value)) return null;
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else {
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const [head = '', tail] = value.split('::');
  const first = toGroups(head);
  if (tail === undefined) return first;
  const last = toGroups(tail);
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}

export function isIpLiteral(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

export function isIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every(isIPv4Octet);
}

function isIPv4Octet(part: string): boolean {
  // Rust refuses leading zeros, which other parsers would read as octal.
  return /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255;
}

export function isIPv6(value: string): boolean {
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const compressed = halves.length === 2;
  const [head = '', tail = ''] = halves;
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...tailGroups];
  let width = groups.length;
  const last = groups.at(-1);
  if (last?.includes('.') === true) {
    // An embedded IPv4 address may only end the address, and it fills two groups.
    const endsAddress = !compressed || tailGroups.length > 0;
    if (!endsAddress || !isIPv4(last)) return false;
    groups.pop();
    width += 1;
  }
  if (!groups.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  // `::` stands for at least one group of zeros.
  return compressed ? width <= 7 : width === 8;
}
