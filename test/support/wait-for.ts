// One way for a test to wait: for a condition, checked until a deadline, never for a fixed time.
// A deadline that passes fails the test with what was awaited, so a wait cannot hide a bug.

export interface WaitForOptions {
  /** Gives up after this many ms (default 10 s: a loaded machine, not a slow condition). */
  readonly timeout?: number;
  /** How often the condition is checked (default 10 ms). */
  readonly every?: number;
  /** What is awaited, for the error when the deadline passes. */
  readonly what?: string;
  /** What was last seen (a log, a list), added to the error when the deadline passes. */
  readonly detail?: () => string;
}

/** Resolves once `condition` holds; rejects when it still does not at the deadline. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  await waitForValue(async () => ((await condition()) ? true : undefined), options);
}

/**
 * Resolves with the first value `probe` gives that is not undefined; rejects when there is none
 * at the deadline. A probe that throws ends the wait with its error (the awaited thing can no
 * longer come, say).
 */
export async function waitForValue<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeout = options.timeout ?? 10_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      const detail = options.detail === undefined ? '' : `\n${options.detail()}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${options.what ?? 'a condition'}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.every ?? 10));
  }
}

/**
 * Whether `condition` came to hold by the deadline, for a test that asserts the answer itself
 * (with its own message); it is checked once more at the deadline.
 */
export async function holdsWithin(
  condition: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<boolean> {
  try {
    await waitFor(condition, options);
    return true;
  } catch {
    // the deadline passed: the caller asserts on the answer and fails with its own message
    return condition();
  }
}
