import { describe, expect, it } from 'vitest';
import { compareVersions, isNewerVersion, parseVersion } from '../../shared/version.ts';

describe('parseVersion', () => {
  it('reads what msb, msbserver and feeds print', () => {
    expect(parseVersion('msb 0.6.18')?.text).toBe('0.6.18');
    expect(parseVersion('v0.2.6')?.text).toBe('0.2.6');
    expect(parseVersion('0.7.0-rc.1+build.5')).toMatchObject({ text: '0.7.0-rc.1', prerelease: ['rc', 1] });
    expect(parseVersion('nightly')).toBeNull();
    expect(parseVersion('1.2')).toBeNull();
  });
});

describe('compareVersions', () => {
  const order = [
    '0.2.6',
    '0.6.18',
    '0.7.0-alpha',
    '0.7.0-alpha.1',
    '0.7.0-alpha.beta',
    '0.7.0-beta.2',
    '0.7.0-beta.11',
    '0.7.0',
    '0.10.0',
    '1.0.0',
  ];
  it('orders versions as semver does', () => {
    for (let i = 0; i < order.length - 1; i++) {
      const a = parseVersion(order[i] ?? '');
      const b = parseVersion(order[i + 1] ?? '');
      if (a === null || b === null) throw new Error(`unparsed ${order[i]}`);
      expect(compareVersions(a, b), `${order[i]} < ${order[i + 1]}`).toBeLessThan(0);
      expect(compareVersions(b, a)).toBeGreaterThan(0);
      expect(compareVersions(a, a)).toBe(0);
    }
  });

  it('calls newer only what is strictly newer and parses', () => {
    expect(isNewerVersion('0.7.2', 'msb 0.6.18')).toBe(true);
    expect(isNewerVersion('0.6.18', '0.6.18')).toBe(false);
    expect(isNewerVersion('0.6.17', '0.6.18')).toBe(false);
    expect(isNewerVersion('junk', '0.6.18')).toBe(false);
  });
});
