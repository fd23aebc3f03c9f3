import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenError, mintToken, readTokenClaims, verifyToken } from '../../../../electron/core/keys/token.ts';

const KEY = 'S3cretServerKeyS3cretServerKey12';
const JAN_2024 = 1_704_067_200; // 2024-01-01T00:00:00Z

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function fromB64(segment: string): string {
  return Buffer.from(segment, 'base64url').toString('utf8');
}

/** A token built by hand with node:crypto, independent of the code under test. */
function craft(
  header: object | string,
  claims: object | string,
  key: string = KEY,
  hash: 'sha256' | 'sha384' = 'sha256',
): string {
  const h = b64(typeof header === 'string' ? header : JSON.stringify(header));
  const p = b64(typeof claims === 'string' ? claims : JSON.stringify(claims));
  const signature = createHmac(hash, Buffer.from(key, 'utf8')).update(`${h}.${p}`).digest('base64url');
  return `msb_${h}.${p}.${signature}`;
}

const HS256 = { typ: 'JWT', alg: 'HS256' };

function parts(token: string): [string, string, string] {
  const [h = '', p = '', s = ''] = token.slice(4).split('.');
  return [h, p, s];
}

describe('mintToken', () => {
  it('produces msb_ + a compact JWT with exactly msb’s header and claims', async () => {
    const minted = await mintToken({ key: KEY, namespace: 'team-a', expiresIn: '2h', now: JAN_2024 });
    expect(minted.token.startsWith('msb_')).toBe(true);
    const [h, p, s] = parts(minted.token);
    expect(fromB64(h)).toBe('{"typ":"JWT","alg":"HS256"}');
    expect(fromB64(p)).toBe(`{"exp":${JAN_2024 + 7200},"iat":${JAN_2024},"namespace":"team-a"}`);
    // Base64url without padding, and the signature is plain HMAC-SHA256 over the raw key bytes.
    expect(minted.token).toMatch(/^msb_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(s).toBe(createHmac('sha256', KEY).update(`${h}.${p}`).digest('base64url'));
    expect(minted).toEqual({
      token: minted.token,
      namespace: 'team-a',
      issuedAt: JAN_2024,
      expiresAt: JAN_2024 + 7200,
    });
  });

  it('defaults to all namespaces, 24 hours, and the current time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const minted = await mintToken({ key: KEY });
    const after = Math.floor(Date.now() / 1000);
    expect(minted.namespace).toBe('*');
    expect(minted.expiresAt - minted.issuedAt).toBe(86_400);
    expect(minted.issuedAt).toBeGreaterThanOrEqual(before);
    expect(minted.issuedAt).toBeLessThanOrEqual(after);
    expect(JSON.parse(fromB64(parts(minted.token)[1]))).toEqual({
      exp: minted.expiresAt,
      iat: minted.issuedAt,
      namespace: '*',
    });
  });

  it.each([
    ['30d', 30 * 86_400],
    [' 1w ', 7 * 86_400],
    ['3', 3 * 3_600],
    ['1y', 365 * 86_400],
    [3_600, 3_600],
    [1, 1],
  ])('takes expiresIn %j as %d seconds', async (expiresIn, seconds) => {
    const minted = await mintToken({ key: KEY, expiresIn, now: JAN_2024 });
    expect(minted.expiresAt - minted.issuedAt).toBe(seconds);
  });

  it.each([
    ['a Date', new Date('2024-01-01T00:00:00.900Z')],
    ['Unix seconds', JAN_2024],
    ['fractional Unix seconds', JAN_2024 + 0.9],
    ['milliseconds', JAN_2024 * 1000 + 900],
  ])('takes now as %s', async (_label, now) => {
    const minted = await mintToken({ key: KEY, now });
    expect(minted.issuedAt).toBe(JAN_2024);
    expect(Number.isInteger(minted.issuedAt) && Number.isInteger(minted.expiresAt)).toBe(true);
  });

  const failures: [string, Parameters<typeof mintToken>[0], RegExp][] = [
    ['a bad namespace', { key: KEY, namespace: '-bad' }, /start with a letter or a digit/],
    ['an empty namespace', { key: KEY, namespace: '' }, /Enter a namespace/],
    ['a namespace that is too long', { key: KEY, namespace: 'n'.repeat(64) }, /at most 63/],
    ['a zero expiry', { key: KEY, expiresIn: '0h' }, /longer than zero/],
    ['a zero number expiry', { key: KEY, expiresIn: 0 }, /longer than zero/],
    ['a negative expiry', { key: KEY, expiresIn: -60 }, /longer than zero/],
    ['a fractional expiry', { key: KEY, expiresIn: 1.5 }, /whole number/],
    ['a NaN expiry', { key: KEY, expiresIn: Number.NaN }, /whole number/],
    ['bad grammar', { key: KEY, expiresIn: '1 day' }, /not a valid duration/],
    ['an upper-case unit', { key: KEY, expiresIn: '1H' }, /not a valid duration/],
    ['an expiry beyond i64', { key: KEY, expiresIn: '9223372036854775807' }, /too large/],
    [
      'an exp that is not a safe integer',
      { key: KEY, expiresIn: `${Number.MAX_SAFE_INTEGER}s` },
      /too far in the future/,
    ],
    ['an empty key', { key: '' }, /server key is empty/],
    ['an invalid date', { key: KEY, now: new Date('nope') }, /valid date/],
    ['a negative time', { key: KEY, now: -1 }, /valid date/],
  ];
  it.each(failures)('refuses %s with a TokenError', async (_label, options, message) => {
    const attempt = mintToken(options);
    await expect(attempt).rejects.toThrow(TokenError);
    await expect(mintToken(options)).rejects.toThrow(message);
  });
});

