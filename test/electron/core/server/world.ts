// Worlds that are not our stand-in as the app would like it: msbserver behind wrapper scripts,
// servers of other homes, CLI-style starters, files written by someone else.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The stand-in's entry point, run by node directly: a server binary not named msbserver. */
export const STANDIN_MAIN = fileURLToPath(new URL('../../../fixtures/msbserver-standin/main.js', import.meta.url));
export const MSBRUN_STANDIN = fileURLToPath(new URL('../../../fixtures/msbrun', import.meta.url));
const NODE = process.execPath;

async function script(dir: string, name: string, body: string): Promise<string> {
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await fsp.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** msbrun beside a wrapper, as an install has it (so no msbrun warning is expected). */
async function withMsbrun(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  await fsp.symlink(MSBRUN_STANDIN, path.join(dir, 'msbrun')).catch(() => undefined);
}

/** Sets LD_LIBRARY_PATH and runs the real binary as its child, without `exec`. */
export async function noExecWrapper(dir: string): Promise<string> {
  await withMsbrun(dir);
  return script(
    dir,
    'msbserver',
    `LD_LIBRARY_PATH="$HOME/.local/lib"; export LD_LIBRARY_PATH\n"${NODE}" "${STANDIN_MAIN}" "$@"\necho ` +
      `"wrapper: server exited with $?"`,
  );
}

/** Puts the real server in the background and exits 0 at once. */
export async function daemonWrapper(dir: string): Promise<string> {
  await withMsbrun(dir);
  return script(dir, 'msbserver', `"${NODE}" "${STANDIN_MAIN}" "$@" >/dev/null 2>&1 &\nexit 0`);
}

/** Execs a binary with another name (`.msbserver-wrapped`), as Nix and Homebrew wrappers do. */
export async function renamedExecWrapper(dir: string): Promise<string> {
  await fsp.mkdir(dir, { recursive: true });
  await withMsbrun(dir);
  const wrapped = path.join(dir, '.msbserver-wrapped');
  await fsp.writeFile(
    wrapped,
    `#!${NODE}\nimport ` +
      `${JSON.stringify(new URL('../../../fixtures/msbserver-standin/main.js', import.meta.url).href)};\n`,
    { mode: 0o755 },
  );
  return script(dir, 'msbserver', `exec "${wrapped}" "$@"`);
}

/** First writes `bytes` of one line without a newline, then execs the stand-in. */
export async function floodingWrapper(dir: string, bytes: number): Promise<string> {
  await withMsbrun(dir);
  return script(dir, 'msbserver', `head -c ${bytes} /dev/zero | tr '\\0' 'A'\nexec "${NODE}" "${STANDIN_MAIN}" "$@"`);
}

/** A wrapper dir without msbrun beside it. */
export async function loneWrapper(dir: string): Promise<string> {
  return script(dir, 'msbserver', `exec "${NODE}" "${STANDIN_MAIN}" "$@"`);
}

/**
 * Starts a server the way `msb server start` does, for `home`: detached (its own session), the key
 * on argv, MICROSANDBOX_HOME in its environment, `server.pid` written right after spawning, no lock.
 */
export async function cliStart(options: {
  home: string;
  port: number;
  key?: string;
  env?: NodeJS.ProcessEnv;
  executable: string;
  pidText?: (pid: number) => string;
  writePid?: boolean;
}): Promise<ChildProcess> {
  await fsp.mkdir(path.join(options.home, 'namespaces'), { recursive: true });
  const keyFile = path.join(options.home, 'server.key');
  // As msb: the existing server.key, else a new one.
  const existing = await fsp.readFile(keyFile, 'utf8').catch(() => null);
  const key = options.key ?? (existing !== null && existing !== '' ? existing : 'CliKey0123456789CliKey0123456789');
  if (key !== existing) await fsp.writeFile(keyFile, key);
  const child = spawn(options.executable, ['--key', key, '--port', String(options.port)], {
    detached: true,
    stdio: 'ignore',
    cwd: options.home,
    env: { PATH: process.env['PATH'], ...options.env, MICROSANDBOX_HOME: options.home },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  child.unref();
  if (options.writePid !== false)
    await fsp.writeFile(path.join(options.home, 'server.pid'), (options.pidText ?? String)(child.pid ?? 0));
  return child;
}

/** A PID that is free now (a process that ran and was reaped). */
export async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}
