/**
 * The stop procedure: find the one process that is this home's msbserver, SIGTERM it, wait, and
 * SIGKILL it after the grace period only if it is still that same process.
 */
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { errorText } from '../logger.ts';
import { isRunningChild, type OwnChild } from './child.ts';
import { type ExitStatus, type ServerContext, withLock } from './context.ts';
import { recordedServer } from './observe.ts';
import { failed, type Outcome, type Progress, STOPPED } from './outcome.ts';
import { readPidFile, removePidFileIf } from './pid-file.ts';
import { identifyServerProcess, processStartTime } from './process-identity.ts';
import { pollUntilGone, raceTimeout, signal } from './signals.ts';

export interface StopRequest {
  readonly child: OwnChild | null;
  readonly current: ServerSnapshot;
  readonly progress: (step: Progress) => void;
}

export async function stopServer(ctx: ServerContext, request: StopRequest): Promise<Outcome> {
  try {
    return await withLock(ctx, () => stopLocked(ctx, request));
  } catch (error) {
    // stopLocked answers every failure itself: what arrives here is the lock's.
    return failed(ctx, 'home-error', `Could not stop the server: ${errorText(error)}`, {}, true);
  }
}

async function stopLocked(ctx: ServerContext, request: StopRequest): Promise<Outcome> {
  try {
    return await stopTarget(ctx, request);
  } catch (error) {
    return failed(ctx, 'stop-failed', `Stopping msbserver failed: ${errorText(error)}`, {}, true);
  }
}

async function stopTarget(ctx: ServerContext, { child, current, progress }: StopRequest): Promise<Outcome> {
  const target = await findTarget(ctx, child, current);
  if (target === 'unknown') {
    return failed(
      ctx,
      'stop-failed',
      `Could not tell whether the process in ${ctx.paths.pidFile} is msbserver, so it was not signalled. Try again, or stop it with \`msb server stop\`.`,
      {},
      true,
    );
  }
  if (target === null) {
    // Our child may have exited on its own just now: its exit is no crash once stop was asked for.
    if (child !== null) child.expectingExit = true;
    return current.state === 'failed' && current.error !== null ? { kind: 'failed', failure: current.error } : STOPPED;
  }
  progress({ kind: 'stopping', pid: target });
  const own = child?.pid === target ? child : null;
  if (own !== null) own.expectingExit = true;
  if (!(await terminate(ctx, target, own))) {
    return failed(ctx, 'stop-failed', `msbserver (PID ${target}) did not exit, even after SIGKILL.`, {}, true);
  }
  await removePidFileIf(ctx.paths.pidFile, target);
  return STOPPED;
}

/** The PID to stop: only a live msbserver of ours, never a stale or foreign PID. */
async function findTarget(ctx: ServerContext, child: OwnChild | null, current: ServerSnapshot): Promise<number | null | 'unknown'> {
  if (isRunningChild(child)) return child.pid;
  const candidates = new Set<number>();
  if (current.pid !== null) candidates.add(current.pid);
  const file = await readPidFile(ctx.paths.pidFile);
  if (file.kind === 'pid') candidates.add(file.pid);
  let unknown = false;
  for (const pid of candidates) {
    const identity = await identifyServerProcess(pid, ctx.platform);
    if (identity.kind === 'msbserver') return pid;
    if (identity.kind === 'unknown') unknown = true;
  }
  if (unknown) return 'unknown';
  await recordedServer(ctx); // clears a stale record
  return null;
}

/** SIGTERM, the grace period, then SIGKILL; true once the process is gone. */
async function terminate(ctx: ServerContext, pid: number, own: OwnChild | null): Promise<boolean> {
  const waitExit = (ms: number): Promise<boolean> =>
    own !== null ? raceTimeout(own.exited.then(() => true), ms, false) : pollUntilGone(ctx, pid, ms);
  // A process that is not our child may die and its PID be reused during the grace period:
  // SIGKILL goes only to the same process, still msbserver, that got SIGTERM.
  const startedAt = own !== null ? null : await processStartTime(pid, ctx.platform);
  if (!signal(pid, 'SIGTERM')) return true;
  if (await waitExit(ctx.timing.stopGraceMs)) return true;
  if (own === null) {
    const identity = await identifyServerProcess(pid, ctx.platform);
    if (identity.kind === 'dead' || identity.kind === 'other-process' || identity.kind === 'other-user') return true;
    if (identity.kind === 'unknown' || (startedAt !== null && (await processStartTime(pid, ctx.platform)) !== startedAt)) return false;
  }
  if (!signal(pid, 'SIGKILL')) return true;
  return waitExit(ctx.timing.killWaitMs);
}

/** Ends the app's own child at once (a start that failed or timed out) and clears its record. */
export async function killChild(ctx: ServerContext, child: OwnChild): Promise<ExitStatus> {
  child.expectingExit = true;
  signal(child.pid, 'SIGKILL');
  const exit = await raceTimeout(child.exited, ctx.timing.killWaitMs, { code: null, signal: null });
  await removePidFileIf(ctx.paths.pidFile, child.pid);
  return exit;
}
