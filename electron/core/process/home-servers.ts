/**
 * This home's msbserver among all running processes: for when no file names it any more (the
 * CLI's server won the port, and the app's own `server.pid` was written last).
 */
import { promises as fsp } from 'node:fs';
import type { ProcessContext } from './process-context.ts';
import { judgeProcess, type Verdict } from './judge.ts';
import { argvLooksLikeMsbserver, readProcFile, runPs } from './process-identity.ts';
import type { ServerRecord } from './server-record.ts';

export type HomeServer = Extract<Verdict, { kind: 'this-home' }>;

export async function findHomeServers(ctx: ProcessContext, record: ServerRecord | null): Promise<HomeServer[]> {
  const candidates = await msbserverLikePids(ctx.platform);
  if (record !== null && !candidates.includes(record.pid)) candidates.push(record.pid);
  const found: HomeServer[] = [];
  for (const pid of candidates) {
    if (pid <= 1 || pid === process.pid) continue;
    const verdict = await judgeProcess(ctx, pid, record, 'scan');
    if (verdict.kind === 'this-home') found.push(verdict);
  }
  return found;
}

/** Any other home's msbserver among the listed PIDs, for saying who holds a port. */
export async function otherHomeServer(
  ctx: ProcessContext,
  pids: readonly number[],
): Promise<Extract<Verdict, { kind: 'other-home' }> | null> {
  for (const pid of pids) {
    const verdict = await judgeProcess(ctx, pid, null, 'scan');
    if (verdict.kind === 'other-home') return verdict;
  }
  return null;
}

/** PIDs whose command line looks like msbserver's (no judgement of whose home yet). */
export async function msbserverLikePids(platform: NodeJS.Platform): Promise<number[]> {
  if (platform === 'linux') {
    let entries: string[];
    try {
      entries = await fsp.readdir('/proc');
    } catch {
      // no /proc here: no candidates
      return [];
    }
    const pids: number[] = [];
    await Promise.all(
      entries
        .filter((entry) => /^\d+$/.test(entry))
        .map(async (entry) => {
          const raw = await readProcFile(Number(entry), 'cmdline');
          if (raw !== null && raw !== '' && argvLooksLikeMsbserver(raw.replace(/\0$/, '').split('\0')))
            pids.push(Number(entry));
        }),
    );
    return pids.sort((a, b) => a - b);
  }
  if (platform === 'win32') return [];
  try {
    const out = await runPs(['-A', '-ww', '-o', 'pid=,command=']);
    return out
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
      .filter(
        (match): match is RegExpExecArray =>
          match !== null && argvLooksLikeMsbserver((match[2] ?? '').split(/\s+/), { spacesSplit: true }),
      )
      .map((match) => Number(match[1]));
  } catch {
    // no ps, or it failed: no candidates
    return [];
  }
}
