import { describe, expect, it } from 'vitest';
import { DisposableStore, toDisposable } from '../../../../electron/core/base/disposable.ts';
import type { Logger } from '../../../../electron/core/base/logger.ts';
import { waitFor } from '../../../support/wait-for.ts';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('DisposableStore', () => {
  it('lets go in reverse order of adding, once', async () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => void order.push('tray')));
    store.add(
      toDisposable(async () => {
        // A dispose that takes a while on purpose: the tray must still wait for it.
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push('server');
      }),
    );
    store.add(toDisposable(() => void order.push('window')));
    await store.dispose();
    await store.dispose();
    expect(order).toEqual(['window', 'server', 'tray']);
    expect(store.disposed).toBe(true);
  });

  it('logs a failing dispose and still disposes the rest', async () => {
    const logger = recordingLogger();
    const order: string[] = [];
    const store = new DisposableStore(logger);
    store.add(toDisposable(() => void order.push('first')));
    store.add(
      toDisposable(() => {
        throw new Error('watcher already closed');
      }),
    );
    await store.dispose();
    expect(order).toEqual(['first']);
    expect(logger.lines).toEqual(['warn: Disposing failed: watcher already closed']);
  });

  it('disposes at once what is added after it was disposed', async () => {
    const store = new DisposableStore();
    await store.dispose();
    let disposed = false;
    store.add(
      toDisposable(() => {
        disposed = true;
      }),
    );
    await waitFor(() => disposed, { what: 'the late addition disposed' });
    expect(disposed).toBe(true);
  });

  it('toDisposable runs its function only once', () => {
    let runs = 0;
    const d = toDisposable(() => void runs++);
    void d.dispose();
    void d.dispose();
    expect(runs).toBe(1);
  });
});
