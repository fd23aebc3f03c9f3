/**
 * Auto-restart after a crash, as a pure function of the crash times: restart with a doubling
 * backoff, unless the server crashed more than `maxRestarts` times within `windowMs`.
 */
export interface CrashPolicy {
  readonly windowMs: number;
  readonly maxRestarts: number;
  readonly backoffMs: number;
}

export type CrashDecision = { readonly kind: 'restart'; readonly delayMs: number } | { readonly kind: 'give-up'; readonly crashes: number };

/**
 * `history` holds earlier crash times (ms); `now` is this crash. Returns the decision and the
 * history to keep: the crashes inside the window, or none after giving up.
 */
export function decideAfterCrash(
  history: readonly number[],
  now: number,
  policy: CrashPolicy,
): { readonly decision: CrashDecision; readonly history: readonly number[] } {
  const recent = [...history.filter((time) => now - time < policy.windowMs), now];
  if (recent.length > policy.maxRestarts) return { decision: { kind: 'give-up', crashes: recent.length }, history: [] };
  return { decision: { kind: 'restart', delayMs: policy.backoffMs * 2 ** (recent.length - 1) }, history: recent };
}
