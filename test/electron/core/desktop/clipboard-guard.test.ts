import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClipboardGuard } from '../../../../electron/core/desktop/clipboard-guard.ts';
import type { ClipboardPort } from '../../../../electron/core/desktop/desktop-ports.ts';
import type { TimerHandle, Timers } from '../../../../electron/core/base/clock.ts';

/** An in-memory clipboard that records every write. */
class MemoryClipboard implements ClipboardPort {
  text = '';
  writes: string[] = [];
  reads = 0;
  readText(): Promise<string> {
    this.reads++;
    return Promise.resolve(this.text);
  }
  writeText(text: string): Promise<void> {
    this.text = text;
    this.writes.push(text);
    return Promise.resolve();
  }
}

/** Timers driven by hand: `advance(ms)` fires what is due. */
class ManualTimers implements Timers {
  now = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, callback });
    return id as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.#due.delete(handle as unknown as number);
  }
  get count(): number {
    return this.#due.size;
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.#due].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.now) continue;
      this.#due.delete(id);
      timer.callback();
    }
  }
}

function setup(seconds = 30) {
  const clipboard = new MemoryClipboard();
  const timers = new ManualTimers();
  let delay = seconds;
  const guard = new ClipboardGuard(clipboard, () => delay, timers);
  return { clipboard, timers, guard, setDelay: (s: number) => (delay = s) };
}

