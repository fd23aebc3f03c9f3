// The contract's keygen and authentication rows, end to end: keys minted by the core, from a key
// file written by the core, sent over real HTTP to the msbserver stand-in (whose token check
// shares no code with the app's minting).
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, readServerKey, writeServerKey } from '../../electron/core/index.ts';
import { signTestToken, startStandin, type RunningStandin } from '../fixtures/standin-helpers.ts';

const KEY = 'InteropKey0123456789abcdefghijkl';
/**
 * The calls go to a method msbserver does not have: the auth middleware judges the key first, and
 * only an accepted key gets the router's 404 / -32601 (no side effects, no namespace folders needed).
 */
const PROBE_METHOD = 'interop.no-such-method';
const ACCEPTED = 404;

let dir: string;
let server: RunningStandin;

async function rpc(
  token: string | null,
  namespace: string | null,
  header = 'Authorization',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const params = namespace === null ? {} : { namespace };
  const response = await fetch(`${server.url}/api/v1/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { [header]: `Bearer ${token}` }) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: PROBE_METHOD, params }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-interop-'));
  const home = path.join(dir, 'home');
  await fsp.mkdir(path.join(home, 'namespaces', 'team-a'), { recursive: true });
  await writeServerKey(path.join(home, 'server.key'), KEY);
  // The server gets the key exactly as msb passes it: read back from the file the app wrote.
  const key = await readServerKey(path.join(home, 'server.key'));
  server = await startStandin({ args: ['--key', key ?? ''], env: { MICROSANDBOX_HOME: home } });
});

afterAll(async () => {
  const status = await server.stop();
  expect(status.signal ?? status.code).not.toBeNull();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('keys minted by the core, checked by the server', () => {
  it('accepts a `*` key for any namespace', async () => {
    const { token } = await mintToken({ key: KEY });
    expect((await rpc(token, 'default')).body).toMatchObject({ jsonrpc: '2.0', error: { code: -32601 } });
    expect((await rpc(token, 'default')).status).toBe(ACCEPTED);
    expect((await rpc(token, 'team-a')).status).toBe(ACCEPTED);
  });

  it('accepts a scoped key for its namespace and refuses it for another with 403/3001', async () => {
    const { token } = await mintToken({ key: KEY, namespace: 'team-a', expiresIn: '1h' });
    expect((await rpc(token, 'team-a')).status).toBe(ACCEPTED);
    expect(await rpc(token, 'team-b')).toEqual({ status: 403, body: { error: 'Access denied', code: 3001 } });
  });

  it('refuses a scoped key on a request without params.namespace with 400/2001', async () => {
    const { token } = await mintToken({ key: KEY, namespace: 'team-a' });
    const answer = await rpc(token, null);
    expect(answer.status).toBe(400);
    expect(answer.body['code']).toBe(2001);
  });

  it('takes the key from Proxy-Authorization too', async () => {
    const { token } = await mintToken({ key: KEY });
    expect((await rpc(token, 'default', 'Proxy-Authorization')).status).toBe(ACCEPTED);
  });

  it('accepts a key expired less than 60 s ago (leeway) and refuses one expired longer ago', async () => {
    const now = Math.floor(Date.now() / 1000);
    const recent = await mintToken({ key: KEY, expiresIn: '1h', now: now - 3600 - 30 });
    expect((await rpc(recent.token, 'default')).status).toBe(ACCEPTED);
    const old = await mintToken({ key: KEY, expiresIn: '1h', now: now - 3600 - 120 });
    expect(await rpc(old.token, 'default')).toEqual({
      status: 401,
      body: { error: 'Invalid or expired token', code: 1004 },
    });
  });

  it('refuses a key signed with another server key', async () => {
    const { token } = await mintToken({ key: 'SomeOtherServerKey' });
    expect(await rpc(token, 'default')).toEqual({
      status: 401,
      body: { error: 'Invalid or expired token', code: 1004 },
    });
  });

  it('refuses a key whose payload was changed after signing', async () => {
    const { token } = await mintToken({ key: KEY, namespace: 'team-a' });
    const [header, , signature] = token.slice(4).split('.');
    const forged = Buffer.from(JSON.stringify({ exp: 4102444800, iat: 1, namespace: '*' })).toString('base64url');
    expect((await rpc(`msb_${header}.${forged}.${signature}`, 'default')).body).toEqual({
      error: 'Invalid or expired token',
      code: 1004,
    });
  });

  it('refuses a token of another algorithm, even with the right key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = signTestToken(KEY, { exp: now + 3600, iat: now, namespace: '*' }, { typ: 'JWT', alg: 'HS512' });
    expect((await rpc(token.slice(4), 'default')).status).toBe(401);
    expect((await rpc(token, 'default')).body).toEqual({ error: 'Invalid or expired token', code: 1004 });
  });

  it('refuses a key without the msb_ prefix, and a request without a key, with 401/1001', async () => {
    const { token } = await mintToken({ key: KEY });
    const invalid = { status: 401, body: { error: 'Invalid credentials', code: 1001 } };
    expect(await rpc(token.slice(4), 'default')).toEqual(invalid);
    expect(await rpc(null, 'default')).toEqual(invalid);
  });
});

describe('a key file ending in a newline', () => {
  it('signs with the newline, as msb does, and the server started with that key accepts the token', async () => {
    const home = path.join(dir, 'newline-home');
    await fsp.mkdir(home, { recursive: true });
    const keyFile = path.join(home, 'server.key');
    await fsp.writeFile(keyFile, 'EditedByHandKey\n');
    const key = await readServerKey(keyFile);
    expect(key).toBe('EditedByHandKey\n');
    const other = await startStandin({ args: ['--key', key ?? ''], env: { MICROSANDBOX_HOME: home } });
    try {
      const withNewline = await mintToken({ key: key ?? '' });
      const trimmed = await mintToken({ key: 'EditedByHandKey' });
      const call = async (token: string): Promise<number> =>
        (
          await fetch(`${other.url}/api/v1/rpc`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: PROBE_METHOD, params: { namespace: '*' } }),
          })
        ).status;
      expect(await call(withNewline.token)).toBe(ACCEPTED);
      expect(await call(trimmed.token)).toBe(401);
    } finally {
      await other.stop();
    }
  });
});
