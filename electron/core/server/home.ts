/**
 * The microsandbox home as the server needs it: created owner-only when missing, the namespaces
 * folders in place (msbserver creates none), and a word when others could change what is in it.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ServerContext } from './context.ts';
import { probe } from '../base/probe.ts';

/** Creates the home when it is missing: owner-only, since others who could write it could replace server.key. */
export async function createHome(ctx: ServerContext): Promise<void> {
  await fsp.mkdir(ctx.paths.home, { recursive: true, mode: 0o700 });
}

/** Whether the home is there: deleted (`rm -rf ~/.microsandbox`), it is made again only by a start. */
export async function homeExists(ctx: ServerContext): Promise<boolean> {
  return (await probe(fsp.stat(ctx.paths.home)))?.isDirectory() === true;
}

/** Creates what is missing and returns what is off, as warnings; throws when the home is unusable. */
export async function prepareHome(ctx: ServerContext): Promise<string[]> {
  const { namespacesDir } = ctx.paths;
  await createHome(ctx);
  const configured = ctx.settings().namespacesPath;
  for (const dir of new Set([namespacesDir, ...(configured === null ? [] : [configured])]))
    await fsp.mkdir(dir, { recursive: true });
  return homeWarnings(ctx);
}

/** Others who could write the home could replace server.key or server.pid. */
export async function homeWarnings(ctx: ServerContext): Promise<string[]> {
  if (ctx.platform === 'win32') return [];
  const stat = await probe(fsp.stat(ctx.paths.home));
  if (stat === null) return [];
  const warnings: string[] = [];
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  if (uid !== null && stat.uid !== uid) {
    warnings.push(
      `The microsandbox home ${ctx.paths.home} belongs to another user (uid ${stat.uid}), who can change its ` +
        `server key. ` +
        `Fix: \`sudo chown -R "$USER" ${quote(ctx.paths.home)}\`.`,
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    const who = (stat.mode & 0o002) !== 0 ? 'every user' : 'its group';
    warnings.push(
      `The microsandbox home ${ctx.paths.home} can be written by ${who}, who could replace server.key or server.pid. ` +
        `Fix: \`chmod go-w ${quote(ctx.paths.home)}\`.`,
    );
  }
  return warnings;
}

/** A clear message for an error on a file of the home, or null when it is not about one. */
export function homeFileProblem(ctx: ServerContext, error: unknown): string | null {
  const failure = error as NodeJS.ErrnoException | null;
  const file = typeof failure?.path === 'string' ? failure.path : null;
  if (file === null || path.dirname(file) !== ctx.paths.home) return null;
  switch (failure?.code ?? '') {
    case 'EISDIR':
      return (
        `${file} is a folder, but msb and the app keep a file there. Remove the folder (\`rmdir ` +
        `${quote(file)}\`) and try again.`
      );
    case 'EINVAL':
      return (
        `${file} is not a regular file (a pipe or a device?), but msb and the app keep a file there. ` +
        `Remove it (\`rm ${quote(file)}\`) and try again.`
      );
    case 'EACCES':
    case 'EPERM':
      return (
        `${file} cannot be read or written by this user. Check its owner and permissions (\`ls -l ` +
        `${quote(file)}\`).`
      );
    case 'EROFS':
      return `${file} is on a read-only file system.`;
    default:
      return null;
  }
}

function quote(file: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(file) ? file : `'${file.replaceAll("'", `'\\''`)}'`;
}
