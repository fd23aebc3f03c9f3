/**
 * After the app's child was spawned: who really answers on the port. `msb server start` takes no
 * lock, so a CLI started at the same moment may win the port; a wrapper script may put the server
 * in the background and exit. Whatever happens, the end is exactly one live msbserver for the
 * home, `server.pid` naming it, and the app tracking it — or a failure that leaves nothing behind.
 */
import type { Settings } from '../../../shared/settings-schema.ts';
import type { OwnChild } from './child.ts';
import type { ServerContext } from './context.ts';
import { waitForHealth } from './health.ts';
import { findHomeServers, msbserverLikePids, otherHomeServer, type HomeServer } from './home-servers.ts';
import { listenersAmong } from './listeners.ts';
import { adopt, restorePidFile } from './observe.ts';
import type { Outcome, TrackedServer } from './outcome.ts';
import { removePidFileIf, writePidFile } from './pid-file.ts';
import { groupAlive, groupMembers } from './process-groups.ts';
import { processStartTime } from './process-identity.ts';
import { clearServerRecord, readServerRecord, writeServerRecord } from './server-record.ts';

/** Whether the process group the app created holds the socket listening on `port`; null when this cannot be told. */
export async function ownGroupListens(ctx: ServerContext, child: OwnChild, port: number): Promise<boolean | null> {
  const first = await listenersAmong([child.pid], port, ctx.platform);
  if (first === null) return null;
  if (first.length > 0) return true;
  const members = (await groupMembers(child.pid, ctx.platform)).filter((pid) => pid !== child.pid);
  const holders = await listenersAmong(members, port, ctx.platform);
  return holders === null ? null : holders.length > 0;
}

/** This home's msbserver that listens on `port`, if any (the CLI's, when it won the race). */
export async function homeServerOnPort(ctx: ServerContext, port: number, exclude: number | null = null): Promise<HomeServer | null> {
  const servers = (await findHomeServers(ctx, await readServerRecord(ctx))).filter((server) => server.pid !== exclude);
  if (servers.length === 0) return null;
  const listening = await listenersAmong(
    servers.map((server) => server.pid),
    port,
    ctx.platform,
  );
  // Without a way to see sockets, a single live server of this home is the one.
  if (listening === null) return servers.length === 1 ? (servers[0] ?? null) : null;
  return servers.find((server) => listening.includes(server.pid)) ?? null;
}

/** Who holds `port`, in words, when it is another home's msbserver; null when unknown. */
export async function portHolderText(ctx: ServerContext, port: number): Promise<string | null> {
  const listening = await listenersAmong(await msbserverLikePids(ctx.platform), port, ctx.platform);
  if (listening === null || listening.length === 0) return null;
  const other = await otherHomeServer(ctx, listening);
  return other === null ? null : `msbserver (PID ${other.pid}), which serves ${other.serves}`;
}

/** Adopts a this-home server found running instead of the app's own, and names it in `server.pid`. */
export async function adoptInstead(ctx: ServerContext, found: HomeServer, ownPid: number | null, warnings: readonly string[]): Promise<Outcome> {
  if (ownPid !== null) {
    await removePidFileIf(ctx.paths.pidFile, ownPid);
    await clearServerRecord(ctx, ownPid);
  }
  await restorePidFile(ctx, found.pid);
  return adopt(ctx, found, warnings);
}

/**
 * The child exited before it was ready but left its group running: a wrapper that put the server
 * in the background. Once the server answers, the group member holding the port is the server
 * the app tracks (its record says so); null when none answers in time.
 */
export async function daemonisedServer(
  ctx: ServerContext,
  child: OwnChild,
  settings: Settings,
  url: string,
  deadline: number,
  signal: AbortSignal,
): Promise<TrackedServer | null> {
  if (!(await groupAlive(child.pid, ctx.platform))) return null;
  const health = await waitForHealth(url, { timeoutMs: Math.max(0, deadline - ctx.clock.now()), signal });
  if (health !== 'healthy') return null;
  const members = await groupMembers(child.pid, ctx.platform);
  const holders = await listenersAmong(members, settings.port, ctx.platform);
  const pid = holders === null ? (members.length === 1 ? members[0] : undefined) : holders[0];
  if (pid === undefined) return null;
  const startTime = await processStartTime(pid, ctx.platform);
  if (startTime === null) return null;
  await writePidFile(ctx.paths.pidFile, pid);
  const record = await readServerRecord(ctx);
  await writeServerRecord(ctx, {
    pid,
    pgid: child.pid,
    startTime,
    executable: record?.executable ?? '',
    url,
    devMode: settings.devMode,
    startedAt: record?.startedAt ?? ctx.clock.now(),
  });
  return { pid, pgid: child.pid, startTime, child: null };
}
