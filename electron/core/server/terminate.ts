/**
 * Ending a server: its whole process group when that group is the server's own (its group id is
 * its PID) or one the app created for it, never the app's own group; otherwise the PID alone.
 * SIGKILL follows only while what got SIGTERM is still there and still the same process.
 */
import { sleep } from '../base/delay.ts';
import type { ExitStatus, ServerContext } from './context.ts';
import type { TrackedServer } from './outcome.ts';
import { groupAlive, groupAndSession, ownProcessGroup, signalGroup } from '../process/process-groups.ts';
import { processLiveness, processStartTime, sameStartTime } from '../process/process-identity.ts';
import { raceTimeout, signal } from './signals.ts';

/** The group of `pid` that may be signalled as a whole, or null. */
export async function safeGroup(
  ctx: ServerContext,
  pid: number,
  pgid: number | null,
  appCreated: boolean,
): Promise<number | null> {
  if (pgid === null || pgid <= 1) return null;
  if (pgid !== pid && !appCreated) return null;
  const own = await ownProcessGroup(ctx.platform);
  return own === pgid ? null : pgid;
}

/**
 * The group holds the PID too (it is its leader, or the server a wrapper left in it); a process of
 * the session that moved to a group of its own is signalled by PID (the session is the server's
 * own: its id is the group's, which is the server's or the one the app created).
 */
async function send(ctx: ServerContext, server: TrackedServer, name: NodeJS.Signals): Promise<boolean> {
  const group = server.pgid !== null && signalGroup(server.pgid, name);
  let strays = false;
  if (server.pgid !== null)
    for (const pid of await strayMembers(ctx, server.pgid)) strays = signal(pid, name) || strays;
  return group || strays || signal(server.pid, name);
}

/** Members of the server's session that are not in its group any more. */
async function strayMembers(ctx: ServerContext, id: number): Promise<number[]> {
  const { group, session } = await groupAndSession(id, ctx.platform);
  const inGroup = new Set(group);
  return session.filter((pid) => !inGroup.has(pid) && pid !== process.pid);
}

/** Whether the process and its group are gone. */
async function gone(ctx: ServerContext, server: TrackedServer): Promise<boolean> {
  const childExited =
    server.child !== null && (server.child.process.exitCode !== null || server.child.process.signalCode !== null);
  const leaderGone = childExited || (await processLiveness(server.pid, ctx.platform)) === 'dead';
  if (!leaderGone) return false;
  if (server.pgid === null) return true;
  const { group, session } = await groupAndSession(server.pgid, ctx.platform);
  return group.length === 0 && session.length === 0;
}

async function waitGone(ctx: ServerContext, server: TrackedServer, timeoutMs: number): Promise<boolean> {
  const deadline = ctx.clock.now() + timeoutMs;
  if (server.child !== null) await raceTimeout(server.child.exited, timeoutMs, null);
  let delay = 1;
  for (;;) {
    if (await gone(ctx, server)) return true;
    if (ctx.clock.now() >= deadline) return false;
    await sleep(delay);
    delay = Math.min(delay * 2, 20);
  }
}

/** Still the process that got SIGTERM (or, its leader gone, a group the signal was for). */
async function stillSame(ctx: ServerContext, server: TrackedServer): Promise<boolean> {
  if ((await processLiveness(server.pid, ctx.platform)) !== 'dead') {
    if (server.child !== null) return true;
    const now = await processStartTime(server.pid, ctx.platform);
    return server.startTime === null || sameStartTime(now, server.startTime);
  }
  // A PID is not reused while a group of that id exists, so the group is still the server's.
  return (
    server.pgid !== null &&
    ((await groupAlive(server.pgid, ctx.platform)) || (await strayMembers(ctx, server.pgid)).length > 0)
  );
}

/** SIGTERM, the grace period, then SIGKILL; true once the server and its group are gone. */
export async function terminate(ctx: ServerContext, server: TrackedServer): Promise<boolean> {
  if (!(await send(ctx, server, 'SIGTERM'))) return true;
  if (await waitGone(ctx, server, ctx.timing.stopGraceMs)) return true;
  if (!(await stillSame(ctx, server))) return true;
  if (!(await send(ctx, server, 'SIGKILL'))) return true;
  return waitGone(ctx, server, ctx.timing.killWaitMs);
}

/** SIGKILL at once (a start that failed or timed out), and how the child ended. */
export async function killNow(ctx: ServerContext, server: TrackedServer): Promise<ExitStatus> {
  if (server.child !== null) server.child.expectingExit = true;
  await send(ctx, server, 'SIGKILL');
  await waitGone(ctx, server, ctx.timing.killWaitMs);
  if (server.child === null) return { code: null, signal: 'SIGKILL' };
  return raceTimeout(server.child.exited, 0, { code: null, signal: null });
}
