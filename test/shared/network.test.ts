import { describe, expect, it } from 'vitest';
import { NETWORK_USES } from '../../shared/network.ts';

describe('NETWORK_USES', () => {
  it('names each use once, with a switch, or none when the user asks each time', () => {
    expect(new Set(NETWORK_USES.map((use) => use.id)).size).toBe(NETWORK_USES.length);
    for (const use of NETWORK_USES) {
      if (use.setting === null) expect(use.when).toMatch(/^Only when you/);
    }
    expect(NETWORK_USES.map((use) => use.setting)).toEqual(
      expect.arrayContaining(['checkForAppUpdates', 'checkForMicrosandboxUpdates']) as unknown,
    );
  });
});
