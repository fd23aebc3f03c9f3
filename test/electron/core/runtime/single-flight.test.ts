import { describe, expect, it } from 'vitest';
import { createSerialQueue, createSingleFlight } from '../../../../electron/core/runtime/single-flight.ts';

describe('createSerialQueue', () => {
  it('starts the next work only once the one before has settled, even when it failed', async () => {
    const exclusive = createSerialQueue();
    const order: string[] = [];
    let fail: (error: Error) => void = () => undefined;
    const first = exclusive(
      () =>
        new Promise<void>((_resolve, reject) => {
          order.push('first started');
          fail = reject;
        }),
    );
    const second = exclusive(() => {
      order.push('second started');
      return Promise.resolve(2);
    });
    await Promise.resolve();
    expect(order).toEqual(['first started']);
    fail(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['first started', 'second started']);
  });

  it('runs the next work after one that failed, and leaves no rejection of its own unhandled', async () => {
    const exclusive = createSerialQueue();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(exclusive(() => Promise.reject(new Error('listing failed')))).rejects.toThrow('listing failed');
      await expect(
        exclusive(() => {
          throw new Error('thrown at once');
        }),
      ).rejects.toThrow('thrown at once');
      const order: string[] = [];
      await expect(
        exclusive(() => {
          order.push('next');
          return Promise.resolve('listed');
        }),
      ).resolves.toBe('listed');
      expect(order).toEqual(['next']);
      // Node reports an unhandled rejection once the microtasks have run, before the next
      // macrotask: one turn of the event loop is the point by which it would have been seen.
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('createSingleFlight', () => {
  it('joins an ask to the run in flight for the same key and starts anew once it ended', async () => {
    const once = createSingleFlight();
    let runs = 0;
    let finish: () => void = () => undefined;
    const work = (): Promise<number> =>
      new Promise<number>((resolve) => {
        runs += 1;
        finish = () => resolve(runs);
      });
    const a = once('k', work);
    const b = once('k', work);
    expect(runs).toBe(1);
    finish();
    expect(await a).toBe(1);
    expect(await b).toBe(1);
    const c = once('k', work);
    expect(runs).toBe(2);
    finish();
    expect(await c).toBe(2);
  });

  it('runs different keys side by side and lets a failed run be asked again', async () => {
    const once = createSingleFlight();
    let runs = 0;
    await expect(
      once('x', () => {
        runs += 1;
        return Promise.reject(new Error('no'));
      }),
    ).rejects.toThrow('no');
    const [x, y] = await Promise.all([
      once('x', () => Promise.resolve((runs += 1))),
      once('y', () => Promise.resolve((runs += 1))),
    ]);
    expect([x, y].sort()).toEqual([2, 3]);
  });
});
