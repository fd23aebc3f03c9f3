import { describe, expect, it } from 'vitest';
import { decideAfterCrash } from '../../../../electron/core/server/crash-policy.ts';

const POLICY = { windowMs: 60_000, maxRestarts: 3, backoffMs: 1_000 };

describe('decideAfterCrash', () => {
  it('restarts with a doubling backoff while crashes stay within the limit', () => {
    let history: readonly number[] = [];
    const delays: number[] = [];
    for (const now of [1_000, 2_000, 3_000]) {
      const result = decideAfterCrash(history, now, POLICY);
      if (result.decision.kind !== 'restart') throw new Error('expected a restart');
      delays.push(result.decision.delayMs);
      history = result.history;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    expect(history).toEqual([1_000, 2_000, 3_000]);
  });

  it('gives up after more than maxRestarts crashes within the window, and forgets them', () => {
    const result = decideAfterCrash([1_000, 2_000, 3_000], 4_000, POLICY);
    expect(result.decision).toEqual({ kind: 'give-up', crashes: 4 });
    expect(result.history).toEqual([]);
  });

  it('forgets crashes older than the window', () => {
    const result = decideAfterCrash([1_000, 2_000, 3_000], 62_500, POLICY);
    expect(result.decision).toEqual({ kind: 'restart', delayMs: 2_000 });
    expect(result.history).toEqual([3_000, 62_500]);
  });
});
