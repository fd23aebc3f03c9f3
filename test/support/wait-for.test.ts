import { describe, expect, it } from 'vitest';
import { holdsWithin, waitFor, waitForValue } from './wait-for.ts';

describe('waitFor', () => {
  it('resolves once the condition holds', async () => {
    let checks = 0;
    await waitFor(() => ++checks >= 3);
    expect(checks).toBe(3);
  });

  it('fails at the deadline naming what it awaited and what it last saw', async () => {
    await expect(waitFor(() => false, { timeout: 30, what: 'the moon', detail: () => 'only stars' })).rejects.toThrow(
      /timed out after 30 ms waiting for the moon\nonly stars/,
    );
  });
});

describe('waitForValue', () => {
  it('resolves with the first value that is not undefined', async () => {
    let checks = 0;
    expect(await waitForValue(() => (++checks === 2 ? 'found' : undefined))).toBe('found');
  });

  it('ends the wait with the error of a probe that throws', async () => {
    await expect(
      waitForValue(() => {
        throw new Error('it can no longer come');
      }),
    ).rejects.toThrow('it can no longer come');
  });
});

describe('holdsWithin', () => {
  it('answers true once the condition holds, false when it never does', async () => {
    let checks = 0;
    expect(await holdsWithin(() => ++checks >= 2)).toBe(true);
    expect(await holdsWithin(() => false, { timeout: 20 })).toBe(false);
  });
});
