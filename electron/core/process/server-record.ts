/**
 * What the app started, kept in its own data folder: after an app restart this record, not the
 * process name, says that a server is the app's own (a wrapper may exec `.msbserver-wrapped` or
 * `node …`). One file per microsandbox home, so several homes do not share one.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.ts';
import { errorText } from '../base/logger.ts';
import type { ProcessContext } from './process-context.ts';

export interface ServerRecord {
  readonly home: string;
  /** The server process: the app's child, or what a wrapper left running in its group. */
  readonly pid: number;
  /** The process group the app created for it (the child's PID). */
  readonly pgid: number;
  /** `processStartTime` of `pid`: a reused PID has another. */
  readonly startTime: number;
  readonly executable: string;
  readonly url: string;
  readonly devMode: boolean;
  /** When the app started it, ms since the epoch. */
  readonly startedAt: number;
}

function recordPath(ctx: ProcessContext): string | null {
  if (ctx.stateDir === undefined) return null;
  const id = createHash('sha256').update(path.resolve(ctx.paths.home)).digest('hex').slice(0, 16);
  return path.join(ctx.stateDir, 'servers', `${id}.json`);
}

export async function readServerRecord(ctx: ProcessContext): Promise<ServerRecord | null> {
  const file = recordPath(ctx);
  if (file === null) return null;
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      ctx.logger.warn(`Could not read ${file}: ${errorText(error)}`);
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<ServerRecord>;
    const ints = [value.pid, value.pgid, value.startTime, value.startedAt];
    if (
      value.home === path.resolve(ctx.paths.home) &&
      ints.every((n) => Number.isInteger(n)) &&
      typeof value.executable === 'string' &&
      typeof value.url === 'string' &&
      typeof value.devMode === 'boolean'
    ) {
      return value as ServerRecord;
    }
  } catch (error) {
    ctx.logger.warn(`${file} is not a valid record and is ignored: ${errorText(error)}`);
    return null;
  }
  ctx.logger.warn(`${file} is not a valid record and is ignored.`);
  return null;
}

export async function writeServerRecord(ctx: ProcessContext, record: Omit<ServerRecord, 'home'>): Promise<void> {
  const file = recordPath(ctx);
  if (file === null) return;
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify({ home: path.resolve(ctx.paths.home), ...record })}\n`, {
    mode: 0o600,
    logger: ctx.logger,
  });
}

/** Forgets the record, but only while it is about `pid` (another start may have replaced it). */
export async function clearServerRecord(ctx: ProcessContext, pid: number): Promise<void> {
  const file = recordPath(ctx);
  if (file === null) return;
  const current = await readServerRecord(ctx);
  if (current === null || current.pid !== pid) return;
  await fsp.unlink(file).catch((error: unknown) => ctx.logger.debug(`Removing ${file} failed: ${errorText(error)}`));
}
