/**
 * The state machine's table, as pure functions: which snapshot an outcome or a step of progress
 * leads to. The controller alone applies them (`#set`); keeping them here lets the controller
 * hold only the queue, the tracked server and the timers.
 */
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../../shared/server-status.ts';
import type { Outcome, Progress } from './outcome.ts';

/** The snapshot `outcome` leads to from `current`. */
export function snapshotAfter(current: ServerSnapshot, outcome: Outcome): ServerSnapshot {
  const warnings = outcome.warnings ?? current.warnings;
  switch (outcome.kind) {
    case 'running': {
      const { server, url, devMode, startedAt, external, healthy } = outcome;
      return {
        state: 'running',
        pid: server.pid,
        url,
        devMode,
        startedAt,
        external,
        healthy,
        error: null,
        warnings,
        restartAt: null,
      };
    }
    case 'stopped':
      return { ...INITIAL_SNAPSHOT, error: current.error, warnings };
    case 'failed':
      return {
        ...INITIAL_SNAPSHOT,
        state: 'failed',
        url: current.url,
        devMode: current.devMode,
        error: outcome.failure,
        warnings,
      };
    case 'unchanged':
      return outcome.warnings === undefined ? current : { ...current, warnings };
  }
}

/** The snapshot while a procedure runs, after it reported `step`. */
export function snapshotDuring(current: ServerSnapshot, step: Progress): ServerSnapshot {
  switch (step.kind) {
    case 'starting':
      return {
        ...INITIAL_SNAPSHOT,
        state: 'starting',
        url: step.url,
        devMode: step.devMode,
        error: current.error,
        warnings: step.warnings,
      };
    case 'spawned':
      return { ...current, pid: step.child.pid };
    case 'stopping':
      return { ...current, state: 'stopping', pid: step.pid };
  }
}

/** Whether two snapshots say the same (warnings compared by content), so no event is due. */
export function sameSnapshot(a: ServerSnapshot, b: ServerSnapshot): boolean {
  return (Object.keys(a) as (keyof ServerSnapshot)[]).every((key) =>
    key === 'warnings' ? sameList(a.warnings, b.warnings) : a[key] === b[key],
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
