import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fsp, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, MAX_HOLD_MS, acquireLock } from '../../../../electron/core/server/start-lock.ts';
import type { HeldLock } from '../../../../electron/core/server/start-lock.ts';
import { waitForExit } from '../../../fixtures/standin-helpers.ts';
import { waitFor } from '../../../support/wait-for.ts';

let dir: string;
let lockFile: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-start-lock-'));
  lockFile = path.join(dir, 'tray-start.lock');
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const status = await waitForExit(child);
    expect(status.code !== null || status.signal !== null).toBe(true);
  }
  await fsp.rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Counts the attempts a waiter makes on the lock: each one writes a private temporary file beside
 * the lock before it tries to link it into place. The waiter's own record, so a test can see it
 * tried (and failed) many times instead of guessing how many tries fit in a while.
 */
function watchAttempts(): { attempts(): number; close(): void } {
  const seen = new Set<string>();
  const watcher = watch(dir, (_event, name) => {
    if (name !== null && name.startsWith(`${path.basename(lockFile)}.`) && name.endsWith('.tmp')) seen.add(name);
  });
  return { attempts: () => seen.size, close: () => watcher.close() };
}

async function spawnSleeper(): Promise<ChildProcess & { pid: number }> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child as ChildProcess & { pid: number };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  children.push(child);
  expect(await waitForExit(child)).toEqual({ code: 0, signal: null });
  return child.pid ?? 0;
}

async function readLock(): Promise<{ pid: number; token: string }> {
  return JSON.parse(await fsp.readFile(lockFile, 'utf8')) as { pid: number; token: string };
}

async function exists(file: string): Promise<boolean> {
  return fsp.access(file).then(
    () => true,
    () => false,
  );
}

/** Sets a file's mtime `ageMs` into the past. */
async function age(file: string, ageMs: number): Promise<void> {
  const then = new Date(Date.now() - ageMs);
  await fsp.utimes(file, then, then);
}

