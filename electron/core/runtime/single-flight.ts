/**
 * Ordering helpers for the runtime service: one queue that runs work one piece at a time, and
 * keyed single flight so repeated asks join the run in flight instead of starting another `msb`.
 */

/**
 * Settles when `run` settles, and always fulfils. Not a swallowed failure: the caller was handed
 * `run` itself and reports (or throws on) its failure; logging it here too would say it twice.
 * What waits on this needs only to know that `run` is over.
 */
function settledOf(run: Promise<unknown>): Promise<void> {
  return run.then(
    () => undefined,
    () => undefined,
  );
}

/** Runs each piece of work after the one before it has settled, whether it failed or not. */
export function createSerialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let queue: Promise<void> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = settledOf(run);
    return run;
  };
}

/**
 * One run at a time per key: the window may ask as often as it likes (a key held down, a hostile
 * page), and each ask joins the run in flight instead of starting another msb.
 */
export function createSingleFlight(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const inFlight = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const running = inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const run = work().finally(() => inFlight.delete(key));
    inFlight.set(key, run);
    return run;
  };
}
