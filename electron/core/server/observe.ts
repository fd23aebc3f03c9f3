/**
 * Looking at the world: what `server.pid`, the app's record and the process table say about this
 * home's server; whether to adopt one someone else started; what an exit of the app's own child
 * means. Each function returns an outcome; none changes the snapshot. The file is repaired on the
 * way: a live server the app tracks is put back into `server.pid` (so `msb` sees it too), and a
 * record naming no live msbserver is removed, never one that does.
 */
import { promises as fsp } from 'node:fs';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { sleep } from '../base/delay.ts';
import { errorText } from '../base/logger.ts';
import type { OwnChild } from './child.ts';
import { isRunningChild } from './child.ts';
import { type ExitStatus, type ServerContext, stopDeadlineMs } from './context.ts';
import { checkHealth } from './health.ts';
import { portInUse } from './port-check.ts';
import { homeServerOnPort } from './readiness.ts';
import type { HomeServer } from '../process/home-servers.ts';
import { homeExists, homeWarnings } from './home.ts';
import { judgeProcess, type Verdict } from '../process/judge.ts';
import { failed, type Outcome, STOPPED, type TrackedServer, UNCHANGED } from './outcome.ts';
import { readPidFile, removePidFileIf, writePidFile } from './pid-file.ts';
import { processLiveness, processStartTime, sameStartTime } from '../process/process-identity.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './server-args.ts';
import { flagsFromArgv } from '../process/msbserver-argv.ts';
import { clearServerRecord, readServerRecord, type ServerRecord, writeServerRecord } from '../process/server-record.ts';
import { serverUrl } from '../../../shared/server-url.ts';
import { describeExit, pollUntilGone, raceTimeout } from './signals.ts';
import { groupAlive, groupMembers } from '../process/process-groups.ts';
import { listenersAmong } from '../process/listeners.ts';
import { lockHeld } from './start-lock.ts';
import { safeGroup, terminate } from './terminate.ts';
import { probe } from '../base/probe.ts';

export type ThisHome = Extract<Verdict, { kind: 'this-home' }>;

/** What `server.pid` names, judged, with stale records removed. Warnings say what was left alone. */
export async function recordedServer(
  ctx: ServerContext,
  record: ServerRecord | null,
): Promise<{ readonly server: ThisHome | null; readonly warnings: readonly string[] }> {
  const file = await readPidFile(ctx.paths.pidFile);
  // msb writes server.pid in place (truncate, then write): an empty or partial file may be one
  // being written this very moment, so only one that has stood for a while is stale.
  if (file.kind === 'invalid' && (await standingFor(ctx.paths.pidFile, 1_000)))
    await removePidFileIf(ctx.paths.pidFile, file.raw);
  if (file.kind !== 'pid') return { server: null, warnings: [] };
  const verdict = await judgeProcess(ctx, file.pid, record, 'pid-file');
  if (verdict.kind === 'this-home') return { server: verdict, warnings: [] };
  if (verdict.kind === 'dead' || verdict.kind === 'not-server') await removePidFileIf(ctx.paths.pidFile, file.pid);
  if (verdict.kind === 'other-home') {
    return {
      server: null,
      warnings: [
        `${ctx.paths.pidFile} names msbserver (PID ${verdict.pid}), which serves ${verdict.serves}; the app ` +
          `leaves it alone.`,
      ],
    };
  }
  return { server: null, warnings: [] };
}

/** Whether `file` was last written at least `ms` ago. */
async function standingFor(file: string, ms: number): Promise<boolean> {
  const stat = await probe(fsp.stat(file));
  return stat !== null && Date.now() - stat.mtimeMs >= ms;
}

/** A this-home server as a running outcome: the app's own when its record names it. */
export async function adopt(ctx: ServerContext, found: ThisHome, warnings: readonly string[] = []): Promise<Outcome> {
  const record = found.record;
  const flags = found.argv === null ? null : flagsFromArgv(found.argv.slice(1));
  const url = record?.url ?? serverUrl(flags?.host ?? DEFAULT_HOST, flags?.port ?? DEFAULT_PORT);
  const devMode = record?.devMode ?? flags?.devMode ?? false;
  const pgid = await safeGroup(ctx, found.pid, found.pgid, record !== null && record.pgid === found.pgid);
  const [healthy, startTime] = await Promise.all([
    checkHealth(url),
    found.startTime === null ? processStartTime(found.pid, ctx.platform) : found.startTime,
  ]);
  if (record === null) await clearServerRecordOfOthers(ctx, found.pid);
  return {
    kind: 'running',
    server: { pid: found.pid, pgid, startTime, child: null },
    url,
    devMode,
    startedAt: record?.startedAt ?? startTime ?? ctx.clock.now(),
    external: record === null,
    healthy,
    warnings,
  };
}

