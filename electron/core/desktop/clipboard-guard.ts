import { defaultTimers, type TimerHandle, type Timers } from '../base/clock.ts';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';
import type { ClipboardPort } from './desktop-ports.ts';

/** setTimeout stores its delay in a signed 32-bit integer; longer delays fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

interface Pending {
  readonly text: string;
  readonly handle: TimerHandle;
}

/**
 * Copies text to the clipboard and, for a secret (a freshly minted token), clears the clipboard
 * after the configured delay — but only if it still holds that secret, so whatever the user
 * copied in the meantime is never wiped.
 *
 * - The delay is read from `clearAfterSeconds()` at each copy; 0 (or anything not a positive
 *   finite number) means "never clear".
 * - Any newer copy, secret or not, cancels the previous pending clear: the newer text has
 *   replaced the secret anyway, and the newer secret gets its own full delay.
 * - `dispose()` (on quit) cancels the timer and clears a pending secret *now* if the clipboard
 *   still holds it: a token should not outlive the app that promised to clear it.
 */
export class ClipboardGuard {
  readonly #port: ClipboardPort;
  readonly #clearAfterSeconds: () => number;
  readonly #timers: Timers;
  #pending: Pending | null = null;
  /** Bumped by every copy and by dispose, so that a copy that finishes late cannot schedule. */
  #generation = 0;
  #inFlight: Promise<void> = Promise.resolve();
  #disposed = false;

  readonly #logger: Logger;

  constructor(
    port: ClipboardPort,
    clearAfterSeconds: () => number,
    timers: Timers = defaultTimers,
    logger: Logger = silentLogger,
  ) {
    this.#port = port;
    this.#clearAfterSeconds = clearAfterSeconds;
    this.#timers = timers;
    this.#logger = logger;
  }

  /** True while a secret waits to be cleared. */
  get pending(): boolean {
    return this.#pending !== null;
  }

  async copy(text: string, secret: boolean): Promise<void> {
    if (this.#disposed) throw new Error('The clipboard guard has been disposed.');
    this.#cancel();
    const generation = ++this.#generation;
    // A clear that has already read the old secret must finish before this write, or its
    // write of '' could land after this text.
    await this.#inFlight;
    await this.#port.writeText(text);
    if (!secret || generation !== this.#generation || this.#disposed) return;
    const delayMs = delayFrom(this.#clearAfterSeconds());
    if (delayMs === null) return;
    const handle = this.#timers.setTimeout(() => {
      if (this.#pending?.handle !== handle) return;
      this.#pending = null;
      this.#inFlight = this.#clearIfUnchanged(text);
    }, delayMs);
    this.#pending = { text, handle };
  }

  /** Resolves when a clear that has started (timer fired) has finished. For tests and shutdown. */
  settled(): Promise<void> {
    return this.#inFlight;
  }

  /** Cancels the timer and clears a still-pending secret now if the clipboard still holds it. */
  async dispose(): Promise<void> {
    if (this.#disposed) return this.#inFlight;
    this.#disposed = true;
    this.#generation++;
    const pending = this.#pending;
    this.#cancel();
    await this.#inFlight;
    if (pending !== null) await this.#clearIfUnchanged(pending.text);
  }

  #cancel(): void {
    if (this.#pending === null) return;
    this.#timers.clearTimeout(this.#pending.handle);
    this.#pending = null;
  }

  async #clearIfUnchanged(text: string): Promise<void> {
    try {
      const current = await this.#port.readText();
      if (current === text) await this.#port.writeText('');
    } catch (error) {
      // The clipboard is the user's: a failed clear leaves it as it was, and is only noted.
      this.#logger.debug(`Clearing the clipboard failed: ${errorText(error)}`);
    }
  }
}

function delayFrom(seconds: number): number | null {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return null;
  return Math.min(Math.round(seconds * 1000), MAX_DELAY_MS);
}
