/**
 * Runs a check on the schedule `nextUpdateCheckDelay` decides: a minute after launch, then once a
 * day, never while its setting is off. One timer at a time; `refresh()` after a settings change.
 */
import { type Clock, defaultTimers, systemClock, type TimerHandle, type Timers } from '../base/clock.ts';
import type { Disposable } from '../base/disposable.ts';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';
import { nextUpdateCheckDelay } from './app-updates.ts';

export interface UpdateScheduleOptions {
  readonly isEnabled: () => boolean;
  /** The check; its failures are its own outcome to report, a throw is only logged. */
  readonly check: () => Promise<void>;
  readonly launchedAt?: number;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly logger?: Logger;
}

export class UpdateCheckSchedule implements Disposable {
  readonly #options: UpdateScheduleOptions;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #logger: Logger;
  readonly #launchedAt: number;
  #timer: TimerHandle | null = null;
  #lastCheckedAt: number | null = null;
  #running = false;
  #disposed = false;

  constructor(options: UpdateScheduleOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? defaultTimers;
    this.#logger = options.logger ?? silentLogger;
    this.#launchedAt = options.launchedAt ?? this.#clock.now();
    this.refresh();
  }

  get lastCheckedAt(): number | null {
    return this.#lastCheckedAt;
  }

  /** Schedules again from the current settings: off cancels, on arms the next due check. */
  refresh(): void {
    if (this.#disposed) return;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#running) return; // the running check re-arms when it ends
    const delay = nextUpdateCheckDelay({
      enabled: this.#options.isEnabled(),
      now: this.#clock.now(),
      launchedAt: this.#launchedAt,
      lastCheckedAt: this.#lastCheckedAt,
    });
    if (delay === null) return;
    this.#timer = this.#timers.setTimeout(() => void this.#run(), delay);
  }

  async #run(): Promise<void> {
    this.#timer = null;
    if (this.#disposed || !this.#options.isEnabled()) return;
    this.#running = true;
    try {
      await this.#options.check();
    } catch (error) {
      this.#logger.warn(`An update check failed: ${errorText(error)}`);
    } finally {
      this.#running = false;
      this.#lastCheckedAt = this.#clock.now();
    }
    this.refresh();
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
