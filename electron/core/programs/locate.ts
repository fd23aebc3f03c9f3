import { constants, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocateResult, LocateSource } from '../../../shared/contract.ts';
import { MICROSANDBOX_INSTALL_HINT } from '../../../shared/server-status.ts';
import { checkLibraryFolder, checkServerExecutable } from './executable-check.ts';
import { probe } from '../base/probe.ts';

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** The msbserver path from the settings, when the user set one. */
  settingsPath?: string | null;
  platform?: NodeJS.Platform;
  userHome?: string;
  /** Whose files may be run besides root's (executable-check.ts); the app's own user by default. */
  uid?: number;
}

interface Candidate {
  readonly file: string;
  readonly source: LocateSource;
  /** Set explicitly by the user: a bad file there is reported, not skipped. */
  readonly explicit: boolean;
}

/**
 * Finds msbserver the way msb does (`$MSBSERVER_EXE`, else beside the real msb), plus what a GUI
 * app needs because it does not inherit the shell's PATH: the settings path and `~/.local/bin`,
 * where the installer puts both binaries.
 *
 * Every candidate that exists must pass `checkServerExecutable` (a regular executable that only
 * the user or root can change, in folders only they can change): one that does not is refused,
 * with the reason, rather than skipped for the next, so the user learns why it was not run.
 */
export async function locateMsbserver(options: LocateOptions = {}): Promise<LocateResult> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const userHome = options.userHome ?? os.homedir();
  const searched: string[] = [];

  if (platform === 'win32') {
    return {
      found: false,
      searched,
      problem: 'msbserver does not run natively on Windows.',
      hint: 'Run microsandbox inside WSL 2 and use its msb CLI there.',
    };
  }

  const candidates: Candidate[] = [];
  const fromEnv = env['MSBSERVER_EXE'];
  // Resolved here, once, against the app's own working folder: the file checked is the file run
  // (msbserver is spawned in the home, where a relative path would name another file).
  if (fromEnv !== undefined && fromEnv !== '')
    candidates.push({ file: path.resolve(fromEnv), source: 'environment', explicit: true });
  if (options.settingsPath) candidates.push({ file: options.settingsPath, source: 'settings', explicit: true });
  for (const msb of await findOnPath('msb', env['PATH'] ?? '')) {
    const real = await fsp.realpath(msb).catch(() => msb);
    candidates.push({ file: path.join(path.dirname(real), 'msbserver'), source: 'beside-msb', explicit: false });
  }
  candidates.push({ file: path.join(userHome, '.local', 'bin', 'msbserver'), source: 'local-bin', explicit: false });

  let notExecutable: string | null = null;
  for (const candidate of candidates) {
    if (searched.includes(candidate.file)) continue;
    searched.push(candidate.file);
    const verdict = await checkServerExecutable(candidate.file, options.uid === undefined ? {} : { uid: options.uid });
    if (verdict.ok) return { found: true, path: candidate.file, source: candidate.source, searched };
    const origin = candidate.source === 'environment' ? 'MSBSERVER_EXE' : 'the msbserver path in Settings';
    if (verdict.reason === 'unsafe') {
      const problem =
        `${candidate.explicit ? `${origin} points at ${candidate.file}, and t` : 'T'}he app does not run this ` +
        `msbserver: ${verdict.problem}`;
      return { found: false, searched, problem, hint: UNSAFE_HINT, reason: 'unsafe' };
    }
    if (verdict.reason === 'not-executable') notExecutable ??= candidate.file;
    if (candidate.explicit) {
      const problem =
        verdict.reason === 'missing'
          ? `${origin} points at ${candidate.file}, which does not exist.`
          : `${origin} points at ${candidate.file}, which is not an executable file.`;
      return { found: false, searched, problem, hint: MICROSANDBOX_INSTALL_HINT, reason: verdict.reason };
    }
  }
  const problem =
    notExecutable === null
      ? `msbserver was not found. Looked in: ${searched.join(', ')}.`
      : `${notExecutable} is not an executable file.`;
  return {
    found: false,
    searched,
    problem,
    hint: MICROSANDBOX_INSTALL_HINT,
    reason: notExecutable === null ? 'missing' : 'not-executable',
  };
}

const UNSAFE_HINT = 'Fix the file or folder as the message says, or choose another msbserver in Settings.';

async function findOnPath(name: string, pathVariable: string): Promise<string[]> {
  const hits: string[] = [];
  for (const dir of pathVariable.split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const file = path.join(dir, name);
    if ((await checkExecutable(file)) === 'ok') hits.push(file);
  }
  return hits;
}

