import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { sleep } from '../base/delay.ts';
import type { Disposable } from '../base/disposable.ts';
import { errorText, ignoreFailure, type Logger, silentLogger } from '../base/logger.ts';
import { processLiveness, processStartTime, sameStartTime } from '../process/process-identity.ts';
import { probe } from '../base/probe.ts';

/** Longer than the slowest start (readiness timeout of at most 120 s) plus a stop's grace periods. */
export const MAX_HOLD_MS = 5 * 60_000;
/** How old an unreadable lock must be before it is broken (only matters without hard links). */
const UNREADABLE_GRACE_MS = 100;

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

export class LockAbortedError extends Error {
  override name = 'LockAbortedError';
}

let ownStart: Promise<number | null> | null = null;
function ownStartTime(): Promise<number | null> {
  ownStart ??= processStartTime(process.pid);
  return ownStart;
}

/** The lock could not be written (a full disk, a read-only home): nothing was left behind. */
export class LockWriteError extends Error {
  override name = 'LockWriteError';
  /** The file system's error code (ENOSPC, EROFS, ENOENT…). */
  readonly code: string | undefined;
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.code = (options.cause as NodeJS.ErrnoException | null)?.code;
  }
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
  /** Stops waiting (Stop pressed during a start that waits for another holder). */
  signal?: AbortSignal;
}

interface LockRecord {
  pid: number;
  token: string;
  /** The holder's start time: a live PID that started later is another process (a reused PID). */
  started?: number | null;
}

/** Tokens of the locks this process holds: a lock naming this PID with another token is an earlier run's. */
const heldHere = new Set<string>();

/**
 * An exclusive lock between everything that starts or stops the server through this app: app
 * instances, controllers in one process, a double click. It is a file created with O_EXCL holding
 * the holder's PID; a lock whose holder died is broken, but only by whoever holds a second
 * "breaker" file, so two waiters cannot both break it and then both hold it.
 */
export async function acquireLock(lockFile: string, options: LockOptions): Promise<HeldLock> {
  const deadline = Date.now() + options.timeoutMs;
  const token = randomBytes(8).toString('hex');
  const record = JSON.stringify({ pid: process.pid, token, started: await ownStartTime() } satisfies LockRecord);
  const logger = options.logger ?? silentLogger;
  let delay = 2;
  for (;;) {
    if (await tryCreate(lockFile, record, logger)) {
      heldHere.add(token);
      return {
        dispose: async () => {
          heldHere.delete(token);
          await releaseIfOurs(lockFile, token, logger);
        },
      };
    }
    await breakIfStale(lockFile, options.breakerStaleMs ?? 10_000, logger);
    if (options.signal?.aborted === true) throw new LockAbortedError('The wait for the start lock was cancelled.');
    if (Date.now() >= deadline) {
      throw new LockTimeoutError('Another start or stop of the server is still in progress; try again in a moment.');
    }
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Creates `file` holding `content`, or answers false when it exists. The content is written to a
 * private temporary file first and hard-linked into place, so a lock file is never seen half
 * written: a full disk fails the write, leaves nothing behind, and says so.
 */
async function tryCreate(file: string, content: string, logger: Logger): Promise<boolean> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fsp.writeFile(temp, content, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    await fsp.unlink(temp).catch(ignoreFailure(logger, `removing ${temp}`));
    throw new LockWriteError(`The start lock ${file} could not be written: ${errorText(error)}`, { cause: error });
  }
  try {
    await fsp.link(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links: create in place, and never leave a partial file.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV')
      return createInPlace(file, content, logger);
    throw error;
  } finally {
    await fsp.unlink(temp).catch(ignoreFailure(logger, `removing ${temp}`));
  }
}

async function createInPlace(file: string, content: string, logger: Logger): Promise<boolean> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    return true;
  } catch (error) {
    await fsp.unlink(file).catch(ignoreFailure(logger, `removing the half-written ${file}`));
    throw new LockWriteError(`The start lock ${file} could not be written: ${errorText(error)}`, { cause: error });
  } finally {
    await handle.close();
  }
}

async function readRecord(file: string): Promise<LockRecord | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') {
      throw new LockWriteError(
        `${file} is a folder, where the app keeps its start lock. Remove it (\`rmdir ${file}\`) and try again.`,
        { cause: error },
      );
    }
    return 'missing'; // gone meanwhile: the next try creates it
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockRecord>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return {
        pid: parsed.pid,
        token: parsed.token,
        started: typeof parsed.started === 'number' ? parsed.started : null,
      };
    }
  } catch {
    // fall through: not a lock this app wrote whole
  }
  return 'unreadable';
}

/**
 * Whether a live holder has the lock now: another instance of the app, or another controller of
 * this process. A lock that cannot be read is held by nobody.
 */
export async function lockHeld(lockFile: string, logger: Logger = silentLogger): Promise<boolean> {
  let seen: LockRecord | 'missing' | 'unreadable';
  try {
    seen = await readRecord(lockFile);
  } catch (error) {
    // a folder at the lock's path: nobody can hold it (a start says so when it is asked for)
    logger.debug(`Could not read ${lockFile}: ${errorText(error)}`);
    return false;
  }
  if (seen === 'missing' || seen === 'unreadable') return false;
  const writtenAt = (await probe(fsp.stat(lockFile), { logger, what: `when ${lockFile} was written` }))?.mtimeMs;
  // As a start judges it: a lock older than any start or stop can take is held by nobody.
  if (writtenAt !== undefined && Date.now() - writtenAt >= MAX_HOLD_MS) return false;
  return !(await holderGone(seen, writtenAt ?? null));
}

/** Whether the holder a lock names is gone: dead, this very process under another token, or a reused PID. */
async function holderGone(seen: LockRecord, writtenAt: number | null): Promise<boolean> {
  if (seen.pid === process.pid) return !heldHere.has(seen.token);
  if ((await processLiveness(seen.pid)) === 'dead') return true;
  const started = await processStartTime(seen.pid);
  if (started === null) return false;
  if (typeof seen.started === 'number') return !sameStartTime(started, seen.started);
  // A lock without its holder's start time: a process that started after the lock was written cannot hold it.
  return writtenAt !== null && started > writtenAt + 2_000;
}

async function breakIfStale(lockFile: string, breakerStaleMs: number, logger: Logger): Promise<void> {
  const seen = await readRecord(lockFile);
  if (seen === 'missing') return;
  if (seen === 'unreadable') {
    // A lock is linked into place whole, so one that cannot be read was never a holder's (an
    // older version's, or a crash mid-write on a file system without links): break it at once,
    // after a moment's grace only where files are created in place.
    await removeIfOlderThan(lockFile, UNREADABLE_GRACE_MS, logger);
    return;
  }
  // A holder that died is gone for good; one whose PID was reused by a long-lived process would
  // hold the lock forever, so a lock older than any start or stop can take is stale too.
  const writtenAt =
    (await probe(fsp.stat(lockFile), { logger, what: `when ${lockFile} was written` }))?.mtimeMs ?? null;
  const age = Date.now() - (writtenAt ?? Date.now());
  if (!(await holderGone(seen, writtenAt)) && age < MAX_HOLD_MS) return;
  const breaker = `${lockFile}.break`;
  await removeIfOlderThan(breaker, breakerStaleMs, logger);
  if (!(await tryCreate(breaker, String(process.pid), logger))) return;
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
  const stat = await probe(fsp.stat(file), { logger, what: `the age of ${file}` });
  if (stat !== null && Date.now() - stat.mtimeMs > ageMs)
    await fsp.unlink(file).catch(ignoreFailure(logger, `removing the stale ${file}`));
}
