/**
 * Looking at the world: what `server.pid` and the process table say about this home's server,
 * whether a server someone else started is to be adopted, and what an exit of the app's own
 * child means. Each function returns an outcome; none changes the snapshot.
 */
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { sleep } from '../delay.ts';
import type { OwnChild } from './child.ts';
import type { ExitStatus, ServerContext } from './context.ts';
import { checkHealth } from './health.ts';
import { failed, type Outcome, STOPPED, UNCHANGED } from './outcome.ts';
import { readPidFile, removePidFileIf } from './pid-file.ts';
import { identifyServerProcess, processStartTime } from './process-identity.ts';
import { flagsFromArgv } from './server-args.ts';
import { serverUrl } from './server-url.ts';
import { describeExit, pollUntilGone } from './signals.ts';

/**
 * The live msbserver `server.pid` names, if any. A record that is invalid or names a dead process
 * or another program is removed; one naming another user's process, or a process that could not
 * be looked at, is left alone.
 */
export async function recordedServer(ctx: ServerContext): Promise<{ readonly pid: number; readonly argv: readonly string[] } | null> {
  const file = await readPidFile(ctx.paths.pidFile);
  if (file.kind === 'invalid') await removePidFileIf(ctx.paths.pidFile, file.raw);
  if (file.kind !== 'pid') return null;
  const identity = await identifyServerProcess(file.pid, ctx.platform);
  if (identity.kind === 'msbserver') return { pid: file.pid, argv: identity.argv };
  if (identity.kind === 'dead' || identity.kind === 'other-process') await removePidFileIf(ctx.paths.pidFile, file.pid);
  return null;
}

/**
 * A live msbserver recorded in `server.pid`, as a running outcome (unchanged when it is the one
 * already shown), or null when none is recorded. Stale records are removed on the way.
 */
export async function adoptFromPidFile(ctx: ServerContext, current: ServerSnapshot): Promise<Outcome | null> {
  const recorded = await recordedServer(ctx);
  if (recorded === null) return null;
  const { pid } = recorded;
  if (current.state === 'running' && current.pid === pid) return UNCHANGED;
  const flags = flagsFromArgv(recorded.argv.slice(1));
  const url = serverUrl(flags.host, flags.port);
  const [healthy, startedAt] = await Promise.all([checkHealth(url), processStartTime(pid, ctx.platform)]);
  return { kind: 'running', pid, url, devMode: flags.devMode, startedAt: startedAt ?? ctx.clock.now(), external: true, healthy, child: null };
}

/** Brings the snapshot in line with the PID file and the process table (outside changes). */
export async function reconcile(ctx: ServerContext, current: ServerSnapshot, child: OwnChild | null): Promise<Outcome> {
  const { state } = current;
  if (state === 'starting' || state === 'stopping') return UNCHANGED;
  if (child !== null && !child.expectingExit) return UNCHANGED; // our own child reports its exit itself
  if (state === 'running') {
    const seen = await lookAtShownServer(ctx, current);
    if (seen !== STOPPED) return seen;
    return (await adoptFromPidFile(ctx, { ...current, state: 'stopped', pid: null })) ?? STOPPED;
  }
  return (await adoptFromPidFile(ctx, current)) ?? UNCHANGED;
}

/** Whether the running server the snapshot shows (not our child) is still there and recorded. */
async function lookAtShownServer(ctx: ServerContext, current: ServerSnapshot): Promise<Outcome> {
  const pid = current.pid;
  const identity = pid === null ? null : await identifyServerProcess(pid, ctx.platform);
  // Could not look: keep showing it; the next look decides.
  if (identity?.kind === 'unknown') return UNCHANGED;
  const file = await readPidFile(ctx.paths.pidFile);
  if (identity?.kind === 'msbserver' && pid !== null) {
    if (file.kind === 'pid' && file.pid === pid) return UNCHANGED;
    // Unrecorded: `msb server stop` removes the file right after its SIGTERM, so give the
    // process a moment to go before still showing it as running.
    if (file.kind !== 'pid' && !(await pollUntilGone(ctx, pid, 500))) return UNCHANGED;
    return STOPPED;
  }
  // Dead but still recorded: whoever stopped it (msb, another instance of the app) removes the
  // file just after the exit; if nobody does within a moment, it crashed.
  if (file.kind === 'pid' && file.pid === pid && pid !== null && !(await pidFileReleased(ctx, pid, 250))) {
    await removePidFileIf(ctx.paths.pidFile, file.pid);
    return failed(ctx, 'crashed', `msbserver (PID ${pid}, started outside the app) stopped unexpectedly.`);
  }
  return STOPPED;
}

/** What an exit of the app's own child that nobody asked for means: a stop by msb, or a crash. */
export async function childExitOutcome(ctx: ServerContext, child: OwnChild, exit: ExitStatus): Promise<Outcome> {
  if (await pidFileReleased(ctx, child.pid, exit.signal === 'SIGTERM' ? 100 : 0)) {
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

/** Whether server.pid no longer records `pid`, waiting up to `graceMs` for someone to remove it. */
async function pidFileReleased(ctx: ServerContext, pid: number, graceMs: number): Promise<boolean> {
  const deadline = ctx.clock.now() + graceMs;
  for (;;) {
    const file = await readPidFile(ctx.paths.pidFile);
    if (file.kind !== 'pid' || file.pid !== pid) return true;
    if (ctx.clock.now() >= deadline) return false;
    await sleep(5);
  }
}
