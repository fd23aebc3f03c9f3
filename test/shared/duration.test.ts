import { describe, expect, it } from 'vitest';
import { DurationError, EXPIRY_PRESETS, formatDuration, parseDuration } from '../../shared/duration.ts';

const HOUR = 3_600;
const DAY = 86_400;

describe('parseDuration', () => {
  const accepted: [string, number][] = [
    ['1s', 1],
    ['90m', 90 * 60],
    ['2h', 2 * HOUR],
    ['3', 3 * HOUR],
    [' 5d ', 5 * DAY],
    ['1w', 7 * DAY],
    ['1mo', 30 * DAY],
    ['1y', 365 * DAY],
    ['0h', 0],
    ['0', 0],
    ['007h', 7 * HOUR],
    ['24h', 24 * HOUR],
    ['\t\n30d\r\n', 30 * DAY],
    // Rust's trim strips Unicode White_Space: NEL, NBSP, ideographic space, line separator.
    ['\u00851h\u0085', HOUR],
    ['\u00A01h\u3000', HOUR],
    ['\u20281h\u2029', HOUR],
    ['0000000000000000000000000001h', HOUR],
    // The largest i64 counts as seconds exactly when it fits a safe integer; this one does.
    [`${Number.MAX_SAFE_INTEGER}s`, Number.MAX_SAFE_INTEGER],
  ];
  it.each(accepted)('accepts %j as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  const rejected: [string, RegExp][] = [
    ['', /Enter a duration/],
    ['   ', /Enter a duration/],
    ['1H', /not a valid duration/],
    ['1.5h', /not a valid duration/],
    ['1min', /not a valid duration/],
    ['-1h', /not a valid duration/],
    ['+1h', /not a valid duration/],
    ['h', /not a valid duration/],
    ['1 h', /not a valid duration/],
    ['1hh', /not a valid duration/],
    ['1hs', /not a valid duration/],
    ['mo', /not a valid duration/],
    ['1M', /not a valid duration/],
    ['1Y', /not a valid duration/],
    ['1MO', /not a valid duration/],
    ['1ms', /not a valid duration/],
    ['\u0661h', /not a valid duration/], // Arabic-Indic one
    ['\uFF11h', /not a valid duration/], // fullwidth one
    ['1_000h', /not a valid duration/],
    ['0x10h', /not a valid duration/],
    ['1e3s', /not a valid duration/],
    ['1h\0', /not a valid duration/],
    // U+FEFF is trimmed by JavaScript but is not White_Space, so Rust keeps it.
    ['\uFEFF1h', /not a valid duration/],
    ['\u200B1h', /not a valid duration/],
    ['99999999999999999999h', /too large/], // over i64
    ['9223372036854775808s', /too large/], // i64::MAX + 1
    ['9223372036854775807', /too large/], // fits i64 but not as seconds
    ['9223372036854775807s', /too large/],
    [`${Number.MAX_SAFE_INTEGER + 1}s`, /too large/],
    ['300000000000y', /too large/],
  ];
  it.each(rejected)('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(message);
  });

  it('names its error class', () => {
    try {
      parseDuration('nope');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DurationError);
      expect((error as Error).name).toBe('DurationError');
      expect((error as Error).message).toMatch(/24h/);
    }
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0 seconds'],
    [1, '1 second'],
    [59, '59 seconds'],
    [60, '1 minute'],
    [90 * 60, '90 minutes'],
    [HOUR, '1 hour'],
    [24 * HOUR, '1 day'],
    [36 * HOUR, '36 hours'],
    [7 * DAY, '7 days'],
    [30 * DAY, '30 days'],
    [365 * DAY, '1 year'],
    [730 * DAY, '2 years'],
  ];
  it.each(cases)('formats %d seconds as %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (seconds) => {
    expect(() => formatDuration(seconds)).toThrow(DurationError);
  });
});

describe('EXPIRY_PRESETS', () => {
  it('offers the usual choices, each in msb grammar and labelled as formatDuration would say it', () => {
    expect(EXPIRY_PRESETS.map((preset) => preset.value)).toEqual(['1h', '24h', '7d', '30d', '1y']);
    for (const preset of EXPIRY_PRESETS) {
      expect(parseDuration(preset.value)).toBeGreaterThan(0);
    }
    expect(EXPIRY_PRESETS.map((preset) => preset.label)).toEqual(['1 hour', '24 hours', '7 days', '30 days', '1 year']);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(EXPIRY_PRESETS)).toBe(true);
    expect(EXPIRY_PRESETS.every((preset) => Object.isFrozen(preset))).toBe(true);
  });
});
