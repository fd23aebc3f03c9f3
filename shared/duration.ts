/**
 * The expiry grammar of `msb server keygen --expire`, reproduced exactly so that a value the tray
 * accepts is one the CLI accepts too, and the other way round.
 */
import { rustTrim } from './rust-trim.ts';

export class DurationError extends Error {
  override name = 'DurationError';
}

const SECONDS_PER_UNIT: Readonly<Record<string, bigint>> = {
  s: 1n,
  m: 60n,
  h: 3_600n,
  d: 86_400n,
  w: 604_800n,
  mo: 2_592_000n,
  y: 31_536_000n,
};

const I64_MAX = 9_223_372_036_854_775_807n;

/**
 * A key that lasts longer than this (a year, msb's `1y`) is made only after the user says yes in
 * a native dialog: whoever holds it can run code in the sandboxes for that long.
 */
export const LONG_KEY_SECONDS = 31_536_000;
/**
 * No key lasts longer than this (ten years, `10y`). msb itself takes up to `9223372036854775807`
 * of a unit; a key for the year 101960 protects nothing, and "never expires" is not a promise a
 * key should make.
 */
export const MAX_KEY_SECONDS = 10 * LONG_KEY_SECONDS;

const GRAMMAR = /^([0-9]+)(s|m|h|d|w|mo|y)?$/;

const GRAMMAR_HINT = 'Use a whole number followed by s, m, h, d, w, mo or y, for example 24h or 30d.';

/** Parses msb's duration grammar and returns the duration in seconds. */
export function parseDuration(text: string): number {
  const trimmed = rustTrim(text);
  if (trimmed === '') throw new DurationError(`Enter a duration. ${GRAMMAR_HINT}`);
  const match = GRAMMAR.exec(trimmed);
  if (match === null) throw new DurationError(`"${trimmed}" is not a valid duration. ${GRAMMAR_HINT}`);
  const digits = match[1] ?? '';
  const unit = match[2] ?? 'h';
  const amount = BigInt(digits);
  if (amount > I64_MAX) throw new DurationError(`"${trimmed}" is too large to be a duration.`);
  const seconds = amount * (SECONDS_PER_UNIT[unit] ?? 3_600n);
  // msb itself would overflow when it adds such a duration to the current time, so nothing is
  // lost by refusing what a JavaScript number cannot hold exactly.
  if (seconds > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DurationError(`"${trimmed}" is too large to be a duration.`);
  }
  return Number(seconds);
}

const FORMAT_UNITS: readonly { seconds: number; one: string; many: string }[] = [
  { seconds: 31_536_000, one: 'year', many: 'years' },
  { seconds: 86_400, one: 'day', many: 'days' },
  { seconds: 3_600, one: 'hour', many: 'hours' },
  { seconds: 60, one: 'minute', many: 'minutes' },
  { seconds: 1, one: 'second', many: 'seconds' },
];

/**
 * A short phrase for a preview: the largest unit that expresses the duration exactly, so that
 * "30d" reads "30 days" and "90m" reads "90 minutes" rather than a rounded "1.5 hours".
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new DurationError('A duration must be a whole, non-negative number of seconds.');
  }
  const unit = FORMAT_UNITS.find((candidate) => seconds % candidate.seconds === 0 && seconds >= candidate.seconds);
  if (unit === undefined) return '0 seconds';
  const count = seconds / unit.seconds;
  return `${count} ${count === 1 ? unit.one : unit.many}`;
}

export interface ExpiryPreset {
  readonly label: string;
  readonly value: string;
}

export const EXPIRY_PRESETS: readonly ExpiryPreset[] = Object.freeze([
  Object.freeze({ label: '1 hour', value: '1h' }),
  Object.freeze({ label: '24 hours', value: '24h' }),
  Object.freeze({ label: '7 days', value: '7d' }),
  Object.freeze({ label: '30 days', value: '30d' }),
  Object.freeze({ label: '1 year', value: '1y' }),
]);