describe('readTokenClaims', () => {
  it('reads the claims of a minted token', async () => {
    const { token } = await mintToken({ key: KEY, namespace: 'ns1', expiresIn: 60, now: JAN_2024 });
    expect(readTokenClaims(token)).toEqual({ exp: JAN_2024 + 60, iat: JAN_2024, namespace: 'ns1' });
  });

  it('does not check the signature or the expiry', () => {
    const token = craft(HS256, { exp: 1, iat: 0, namespace: '*' }, 'some other key');
    expect(readTokenClaims(token)).toEqual({ exp: 1, iat: 0, namespace: '*' });
  });

  const good = craft(HS256, { exp: JAN_2024, iat: JAN_2024, namespace: '*' });
  const [h, , s] = parts(good);
  const bad: [string, string, RegExp][] = [
    ['no prefix', good.slice(4), /starts with "msb_"/],
    ['a Bearer prefix', `Bearer ${good}`, /starts with "msb_"/],
    ['an upper-case prefix', `MSB_${good.slice(4)}`, /starts with "msb_"/],
    ['the prefix alone', 'msb_', /not a complete msb API key/],
    ['two parts', `msb_${h}.${s}`, /not a complete/],
    ['four parts', `${good}.${s}`, /not a complete/],
    ['base64 padding', `${good}=`, /not a complete/],
    ['standard base64 characters', `msb_${h}.${b64('{"exp":1,"iat":1,"namespace":"*"}')}+.${s}`, /not a complete/],
    ['a space', `${good} `, /not a complete/],
    ['a header that is not JSON', `msb_${b64('nope')}.${b64('{}')}.${s}`, /header cannot be read/],
    ['claims that are not JSON', `msb_${h}.${b64('{nope')}.${s}`, /claims cannot be read/],
    ['claims that are an array', `msb_${h}.${b64('[1,2]')}.${s}`, /claims cannot be read/],
    ['no exp', craft(HS256, { iat: 1, namespace: '*' }), /no expiry/],
    ['a float exp', craft(HS256, { exp: 1.5, iat: 1, namespace: '*' }), /expiry time \(exp\) is not a whole number/],
    ['a string exp', craft(HS256, { exp: '1', iat: 1, namespace: '*' }), /expiry time \(exp\) is not a whole number/],
    ['a negative exp', craft(HS256, { exp: -1, iat: 1, namespace: '*' }), /not a whole number/],
    ['no iat', craft(HS256, { exp: 1, namespace: '*' }), /issue time \(iat\) is missing/],
    ['no namespace', craft(HS256, { exp: 1, iat: 1 }), /no namespace/],
    ['a numeric namespace', craft(HS256, { exp: 1, iat: 1, namespace: 7 }), /no namespace/],
  ];
  it.each(bad)('refuses %s with a TokenError', (_label, token, message) => {
    expect(() => readTokenClaims(token)).toThrow(TokenError);
    expect(() => readTokenClaims(token)).toThrow(message);
  });
});