/** A record left by an earlier run of the app names a server that is not this one: forget it. */
async function clearServerRecordOfOthers(ctx: ServerContext, pid: number): Promise<void> {
  const record = await readServerRecord(ctx);
  if (record !== null && record.pid !== pid) await clearServerRecord(ctx, record.pid);
}

/** Adopts a this-home server found running instead of the app's own, and names it in `server.pid`. */
export async function adoptInstead(
  ctx: ServerContext,
  found: HomeServer,
  ownPid: number | null,
  warnings: readonly string[],
): Promise<Outcome> {
  if (ownPid !== null) {
    await removePidFileIf(ctx.paths.pidFile, ownPid);
    await clearServerRecord(ctx, ownPid);
  }
  await restorePidFile(ctx, found.pid);
  return adopt(ctx, found, warnings);
}

/**
 * A live this-home server to adopt, from `server.pid` or, when no file names one, from the app's
 * record (the file was removed or overwritten while the app was away): put back into the file.
 */
export async function adoptFromPidFile(ctx: ServerContext, current: ServerSnapshot): Promise<Outcome | null> {
  const record = await readServerRecord(ctx);
  const { server, warnings } = await recordedServer(ctx, record);
  if (server !== null) {
    if (current.state === 'running' && current.pid === server.pid) return { kind: 'unchanged', warnings };
    return adopt(ctx, server, warnings);
  }
  if (record !== null) {
    const verdict = await judgeProcess(ctx, record.pid, record, 'scan');
    if (verdict.kind === 'this-home') {
      await restorePidFile(ctx, record.pid);
      return adopt(ctx, verdict, warnings);
    }
    const handedOff = verdict.kind === 'dead' ? await serverLeftInGroup(ctx, record) : null;
    if (handedOff !== null) return adopt(ctx, handedOff, warnings);
    if (verdict.kind === 'dead' || verdict.kind === 'not-server') await clearServerRecord(ctx, record.pid);
  }
  return warnings.length > 0 ? { kind: 'unchanged', warnings } : null;
}

/** The look at launch (the home exists by now): what server.pid names, and what is off. */
export async function firstLook(ctx: ServerContext, current: ServerSnapshot): Promise<Outcome> {
  let seen = await reconcile(ctx, current, null);
  if (seen.kind !== 'running') {
    // No file names a server, but one of this home may hold the port (the CLI won a race and the
    // app's PID file was written last, or the app quit while a wrapper handed the server off).
    const settings = ctx.settings();
    const found = (await portInUse(settings.host, settings.port)) ? await homeServerOnPort(ctx, settings.port) : null;
    if (found !== null) {
      await restorePidFile(ctx, found.pid);
      seen = await adopt(ctx, found, seen.warnings ?? current.warnings);
    }
  }
  const home = await homeWarnings(ctx);
  if (home.length === 0) return seen;
  return { ...seen, warnings: [...(seen.warnings ?? current.warnings), ...home] };
}

/**
 * The app quit while a wrapper it started was handing the server off: the record names the
 * wrapper, gone, but the group the app created still holds the server. It is the app's own.
 */
async function serverLeftInGroup(ctx: ServerContext, record: ServerRecord): Promise<ThisHome | null> {
  if (!(await groupAlive(record.pgid, ctx.platform))) return null;
  const members = await groupMembers(record.pgid, ctx.platform);
  const port = Number(new URL(record.url).port || 80);
  const holders = await listenersAmong(members, port, ctx.platform);
  const pid = holders === null ? (members.length === 1 ? members[0] : undefined) : holders[0];
  if (pid === undefined) return null;
  const startTime = await processStartTime(pid, ctx.platform);
  if (startTime === null) return null;
  const updated: ServerRecord = { ...record, pid, startTime };
  await writeServerRecord(ctx, updated);
  await restorePidFile(ctx, pid);
  return { kind: 'this-home', pid, argv: null, startTime, pgid: record.pgid, record: updated };
}

