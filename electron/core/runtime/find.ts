/**
 * Finds microsandbox and tells its generation. A GUI app does not inherit the shell's PATH, so
 * besides PATH it looks where installs put `msb`: the Settings path, `~/.microsandbox/bin` (the
 * runtime installer), `~/.local/bin` (its links, and the 0.2 installer's real files), Homebrew's
 * prefixes and npm's global bin. Every `msb` found is checked like msbserver (a file only the user
 * or root can change) and asked `msb --version` with a timeout: `msb 0.6.18` is the runtime
 * generation, `v0.2.6` the old CLI beside a 0.2 server. msbserver is found the server way.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errorText } from '../base/logger.ts';
import { checkServerExecutable } from '../programs/executable-check.ts';
import { locateMsbserver } from '../programs/locate.ts';
import type { FindMicrosandboxOptions, FoundMicrosandbox, MicrosandboxNote } from './api.ts';
import { runMsb } from './msb-runner.ts';
import { msbHome } from './msb-home.ts';

/** The newest minor the app was written against; a newer one is used by what it can do. */
export const NEWEST_KNOWN_RUNTIME = { major: 0, minor: 7 } as const;
const VERSION_TIMEOUT_MS = 5000;

export type MsbKind = 'runtime' | 'server-cli' | 'unknown';

export interface MsbVersion {
  readonly kind: MsbKind;
  readonly version: string;
  readonly major: number;
  readonly minor: number;
}