describe('ClipboardGuard', () => {
  it('clears a secret after the delay when the clipboard still holds it', async () => {
    const { clipboard, timers, guard } = setup(30);
    await guard.copy('msb_secret', true);
    expect(clipboard.text).toBe('msb_secret');
    expect(guard.pending).toBe(true);
    timers.advance(29_999);
    await guard.settled();
    expect(clipboard.text).toBe('msb_secret');
    timers.advance(1);
    await guard.settled();
    expect(clipboard.text).toBe('');
    expect(clipboard.writes).toEqual(['msb_secret', '']);
    expect(guard.pending).toBe(false);
  });

  it('keeps what the user copied in the meantime', async () => {
    const { clipboard, timers, guard } = setup(10);
    await guard.copy('msb_secret', true);
    clipboard.text = 'something the user copied'; // outside the app
    timers.advance(10_000);
    await guard.settled();
    expect(clipboard.reads).toBe(1);
    expect(clipboard.text).toBe('something the user copied');
    expect(clipboard.writes).toEqual(['msb_secret']);
  });

  it('a newer copy cancels the older clear, and the newer secret gets its own full delay', async () => {
    const { clipboard, timers, guard } = setup(10);
    await guard.copy('msb_first', true);
    timers.advance(8_000);
    await guard.copy('msb_second', true);
    expect(timers.count).toBe(1);
    timers.advance(2_000); // the first one's time
    await guard.settled();
    expect(clipboard.text).toBe('msb_second');
    expect(clipboard.reads).toBe(0);
    timers.advance(8_000);
    await guard.settled();
    expect(clipboard.text).toBe('');
  });

  it('a newer plain copy cancels the pending clear and is never cleared', async () => {
    const { clipboard, timers, guard } = setup(10);
    await guard.copy('msb_secret', true);
    await guard.copy('http://127.0.0.1:5555', false);
    expect(timers.count).toBe(0);
    expect(guard.pending).toBe(false);
    timers.advance(60_000);
    await guard.settled();
    expect(clipboard.text).toBe('http://127.0.0.1:5555');
  });

  it('never clears with a delay of 0', async () => {
    const { clipboard, timers, guard } = setup(0);
    await guard.copy('msb_secret', true);
    expect(timers.count).toBe(0);
    expect(guard.pending).toBe(false);
    timers.advance(10 ** 9);
    await guard.settled();
    await guard.dispose();
    expect(clipboard.text).toBe('msb_secret');
  });

  it.each([Number.NaN, -5, Number.POSITIVE_INFINITY])('treats a delay of %s as never', async (seconds) => {
    const { clipboard, timers, guard } = setup(seconds);
    await guard.copy('msb_secret', true);
    expect(timers.count).toBe(0);
    expect(clipboard.text).toBe('msb_secret');
  });

  it('reads the delay at each copy', async () => {
    const { clipboard, timers, guard, setDelay } = setup(0);
    await guard.copy('msb_a', true);
    expect(timers.count).toBe(0);
    setDelay(5);
    await guard.copy('msb_b', true);
    timers.advance(5_000);
    await guard.settled();
    expect(clipboard.text).toBe('');
  });

  it('does not clear text that was not a secret', async () => {
    const { clipboard, timers, guard } = setup(1);
    await guard.copy('plain', false);
    expect(timers.count).toBe(0);
    timers.advance(5_000);
    expect(clipboard.text).toBe('plain');
  });

  it('dispose clears a pending secret at once if the clipboard still holds it', async () => {
    const { clipboard, timers, guard } = setup(60);
    await guard.copy('msb_secret', true);
    await guard.dispose();
    expect(clipboard.text).toBe('');
    expect(timers.count).toBe(0);
    await expect(guard.copy('x', false)).rejects.toThrow(/disposed/);
  });

  it('dispose leaves the clipboard alone when the user replaced the secret', async () => {
    const { clipboard, timers, guard } = setup(60);
    await guard.copy('msb_secret', true);
    clipboard.text = 'mine';
    await guard.dispose();
    expect(clipboard.text).toBe('mine');
    expect(timers.count).toBe(0);
  });

  it('a failing clipboard read does not throw out of the timer', async () => {
    const clipboard = new MemoryClipboard();
    clipboard.readText = () => Promise.reject(new Error('no clipboard'));
    const timers = new ManualTimers();
    const guard = new ClipboardGuard(clipboard, () => 1, timers);
    await guard.copy('msb_secret', true);
    timers.advance(1_000);
    await expect(guard.settled()).resolves.toBeUndefined();
    expect(clipboard.text).toBe('msb_secret');
  });

  it('a copy waits for a clear already in progress, so the clear cannot wipe the new text', async () => {
    const clipboard = new MemoryClipboard();
    let releaseRead: () => void = () => undefined;
    const realRead = clipboard.readText.bind(clipboard);
    clipboard.readText = () =>
      new Promise<string>((resolve) => {
        const value = clipboard.text; // the clear sees the old secret
        releaseRead = () => {
          void realRead();
          resolve(value);
        };
      });
    const timers = new ManualTimers();
    const guard = new ClipboardGuard(clipboard, () => 1, timers);
    await guard.copy('msb_old', true);
    timers.advance(1_000); // the clear starts and is stuck reading
    const copying = guard.copy('msb_new', true);
    releaseRead();
    await copying;
    expect(clipboard.text).toBe('msb_new');
    expect(clipboard.writes).toEqual(['msb_old', '', 'msb_new']);
  });

  describe('with the real timer functions (vitest fake timers)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('uses the global timers by default', async () => {
      vi.useFakeTimers();
      const clipboard = new MemoryClipboard();
      const guard = new ClipboardGuard(clipboard, () => 2);
      await guard.copy('msb_secret', true);
      await vi.advanceTimersByTimeAsync(1_999);
      expect(clipboard.text).toBe('msb_secret');
      await vi.advanceTimersByTimeAsync(1);
      await guard.settled();
      expect(clipboard.text).toBe('');
    });

    it('caps a delay beyond what setTimeout can hold instead of firing at once', async () => {
      vi.useFakeTimers();
      const clipboard = new MemoryClipboard();
      const guard = new ClipboardGuard(clipboard, () => 10 ** 7);
      await guard.copy('msb_secret', true);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(clipboard.text).toBe('msb_secret');
      await guard.dispose();
    });
  });
});
