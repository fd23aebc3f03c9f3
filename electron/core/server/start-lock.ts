import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { sleep } from '../delay.ts';
import type { Disposable } from '../disposable.ts';
import { ignoreFailure, type Logger, silentLogger } from '../logger.ts';
import { processLiveness } from './process-identity.ts';

/** Longer than the slowest start (readiness timeout of at most 120 s) plus a stop's grace periods. */
export const MAX_HOLD_MS = 5 * 60_000;

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/** Disposing releases the lock (only while it is still this holder's). */
export interface HeldLock extends Disposable {
  dispose(): Promise<void>;
}

export interface LockOptions {
  timeoutMs: number;
  /** Age after which a breaker file is abandoned; breaking takes microseconds, so this is generous. */
  breakerStaleMs?: number;
  logger?: Logger;
}

interface LockRecord {
  pid: number;
  token: string;
}

/**
 * An exclusive lock between everything that starts or stops the server through this app: app
 * instances, controllers in one process, a double click. It is a file created with O_EXCL holding
 * the holder's PID; a lock whose holder died is broken, but only by whoever holds a second
 * "breaker" file, so two waiters cannot both break it and then both hold it.
 */
export async function acquireLock(lockFile: string, options: LockOptions): Promise<HeldLock> {
  const deadline = Date.now() + options.timeoutMs;
  const token = randomBytes(8).toString('hex');
  const record = JSON.stringify({ pid: process.pid, token } satisfies LockRecord);
  const logger = options.logger ?? silentLogger;
  let delay = 2;
  for (;;) {
    if (await tryCreate(lockFile, record)) return { dispose: () => releaseIfOurs(lockFile, token, logger) };
    await breakIfStale(lockFile, options.breakerStaleMs ?? 10_000, logger);
    if (Date.now() >= deadline) {
      throw new LockTimeoutError('Another start or stop of the server is still in progress; try again in a moment.');
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}

async function tryCreate(file: string, content: string): Promise<boolean> {
  try {
    await fsp.writeFile(file, content, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readRecord(file: string): Promise<LockRecord | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return 'missing';
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockRecord>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') return { pid: parsed.pid, token: parsed.token };
  } catch {
    // fall through: a holder may be between creating and writing the file
  }
  return 'unreadable';
}

async function breakIfStale(lockFile: string, breakerStaleMs: number, logger: Logger): Promise<void> {
  const seen = await readRecord(lockFile);
  if (seen === 'missing' || seen === 'unreadable') {
    if (seen === 'unreadable') await removeIfOlderThan(lockFile, breakerStaleMs, logger);
    return;
  }
  // A holder that died is gone for good; one whose PID was reused by a long-lived process would
  // hold the lock forever, so a lock older than any start or stop can take is stale too.
  const age = Date.now() - ((await fsp.stat(lockFile).catch(() => null))?.mtimeMs ?? Date.now());
  if ((await processLiveness(seen.pid)) !== 'dead' && age < MAX_HOLD_MS) return;
  const breaker = `${lockFile}.break`;
  await removeIfOlderThan(breaker, breakerStaleMs, logger);
  if (!(await tryCreate(breaker, String(process.pid)))) return;
  try {
    // Re-read under the breaker: only the very lock we judged stale may go.
    const again = await readRecord(lockFile);
    if (again !== 'missing' && again !== 'unreadable' && again.token === seen.token) {
      await fsp.unlink(lockFile).catch(ignoreFailure(logger, 'removing a stale start lock'));
    }
  } finally {
    await fsp.unlink(breaker).catch(ignoreFailure(logger, 'removing the lock breaker file'));
  }
}

async function releaseIfOurs(lockFile: string, token: string, logger: Logger): Promise<void> {
  const current = await readRecord(lockFile);
  if (current !== 'missing' && current !== 'unreadable' && current.token === token) {
    await fsp.unlink(lockFile).catch(ignoreFailure(logger, 'releasing the start lock'));
  }
}

async function removeIfOlderThan(file: string, ageMs: number, logger: Logger): Promise<void> {
  const stat = await fsp.stat(file).catch(() => null);
  if (stat !== null && Date.now() - stat.mtimeMs > ageMs) await fsp.unlink(file).catch(ignoreFailure(logger, `removing the stale ${file}`));
}
