import { errorText, type Logger, silentLogger } from './logger.ts';

/** One word for letting go of a timer, a watcher, a process handle or a subscription. */
export interface Disposable {
  dispose(): void | Promise<void>;
}

export function toDisposable(dispose: () => void | Promise<void>): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return undefined;
      done = true;
      return dispose();
    },
  };
}

/**
 * Owns disposables and lets go of them in reverse order of adding, so that what was built on
 * something goes before it. One failing dispose is logged and does not stop the others.
 */
export class DisposableStore implements Disposable {
  readonly #items: Disposable[] = [];
  readonly #logger: Logger;
  #disposed = false;

  constructor(logger: Logger = silentLogger) {
    this.#logger = logger;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  add<T extends Disposable>(item: T): T {
    if (this.#disposed) {
      // Too late to own it: let it go at once rather than leak it.
      void Promise.resolve()
        .then(() => item.dispose())
        .catch((error: unknown) => this.#logger.warn(`Disposing a late addition failed: ${errorText(error)}`));
      return item;
    }
    this.#items.push(item);
    return item;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const item of this.#items.splice(0).reverse()) {
      try {
        await item.dispose();
      } catch (error) {
        this.#logger.warn(`Disposing failed: ${errorText(error)}`);
      }
    }
  }
}