describe('verifyToken', () => {
  const NOW = JAN_2024;

  it('accepts its own tokens and returns their claims', async () => {
    const { token } = await mintToken({ key: KEY, namespace: 'dev', expiresIn: '1h', now: NOW });
    expect(await verifyToken(token, KEY, { now: NOW })).toEqual({
      valid: true,
      claims: { exp: NOW + 3600, iat: NOW, namespace: 'dev' },
    });
  });

  it('accepts a token signed by hand the way msb signs it', async () => {
    const token = craft(HS256, { exp: NOW + 10, iat: NOW, namespace: '*' });
    expect(await verifyToken(token, KEY, { now: new Date(NOW * 1000) })).toMatchObject({ valid: true });
  });

  it('uses the current time by default', async () => {
    const { token } = await mintToken({ key: KEY, expiresIn: 60 });
    expect(await verifyToken(token, KEY)).toMatchObject({ valid: true });
    const old = await mintToken({ key: KEY, expiresIn: 60, now: JAN_2024 });
    expect(await verifyToken(old.token, KEY)).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/expired/) as unknown,
    });
  });

  it('rejects a token signed with another key', async () => {
    const { token } = await mintToken({ key: 'other key', now: NOW });
    expect(await verifyToken(token, KEY, { now: NOW })).toEqual({
      valid: false,
      reason: 'The key was not signed with this server key, or it was altered.',
    });
  });

  it('rejects a tampered token', async () => {
    const { token } = await mintToken({ key: KEY, namespace: 'small', now: NOW });
    const [h, , s] = parts(token);
    const widened = `msb_${h}.${b64(JSON.stringify({ exp: NOW + 86_400, iat: NOW, namespace: '*' }))}.${s}`;
    expect(await verifyToken(widened, KEY, { now: NOW })).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/altered/) as unknown,
    });
  });

  it('allows 60 seconds of leeway after exp, and not one more', async () => {
    const token = craft(HS256, { exp: NOW, iat: NOW - 10, namespace: '*' });
    expect(await verifyToken(token, KEY, { now: NOW + 60 })).toMatchObject({ valid: true });
    expect(await verifyToken(token, KEY, { now: NOW + 61 })).toEqual({
      valid: false,
      reason: 'The key expired at 2024-01-01T00:00:00.000Z.',
    });
  });

  it('does not check nbf or iat, as the server does not', async () => {
    const token = craft(HS256, { exp: NOW + 100, iat: NOW + 10_000, nbf: NOW + 10_000, namespace: '*' });
    expect(await verifyToken(token, KEY, { now: NOW })).toMatchObject({ valid: true });
  });

  it('rejects any aud claim', async () => {
    const token = craft(HS256, { exp: NOW + 100, iat: NOW, namespace: '*', aud: 'msb' });
    expect(await verifyToken(token, KEY, { now: NOW })).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/audience/) as unknown,
    });
  });

  it('rejects algorithms other than HS256, even when correctly signed', async () => {
    const claims = { exp: NOW + 100, iat: NOW, namespace: '*' };
    const hs384 = craft({ typ: 'JWT', alg: 'HS384' }, claims, KEY, 'sha384');
    expect(await verifyToken(hs384, KEY, { now: NOW })).toEqual({
      valid: false,
      reason: 'The key is signed with the HS384 algorithm; the server accepts only HS256.',
    });
    const [h, p] = parts(craft({ alg: 'none' }, claims));
    expect(await verifyToken(`msb_${h}.${p}.`, KEY, { now: NOW })).toMatchObject({ valid: false });
    expect(await verifyToken(craft({ alg: 'none' }, claims), KEY, { now: NOW })).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/only HS256/) as unknown,
    });
    expect(await verifyToken(craft({ typ: 'JWT' }, claims), KEY, { now: NOW })).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/no algorithm/) as unknown,
    });
  });

  it('requires integer exp and iat and a string namespace, even with a good signature', async () => {
    for (const claims of [
      { exp: NOW + 100.5, iat: NOW, namespace: '*' },
      { exp: NOW + 100, iat: NOW + 0.5, namespace: '*' },
      { exp: NOW + 100, namespace: '*' },
      { iat: NOW, namespace: '*' },
      { exp: NOW + 100, iat: NOW },
      { exp: NOW + 100, iat: NOW, namespace: null },
      { exp: -1, iat: NOW, namespace: '*' },
    ]) {
      expect(await verifyToken(craft(HS256, claims), KEY, { now: NOW })).toMatchObject({ valid: false });
    }
  });

  it('rejects padding and non-canonical base64, which the server’s decoder refuses', async () => {
    const token = craft(HS256, { exp: NOW + 100, iat: NOW, namespace: '*' });
    expect(await verifyToken(`${token}=`, KEY, { now: NOW })).toMatchObject({ valid: false });
    // An HMAC-SHA256 signature is 32 bytes: 43 characters whose last one carries 2 spare bits.
    const [h, p, s] = parts(token);
    const last = s.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    expect(Buffer.from(s.slice(0, -1) + sameBytes, 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    expect(await verifyToken(`msb_${h}.${p}.${s.slice(0, -1)}${sameBytes}`, KEY, { now: NOW })).toMatchObject({
      valid: false,
    });
  });

  it.each([
    ['', /starts with "msb_"/],
    ['msb_', /not a complete/],
    ['msb_a.b.c', /not a complete/],
    ['msb_abcd.abcd.abcd', /header cannot be read/],
    ['Bearer msb_x.y.z', /starts with "msb_"/],
    ['garbage', /starts with "msb_"/],
  ])('explains why %j is refused, without throwing', async (token, reason) => {
    const result = await verifyToken(token, KEY, { now: NOW });
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.reason).toMatch(reason);
  });

  it('refuses to check anything against an empty server key', async () => {
    const token = craft(HS256, { exp: NOW + 100, iat: NOW, namespace: '*' }, '');
    expect(await verifyToken(token, '', { now: NOW })).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/empty/) as unknown,
    });
  });
});
