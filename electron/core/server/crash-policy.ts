import type { ServerFailure } from '../../../shared/server-status.ts';
import type { ControllerTiming } from './context.ts';

/**
 * Auto-restart after a crash, as a pure function of the crash times: restart with a doubling
 * backoff, unless the server crashed more than `maxRestarts` times within `windowMs`.
 */
export interface CrashPolicy {
  readonly windowMs: number;
  readonly maxRestarts: number;
  readonly backoffMs: number;
}

export type CrashDecision =
  { readonly kind: 'restart'; readonly delayMs: number } | { readonly kind: 'give-up'; readonly crashes: number };

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

export function crashPolicy(timing: ControllerTiming): CrashPolicy {
  return { windowMs: timing.crashWindowMs, maxRestarts: timing.maxCrashRestarts, backoffMs: timing.restartBackoffMs };
}

/** The failure that ends automatic restarts, carrying the last crash's reason and log lines. */
export function crashLoopFailure(last: ServerFailure, crashes: number, windowMs: number, now: number): ServerFailure {
  const message =
    `msbserver crashed ${crashes} times within ${Math.round(windowMs / 1000)} s; ` +
    `automatic restarts stopped. Last: ${last.message}`;
  return { ...last, code: 'crash-loop', message, at: now };
}
