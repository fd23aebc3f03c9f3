import type { FailureCode, ServerFailure } from '../../../shared/server-status.ts';
import type { OwnChild } from './child.ts';
import type { ServerContext } from './context.ts';
import { tailLines } from '../base/log-tail.ts';

/** The server the state machine follows while one runs. */
export interface TrackedServer {
  readonly pid: number;
  /** The process group to signal as a whole (its own, or one the app created), or null for the PID alone. */
  readonly pgid: number | null;
  /** Start time of `pid`, so a reused PID is never taken for it; null when unknown. */
  readonly startTime: number | null;
  /** The app's child process, when the app spawned this very process. */
  readonly child: OwnChild | null;
}

/**
 * What a lifecycle procedure found or did. Procedures return one and never touch the snapshot;
 * the state machine (controller.ts) applies it, and that is the only place the snapshot changes.
 * `warnings`, when given, replace the snapshot's.
 */
export type Outcome =
  /** A server runs: started by the app (`external` false, then it is in the app's record) or by someone else. */
  | {
      readonly kind: 'running';
      readonly server: TrackedServer;
      readonly url: string;
      readonly devMode: boolean;
      readonly startedAt: number;
      readonly external: boolean;
      readonly healthy: boolean | null;
      readonly warnings?: readonly string[];
    }
  /** No server runs; the last failure is kept for the window to show. */
  | { readonly kind: 'stopped'; readonly warnings?: readonly string[] }
  /** `keepServer`: it could not be stopped and is still the app's to track. */
  | {
      readonly kind: 'failed';
      readonly failure: ServerFailure;
      readonly keepServer?: boolean;
      readonly warnings?: readonly string[];
    }
  /** Nothing to change (the app is quitting, or what was seen needs no transition). */
  | { readonly kind: 'unchanged'; readonly warnings?: readonly string[] };

/** Progress a procedure reports while it runs, so the tray and window see each step. */
export type Progress =
  | { readonly kind: 'starting'; readonly url: string; readonly devMode: boolean; readonly warnings: readonly string[] }
  | { readonly kind: 'spawned'; readonly child: OwnChild }
  | { readonly kind: 'stopping'; readonly pid: number };

export interface FailureDetails {
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly searched?: readonly string[];
  /** Where this run's output starts in the log; no log lines are attached without it. */
  readonly logOffset?: number;
  readonly keepServer?: boolean;
  readonly warnings?: readonly string[];
}

/**
 * A failure outcome, with the last lines of this run's log when its offset is known. The failure
 * reaches the window and notifications as it is, so the server key and every token are scrubbed
 * from its message and log lines here, where it is made (a server build that logs its key or its
 * clients' tokens would otherwise show them).
 */
export async function failed(
  ctx: ServerContext,
  code: FailureCode,
  message: string,
  details: FailureDetails = {},
): Promise<Outcome> {
  const rawTail =
    details.logOffset === undefined ? [] : await tailLines(ctx.logFile, ctx.timing.failureLogLines, details.logOffset);
  const [scrubbedMessage = message, ...logTail] = await ctx.scrubber.scrubLines([message, ...rawTail]);
  const failure: ServerFailure = {
    code,
    message: scrubbedMessage,
    exitCode: details.exitCode ?? null,
    signal: details.signal ?? null,
    logTail,
    searched: details.searched ?? [],
    at: ctx.clock.now(),
  };
  return {
    kind: 'failed',
    failure,
    ...(details.keepServer === true ? { keepServer: true } : {}),
    ...(details.warnings === undefined ? {} : { warnings: details.warnings }),
  };
}

export const STOPPED: Outcome = Object.freeze({ kind: 'stopped' });
export const UNCHANGED: Outcome = Object.freeze({ kind: 'unchanged' });

/** Seconds as a person reads them: `1.5 s`, `15 s`. */
export function seconds(ms: number): string {
  const value = Math.round(ms / 100) / 10;
  return `${Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)} s`;
}
