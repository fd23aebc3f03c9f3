/**
 * After the app's child was spawned: who really answers on the port. `msb server start` takes no
 * lock, so a CLI started at the same moment may win the port; a wrapper script may run the server
 * in a session of its own (`setsid`), or put it in the background and exit. Whatever happens, the
 * end is exactly one live msbserver for the home, `server.pid` naming it, and the app tracking it
 * — or a failure that leaves nothing behind.
 */
import type { Settings } from '../../../shared/settings-schema.ts';
import type { OwnChild } from './child.ts';
import type { ServerContext } from './context.ts';
import { findHomeServers, otherHomeServer, type HomeServer } from '../process/home-servers.ts';
import { judgeProcess } from '../process/judge.ts';
import { listenersAmong, listenersOn } from '../process/listeners.ts';
import type { TrackedServer } from './outcome.ts';
import { readPidFile, writePidFile } from './pid-file.ts';
import { descendsFrom, groupMembers, processGroupOf } from '../process/process-groups.ts';
import { processStartTime } from '../process/process-identity.ts';
import { readServerRecord, writeServerRecord } from '../process/server-record.ts';
import { safeGroup } from './terminate.ts';
import { probe } from '../base/probe.ts';

/** Who listens on `port`, or null when it cannot be told here. */
async function holders(ctx: ServerContext, port: number): Promise<number[] | null> {
  return listenersOn(port, ctx.platform);
}

/**
 * The server of the app's own start that holds `port`: the child itself, a member of the group
 * the app created, or a descendant that left it (`setsid`). `'cannot-tell'` where sockets cannot
 * be seen; null when none of them holds it (someone else answered).
 */
export async function ownListener(
  ctx: ServerContext,
  child: OwnChild,
  port: number,
): Promise<number | null | 'cannot-tell'> {
  const direct = await listenersAmong([child.pid], port, ctx.platform);
  if (direct === null) return 'cannot-tell';
  if (direct.length > 0) return child.pid;
  const all = await holders(ctx, port);
  if (all === null) return 'cannot-tell';
  const members = new Set(await groupMembers(child.pid, ctx.platform));
  for (const pid of all) if (members.has(pid) || (await descendsFrom(pid, child.pid, ctx.platform))) return pid;
  return null;
}

/**
 * A server the app's start brought up but that is not its child any more (the wrapper left it in
 * the group and exited, or ran it in a session of its own): tracked, recorded and named in
 * `server.pid` as the app's own. The group the app created is signalled only while the server is in it.
 */
export async function trackHandedOff(
  ctx: ServerContext,
  child: OwnChild,
  pid: number,
  settings: Settings,
  url: string,
): Promise<TrackedServer | null> {
  const startTime = await processStartTime(pid, ctx.platform);
  if (startTime === null) return null;
  const group = await processGroupOf(pid, ctx.platform);
  const pgid = await safeGroup(ctx, pid, group, group === child.pid);
  const record = await readServerRecord(ctx);
  await writeServerRecord(ctx, {
    pid,
    pgid: pgid ?? pid,
    startTime,
    executable: record?.executable ?? '',
    url,
    devMode: settings.devMode,
    startedAt: record?.startedAt ?? ctx.clock.now(),
  });
  await writePidFile(ctx.paths.pidFile, pid);
  return { pid, pgid, startTime, child: null };
}

/**
 * This home's msbserver that holds `port`, if any: the CLI's, when it won the race, or a server a
 * wrapper handed off. Found by who listens (and judged, so another home's never counts), else,
 * where sockets cannot be seen, by name.
 */
export async function homeServerOnPort(
  ctx: ServerContext,
  port: number,
  exclude: number | null = null,
): Promise<HomeServer | null> {
  const record = await readServerRecord(ctx);
  const listening = await holders(ctx, port);
  if (listening === null) {
    const servers = (await findHomeServers(ctx, record)).filter((server) => server.pid !== exclude);
    return servers.length === 1 ? (servers[0] ?? null) : null;
  }
  for (const pid of listening) {
    if (pid === exclude || pid === process.pid) continue;
    const verdict = await judgeProcess(ctx, pid, record, 'scan');
    if (verdict.kind === 'this-home') return verdict;
  }
  return null;
}

/** Who holds `port`, in words, when it is another home's msbserver; null when unknown. */
export async function portHolderText(ctx: ServerContext, port: number): Promise<string | null> {
  const listening = await holders(ctx, port);
  if (listening === null || listening.length === 0) return null;
  const other = await otherHomeServer(ctx, listening);
  return other === null ? null : `msbserver (PID ${other.pid}), which serves ${other.serves}`;
}

/** Whether `server.pid` names `pid` (someone else, the CLI, wrote it). */
export async function pidFileNames(ctx: ServerContext, pid: number): Promise<boolean> {
  const file = await probe(readPidFile(ctx.paths.pidFile));
  return file?.kind === 'pid' && file.pid === pid;
}
