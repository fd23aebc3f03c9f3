import { DurationError, parseDuration } from '../../../shared/duration.ts';
import { webcrypto } from 'node:crypto';
import type * as JoseSign from 'jose/jws/compact/sign';
import type * as JoseVerify from 'jose/jws/compact/verify';
import { ALL_NAMESPACES, namespaceProblem } from '../../../shared/namespace.ts';

// jose is loaded on the first mint or check: importing all of it costs tens of milliseconds, which
// a tray app should not pay at launch for a feature used now and then.
type SignModule = typeof JoseSign;
type VerifyModule = typeof JoseVerify;
let signModule: Promise<SignModule> | null = null;
let verifyModule: Promise<VerifyModule> | null = null;
const loadSign = (): Promise<SignModule> => (signModule ??= import('jose/jws/compact/sign'));
const loadVerify = (): Promise<VerifyModule> => (verifyModule ??= import('jose/jws/compact/verify'));

// Importing the HMAC key is most of a mint's cost and nearly all of its jitter, and the server
// key changes rarely: keep the imported (non-extractable) key of the last server key only.
let lastKey: { readonly raw: string; readonly key: Promise<webcrypto.CryptoKey> } | null = null;
function hmacKey(raw: string): Promise<webcrypto.CryptoKey> {
  if (lastKey?.raw !== raw) {
    const key = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(raw),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    lastKey = { raw, key };
    key.catch(() => {
      if (lastKey?.key === key) lastKey = null;
    });
  }
  return lastKey.key;
}

/** What msb puts in front of the compact JWT to make an API key. */
const TOKEN_PREFIX = 'msb_';
const DEFAULT_EXPIRY = '24h';
/** jsonwebtoken's default leeway, which msbserver keeps. */
const EXPIRY_LEEWAY_SECONDS = 60;
/** Numbers of Unix seconds stay below this until the year 5138; a number above it is milliseconds. */
const MILLISECONDS_THRESHOLD = 1e11;
const U64_LIMIT = 2 ** 64;

export interface MintTokenOptions {
  /** The server key; its raw UTF-8 bytes are the HMAC secret. */
  key: string;
  /** Defaults to `*`, all namespaces. */
  namespace?: string;
  /** msb's duration grammar (`24h`, `30d`, …) or a number of seconds. Defaults to `24h`. */
  expiresIn?: string | number;
  /**
   * The issue time: a Date, or a number of Unix seconds. A number of 1e11 or more is taken as
   * milliseconds (as seconds it would lie past the year 5000), so `Date.now()` works too.
   * Defaults to the current time.
   */
  now?: Date | number;
}

export interface MintedToken {
  token: string;
  namespace: string;
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds. */
  expiresAt: number;
}

export interface TokenClaims {
  exp: number;
  iat: number;
  namespace: string;
}

export class TokenError extends Error {
  override name = 'TokenError';
}

/** Mints an API key exactly as `msb server keygen` does. */
export async function mintToken(options: MintTokenOptions): Promise<MintedToken> {
  const namespace = options.namespace ?? ALL_NAMESPACES;
  const problem = namespaceProblem(namespace);
  if (problem !== null) throw new TokenError(problem);
  if (typeof options.key !== 'string' || options.key === '') {
    throw new TokenError('The server key is empty, so no API key can be signed with it.');
  }
  const lifetime = expirySeconds(options.expiresIn ?? DEFAULT_EXPIRY);
  const iat = unixSeconds(options.now);
  const exp = iat + lifetime;
  if (!Number.isSafeInteger(exp)) throw new TokenError('The expiry is too far in the future.');

  // Serialised by hand so the claims are exactly msb's, in msb's order, and nothing else.
  const payload = JSON.stringify({ exp, iat, namespace });
  const { CompactSign } = await loadSign();
  const jws = await new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ typ: 'JWT', alg: 'HS256' })
    .sign(await hmacKey(options.key));
  return { token: TOKEN_PREFIX + jws, namespace, issuedAt: iat, expiresAt: exp };
}

/**
 * The claims of an API key, read WITHOUT checking its signature or expiry: for showing what a
 * key is, never for deciding whether to trust it.
 */
export function readTokenClaims(token: string): TokenClaims {
  const parts = splitToken(token);
  if (typeof parts === 'string') throw new TokenError(parts);
  const claims = decodeClaims(parts.payload);
  if (typeof claims === 'string') throw new TokenError(claims);
  return claims;
}

/**
 * Checks an API key the way msbserver does (jsonwebtoken 9 with `Validation::new(HS256)`), so
 * the tray can tell whether the server would accept it. Bad tokens give a reason, never a throw.
 */