/** Brings the snapshot in line with the PID file and the process table (outside changes). */
export async function reconcile(
  ctx: ServerContext,
  current: ServerSnapshot,
  tracked: TrackedServer | null,
  userActed?: AbortSignal,
): Promise<Outcome> {
  const { state } = current;
  if (state === 'starting' || state === 'stopping') return UNCHANGED;
  if (state === 'running' && tracked !== null) {
    const seen = await lookAtTracked(ctx, tracked, current.external, userActed);
    if (seen !== STOPPED) return seen;
    return (await adoptFromPidFile(ctx, { ...current, state: 'stopped', pid: null })) ?? STOPPED;
  }
  return (await adoptFromPidFile(ctx, current)) ?? UNCHANGED;
}

/** Whether the server the app tracks still runs, keeping `server.pid` naming it while it does. */
async function lookAtTracked(
  ctx: ServerContext,
  tracked: TrackedServer,
  external: boolean,
  userActed?: AbortSignal,
): Promise<Outcome> {
  const { child } = tracked;
  // The app's own child reports its exit itself.
  if (child !== null && !child.expectingExit && !isRunningChild(child)) return UNCHANGED;
  const running = child !== null ? isRunningChild(child) : await sameProcess(ctx, tracked);
  if (running === 'unknown') return UNCHANGED; // could not look: the next look decides
  let alive = running;
  const file = await readPidFile(ctx.paths.pidFile);
  if (alive) {
    if (file.kind === 'pid' && file.pid === tracked.pid) return UNCHANGED;
    if (file.kind !== 'pid') {
      // `msb server stop` removes the file right after its SIGTERM: give the process a moment
      // to go before taking the removal for a mistake to repair.
      if (await goneWithin(ctx, tracked, 500)) {
        if (child !== null) return UNCHANGED;
        // Gone: what it left in its group is handled below, as for any server found dead.
        alive = false;
      }
    } else {
      // Another starter wrote its PID over ours. While that process is a live server of this
      // home the file is true too and stays; once it is not, ours goes back in.
      const other = await judgeProcess(ctx, file.pid, null, 'pid-file');
      if (other.kind === 'this-home' || other.kind === 'unknown') return UNCHANGED;
    }
    if (alive) {
      await restorePidFile(ctx, tracked.pid);
      return UNCHANGED;
    }
  }
  // Its leader is gone but its group still runs (a wrapper without exec, signalled alone by
  // `msb server stop`): what is left would run on untracked, so it is ended too.
  if (tracked.pgid !== null && (await groupAlive(tracked.pgid, ctx.platform))) {
    ctx.logger.warn(
      `msbserver's process ${tracked.pid} is gone but left processes in its group ${tracked.pgid}; ending them.`,
    );
    await terminate(ctx, { ...tracked, child: null });
  }
  // Dead but still recorded: whoever stopped it (msb, another instance of the app) removes the
  // file just after the exit; if nobody does within a moment, it crashed.
  if (file.kind === 'pid' && file.pid === tracked.pid && !(await pidFileReleased(ctx, tracked.pid, 250, userActed))) {
    await removePidFileIf(ctx.paths.pidFile, file.pid);
    await clearServerRecord(ctx, tracked.pid);
    return failed(
      ctx,
      'crashed',
      `msbserver (PID ${tracked.pid}${external ? ', started outside the app' : ''}) stopped unexpectedly.`,
    );
  }
  await clearServerRecord(ctx, tracked.pid);
  return STOPPED;
}

/** True while `tracked.pid` is the very process that was tracked (same start time). */
async function sameProcess(ctx: ServerContext, tracked: TrackedServer): Promise<boolean | 'unknown'> {
  const liveness = await processLiveness(tracked.pid, ctx.platform);
  if (liveness !== 'alive') return false;
  const startTime = await processStartTime(tracked.pid, ctx.platform);
  if (tracked.startTime !== null && startTime !== null) return sameStartTime(startTime, tracked.startTime);
  // No start time to compare: the identity decides (PIDs are reused).
  const verdict = await judgeProcess(ctx, tracked.pid, null, 'pid-file');
  return verdict.kind === 'unknown' ? 'unknown' : verdict.kind === 'this-home';
}

