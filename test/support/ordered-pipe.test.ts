import { describe, expect, it } from 'vitest';
import { OrderedPipe } from './ordered-pipe.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('OrderedPipe', () => {
  it('starts each step only once the one before it has settled, however long that takes', async () => {
    const pipe = new OrderedPipe();
    const order: string[] = [];
    const slow = deferred();
    pipe.post(async () => {
      order.push('first starts');
      await slow.promise;
      order.push('first ends');
    });
    pipe.post(() => {
      order.push('second');
      return Promise.resolve();
    });
    await Promise.resolve();
    expect(order).toEqual(['first starts']);
    slow.resolve();
    await pipe.drained();
    expect(order).toEqual(['first starts', 'first ends', 'second']);
  });

  it('goes on after a step that fails, as a message to a closed frame is dropped', async () => {
    const pipe = new OrderedPipe();
    const order: string[] = [];
    pipe.post(() => Promise.reject(new Error('Execution context was destroyed')));
    pipe.post(() => {
      order.push('after');
      return Promise.resolve();
    });
    await pipe.drained();
    expect(order).toEqual(['after']);
  });
});
