/**
 * Whether a file is one the app may run as msbserver. The app runs it with the user's rights and
 * hands it the server key, so nobody but the user (or root) may be able to change what runs:
 *
 * - it is a regular executable file, owned by the user or root, not group- or world-writable;
 * - every folder on the way to it (symlinks followed, each link's own folder included) is owned
 *   by the user or root and not group- or world-writable, except a sticky folder such as /tmp
 *   when the entry in it is the user's or root's (nobody else may rename or delete that entry).
 *
 * The path is resolved here one component at a time, so a symlink anywhere (`~/.local/bin/
 * msbserver` → `../share/…`) is judged by the folders it really goes through. Plain Node.
 */
import { constants, promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';

export type ExecutableProblem = 'missing' | 'not-executable' | 'unsafe';

export type ExecutableVerdict =
  | { readonly ok: true; readonly realPath: string }
  | { readonly ok: false; readonly reason: ExecutableProblem; readonly problem: string };

export interface ExecutableCheckOptions {
  /** Whose files are trusted besides root's; the app's own user by default. */
  readonly uid?: number;
}

/** Longer chains are loops or traps; the kernel gives up at 40 too. */
const MAX_LINKS = 40;
const GROUP_OR_WORLD_WRITABLE = 0o022;
const STICKY = 0o1000;

class Refusal extends Error {
  readonly reason: ExecutableProblem;
  constructor(reason: ExecutableProblem, problem: string) {
    super(problem);
    this.reason = reason;
  }
}

/** The verdict on `file` (made absolute first). Never throws. */
export async function checkServerExecutable(
  file: string,
  options: ExecutableCheckOptions = {},
): Promise<ExecutableVerdict> {
  const uid = options.uid ?? process.getuid?.() ?? null;
  const absolute = path.resolve(file);
  try {
    if (file.includes('\0')) throw new Refusal('not-executable', 'The msbserver path contains a NUL character.');
    // path.resolve drops `..` by the letters, the kernel after following links: the two could
    // disagree, and then the file checked would not be the file run.
    if (file.split(/[\\/]/).includes('..'))
      throw new Refusal('not-executable', `The msbserver path ${file} goes up a folder (..); give it without.`);
    const realPath = await resolveTrusted(absolute, uid, { links: 0 });
    const stat = await fsp.stat(realPath);
    checkFile(absolute, realPath, stat, uid);
    await fsp.access(realPath, constants.X_OK).catch(() => {
      throw new Refusal('not-executable', `${absolute} is not an executable file.`);
    });
    return { ok: true, realPath };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason, problem: error.message };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { ok: false, reason: 'missing', problem: `${absolute} does not exist.` };
    return {
      ok: false,
      reason: 'not-executable',
      problem: `${absolute} could not be checked: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function trustedOwner(stat: Stats, uid: number | null): boolean {
  // Without user ids (Windows) ownership cannot be judged: nothing is refused for it.
  return uid === null || stat.uid === 0 || stat.uid === uid;
}

function checkFile(shown: string, realPath: string, stat: Stats, uid: number | null): void {
  const where = realPath === shown ? shown : `${shown} (which is ${realPath})`;
  if (!stat.isFile()) throw new Refusal('not-executable', `${where} is not a regular file.`);
  // Root passes X_OK for any file with one execute bit; a file with none cannot be run by anyone.
  if ((stat.mode & 0o111) === 0) throw new Refusal('not-executable', `${where} is not an executable file.`);
  if (!trustedOwner(stat, uid)) {
    throw new Refusal(
      'unsafe',
      `${where} belongs to another user (uid ${stat.uid}), who could change what the app runs with your server key. ` +
        `Use an msbserver owned by you or root.`,
    );
  }
  if (uid !== null && (stat.mode & GROUP_OR_WORLD_WRITABLE) !== 0) {
    throw new Refusal(
      'unsafe',
      `${where} can be changed by other users (it is group- or world-writable). Run chmod go-w "${realPath}" ` +
        `if that is not meant.`,
    );
  }
}

/**
 * May `dir` hold `entry` safely? Owned by the user or root, and either writable by nobody else or
 * sticky with the entry owned by the user or root.
 */
function checkFolder(dir: string, dirStat: Stats, entry: Stats, uid: number | null): void {
  if (uid === null) return;
  if (!trustedOwner(dirStat, uid)) {
    throw new Refusal(
      'unsafe',
      `The folder ${dir} belongs to another user (uid ${dirStat.uid}), who could replace msbserver in it.`,
    );
  }
  if ((dirStat.mode & GROUP_OR_WORLD_WRITABLE) === 0) return;
  if ((dirStat.mode & STICKY) !== 0 && trustedOwner(entry, uid)) return;
  throw new Refusal(
    'unsafe',
    `The folder ${dir} can be changed by other users (it is group- or world-writable), ` +
      `who could replace msbserver in it. Run chmod go-w "${dir}" if that is not meant.`,
  );
}

/** The real path of `absolute`, checking every folder passed through, links followed one by one. */
async function resolveTrusted(absolute: string, uid: number | null, state: { links: number }): Promise<string> {
  const { root } = path.parse(absolute);
  const parts = absolute
    .slice(root.length)
    .split(path.sep)
    .filter((part) => part !== '' && part !== '.');
  let current = root;
  for (const part of parts) {
    if (part === '..') {
      // Lexically after a real folder: its parent, as the kernel would walk it.
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    const dirStat = await fsp.stat(current);
    if (!dirStat.isDirectory()) throw new Refusal('missing', `${current} is not a folder.`);
    const entry = await fsp.lstat(next);
    checkFolder(current, dirStat, entry, uid);
    if (entry.isSymbolicLink()) {
      state.links += 1;
      if (state.links > MAX_LINKS) throw new Refusal('not-executable', `${absolute} goes through too many symlinks.`);
      const target = await fsp.readlink(next);
      // Not normalised: a `..` in the target is walked from the real folder, as the kernel does.
      current = await resolveTrusted(
        path.isAbsolute(target) ? target : `${current}${current.endsWith(path.sep) ? '' : path.sep}${target}`,
        uid,
        state,
      );
    } else {
      current = next;
    }
  }
  return current;
}

/**
 * Whether `dir` may go on msbserver's library path: a library there runs inside msbserver, with
 * the server key. It must exist, be owned by the user or root and writable by nobody else, and so
 * must every folder on the way (the same rules as for msbserver's folders). It is checked when
 * msbserver starts: a `lib` missing then (next to a release unpacked in `/tmp`, where anyone could
 * create it later) is not added. Never throws.
 */
export async function checkLibraryFolder(
  dir: string,
  options: ExecutableCheckOptions = {},
): Promise<{ readonly ok: true } | { readonly ok: false; readonly problem: string }> {
  const uid = options.uid ?? process.getuid?.() ?? null;
  const absolute = path.resolve(dir);
  try {
    if (dir.includes('\0') || dir.split(/[\\/]/).includes('..') || !path.isAbsolute(dir))
      throw new Refusal('unsafe', `The library folder ${dir} is not a plain full path.`);
    const realPath = await resolveTrusted(absolute, uid, { links: 0 });
    const stat = await fsp.stat(realPath);
    if (!stat.isDirectory()) throw new Refusal('missing', `${absolute} is not a folder.`);
    if (uid !== null && (!trustedOwner(stat, uid) || (stat.mode & GROUP_OR_WORLD_WRITABLE) !== 0))
      throw new Refusal('unsafe', `The library folder ${absolute} can be changed by other users.`);
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