describe('acquireLock', () => {
  it('creates a 0600 lock file with our PID and a token, and release removes it', async () => {
    const lock = await acquireLock(lockFile, { timeoutMs: 1000 });
    const record = await readLock();
    expect(record.pid).toBe(process.pid);
    expect(record.token).toMatch(/^[0-9a-f]{16}$/);
    expect((await fsp.stat(lockFile)).mode & 0o777).toBe(0o600);
    await lock.dispose();
    expect(await exists(lockFile)).toBe(false);
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('uses a new token for every acquisition', async () => {
    const first = await acquireLock(lockFile, { timeoutMs: 1000 });
    const a = (await readLock()).token;
    await first.dispose();
    const second = await acquireLock(lockFile, { timeoutMs: 1000 });
    const b = (await readLock()).token;
    await second.dispose();
    expect(a).not.toBe(b);
  });

  it('makes a second acquirer wait until the first releases, not before', async () => {
    const events: string[] = [];
    const first = await acquireLock(lockFile, { timeoutMs: 1000 });
    const firstToken = (await readLock()).token;
    const tries = watchAttempts();
    const second = acquireLock(lockFile, { timeoutMs: 20_000 }).then((lock) => {
      events.push('second acquired');
      return lock;
    });
    // Let the second try many times; it must still be waiting, and the lock still the first's.
    await waitFor(() => tries.attempts() >= 6 || events.length > 0, { what: 'six attempts of the second acquirer' });
    tries.close();
    expect(events).toEqual([]);
    expect((await readLock()).token).toBe(firstToken);
    events.push('first releases');
    await first.dispose();
    const lock = await second;
    expect(events).toEqual(['first releases', 'second acquired']);
    expect((await readLock()).token).not.toBe(firstToken);
    await lock.dispose();
    expect(await exists(lockFile)).toBe(false);
  });

  it('times out with LockTimeoutError while the lock is held, and leaves the holder’s lock alone', async () => {
    const held = await acquireLock(lockFile, { timeoutMs: 1000 });
    const before = await fsp.readFile(lockFile, 'utf8');
    const error = await acquireLock(lockFile, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('LockTimeoutError');
    expect((error as Error).message).toMatch(/in progress/);
    expect(await fsp.readFile(lockFile, 'utf8')).toBe(before);
    await held.dispose();
  });

  it('with a zero timeout, still takes a free lock', async () => {
    const lock = await acquireLock(lockFile, { timeoutMs: 0 });
    await expect(acquireLock(lockFile, { timeoutMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
    await lock.dispose();
  });

  it('breaks a lock whose holder is dead', async () => {
    const pid = await deadPid();
    await fsp.writeFile(lockFile, JSON.stringify({ pid, token: 'x' }));
    const lock = await acquireLock(lockFile, { timeoutMs: 5000 });
    const record = await readLock();
    expect(record.pid).toBe(process.pid);
    expect(record.token).not.toBe('x');
    await lock.dispose();
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('does not break a lock held by a live process (times out instead)', async () => {
    const sleeper = await spawnSleeper();
    const content = JSON.stringify({ pid: sleeper.pid, token: 'x' });
    await fsp.writeFile(lockFile, content);
    await expect(acquireLock(lockFile, { timeoutMs: 300, breakerStaleMs: 1 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await fsp.readFile(lockFile, 'utf8')).toBe(content);
    expect(await exists(`${lockFile}.break`)).toBe(false);
  });

  it('breaks a lock held by a live process once it is older than any start could take (PID reuse)', async () => {
    const sleeper = await spawnSleeper();
    await fsp.writeFile(lockFile, JSON.stringify({ pid: sleeper.pid, token: 'reused' }));
    await age(lockFile, MAX_HOLD_MS + 1_000);
    const lock = await acquireLock(lockFile, { timeoutMs: 2_000 });
    expect((await readLock()).pid).toBe(process.pid);
    await lock.dispose();
  });

  it('does not break a lock held by this process (another controller)', async () => {
    const held = await acquireLock(lockFile, { timeoutMs: 200 });
    const content = await fsp.readFile(lockFile, 'utf8');
    await expect(acquireLock(lockFile, { timeoutMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await fsp.readFile(lockFile, 'utf8')).toBe(content);
    await held.dispose();
  });

  it(
    'breaks a lock naming this PID with a token this process does ' + 'not hold (an earlier run that had the same PID)',
    async () => {
      await fsp.writeFile(lockFile, JSON.stringify({ pid: process.pid, token: 'from-an-earlier-run' }));
      const lock = await acquireLock(lockFile, { timeoutMs: 2_000 });
      expect((await readLock()).pid).toBe(process.pid);
      await lock.dispose();
    },
  );

  it('takes the lock once its live holder dies, and not before', async () => {
    const sleeper = await spawnSleeper();
    await fsp.writeFile(lockFile, JSON.stringify({ pid: sleeper.pid, token: 'x' }));
    const events: string[] = [];
    const tries = watchAttempts();
    const waiting = acquireLock(lockFile, { timeoutMs: 20_000 }).then((lock) => {
      events.push('acquired');
      return lock;
    });
    // Each attempt also judges the holder: six of them while it lives must not take its lock.
    await waitFor(() => tries.attempts() >= 6 || events.length > 0, { what: 'six attempts of the waiter' });
    tries.close();
    expect(events).toEqual([]);
    events.push('holder killed');
    sleeper.kill('SIGKILL');
    expect((await waitForExit(sleeper)).signal).toBe('SIGKILL');
    const lock = await waiting;
    expect(events).toEqual(['holder killed', 'acquired']);
    expect((await readLock()).pid).toBe(process.pid);
    await lock.dispose();
  });

  it('lets 10 concurrent acquirers in one process hold the lock one at a time', async () => {
    let holders = 0;
    let maxHolders = 0;
    let turns = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, id) => {
        const lock = await acquireLock(lockFile, { timeoutMs: 20_000 });
        holders += 1;
        maxHolders = Math.max(maxHolders, holders);
        order.push(id);
        // Hold it across a few real I/O turns so overlapping holders would show.
        await fsp.readFile(lockFile, 'utf8');
        await sleep(5);
        expect((await readLock()).pid).toBe(process.pid);
        holders -= 1;
        turns += 1;
        await lock.dispose();
      }),
    );
    expect(maxHolders).toBe(1);
    expect(turns).toBe(10);
    expect(new Set(order).size).toBe(10);
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('removes an unreadable (garbage) lock file older than breakerStaleMs', async () => {
    await fsp.writeFile(lockFile, 'garbage');
    await age(lockFile, 60_000);
    const lock = await acquireLock(lockFile, { timeoutMs: 5000, breakerStaleMs: 1000 });
    expect((await readLock()).pid).toBe(process.pid);
    await lock.dispose();
  });

  // Locks are linked into place whole, so an unreadable one is never a holder mid-write: it is
  // broken after a moment's grace (for file systems without links), not after breakerStaleMs.
  it.each([
    ['garbage', 'garbage'],
    ['empty (left by a full disk)', ''],
    ['JSON without a token', JSON.stringify({ pid: 1234 })],
  ])('breaks an unreadable lock file without waiting for breakerStaleMs: %s', async (_name, content) => {
    await fsp.writeFile(lockFile, content);
    const lock = await acquireLock(lockFile, { timeoutMs: 3_000, breakerStaleMs: 60_000 });
    expect((await readLock()).pid).toBe(process.pid);
    await lock.dispose();
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('gets past a stale .break file older than breakerStaleMs', async () => {
    const breaker = `${lockFile}.break`;
    await fsp.writeFile(lockFile, JSON.stringify({ pid: await deadPid(), token: 'x' }));
    await fsp.writeFile(breaker, '999999');
    await age(breaker, 60_000);
    const lock = await acquireLock(lockFile, { timeoutMs: 5000, breakerStaleMs: 1000 });
    expect((await readLock()).pid).toBe(process.pid);
    expect(await exists(breaker)).toBe(false);
    await lock.dispose();
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('does not break a dead holder’s lock while someone else holds a fresh .break file', async () => {
    const breaker = `${lockFile}.break`;
    const content = JSON.stringify({ pid: await deadPid(), token: 'x' });
    await fsp.writeFile(lockFile, content);
    await fsp.writeFile(breaker, String(process.pid));
    await expect(acquireLock(lockFile, { timeoutMs: 200, breakerStaleMs: 60_000 })).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
    expect(await fsp.readFile(lockFile, 'utf8')).toBe(content);
    expect(await exists(breaker)).toBe(true);
  });

  it('lets several waiters break one dead lock, and only one of them holds it at a time', async () => {
    await fsp.writeFile(lockFile, JSON.stringify({ pid: await deadPid(), token: 'x' }));
    let holders = 0;
    let maxHolders = 0;
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const lock = await acquireLock(lockFile, { timeoutMs: 20_000 });
        holders += 1;
        maxHolders = Math.max(maxHolders, holders);
        // Held a while on purpose, so that overlapping holders would show.
        await sleep(5);
        holders -= 1;
        await lock.dispose();
      }),
    );
    expect(maxHolders).toBe(1);
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('throws at once, rather than waiting, when the directory does not exist', async () => {
    const missing = path.join(dir, 'no-such-dir', 'tray-start.lock');
    await expect(acquireLock(missing, { timeoutMs: 60_000 })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('release', () => {
  it('does not remove a lock that is no longer ours', async () => {
    const lock = await acquireLock(lockFile, { timeoutMs: 1000 });
    // Someone judged ours stale and took it over.
    const theirs = JSON.stringify({ pid: process.pid, token: 'theirs' });
    await fsp.writeFile(lockFile, theirs);
    await lock.dispose();
    expect(await fsp.readFile(lockFile, 'utf8')).toBe(theirs);
  });

  it('is harmless when called twice, even after another acquirer took the lock', async () => {
    const first: HeldLock = await acquireLock(lockFile, { timeoutMs: 1000 });
    await first.dispose();
    const second = await acquireLock(lockFile, { timeoutMs: 1000 });
    const content = await fsp.readFile(lockFile, 'utf8');
    await first.dispose();
    expect(await fsp.readFile(lockFile, 'utf8')).toBe(content);
    await second.dispose();
    expect(await exists(lockFile)).toBe(false);
  });

  it('is harmless when the lock file is already gone or unreadable', async () => {
    const lock = await acquireLock(lockFile, { timeoutMs: 1000 });
    await fsp.writeFile(lockFile, 'garbage');
    await lock.dispose();
    expect(await fsp.readFile(lockFile, 'utf8')).toBe('garbage');
    await fsp.unlink(lockFile);
    await expect(lock.dispose()).resolves.toBeUndefined();
  });
});
