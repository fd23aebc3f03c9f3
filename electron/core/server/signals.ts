import { sleep } from '../base/delay.ts';
import type { ExitStatus, ServerContext } from './context.ts';
import { processLiveness } from '../process/process-identity.ts';

/**
 * Sends `name` to `pid` (0 only checks that it exists); false when there is no such process.
 * PIDs 0, 1 and negative ones address process groups, init or every process of the user: never.
 */
export function signal(pid: number, name: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, name);
    return true;
  } catch {
    // ESRCH (gone) or EPERM (not ours): either way nothing was signalled, which is the answer.
    return false;
  }
}

/** The value of `promise`, or `fallback` once `ms` have passed. */
export function raceTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** A process that is not our child has no exit event: poll `kill(pid, 0)` briefly and densely. */
export async function pollUntilGone(ctx: ServerContext, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = ctx.clock.now() + timeoutMs;
  let delay = 1;
  while (ctx.clock.now() < deadline) {
    if ((await processLiveness(pid, ctx.platform)) === 'dead') return true;
    await sleep(delay);
    delay = Math.min(delay * 2, 20);
  }
  return (await processLiveness(pid, ctx.platform)) === 'dead';
}

export function describeExit(exit: ExitStatus): string {
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}
