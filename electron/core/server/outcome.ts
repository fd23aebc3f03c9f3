import type { FailureCode, ServerFailure } from '../../../shared/server-status.ts';
import type { OwnChild } from './child.ts';
import type { ServerContext } from './context.ts';
import { tailLines } from './server-log.ts';

/**
 * What a lifecycle procedure found or did. Procedures return one and never touch the snapshot;
 * the state machine (controller.ts) applies it, and that is the only place the snapshot changes.
 */
export type Outcome =
  /** A server runs: the app's own child (`child` set), or one started by someone else. */
  | {
      readonly kind: 'running';
      readonly pid: number;
      readonly url: string;
      readonly devMode: boolean;
      readonly startedAt: number;
      readonly external: boolean;
      readonly healthy: boolean | null;
      readonly child: OwnChild | null;
    }
  /** No server runs; the last failure is kept for the window to show. */
  | { readonly kind: 'stopped' }
  /** `keepChild`: the child could not be stopped and is still the app's to track. */
  | { readonly kind: 'failed'; readonly failure: ServerFailure; readonly keepChild?: boolean }
  /** Nothing to change (the app is quitting, or what was seen needs no transition). */
  | { readonly kind: 'unchanged' };

/** Progress a procedure reports while it runs, so the tray and window see each step. */
export type Progress =
  | { readonly kind: 'starting'; readonly url: string; readonly devMode: boolean }
  | { readonly kind: 'spawned'; readonly child: OwnChild }
  | { readonly kind: 'stopping'; readonly pid: number };

export interface FailureDetails {
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly searched?: readonly string[];
  /** Where this run's output starts in the log; no log lines are attached without it. */
  readonly logOffset?: number;
}

/** A failure outcome, with the last lines of this run's log when its offset is known. */
export async function failed(
  ctx: ServerContext,
  code: FailureCode,
  message: string,
  details: FailureDetails = {},
  keepChild = false,
): Promise<Outcome> {
  const logTail = details.logOffset === undefined ? [] : await tailLines(ctx.logFile, ctx.timing.failureLogLines, details.logOffset);
  const failure: ServerFailure = {
    code,
    message,
    exitCode: details.exitCode ?? null,
    signal: details.signal ?? null,
    logTail,
    searched: details.searched ?? [],
    at: ctx.clock.now(),
  };
  return keepChild ? { kind: 'failed', failure, keepChild } : { kind: 'failed', failure };
}

export const STOPPED: Outcome = Object.freeze({ kind: 'stopped' });
export const UNCHANGED: Outcome = Object.freeze({ kind: 'unchanged' });