/** `msb 0.6.18` → runtime; `v0.2.6` (or any 0.2.x and older) → the 0.2 CLI. */
export function classifyMsbVersion(output: string): MsbVersion {
  const match = /(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?/.exec(output);
  if (match === null) return { kind: 'unknown', version: output.trim().slice(0, 60), major: -1, minor: -1 };
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const old = major === 0 && minor <= 2;
  return { kind: old ? 'server-cli' : 'runtime', version: match[0], major, minor };
}

export interface FindOptionsExtra extends FindMicrosandboxOptions {
  /** The msbserver path chosen in Settings (the server generation's own setting). */
  readonly msbserverSettingsPath?: string | null;
  readonly versionTimeoutMs?: number;
  /** Whose files may be run besides root's; the app's own user by default. */
  readonly uid?: number;
  /** For npm's platform packages; this process's by default. */
  readonly arch?: NodeJS.Architecture;
}

/** The platform packages of npm's `microsandbox` (its shim's table). */
const PLATFORM_PACKAGES: Readonly<Record<string, string>> = {
  'darwin-arm64': 'darwin-arm64',
  'linux-x64': 'linux-x64-gnu',
  'linux-arm64': 'linux-arm64-gnu',
  'win32-x64': 'win32-x64-msvc',
  'win32-arm64': 'win32-arm64-msvc',
};

/**
 * The binary behind npm's shim (`…/node_modules/microsandbox/bin/microsandbox.cjs`): the platform
 * package nested under it or beside it. Null when `realPath` is not that shim.
 */
async function binaryBehindNpmShim(realPath: string, options: FindOptionsExtra): Promise<string | null> {
  const p = options.platform === 'win32' ? path.win32 : path.posix;
  if (p.basename(realPath) !== 'microsandbox.cjs') return null;
  const packageDir = p.dirname(p.dirname(realPath));
  const triple = PLATFORM_PACKAGES[`${options.platform}-${options.arch ?? process.arch}`];
  if (triple === undefined) return null;
  const rest = ['@superradcompany', `microsandbox-${triple}`, 'bin', options.platform === 'win32' ? 'msb.exe' : 'msb'];
  for (const file of [p.join(packageDir, 'node_modules', ...rest), p.join(p.dirname(packageDir), ...rest)]) {
    if (
      await fsp.stat(file).then(
        (stat) => stat.isFile(),
        () => false,
      )
    )
      return file;
  }
  return null;
}

export type Origin = 'settings' | 'path' | 'microsandbox-bin' | 'local-bin' | 'homebrew' | 'npm-global';

export interface Candidate {
  readonly file: string;
  readonly origin: Origin;
}

type Probe =
  | { readonly candidate: Candidate; readonly state: 'missing' }
  | { readonly candidate: Candidate; readonly state: 'unusable'; readonly problem: string }
  | { readonly candidate: Candidate; readonly state: 'found'; readonly version: MsbVersion };

/** Where to look, in order (path logic only: nothing is read); exported for the per-platform tests. */
export function msbCandidates(options: FindOptionsExtra): Candidate[] {
  const windows = options.platform === 'win32';
  const p = windows ? path.win32 : path.posix;
  const exe = windows ? 'msb.exe' : 'msb';
  const env = options.env;
  const list: Candidate[] = [];
  if (options.settingsPath) list.push({ file: options.settingsPath, origin: 'settings' });
  const pathVariable = env['PATH'] ?? env['Path'] ?? '';
  for (const dir of pathVariable.split(windows ? ';' : ':')) {
    if (dir !== '' && p.isAbsolute(dir)) list.push({ file: p.join(dir, exe), origin: 'path' });
  }
  const home = options.userHome;
  // The installer and `msb self update` put msb in its home's bin; one installed before MSB_HOME
  // was set is in the default home's.
  const ownHome = options.msbHome ?? msbHome(env, home, options.platform);
  list.push({ file: p.join(ownHome, 'bin', exe), origin: 'microsandbox-bin' });
  list.push({ file: p.join(home, '.microsandbox', 'bin', exe), origin: 'microsandbox-bin' });
  if (!windows) {
    list.push({ file: p.join(home, '.local', 'bin', exe), origin: 'local-bin' });
    for (const prefix of ['/opt/homebrew/bin', '/usr/local/bin', '/home/linuxbrew/.linuxbrew/bin'])
      list.push({ file: p.join(prefix, exe), origin: 'homebrew' });
  }
  // `npm prefix -g` costs a Node start; the prefix is in the environment or in the usual places.
  const prefixes = [env['npm_config_prefix'], env['NPM_CONFIG_PREFIX'], env['PREFIX']].filter(
    (value): value is string => value !== undefined && value !== '',
  );
  if (windows) {
    if (env['APPDATA']) prefixes.push(p.join(env['APPDATA'], 'npm'));
  } else {
    prefixes.push(
      p.join(home, '.npm-global'),
      p.join(home, '.local', 'share', 'npm'),
      '/usr',
      '/usr/local',
      '/opt/homebrew',
    );
  }
  // npm's `msb` is a Node shim (`#!/usr/bin/env node`, a .cmd on Windows) that a GUI app may be
  // unable to start; the real binary is in the platform package the shim would run.
  const triple = PLATFORM_PACKAGES[`${options.platform}-${options.arch ?? process.arch}`];
  if (triple !== undefined) {
    for (const prefix of prefixes) {
      const modules = windows ? p.join(prefix, 'node_modules') : p.join(prefix, 'lib', 'node_modules');
      const platformPackage = ['@superradcompany', `microsandbox-${triple}`, 'bin', exe];
      list.push({ file: p.join(modules, 'microsandbox', 'node_modules', ...platformPackage), origin: 'npm-global' });
      list.push({ file: p.join(modules, ...platformPackage), origin: 'npm-global' });
    }
  }
  const seen = new Set<string>();
  return list.filter((candidate) => !seen.has(candidate.file) && seen.add(candidate.file));
}

async function probe(candidate: Candidate, options: FindOptionsExtra & { readonly msbHome: string }): Promise<Probe> {
  const exists = await fsp.stat(candidate.file).then(
    () => true,
    () => false,
  );
  if (!exists) return { candidate, state: 'missing' };
  const checkOptions = options.uid === undefined ? {} : { uid: options.uid };
  let verdict = await checkServerExecutable(candidate.file, checkOptions);
  if (!verdict.ok) return { candidate, state: 'unusable', problem: verdict.problem.replaceAll('msbserver', 'msb') };
  const behindShim = await binaryBehindNpmShim(verdict.realPath, options);
  if (behindShim !== null) {
    candidate = { file: behindShim, origin: candidate.origin };
    verdict = await checkServerExecutable(behindShim, checkOptions);
    if (!verdict.ok) return { candidate, state: 'unusable', problem: verdict.problem.replaceAll('msbserver', 'msb') };
  }
  try {
    // Given msb's home as every msb the app runs is (an empty or relative MSB_HOME never reaches it).
    const result = await runMsb({ msbPath: candidate.file, env: options.env, home: options.msbHome }, ['--version'], {
      timeoutMs: options.versionTimeoutMs ?? VERSION_TIMEOUT_MS,
      maxOutputBytes: 4096,
    });
    const version = classifyMsbVersion(`${result.stdout}\n${result.stderr}`);
    if (version.kind === 'unknown')
      return {
        candidate,
        state: 'unusable',
        problem: `${candidate.file} --version printed no version this app can read.`,
      };
    return { candidate, state: 'found', version };
  } catch (error) {
    return { candidate, state: 'unusable', problem: errorText(error) };
  }
}

const UPDATE_FIX =
  'Update microsandbox: run `msb self update`, or install it again with `curl -fsSL https://install.microsandbox.dev | sh`.';

function versionNotes(found: { path: string; version: MsbVersion }): MicrosandboxNote[] {
  const { major, minor, version } = found.version;
  if (major === 0 && minor < 6)
    return [
      {
        code: 'runtime-old',
        message:
          `msb ${version} is older than 0.6: the app lists and controls sandboxes only with the JSON output ` +
          `(\`msb ls\` and \`msb ps --format json\`) and the doctor that 0.6 has; what this version lacks shows ` +
          `as an error where it is used.`,
        fix: UPDATE_FIX,
      },
    ];
  if (
    major > NEWEST_KNOWN_RUNTIME.major ||
    (major === NEWEST_KNOWN_RUNTIME.major && minor > NEWEST_KNOWN_RUNTIME.minor)
  )
    return [
      {
        code: 'runtime-newer',
        message:
          `msb ${version} is newer than the versions this app knows (up to ` +
          `${NEWEST_KNOWN_RUNTIME.major}.${NEWEST_KNOWN_RUNTIME.minor}); it is used by what it can do.`,
        fix: 'If something does not work, update Microsandbox Tray.',
      },
    ];
  return [];
}

export async function findMicrosandbox(given: FindOptionsExtra): Promise<FoundMicrosandbox> {
  const options = { ...given, msbHome: given.msbHome ?? msbHome(given.env, given.userHome, given.platform) };
  const [probes, server] = await Promise.all([
    Promise.all(msbCandidates(options).map((candidate) => probe(candidate, options))),
    locateMsbserver({
      env: options.env,
      platform: options.platform,
      userHome: options.userHome,
      settingsPath: options.msbserverSettingsPath ?? null,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
    }),
  ]);
  const notes: MicrosandboxNote[] = [];
  for (const item of probes) {
    if (item.state === 'unusable') {
      notes.push({
        code: item.candidate.origin === 'settings' ? 'settings-msb-unusable' : 'msb-unusable',
        message: `The msb at ${item.candidate.file} cannot be used: ${item.problem}`,
        fix:
          item.candidate.origin === 'settings'
            ? 'Choose another msb in Settings, or clear the setting to look in the usual places.'
            : 'Remove or repair that file, or choose the msb to use in Settings.',
      });
    } else if (item.state === 'missing' && item.candidate.origin === 'settings') {
      notes.push({
        code: 'settings-msb-unusable',
        message: `The msb chosen in Settings, ${item.candidate.file}, does not exist.`,
        fix: 'Choose another msb in Settings, or clear the setting to look in the usual places.',
      });
    }
  }
  const found = probes.filter((item): item is Extract<Probe, { state: 'found' }> => item.state === 'found');
  const runtime = found.find((item) => item.version.kind === 'runtime') ?? null;
  // What a terminal runs: the first msb on PATH. A 0.2 one there shadows the runtime's.
  const firstOnPath = found.find((item) => item.candidate.origin === 'path');
  if (runtime !== null && firstOnPath !== undefined && firstOnPath.version.kind === 'server-cli') {
    const old = firstOnPath.candidate.file;
    notes.push({
      code: 'upgrade-trap',
      message:
        `${old} is the old msb ${firstOnPath.version.version}, and it comes first on PATH: a terminal runs it ` +
        `instead of msb ${runtime.version.version} at ${runtime.candidate.file}. The new installer does not ` +
        `replace a file that is not a link.`,
      fix:
        `Replace the old file with a link to the new one: rm "${old}" && ln -s "${runtime.candidate.file}" ` +
        `"${old}" (keep msbserver beside it if you still use the 0.2 server).`,
    });
  }
  const msb = runtime === null ? null : { path: runtime.candidate.file, version: runtime.version.version };
  if (runtime !== null) notes.push(...versionNotes({ path: runtime.candidate.file, version: runtime.version }));
  const msbserver = server.found ? { path: server.path } : null;
  const generation = msb !== null ? 'runtime' : msbserver !== null ? 'server' : 'none';
  return { generation, msb, msbserver, notes };
}