export async function verifyToken(
  token: string,
  key: string,
  options: { now?: Date | number } = {},
): Promise<{ valid: true; claims: TokenClaims } | { valid: false; reason: string }> {
  const now = unixSeconds(options.now);
  const parts = splitToken(token);
  if (typeof parts === 'string') return { valid: false, reason: parts };
  if (parts.header.alg !== 'HS256') {
    return {
      valid: false,
      reason: `The key is signed with ${describeAlg(parts.header.alg)}; the server accepts only HS256.`,
    };
  }
  if (typeof key !== 'string' || key === '') {
    return { valid: false, reason: 'The server key is empty, so no API key can be checked against it.' };
  }
  try {
    const { compactVerify } = await loadVerify();
    await compactVerify(parts.jws, await hmacKey(key), { algorithms: ['HS256'] });
  } catch {
    // which check failed is no business of the caller: the key is refused
    return { valid: false, reason: 'The key was not signed with this server key, or it was altered.' };
  }
  const claims = decodeClaims(parts.payload);
  if (typeof claims === 'string') return { valid: false, reason: claims };
  if (claims.exp < now - EXPIRY_LEEWAY_SECONDS) {
    return { valid: false, reason: `The key expired at ${new Date(claims.exp * 1000).toISOString()}.` };
  }
  return { valid: true, claims };
}

function expirySeconds(expiresIn: string | number): number {
  let seconds: number;
  if (typeof expiresIn === 'number') {
    if (!Number.isSafeInteger(expiresIn)) throw new TokenError('The expiry must be a whole number of seconds.');
    seconds = expiresIn;
  } else {
    try {
      seconds = parseDuration(expiresIn);
    } catch (error) {
      if (error instanceof DurationError) throw new TokenError(error.message, { cause: error });
      throw error;
    }
  }
  // msb accepts 0h, but a key that is dead on arrival is never what someone asking for one wants.
  if (seconds <= 0) throw new TokenError('The expiry must be longer than zero.');
  return seconds;
}

function unixSeconds(now: Date | number | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  const value = now instanceof Date ? now.getTime() / 1000 : now >= MILLISECONDS_THRESHOLD ? now / 1000 : now;
  if (!Number.isFinite(value) || value < 0) throw new TokenError('The issue time must be a valid date after 1970.');
  return Math.floor(value);
}

interface TokenParts {
  /** The compact JWT without the `msb_` prefix. */
  jws: string;
  header: Record<string, unknown>;
  payload: string;
}

const MALFORMED =
  'This is not a complete msb API key: it must be msb_ followed by three base64url parts separated by dots.';

function splitToken(token: string): TokenParts | string {
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX))
    return 'An msb API key starts with "msb_"; this one does not.';
  const jws = token.slice(TOKEN_PREFIX.length);
  const segments = jws.split('.');
  if (segments.length !== 3 || !segments.every(isCanonicalBase64Url)) return MALFORMED;
  const [headerSegment = '', payload = ''] = segments;
  const header = parseJsonObject(headerSegment);
  if (header === null) return 'This is not a valid msb API key: its header cannot be read.';
  return { jws, header, payload };
}

/**
 * The server's base64 decoder refuses padding, stray characters and non-zero spare bits; a
 * segment passes only if re-encoding its bytes gives it back unchanged.
 */
function isCanonicalBase64Url(segment: string): boolean {
  return segment !== '' && Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

function parseJsonObject(segment: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    // not JSON: the caller calls the key malformed
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
}

/** msb's Claims struct holds `exp` and `iat` as u64 and `namespace` as a string. */
function decodeClaims(payloadSegment: string): TokenClaims | string {
  const claims = parseJsonObject(payloadSegment);
  if (claims === null) return 'This is not a valid msb API key: its claims cannot be read.';
  if (Object.hasOwn(claims, 'aud')) return 'The key names an audience (aud), which the server refuses.';
  const { exp, iat, namespace } = claims;
  if (exp === undefined) return 'The key has no expiry time (exp).';
  if (!isU64(exp)) return 'The key’s expiry time (exp) is not a whole number of seconds.';
  if (!isU64(iat)) return 'The key’s issue time (iat) is missing or not a whole number of seconds.';
  if (typeof namespace !== 'string') return 'The key has no namespace.';
  return { exp, iat, namespace };
}

function isU64(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < U64_LIMIT;
}

function describeAlg(alg: unknown): string {
  return typeof alg === 'string' ? `the ${alg} algorithm` : 'no algorithm';
}
