import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.ts';
import type { AtomicWriteOps } from '../atomic-file.ts';
import { probe } from '../base/probe.ts';

/** The length msb gives the keys it generates. */
export const SERVER_KEY_LENGTH = 32;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// The largest multiple of 62 a byte can hold: bytes at or above it are thrown away, because
// folding them in with `% 62` would make the first eight characters likelier than the rest.
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);

const KEY_FILE_MODE = 0o600;

export class ServerKeyError extends Error {
  override name = 'ServerKeyError';
}

/** A fresh random key of the kind msb generates: 32 characters of `[A-Za-z0-9]`. */
export function generateServerKey(): string {
  let key = '';
  while (key.length < SERVER_KEY_LENGTH) {
    for (const byte of randomBytes(SERVER_KEY_LENGTH * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      key += ALPHABET.charAt(byte % ALPHABET.length);
      if (key.length === SERVER_KEY_LENGTH) break;
    }
  }
  return key;
}

// Line breaks would make the key file look like several lines and are almost always a pasting
// accident; NUL cannot travel in a command-line argument, which is how msbserver receives the key.
const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/u;
// In a `u` regex a well-formed surrogate pair is one code point, so only a lone half matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `key` cannot be used as a server key, or null when it can. The key is taken verbatim. */
export function customKeyProblem(key: string): string | null {
  if (typeof key !== 'string') return 'The server key must be text.';
  if (key === '') return 'The server key cannot be empty.';
  if (blank(key)) return 'The server key cannot be only blank characters (spaces, tabs): anyone could guess it.';
  if (key.includes('\0')) return 'The server key cannot contain a NUL character.';
  if (LINE_BREAK.test(key)) return 'The server key must be a single line: remove the line breaks from it.';
  if (LONE_SURROGATE.test(key)) {
    return 'The server key contains a broken character (an unpaired UTF-16 surrogate) that cannot be saved as UTF-8.';
  }
  return null;
}

export function validateCustomKey(key: string): string {
  const problem = customKeyProblem(key);
  if (problem !== null) throw new ServerKeyError(problem);
  return key;
}

/** Where a key's problems that do not stop it from working are told. */
export interface KeyFileOptions {
  /** Called with a warning (who can read the key, and how to fix it). */
  readonly onWarning?: (warning: string) => void;
}

// Never through a link: a linked server.key would make its target the secret (and, tightened,
// change that target's mode). O_NONBLOCK so that a FIFO planted there cannot hang the open.
const OPEN_KEY = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

function linkRefusal(keyFile: string, target: string | null): ServerKeyError {
  const to = target === null ? '' : ` to ${target}`;
  return new ServerKeyError(
    `${keyFile} is a symbolic link${to}. The server key is never read or written through a link; replace the ` +
      `link with a file of its own ` +
      `(for example \`cp --remove-destination "$(readlink -f ${keyFile})" ${keyFile}\`, then \`chmod 600 ` +
      `${keyFile}\`).`,
  );
}

/** Opens the key without following a link; null when there is none. */
async function openKey(keyFile: string): Promise<fsp.FileHandle | null> {
  try {
    return await fsp.open(keyFile, OPEN_KEY);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return null;
    if (isErrnoException(error) && (error.code === 'ELOOP' || error.code === 'EMLINK')) {
      throw linkRefusal(keyFile, await probe(fsp.readlink(keyFile)));
    }
    throw error;
  }
}

/**
 * The key exactly as msb reads it: no trimming, so a trailing newline is part of the secret.
 * Bytes that are not UTF-8 are refused, as msb refuses them, rather than silently replaced
 * (which would sign with a different secret); a leading BOM is kept for the same reason.
 * A key that is a link, or not a regular file, is refused with the way to fix it.
 */
export async function readServerKey(keyFile: string): Promise<string | null> {
  const handle = await openKey(keyFile);
  if (handle === null) return null;
  let bytes: Buffer;
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      throw new ServerKeyError(
        `${keyFile} is a folder, but msb and the app keep the server key in a file there. Remove the folder ` +
          `(\`rmdir ${shellQuote(keyFile)}\`, once it is empty) and try again.`,
      );
    }
    if (!stat.isFile()) {
      throw new ServerKeyError(
        `${keyFile} is not a regular file, so it cannot hold the server key. Remove it and try again.`,
      );
    }
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // the decoder's error says no more than this message
    throw new ServerKeyError(`The server key file ${keyFile} is not valid UTF-8 text, so msb cannot use it either.`);
  }
}

/** Refuses to write where a link stands: the key would silently stop being what the link shared. */
async function refuseLink(keyFile: string): Promise<void> {
  const stat = await probe(fsp.lstat(keyFile));
  if (stat?.isSymbolicLink() === true) throw linkRefusal(keyFile, await probe(fsp.readlink(keyFile)));
}

/** Writes the key atomically, owner-only, with no newline; the old file survives a failed write. */
export async function writeServerKey(
  keyFile: string,
  key: string,
  options: { ops?: Partial<AtomicWriteOps> } = {},
): Promise<void> {
  validateCustomKey(key);
  await fsp.mkdir(path.dirname(keyFile), { recursive: true });
  await refuseLink(keyFile);
  await writeFileAtomic(keyFile, key, { mode: KEY_FILE_MODE, ...(options.ops ? { ops: options.ops } : {}) });
}

/**
 * Takes group and other permissions off a key file the CLI wrote with its default 0644, on the
 * very file opened (never through a link). Best effort: a key owned by root (left by
 * `sudo msb server start`) or on a read-only home stays usable, with a warning that says who can
 * read it and how to fix it. Returns whether the mode changed. Windows has no such modes.
 */
