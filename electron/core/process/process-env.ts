/**
 * Which microsandbox home a running msbserver serves: its `MICROSANDBOX_HOME` (verbatim, as msb
 * reads it; relative to its working directory if relative), else `$HOME/.microsandbox`. Read
 * from `/proc/<pid>/environ` on Linux and `ps eww` elsewhere; both show only one's own processes.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { readProcFile, runPs } from './process-identity.ts';
import { probe } from '../base/probe.ts';

export type ServedHome = { readonly kind: 'known'; readonly home: string } | { readonly kind: 'unknown' };

const UNKNOWN: ServedHome = Object.freeze({ kind: 'unknown' });

export async function servedHome(pid: number, platform: NodeJS.Platform = process.platform): Promise<ServedHome> {
  const env = await processEnvironment(pid, platform);
  if (env === null) return UNKNOWN;
  const fromEnv = env.get('MICROSANDBOX_HOME');
  if (fromEnv !== undefined && fromEnv !== '') {
    if (path.isAbsolute(fromEnv)) return { kind: 'known', home: fromEnv };
    const cwd = platform === 'linux' ? await probe(fsp.readlink(`/proc/${pid}/cwd`)) : null;
    return cwd === null ? UNKNOWN : { kind: 'known', home: path.resolve(cwd, fromEnv) };
  }
  const userHome = env.get('HOME');
  return userHome === undefined || userHome === ''
    ? UNKNOWN
    : { kind: 'known', home: path.join(userHome, '.microsandbox') };
}

/** The names the home is read from; nothing else of another process's environment is kept. */
const WANTED = ['MICROSANDBOX_HOME', 'HOME'] as const;

async function processEnvironment(pid: number, platform: NodeJS.Platform): Promise<Map<string, string> | null> {
  if (platform === 'linux') {
    const raw = await readProcFile(pid, 'environ');
    if (raw === null) return null;
    const env = new Map<string, string>();
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=');
      const name = entry.slice(0, eq);
      if (eq > 0 && (WANTED as readonly string[]).includes(name)) env.set(name, entry.slice(eq + 1));
    }
    return env;
  }
  if (platform === 'win32') return null;
  try {
    return environmentFromPsLine(await runPs(['eww', '-o', 'command=', '-p', String(pid)]));
  } catch {
    return null; // gone, or ps failed: the home is unknown
  }
}

/**
 * `ps eww` prints the command line followed by ` NAME=value` pairs, all joined by spaces, so a
 * value ends where the next ` NAME=` begins.
 */
export function environmentFromPsLine(line: string): Map<string, string> | null {
  const text = line.trim();
  if (text === '') return null;
  const env = new Map<string, string>();
  for (const name of WANTED) {
    const match = new RegExp(` ${name}=(.*?)(?= [A-Za-z_][A-Za-z0-9_]*=|$)`).exec(text);
    if (match !== null) env.set(name, match[1] ?? '');
  }
  return env;
}

/** Whether two home paths name the same folder (symlinks resolved where they exist). */
export async function sameHome(a: string, b: string): Promise<boolean> {
  if (path.resolve(a) === path.resolve(b)) return true;
  const [realA, realB] = await Promise.all([probe(fsp.realpath(a)), probe(fsp.realpath(b))]);
  return realA !== null && realA === realB;
}
