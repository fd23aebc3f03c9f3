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

  it('says a 0 duration expires at once', () => {
    const check = checkExpiry('0h', NOW, UTC);
    expect(check.ok && check.preview).toMatch(/at once/);
  });

  it.each(['', '1H', '1.5h', '1min', '-1h', 'h', '1 h'])('refuses %j with a message that shows the grammar', (text) => {
    const check = checkExpiry(text, NOW, UTC);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(/24h|duration/);
  });

  it('does not crash on a duration beyond what a Date can show', () => {
    const check = checkExpiry('9000000000000h', NOW, UTC);
    expect(check.ok).toBe(false);
    const far = checkExpiry('200000000y', NOW, UTC);
    expect(far.ok && far.preview).toContain('too far');
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