export async function tightenKeyFile(keyFile: string, options: KeyFileOptions = {}): Promise<boolean> {
  if (process.platform === 'win32') return false;
  const handle = await openKey(keyFile);
  if (handle === null) return false;
  try {
    const stat = await handle.stat();
    // A folder or a pipe there holds no key to protect, and its mode is not the app's to change.
    if (!stat.isFile()) return false;
    const { mode, uid } = stat;
    if ((mode & 0o077) === 0) return false;
    try {
      await handle.chmod(KEY_FILE_MODE);
      return true;
    } catch (error) {
      options.onWarning?.(looseKeyWarning(keyFile, mode, uid, error));
      return false;
    }
  } finally {
    await handle.close();
  }
}

function looseKeyWarning(keyFile: string, mode: number, uid: number, error: unknown): string {
  const readers = (mode & 0o004) !== 0 ? 'every user on this computer' : 'its group';
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  const owner = uid === 0 ? 'root' : `uid ${uid}`;
  const readOnly = isErrnoException(error) && error.code === 'EROFS';
  const why = readOnly ? 'it is on a read-only file system' : `it belongs to ${owner}`;
  return (
    `${keyFile} can be read by ${readers} (mode ${octal}), and the app could not make it private because ${why}. ` +
    `Anyone who reads it can mint keys for this server. Fix: \`sudo chown "$USER" ${keyFile} && chmod 600 ${keyFile}\`.`
  );
}

/**
 * An empty key file gives an empty HMAC secret, with which anyone can sign a token, so it is
 * treated like a missing one (msb 0.2.6 would use it as is). So is one of only whitespace, such as
 * the lone newline an editor leaves: msb reads it verbatim too, a one-byte secret anyone can guess.
 */
function usable(key: string | null): key is string {
  return key !== null && !blank(key);
}

/** Empty, or nothing but whitespace (Unicode's, and a byte-order mark, as `trim` sees it). */
function blank(key: string): boolean {
  return key.trim() === '';
}

/** A path as a shell command line takes it. */
function shellQuote(file: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(file) ? file : `'${file.replaceAll("'", `'\\''`)}'`;
}

/** The existing key (tightened to 0600) or, when there is none, a new one written to disk. */
export async function ensureServerKey(
  keyFile: string,
  options: KeyFileOptions = {},
): Promise<{ key: string; created: boolean }> {
  const existing = await readServerKey(keyFile);
  if (usable(existing)) {
    await tightenKeyFile(keyFile, options);
    return { key: existing, created: false };
  }
  return createServerKeyIfAbsent(keyFile, existing, options);
}

/**
 * Writes a fresh key only if no usable one appears meanwhile: a mint and a start (or two app
 * instances) on a new home must end up signing with the same key. The new file is linked into
 * place, which fails if another writer got there first; that writer's key is then used.
 */
async function createServerKeyIfAbsent(
  keyFile: string,
  seen: string | null,
  options: KeyFileOptions = {},
): Promise<{ key: string; created: boolean }> {
  const key = generateServerKey();
  if (seen !== null) {
    // An empty file: replace it (a link cannot), as a missing key would be.
    await writeServerKey(keyFile, key);
    return { key, created: true };
  }
  const temp = path.join(path.dirname(keyFile), `.${path.basename(keyFile)}.${randomBytes(6).toString('hex')}.new`);
  await writeFileAtomic(temp, key, { mode: KEY_FILE_MODE });
  try {
    await fsp.link(temp, keyFile);
    return { key, created: true };
  } catch (error) {
    if (!isErrnoException(error)) throw error;
    if (error.code === 'EEXIST') {
      const winner = await readServerKey(keyFile);
      if (usable(winner)) return { key: winner, created: false };
      await writeServerKey(keyFile, key);
      return { key, created: true };
    }
    // File systems without hard links: the plain atomic write.
    await writeServerKey(keyFile, key);
    return { key, created: true };
  } finally {
    await fsp.unlink(temp).catch((error: unknown) => {
      // Left behind, the temporary copy (mode 0600) would be a second copy of the key: say so.
      if (!isErrnoException(error) || error.code !== 'ENOENT')
        options.onWarning?.(`A temporary copy of the server key, ${temp}, could not be removed: ${String(error)}`);
    });
  }
}

/** Replaces the key with a new random one; tokens signed with the old key stop working. */
export async function resetServerKey(keyFile: string): Promise<string> {
  await refuseLink(keyFile);
  const key = generateServerKey();
  await writeServerKey(keyFile, key);
  return key;
}

/**
 * The key `msb server start` would pass to msbserver in secure mode: a custom key wins and
 * replaces server.key; else the existing server.key unless a reset is asked for; else a fresh
 * random key. The chosen key ends up in server.key with mode 0600.
 *
 * An existing key is used verbatim, even with a trailing newline, because tokens minted by the
 * CLI were signed with exactly those bytes. A custom key is validated; an empty string is an
 * error rather than "no custom key", so that a blank field cannot silently keep the old key.
 */
export async function chooseStartKey(
  keyFile: string,
  options: { customKey?: string; resetKey?: boolean } & KeyFileOptions,
): Promise<string> {
  const current = await readServerKey(keyFile);
  let chosen: string;
  if (options.customKey !== undefined) {
    chosen = validateCustomKey(options.customKey);
  } else if (usable(current) && options.resetKey !== true) {
    chosen = current;
  } else if (options.resetKey !== true) {
    return (await createServerKeyIfAbsent(keyFile, current, options)).key;
  } else {
    chosen = generateServerKey();
  }
  if (chosen === current) {
    await tightenKeyFile(keyFile, options);
  } else {
    await writeServerKey(keyFile, chosen);
  }
  return chosen;
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
