import { describe, expect, it } from 'vitest';
import { checkExpiry, checkNamespace, formatDateTime, formatUptime } from '../../renderer/src/format.ts';

const UTC = { locale: 'en-GB', timeZone: 'UTC' } as const;
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('formatUptime', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [42_000, '42s'],
    [60_000, '1m 00s'],
    [185_000, '3m 05s'],
    [3_600_000, '1h 00m'],
    [2 * 3_600_000 + 7 * 60_000 + 59_000, '2h 07m'],
    [86_400_000, '1d 0h'],
    [3 * 86_400_000 + 4 * 3_600_000 + 5_000, '3d 4h'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatUptime(ms)).toBe(text);
  });

  it('reads 0s for a negative span (clock skew) or nonsense', () => {
    expect(formatUptime(-5_000)).toBe('0s');
    expect(formatUptime(Number.NaN)).toBe('0s');
  });
});

describe('checkExpiry (the live preview)', () => {
  it('previews the date and the duration in words', () => {
    const check = checkExpiry('1h', NOW, UTC);
    expect(check).toEqual({
      ok: true,
      seconds: 3600,
      expiresAt: NOW + 3_600_000,
      preview: `Expires on ${formatDateTime(NOW + 3_600_000, UTC)} (in 1 hour)`,
    });
    if (check.ok) expect(check.preview).toContain('15 Jan 2025, 13:00');
  });

  it('takes msb grammar: bare digits are hours, mo is 30 days, surrounding space is trimmed', () => {
    expect(checkExpiry('30', NOW, UTC)).toMatchObject({ ok: true, seconds: 30 * 3600 });
    expect(checkExpiry(' 1mo ', NOW, UTC)).toMatchObject({ ok: true, seconds: 30 * 86_400 });
    const week = checkExpiry('7d', NOW, UTC);
    expect(week.ok && week.preview).toContain('22 Jan 2025, 12:00 (in 7 days)');
  });

  // A key expired when it is made is refused by main: the form marks it invalid first.
  it.each(['0', '0h', '0s', '00d'])('refuses the zero duration %j', (text) => {
    expect(checkExpiry(text, NOW, UTC)).toEqual({
      ok: false,
      error: 'A key must last longer than 0: enter a duration such as 1h or 24h.',
    });
  });

  it.each(['', '1H', '1.5h', '1min', '-1h', 'h', '1 h'])('refuses %j with a message that shows the grammar', (text) => {
    const check = checkExpiry(text, NOW, UTC);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(/24h|duration/);
  });

  it('does not crash on a duration beyond what a Date can show', () => {
    const check = checkExpiry('9000000000000h', NOW, UTC);
    expect(check.ok).toBe(false);
    // Such a key is refused now (at most ten years); the date formatter still copes with it.
    const far = checkExpiry('200000000y', NOW, UTC);
    expect(far).toEqual({ ok: false, error: 'A key can last at most 10 years (10y).' });
    expect(formatDateTime(NOW + 200_000_000 * 31_536_000 * 1000, UTC)).toContain('too far');
  });

  it('says a key over a year will be asked about, and refuses one over ten years', () => {
    expect(checkExpiry('1y', NOW, UTC)).toMatchObject({
      ok: true,
      preview: expect.not.stringMatching(/confirm/) as unknown,
    });
    const long = checkExpiry('2y', NOW, UTC);
    expect(long.ok && long.preview).toMatch(/\(in 2 years\)\. Longer than a year: you will be asked to confirm\.$/);
    expect(checkExpiry('10y', NOW, UTC).ok).toBe(true);
    expect(checkExpiry('11y', NOW, UTC)).toEqual({ ok: false, error: 'A key can last at most 10 years (10y).' });
  });
});

describe('checkNamespace', () => {
  it('accepts * and names, and says what a key for them reaches', () => {
    expect(checkNamespace('*')).toEqual({ ok: true, hint: expect.stringMatching(/every namespace/) as unknown });
    expect(checkNamespace('team-a')).toEqual({ ok: true, hint: expect.stringContaining('team-a') as unknown });
  });

  it.each([
    ['', /Enter a namespace/],
    ['team a', /space/],
    ['-team', /start with a letter or a digit/],
    ['a'.repeat(64), /at most 63/],
    ['team/a', /\//],
  ])('refuses %j', (ns, message) => {
    const check = checkNamespace(ns);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(message);
  });
});
