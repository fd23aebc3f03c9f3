/**
 * The stop procedure: find the one process that is this home's msbserver, end it and its group
 * (terminate.ts), and only then remove `server.pid` and the app's record of it.
 */
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { errorText } from '../base/logger.ts';
import { isRunningChild } from './child.ts';
import { type ServerContext, withLock } from './context.ts';
import { homeExists, homeFileProblem } from './home.ts';
import { judgeProcess } from '../process/judge.ts';
import { recordedServer } from './observe.ts';
import { failed, type Outcome, type Progress, STOPPED, type TrackedServer } from './outcome.ts';
import { readPidFile, removePidFileIf } from './pid-file.ts';
import { processStartTime, sameStartTime } from '../process/process-identity.ts';
import { clearServerRecord, readServerRecord } from '../process/server-record.ts';
import { groupAlive } from '../process/process-groups.ts';
import { LockWriteError } from './start-lock.ts';
import { safeGroup, terminate } from './terminate.ts';

export interface StopRequest {
  readonly tracked: TrackedServer | null;
  readonly current: ServerSnapshot;
  readonly progress: (step: Progress) => void;
}

export async function stopServer(ctx: ServerContext, request: StopRequest): Promise<Outcome> {
  try {
    return await withLock(ctx, () => stopLocked(ctx, request));
  } catch (error) {
    // The home was deleted while the server ran: no lock can be written there, and none can be
    // held by anyone else either (it went with the home). The server is found by its PID and
    // identity, not through the home, so it is stopped all the same, and no home is made for it.
    if (error instanceof LockWriteError && error.code === 'ENOENT' && !(await homeExists(ctx))) {
      ctx.logger.info(`${ctx.paths.home} is gone, so no start lock can be taken; stopping msbserver without it.`);
      return stopLocked(ctx, request);
    }
    // stopLocked answers every failure itself: what arrives here is the lock's.
    return failed(ctx, 'home-error', `Could not stop the server: ${errorText(error)}`, { keepServer: true });
  }
}

async function stopLocked(ctx: ServerContext, request: StopRequest): Promise<Outcome> {
  try {
    return await stopTarget(ctx, request);
  } catch (error) {
    const problem = homeFileProblem(ctx, error);
    if (problem !== null) return failed(ctx, 'home-error', problem, { keepServer: true });
    return failed(ctx, 'stop-failed', `Stopping msbserver failed: ${errorText(error)}`, { keepServer: true });
  }
}

async function stopTarget(ctx: ServerContext, { tracked, current, progress }: StopRequest): Promise<Outcome> {
  const found = await findTarget(ctx, tracked, current);
  if (found.kind === 'unknown') {
    return failed(
      ctx,
      'stop-failed',
      `Could not tell whether the process in ${ctx.paths.pidFile} is msbserver, so it was not signalled. ` +
        `Try again, or stop it with \`msb server stop\`.`,
      { keepServer: true },
    );
  }
  if (found.kind === 'none') {
    // Our child may have exited on its own just now: its exit is no crash once stop was asked for.
    if (tracked?.child != null) tracked.child.expectingExit = true;
    const warnings = found.warnings;
    if (current.state === 'failed' && current.error !== null)
      return { kind: 'failed', failure: current.error, warnings };
    return { kind: 'stopped', warnings };
  }
  const target = found.server;
  progress({ kind: 'stopping', pid: target.pid });
  if (target.child !== null) target.child.expectingExit = true;
  if (!(await terminate(ctx, target))) {
    return failed(ctx, 'stop-failed', `msbserver (PID ${target.pid}) did not exit, even after SIGKILL.`, {
      keepServer: true,
    });
  }
  await removePidFileIf(ctx.paths.pidFile, target.pid);
  await clearServerRecord(ctx, target.pid);
  return STOPPED;
}

type Target =
  | { readonly kind: 'server'; readonly server: TrackedServer }
  | { readonly kind: 'none'; readonly warnings: readonly string[] }
  | { readonly kind: 'unknown' };

/** The server to stop: only a live msbserver of this home, never a stale or foreign PID. */
async function findTarget(ctx: ServerContext, tracked: TrackedServer | null, current: ServerSnapshot): Promise<Target> {
  if (tracked !== null) {
    const leaderAlive = tracked.child !== null ? isRunningChild(tracked.child) : await stillTracked(ctx, tracked);
    // A wrapper that exited can leave its server booting in the group: the group is the target then.
    if (leaderAlive || (tracked.pgid !== null && (await groupAlive(tracked.pgid, ctx.platform))))
      return { kind: 'server', server: tracked };
  }
  const record = await readServerRecord(ctx);
  const candidates = new Set<number>();
  if (current.pid !== null) candidates.add(current.pid);
  const file = await readPidFile(ctx.paths.pidFile);
  if (file.kind === 'pid') candidates.add(file.pid);
  let unknown = false;
  const warnings: string[] = [];
  for (const pid of candidates) {
    const verdict = await judgeProcess(ctx, pid, record, 'pid-file');
    if (verdict.kind === 'this-home') {
      const appCreated = verdict.record !== null && verdict.record.pgid === verdict.pgid;
      return {
        kind: 'server',
        server: {
          pid,
          pgid: await safeGroup(ctx, pid, verdict.pgid, appCreated),
          startTime: verdict.startTime,
          child: null,
        },
      };
    }
    if (verdict.kind === 'unknown') unknown = true;
    if (verdict.kind === 'other-home')
      warnings.push(`PID ${pid} is msbserver for ${verdict.serves}, not this one, so it was not stopped.`);
  }
  if (unknown) return { kind: 'unknown' };
  const left = await recordedServer(ctx, record); // clears a stale record
  return { kind: 'none', warnings: warnings.length > 0 ? warnings : left.warnings };
}

/** The tracked process (not our child) is still the one that was tracked. */
async function stillTracked(ctx: ServerContext, tracked: TrackedServer): Promise<boolean> {
  const startTime = await processStartTime(tracked.pid, ctx.platform);
  if (startTime === null) return false;
  return tracked.startTime === null || sameStartTime(startTime, tracked.startTime);
}