async function goneWithin(ctx: ServerContext, tracked: TrackedServer, ms: number): Promise<boolean> {
  if (tracked.child !== null)
    return raceTimeout(
      tracked.child.exited.then(() => true),
      ms,
      false,
    );
  return pollUntilGone(ctx, tracked.pid, ms);
}

/** Writes `pid` into `server.pid` unless the file names another live server of this home. */
export async function restorePidFile(ctx: ServerContext, pid: number): Promise<void> {
  // The home itself was deleted: making it again is for a start (msb's or the app's); the file
  // goes back once the home does (its watch looks again then).
  if (!(await homeExists(ctx))) {
    ctx.logger.debug(`${ctx.paths.home} is gone; server.pid is put back once it is there again.`);
    return;
  }
  try {
    await writePidFile(ctx.paths.pidFile, pid);
    ctx.logger.info(`${ctx.paths.pidFile} did not name the running msbserver (PID ${pid}); it does again.`);
  } catch (error) {
    ctx.logger.warn(`Could not put PID ${pid} back into ${ctx.paths.pidFile}: ${errorText(error)}`);
  }
}

/** What an exit of the app's own child that nobody asked for means: a stop by msb, or a crash. */
export async function childExitOutcome(
  ctx: ServerContext,
  child: OwnChild,
  exit: ExitStatus,
  userActed?: AbortSignal,
): Promise<Outcome> {
  await clearServerRecord(ctx, child.pid);
  // A wrapper that ran the server without `exec` is gone, but the server may still be in its
  // group: it is ended too, or it would run on untracked.
  if (await groupAlive(child.pid, ctx.platform)) {
    ctx.logger.warn(`msbserver's process ${child.pid} exited and left processes in its group; ending them.`);
    await terminate(ctx, { pid: child.pid, pgid: child.pid, startTime: null, child });
  }
  if (await pidFileReleased(ctx, child.pid, exit.signal === 'SIGTERM' ? 100 : 0, userActed)) {
    // `msb server stop` signals the server and deletes server.pid: a stop, not a crash.
    return STOPPED;
  }
  await removePidFileIf(ctx.paths.pidFile, child.pid);
  return failed(ctx, 'crashed', `msbserver stopped unexpectedly (${describeExit(exit)}).`, {
    exitCode: exit.code,
    signal: exit.signal,
    logOffset: child.logOffset,
  });
}

/**
 * Whether server.pid no longer records `pid`, waiting up to `graceMs` for someone to remove it.
 * Another instance of the app stops a server holding the start lock and removes the file only
 * once the server is gone, which on a loaded machine takes longer than any fixed grace: while
 * the lock is held, the wait goes on, up to the longest a stop takes. The user acting meanwhile
 * (`userActed`) ends it: the exit counts as a stop, and the queue moves on to what they asked.
 */
export async function pidFileReleased(
  ctx: ServerContext,
  pid: number,
  graceMs: number,
  userActed?: AbortSignal,
): Promise<boolean> {
  const released = async (): Promise<boolean> => {
    const file = await readPidFile(ctx.paths.pidFile);
    return file.kind !== 'pid' || file.pid !== pid;
  };
  const graceEnd = ctx.clock.now() + graceMs;
  for (;;) {
    if (await released()) return true;
    if (ctx.clock.now() >= graceEnd) break;
    await sleep(5);
  }
  const lockEnd = ctx.clock.now() + stopDeadlineMs(ctx.timing);
  for (let pass = 0; ; pass++) {
    // The lock before the file: a stop removes the file before it lets the lock go, so a lock
    // seen free and then the file still there means no stop was under way.
    const held = await lockHeld(ctx.paths.lockFile, ctx.logger);
    if (await released()) return true;
    if (!held) return false;
    // Only a wait on another holder ends with the user's act: it decides no other exit.
    if (userActed?.aborted === true) return true;
    if (ctx.clock.now() >= lockEnd) return false;
    if (pass === 0)
      ctx.logger.info(
        `msbserver (PID ${pid}) exited while another holder has the start lock; waiting for it before ` +
          `calling the exit a crash.`,
      );
    // Judging the holder reads the process table (a `ps` on macOS): not every few milliseconds.
    await sleep(100, userActed);
  }
}
