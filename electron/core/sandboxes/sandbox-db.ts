/**
 * Reading `D/.menv/sandbox.db` without ever writing or locking it.
 *
 * The file's bytes are read into memory and opened there (sql.js), so nothing the app does can
 * hold up the supervisor. The price: no SQLite lock protects the copy, so the reader checks for
 * itself that no write was under way. SQLite's default rollback journal makes that visible: a
 * writer creates `sandbox.db-journal` (starting with the journal magic) before it changes the
 * file and deletes it after. A copy is accepted only when no such journal existed before or
 * after the read and the file's size and times did not change during it. Otherwise (and when
 * the bytes do not parse) it reads again a few times after a short delay; only then does it
 * report the database as busy or broken.
 */
import { promises as fsp, statSync } from 'node:fs';
import { MAX_DB_FILE, readSandboxFileSync, SANDBOX_FILE_FLAGS } from './safe-read.ts';
import type { Stats } from 'node:fs';
import { sleep as realSleep } from '../base/delay.ts';
import { errorText as describeError, type Logger } from '../base/logger.ts';
import { loadSqlite } from './sqlite.ts';

export const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);

/** One `sandboxes` row of the Sandboxfile config, with the columns the app uses. */
export interface SandboxRow {
  readonly name: string;
  readonly status: string;
  readonly supervisorPid: number | null;
  readonly microvmPid: number | null;
  readonly rootfsPaths: string;
  /** `modified_at` in ms since the epoch (zone-less UTC text in the file), or null when unreadable. */
  readonly modifiedAt: number | null;
}

export type DbRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'ok'; readonly rows: readonly SandboxRow[]; readonly stat: Stats }
  /** A write was under way on every attempt (a journal present); read again later. */
  | { readonly kind: 'busy'; readonly message: string }
  | { readonly kind: 'broken'; readonly message: string };

export interface DbReadOptions {
  readonly logger: Logger;
  /** Attempts in all (default 5). */
  readonly attempts?: number;
  /** Delay between attempts, ms (default 25). */
  readonly retryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** `YYYY-MM-DD HH:MM:SS` (SQLite's CURRENT_TIMESTAMP, UTC without a zone) to ms since the epoch. */
export function parseSqliteUtc(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,3})\d*)?$/.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number((frac ?? '0').padEnd(3, '0')),
  );
  return Number.isFinite(ms) ? ms : null;
}

/** Whether `<db>-journal` shows a write under way (or one that died and left a hot journal). */
export async function journalInUse(dbPath: string): Promise<boolean> {
  // The usual case, no journal, costs one synchronous stat.
  if (statSync(`${dbPath}-journal`, { throwIfNoEntry: false }) === undefined) return false;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(`${dbPath}-journal`, SANDBOX_FILE_FLAGS);
  } catch {
    // the journal went away since the stat: no write in progress
    return false;
  }
  try {
    const header = Buffer.alloc(JOURNAL_MAGIC.length);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    // An empty or zeroed journal (journal_mode TRUNCATE/PERSIST after a commit) is not in use;
    // a journal being created (shorter than its header) is.
    if (bytesRead === 0) return (await handle.stat()).size > 0;
    return bytesRead < header.length || header.equals(JOURNAL_MAGIC);
  } finally {
    await handle.close();
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

const asPid = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;

/** Reads the rows of `config_file = 'Sandboxfile'`. */
export async function readSandboxDb(dbPath: string, options: DbReadOptions): Promise<DbRead> {
  const attempts = options.attempts ?? 5;
  const delay = options.retryDelayMs ?? 25;
  const sleep = options.sleep ?? ((ms: number) => realSleep(ms));
  let last: DbRead = { kind: 'broken', message: 'not read' };
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(delay);
    if (await journalInUse(dbPath)) {
      last = { kind: 'busy', message: 'sandbox.db is being written (its rollback journal is present)' };
      continue;
    }
    let before: Stats;
    try {
      before = statSync(dbPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'broken', message: `sandbox.db cannot be read: ${describeError(error)}` };
    }
    let bytes: Buffer;
    let after: Stats;
    try {
      // A sandbox.db is a few tens of KB: a synchronous read skips the thread-pool round trip.
      bytes = readSandboxFileSync(dbPath, MAX_DB_FILE);
      after = statSync(dbPath);
    } catch (error) {
      last = { kind: 'broken', message: `sandbox.db cannot be read: ${describeError(error)}` };
      options.logger.debug(`sandbox db: read of ${dbPath} failed (attempt ${attempt + 1})`, error);
      continue;
    }
    if (!sameFile(before, after) || bytes.length !== after.size || (await journalInUse(dbPath))) {
      last = { kind: 'busy', message: 'sandbox.db changed while it was read' };
      continue;
    }
    // SQLite treats an empty file as an empty database: upstream creates the file, then migrates.
    if (bytes.length === 0) return { kind: 'ok', rows: [], stat: after };
    try {
      return { kind: 'ok', rows: await parseRows(bytes), stat: after };
    } catch (error) {
      last = { kind: 'broken', message: `sandbox.db is not a readable sandbox database: ${describeError(error)}` };
      options.logger.debug(`sandbox db: ${dbPath} did not parse (attempt ${attempt + 1})`, error);
    }
  }
  return last;
}

async function parseRows(bytes: Uint8Array): Promise<SandboxRow[]> {
  const SQL = await loadSqlite();
  const db = new SQL.Database(bytes);
  try {
    const result = db.exec(
      'SELECT name, status, supervisor_pid, microvm_pid, rootfs_paths, modified_at FROM sandboxes WHERE ' +
        "config_file = 'Sandboxfile' ORDER BY id",
    );
    const rows: SandboxRow[] = [];
    for (const [name, status, supervisorPid, microvmPid, rootfsPaths, modifiedAt] of result[0]?.values ?? []) {
      if (typeof name !== 'string') continue;
      rows.push({
        name,
        status: typeof status === 'string' ? status : String(status),
        supervisorPid: asPid(supervisorPid),
        microvmPid: asPid(microvmPid),
        rootfsPaths: typeof rootfsPaths === 'string' ? rootfsPaths : '',
        modifiedAt: parseSqliteUtc(modifiedAt),
      });
    }
    return rows;
  } finally {
    db.close();
  }
}