async function checkExecutable(file: string): Promise<'ok' | 'missing' | 'not-executable'> {
  const stat = await probe(fsp.stat(file));
  if (stat === null) return 'missing';
  if (!stat.isFile()) return 'not-executable';
  try {
    await fsp.access(file, constants.X_OK);
  } catch {
    // not executable for this user: the caller says so
    return 'not-executable';
  }
  // Root passes X_OK for any file with one execute bit; a file with none cannot be run by anyone.
  return (stat.mode & 0o111) === 0 ? 'not-executable' : 'ok';
}

/**
 * The environment for msbserver: the app's own, plus the library folders of a standard install
 * (`~/.local/lib`, and `lib` beside the binary's folder) that a shell profile would have added,
 * each only when it passes `checkLibraryFolder`: a library planted there would run inside
 * msbserver with the server key, so a folder others can write to (or create) is left out.
 */
export async function serverEnvironment(
  base: NodeJS.ProcessEnv,
  executable: string,
  platform: NodeJS.Platform,
  userHome: string,
  options: { readonly uid?: number } = {},
): Promise<NodeJS.ProcessEnv> {
  const variable = platform === 'darwin' ? 'DYLD_LIBRARY_PATH' : 'LD_LIBRARY_PATH';
  const candidates = [path.join(userHome, '.local', 'lib'), path.join(path.dirname(path.dirname(executable)), 'lib')];
  const extra: string[] = [];
  for (const dir of candidates) {
    if ((await checkLibraryFolder(dir, options)).ok) extra.push(dir);
  }
  const existing = (base[variable] ?? '').split(path.delimiter).filter((entry) => entry !== '');
  const merged = [...new Set([...existing, ...extra])];
  if (merged.length === 0) {
    const { [variable]: _unset, ...rest } = base;
    return rest;
  }
  return { ...base, [variable]: merged.join(path.delimiter) };
}

export interface MsbrunLocation {
  readonly found: boolean;
  readonly path: string | null;
  readonly searched: readonly string[];
  /**
   * Set when an msbrun is there but the app will not let msbserver run it (executable-check.ts):
   * which file or folder, and why; `msbrunUnsafeText` (shared/setup.ts) makes it a sentence.
   */
  readonly unsafe?: string;
}

/**
 * Where msbserver will look for msbrun, which runs every sandbox: `$MSBRUN_EXE`, else beside its
 * own (symlink-resolved) binary. A wrapper script as msbserver may run a binary elsewhere, so a
 * miss here is a warning, not a refusal. msbrun runs for every sandbox with the user's rights, so
 * one there is checked as msbserver is (its real path, its folders): one others could change is
 * `unsafe`, and a relative `$MSBRUN_EXE` (msbserver would read it from the home) too.
 */
export async function locateMsbrun(
  msbserver: string,
  env: NodeJS.ProcessEnv,
  options: { readonly uid?: number } = {},
): Promise<MsbrunLocation> {
  const fromEnv = env['MSBRUN_EXE'];
  const real = await fsp.realpath(msbserver).catch(() => msbserver);
  const candidate = fromEnv !== undefined && fromEnv !== '' ? fromEnv : path.join(path.dirname(real), 'msbrun');
  if (!path.isAbsolute(candidate)) {
    return {
      found: false,
      path: null,
      searched: [candidate],
      unsafe:
        `MSBRUN_EXE is ${candidate}, a relative path that msbserver would look up from the microsandbox home, ` +
        `not the file the app can check. Give its full path.`,
    };
  }
  const verdict = await checkServerExecutable(candidate, options);
  if (verdict.ok) return { found: true, path: candidate, searched: [candidate] };
  if (verdict.reason === 'unsafe') {
    return {
      found: false,
      path: null,
      searched: [candidate],
      unsafe: verdict.problem.replaceAll('msbserver', 'msbrun'),
    };
  }
  return { found: false, path: null, searched: [candidate] };
}

export function msbrunWarning(location: MsbrunLocation): string | null {
  if (location.found) return null;
  return (
    `msbrun was not found (looked for ${location.searched.join(', ')}), so sandboxes could not start: ` +
    `msbserver runs msbrun beside its own binary or from $MSBRUN_EXE. ` +
    `Reinstall microsandbox, or set MSBRUN_EXE if msbserver is a wrapper script.`
  );
}
