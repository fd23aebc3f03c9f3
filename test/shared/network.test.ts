import { describe, expect, it } from 'vitest';
import { NETWORK_USES } from '../../shared/network.ts';
import { DEFAULT_SETTINGS } from '../../shared/settings-schema.ts';

describe('NETWORK_USES', () => {
  it('names each use once, with a switch that is a setting on by default, or none when the user asks each time', () => {
    expect(new Set(NETWORK_USES.map((use) => use.id)).size).toBe(NETWORK_USES.length);
    for (const use of NETWORK_USES) {
      if (use.setting !== null) expect(DEFAULT_SETTINGS[use.setting]).toBe(true);
      else expect(use.when).toMatch(/^Only when you/);
    }
    expect(NETWORK_USES.map((use) => use.setting)).toEqual(
      expect.arrayContaining(['checkForAppUpdates', 'checkForMicrosandboxUpdates']) as unknown,
    );
  });
});
