/**
 * Whether microsandbox is there to run, kept current for the first-run state of the window and
 * the tray: looked at on launch and again whenever it may have changed (the msbserver setting, a
 * start that did not find it, the window asking as it comes to the front) and, while nothing
 * usable is installed, every `recheckMs` (an install made in a terminal shows without a click).
 * Looks that overlap share one check; listeners hear only real changes.
 */
import { SETUP_UNKNOWN, type SetupState } from '../../../shared/setup.ts';
import { defaultTimers, type IntervalTimers, type TimerHandle } from '../base/clock.ts';
import type { Disposable } from '../base/disposable.ts';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';
import { checkSetup, type SetupCheckOptions } from './setup-check.ts';

export interface SetupWatchOptions {
  /** The options of one look, read afresh each time (the msbserver setting may have changed). */
  readonly options: () => SetupCheckOptions;
  readonly check?: (options: SetupCheckOptions) => Promise<SetupState>;
  readonly logger?: Logger;
  /** How often to look again while msbserver or msbrun is missing or unsafe (default 15 s; 0: never). */
  readonly recheckMs?: number;
  /** What schedules the recheck (default: the global timers). */
  readonly timers?: IntervalTimers;
}

const DEFAULT_RECHECK_MS = 15_000;

export class SetupWatch implements Disposable {
  readonly #options: SetupWatchOptions;
  readonly #listeners = new Set<(state: SetupState) => void>();
  #state: SetupState = SETUP_UNKNOWN;
  #looking: Promise<SetupState> | null = null;
  #again = false;
  #disposed = false;
  #recheck: TimerHandle | null = null;

  constructor(options: SetupWatchOptions) {
    this.#options = options;
  }

  current(): SetupState {
    return this.#state;
  }

  /** Looks again; a look asked for while one runs is made once more after it, with the options of then. */
  refresh(): Promise<SetupState> {
    if (this.#looking !== null) {
      this.#again = true;
      return this.#looking;
    }
    this.#looking = this.#look().finally(() => {
      this.#looking = null;
      if (this.#again && !this.#disposed) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#looking;
  }

  onChange(listener: (state: SetupState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  dispose(): void {
    this.#disposed = true;
    this.#listeners.clear();
    this.#stopRecheck();
  }

  /** Looks again now and then while something is missing; never while all is there. */
  #planRecheck(): void {
    const every = this.#options.recheckMs ?? DEFAULT_RECHECK_MS;
    // An unsafe msbrun too: a chmod in a terminal shows without a click.
    const missing =
      this.#state.kind === 'missing' ||
      this.#state.kind === 'msbrun-unsafe' ||
      (this.#state.kind === 'ready' && !this.#state.msbrun.found);
    if (!missing || every <= 0 || this.#disposed) {
      this.#stopRecheck();
      return;
    }
    if (this.#recheck !== null) return;
    this.#recheck = (this.#options.timers ?? defaultTimers).setInterval(() => void this.refresh(), every);
    this.#recheck.unref();
  }

  #stopRecheck(): void {
    if (this.#recheck !== null) (this.#options.timers ?? defaultTimers).clearInterval(this.#recheck);
    this.#recheck = null;
  }

  async #look(): Promise<SetupState> {
    const logger = this.#options.logger ?? silentLogger;
    let next: SetupState;
    try {
      next = await (this.#options.check ?? checkSetup)(this.#options.options());
    } catch (error) {
      // A look that fails says nothing new: the last answer stands, and a start will say why.
      logger.warn(`Looking for msbserver failed: ${errorText(error)}`);
      return this.#state;
    }
    if (this.#disposed || sameSetup(this.#state, next)) return this.#state;
    this.#state = next;
    this.#planRecheck();
    for (const listener of this.#listeners) listener(next);
    return next;
  }
}

export function sameSetup(a: SetupState, b: SetupState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
