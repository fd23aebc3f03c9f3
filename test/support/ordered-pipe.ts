/**
 * Main's messages to one web contents (its sends and its invoke replies), delivered one after
 * another as down Electron's one pipe per contents: each step starts once the one before it has
 * settled. The test harnesses deliver each with an evaluate in the page; a reply returned as a
 * Playwright binding's result takes a path of its own and could reach the page after a later send.
 */
export class OrderedPipe {
  #last: Promise<void> = Promise.resolve();

  /** Queues `step`. One that fails (the frame navigated or closed) is heard by no one, as in Electron. */
  post(step: () => Promise<unknown>): void {
    this.#last = this.#last.then(step).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Settles once every step posted so far has. */
  drained(): Promise<void> {
    return this.#last;
  }
}
