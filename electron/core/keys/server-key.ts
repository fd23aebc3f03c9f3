import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.ts';
import type { AtomicWriteOps } from '../atomic-file.ts';

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

/**
 * The key exactly as msb reads it: no trimming, so a trailing newline is part of the secret.
 * Bytes that are not UTF-8 are refused, as msb refuses them, rather than silently replaced
 * (which would sign with a different secret); a leading BOM is kept for the same reason.
 */
export async function readServerKey(keyFile: string): Promise<string | null> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(keyFile);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return null;
    throw error;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ServerKeyError(`The server key file ${keyFile} is not valid UTF-8 text, so msb cannot use it either.`);
  }
}

/** Writes the key atomically, owner-only, with no newline; the old file survives a failed write. */
export async function writeServerKey(
  keyFile: string,
  key: string,
  options: { ops?: Partial<AtomicWriteOps> } = {},
): Promise<void> {
  validateCustomKey(key);
  await fsp.mkdir(path.dirname(keyFile), { recursive: true });
  await writeFileAtomic(keyFile, key, { mode: KEY_FILE_MODE, ...(options.ops ? { ops: options.ops } : {}) });
}

/**
 * Takes group and other permissions off a key file the CLI wrote with its default 0644.
 * Returns whether the mode changed. Windows has no such modes, so nothing happens there.
 */
export async function tightenKeyFile(keyFile: string): Promise<boolean> {
  if (process.platform === 'win32') return false;
  const { mode } = await fsp.stat(keyFile);
  if ((mode & 0o077) === 0) return false;
  await fsp.chmod(keyFile, KEY_FILE_MODE);
  return true;
}

/**
 * An empty key file gives an empty HMAC secret, with which anyone can sign a token, so it is
 * treated like a missing one (msb would use it as is).
 */
function usable(key: string | null): key is string {
  return key !== null && key !== '';
}

/** The existing key (tightened to 0600) or, when there is none, a new one written to disk. */
export async function ensureServerKey(keyFile: string): Promise<{ key: string; created: boolean }> {
  const existing = await readServerKey(keyFile);
  if (usable(existing)) {
    await tightenKeyFile(keyFile);
    return { key: existing, created: false };
  }
  return createServerKeyIfAbsent(keyFile, existing);
}

/**
 * Writes a fresh key only if no usable one appears meanwhile: a mint and a start (or two app
 * instances) on a new home must end up signing with the same key. The new file is linked into
 * place, which fails if another writer got there first; that writer's key is then used.
 */
async function createServerKeyIfAbsent(keyFile: string, seen: string | null): Promise<{ key: string; created: boolean }> {
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
    await fsp.unlink(temp).catch(() => undefined);
  }
}

/** Replaces the key with a new random one; tokens signed with the old key stop working. */
export async function resetServerKey(keyFile: string): Promise<string> {
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
  options: { customKey?: string; resetKey?: boolean },
): Promise<string> {
  const current = await readServerKey(keyFile);
  let chosen: string;
  if (options.customKey !== undefined) {
    chosen = validateCustomKey(options.customKey);
  } else if (usable(current) && options.resetKey !== true) {
    chosen = current;
  } else if (options.resetKey !== true) {
    return (await createServerKeyIfAbsent(keyFile, current)).key;
  } else {
    chosen = generateServerKey();
  }
  if (chosen === current) {
    await tightenKeyFile(keyFile);
  } else {
    await writeServerKey(keyFile, chosen);
  }
  return chosen;
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
