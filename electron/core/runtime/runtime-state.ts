/**
 * The runtime service's one state: replaced piece by piece, and handed to the listeners only when
 * it differs from the one they saw last, so a listing that found nothing new says nothing.
 */
import { errorText, type Logger } from '../base/logger.ts';
import type { RuntimeState } from './api.ts';

export const INITIAL_RUNTIME_STATE: RuntimeState = {
  sandboxes: [],
  metrics: {},
  host: null,
  context: null,
  capabilities: { pause: false },
  error: null,
  listedAt: null,
};

export class RuntimeStateHolder {
  readonly #logger: Logger;
  readonly #listeners = new Set<(state: RuntimeState) => void>();
  #state: RuntimeState = INITIAL_RUNTIME_STATE;
  #shown = JSON.stringify(INITIAL_RUNTIME_STATE);
  #closed = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  get current(): RuntimeState {
    return this.#state;
  }

  /** Replaces those pieces; nothing once closed. */
  update(next: Partial<RuntimeState>): void {
    if (this.#closed) return;
    this.#state = { ...this.#state, ...next };
    const text = JSON.stringify(this.#state);
    if (text === this.#shown) return;
    this.#shown = text;
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#state);
      } catch (error) {
        this.#logger.error(`A runtime state listener failed: ${errorText(error)}`);
      }
    }
  }

  onChange(listener: (state: RuntimeState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The service is gone: the state no longer changes and no listener hears of it. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }
}
