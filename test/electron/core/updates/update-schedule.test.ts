import { describe, expect, it } from 'vitest';
import type { TimerHandle, Timers } from '../../../../electron/core/base/clock.ts';
import {
  FIRST_UPDATE_CHECK_DELAY_MS,
  UPDATE_CHECK_INTERVAL_MS,
  UpdateCheckSchedule,
} from '../../../../electron/core/updates/index.ts';

/** Timers the test fires by hand, with a clock that moves to each timer's due time. */
function manualTime(): {
  timers: Timers;
  clock: { now: () => number };
  pending: () => number[];
  fireNext: () => void;
} {
  let now = 0;
  let next = 1;
  const waiting = new Map<number, { due: number; run: () => void }>();
  return {
    clock: { now: () => now },
    timers: {
      setTimeout: (run, ms) => {
        const id = next++;
        waiting.set(id, { due: now + ms, run });
        return id as unknown as TimerHandle;
      },
      clearTimeout: (handle) => void waiting.delete(handle as unknown as number),
    },
    pending: () => [...waiting.values()].map((timer) => timer.due - now),
    fireNext: () => {
      const [id, timer] = [...waiting.entries()].sort((a, b) => a[1].due - b[1].due)[0] ?? [];
      if (id === undefined || timer === undefined) throw new Error('no timer is waiting');
      waiting.delete(id);
      now = timer.due;
      timer.run();
    },
  };
}

describe('UpdateCheckSchedule', () => {
  it('checks a minute after launch, then a day after each check', async () => {
    const time = manualTime();
    let checks = 0;
    let finished: () => void = () => undefined;
    const schedule = new UpdateCheckSchedule({
      isEnabled: () => true,
      check: () => {
        checks++;
        return new Promise<void>((resolve) => (finished = resolve));
      },
      clock: time.clock,
      timers: time.timers,
    });
    expect(time.pending()).toEqual([FIRST_UPDATE_CHECK_DELAY_MS]);
    time.fireNext();
    expect(checks).toBe(1);
    // No second timer while the check runs.
    expect(time.pending()).toEqual([]);
    finished();
    await expect.poll(() => time.pending()).toEqual([UPDATE_CHECK_INTERVAL_MS]);
    expect(schedule.lastCheckedAt).toBe(FIRST_UPDATE_CHECK_DELAY_MS);
    schedule.dispose();
    expect(time.pending()).toEqual([]);
  });

  it('does not check while the setting is off, and starts again when it is turned on', () => {
    const time = manualTime();
    let enabled = false;
    let checks = 0;
    const schedule = new UpdateCheckSchedule({
      isEnabled: () => enabled,
      check: () => {
        checks++;
        return Promise.resolve();
      },
      clock: time.clock,
      timers: time.timers,
    });
    expect(time.pending()).toEqual([]);
    enabled = true;
    schedule.refresh();
    expect(time.pending()).toEqual([FIRST_UPDATE_CHECK_DELAY_MS]);
    enabled = false;
    time.fireNext();
    expect(checks).toBe(0);
    schedule.dispose();
  });

  it('keeps its schedule when a check throws', async () => {
    const time = manualTime();
    const schedule = new UpdateCheckSchedule({
      isEnabled: () => true,
      check: () => Promise.reject(new Error('boom')),
      clock: time.clock,
      timers: time.timers,
    });
    time.fireNext();
    await expect.poll(() => time.pending()).toEqual([UPDATE_CHECK_INTERVAL_MS]);
    schedule.dispose();
  });
});
