// One way for a test to wait: for a condition, checked until a deadline, never for a fixed time.
// A deadline that passes fails the test with what was awaited, so a wait cannot hide a bug.

export interface WaitForOptions {
  /** Gives up after this many ms (default 10 s: a loaded machine, not a slow condition). */
  readonly timeout?: number;
  /** How often the condition is checked (default 10 ms). */
  readonly every?: number;
  /** What is awaited, for the error when the deadline passes. */
  readonly what?: string;
}

/** Resolves once `condition` holds; rejects when it still does not at the deadline. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const timeout = options.timeout ?? 10_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${options.what ?? 'a condition'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.every ?? 10));
  }
}
