/**
 * Whether a PID is this home's msbserver: the one kind of process the app adopts or signals.
 * The app's own record (PID and start time) says so first; otherwise the executable and
 * arguments must be msbserver's and its environment must name this home.
 */
import path from 'node:path';
import type { ProcessContext } from './process-context.ts';
import { sameHome, servedHome } from './process-env.ts';
import { processGroupOf } from './process-groups.ts';
import { listenersAmong } from './listeners.ts';
import {
  identifyServerProcess,
  processLiveness,
  processStartTime,
  readProcessArgv,
  sameStartTime,
} from './process-identity.ts';
import { flagsFromArgv } from './msbserver-argv.ts';
import { serverUrl } from '../../../shared/server-url.ts';
import type { ServerRecord } from './server-record.ts';

export type Verdict =
  | {
      readonly kind: 'this-home';
      readonly pid: number;
      /** msbserver's argv (flags are read back from it); null when known by the record only. */
      readonly argv: readonly string[] | null;
      readonly startTime: number | null;
      readonly pgid: number | null;
      /** The app's own record names it: the app started it. */
      readonly record: ServerRecord | null;
    }
  /** An msbserver, but of another microsandbox home: never adopted or signalled. */
  | { readonly kind: 'other-home'; readonly pid: number; readonly serves: string }
  | { readonly kind: 'not-server' }
  | { readonly kind: 'dead' }
  | { readonly kind: 'other-user' }
  /** Alive, but what it is could not be read: judge nothing by it. */
  | { readonly kind: 'unknown' };

/**
 * `evidence`: a PID read from this home's `server.pid` is this home's when its environment cannot
 * be read (msb's own trust); one found by scanning the process table needs its home confirmed.
 */
export async function judgeProcess(
  ctx: ProcessContext,
  pid: number,
  record: ServerRecord | null,
  evidence: 'pid-file' | 'scan',
): Promise<Verdict> {
  const liveness = await processLiveness(pid, ctx.platform);
  if (liveness === 'dead') return { kind: 'dead' };
  if (liveness === 'other-user') return { kind: 'other-user' };
  const startTime = await processStartTime(pid, ctx.platform);
  if (record !== null && record.pid === pid && sameStartTime(startTime, record.startTime)) {
    // The group as it is now: a recorded group id is trusted only while the process is in it.
    const pgid = await processGroupOf(pid, ctx.platform);
    return { kind: 'this-home', pid, argv: null, startTime, pgid: pgid === record.pgid ? pgid : null, record };
  }
  const identity = await identifyServerProcess(pid, ctx.platform);
  if (identity.kind === 'dead') return { kind: 'dead' };
  if (identity.kind === 'other-user' || identity.kind === 'unknown') return { kind: identity.kind };
  if (identity.kind === 'other-process') return judgeByBehaviour(ctx, pid, startTime);
  const served = await servedHome(pid, ctx.platform);
  const thisHome = {
    kind: 'this-home',
    pid,
    argv: identity.argv,
    startTime,
    pgid: await processGroupOf(pid, ctx.platform),
    record: null,
  } as const;
  if (served.kind === 'known') {
    return (await sameHome(served.home, ctx.paths.home))
      ? thisHome
      : { kind: 'other-home', pid, serves: `the microsandbox home ${served.home}` };
  }
  // The environment could not be read: a `--path` elsewhere still tells another home's server.
  const namespaces = pathFlag(identity.argv);
  if (namespaces !== null && !(await namespacesOfThisHome(ctx, namespaces))) {
    return { kind: 'other-home', pid, serves: `the namespaces folder ${namespaces}` };
  }
  return evidence === 'pid-file' ? thisHome : { kind: 'unknown' };
}

/**
 * Not named msbserver (a wrapper that execs `.msbserver-wrapped`, a server run as `node main.js`):
 * still this home's server when its environment names this home and it holds the port its
 * arguments give, answering msbserver's health check there. A process of this home that does not
 * (yet) answer is `unknown`: neither signalled nor removed from server.pid.
 */
async function judgeByBehaviour(ctx: ProcessContext, pid: number, startTime: number | null): Promise<Verdict> {
  const served = await servedHome(pid, ctx.platform);
  if (served.kind !== 'known' || !(await sameHome(served.home, ctx.paths.home))) return { kind: 'not-server' };
  const argv = await readProcessArgv(pid, ctx.platform);
  if (argv === null) return { kind: 'unknown' };
  const flags = flagsFromArgv(argv.slice(1));
  const holders = await listenersAmong([pid], flags.port, ctx.platform);
  if (holders?.includes(pid) !== true || !(await ctx.answersHealth(serverUrl(flags.host, flags.port))))
    return { kind: 'unknown' };
  return { kind: 'this-home', pid, argv, startTime, pgid: await processGroupOf(pid, ctx.platform), record: null };
}

function pathFlag(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--path' || arg === '-p') return argv[i + 1] ?? null;
    if (arg.startsWith('--path=')) return arg.slice('--path='.length);
  }
  return null;
}

async function namespacesOfThisHome(ctx: ProcessContext, folder: string): Promise<boolean> {
  const configured = ctx.settings().namespacesPath;
  for (const own of [ctx.paths.namespacesDir, ...(configured === null ? [] : [configured])]) {
    if (path.isAbsolute(folder) && (await sameHome(folder, own))) return true;
  }
  return false;
}
