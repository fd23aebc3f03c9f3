import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CHECK_METHOD, checkKeyWithServer, checkMintedKey } from '../../../../electron/core/keys/key-check.ts';
import { mintToken } from '../../../../electron/core/keys/token.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { ServerSnapshot } from '../../../../shared/server-status.ts';
import { signTestToken, startStandin } from '../../../fixtures/standin-helpers.ts';
import type { RunningStandin } from '../../../fixtures/standin-helpers.ts';

const KEY = 'abcdefghijklmnopqrstuvwxyz012345';
/** What msbserver's router answers for a method it does not have, once the key was accepted. */
const METHOD_NOT_FOUND = '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1}';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: string;
}

/** A tiny HTTP server whose answer each test chooses, recording what it was sent. */
class ScriptedServer {
  server: Server;
  seen: Seen[] = [];
  answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(404).end(METHOD_NOT_FOUND);
  url = '';
  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
        this.answer(req, res);
      });
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function running(url: string, extra: Partial<ServerSnapshot> = {}): ServerSnapshot {
  return { ...INITIAL_SNAPSHOT, state: 'running', pid: 99, url, devMode: false, startedAt: 1, healthy: true, ...extra };
}

describe('checkKeyWithServer against a scripted server', () => {
  const scripted = new ScriptedServer();
  beforeAll(() => scripted.listen());
  afterAll(() => scripted.close());
  afterEach(() => {
    scripted.seen = [];
    scripted.answer = (_req, res) => res.writeHead(404).end(METHOD_NOT_FOUND);
  });

  it('sends one call of a method that does not exist, with the bearer token and the namespace', async () => {
    const result = await checkKeyWithServer({ url: `${scripted.url}/`, token: 'msb_x.y.z', namespace: 'team-a' });
    expect(result).toEqual({ result: 'accepted' });
    expect(scripted.seen).toHaveLength(1);
    const [seen] = scripted.seen;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/api/v1/rpc');
    expect(seen?.authorization).toBe('Bearer msb_x.y.z');
    expect(JSON.parse(seen?.body ?? '')).toEqual({
      jsonrpc: '2.0',
      method: KEY_CHECK_METHOD,
      params: { namespace: 'team-a' },
      id: 1,
    });
  });

  it.each([401, 403])('reports %i as refused, explaining the key differs, without the token', async (status) => {
    scripted.answer = (_req, res) => res.writeHead(status).end('{"error":"Invalid or expired token","code":1004}');
    const result = await checkKeyWithServer({ url: scripted.url, token: 'msb_secret.token.value', namespace: '*' });
    expect(result.result).toBe('refused');
    if (result.result === 'refused') {
      expect(result.message).toMatch(/server\.key/);
      expect(result.message).toMatch(/restart the server|Restart the server/);
      expect(result.message).not.toContain('msb_secret');
    }
  });

  it.each([200, 400, 404, 500, 502])('reports %i without a JSON-RPC error as not checked', async (status) => {
    scripted.answer = (_req, res) => res.writeHead(status).end();
    const result = await checkKeyWithServer({ url: scripted.url, token: 'msb_t', namespace: '*' });
    expect(result).toEqual({ result: 'not-checked', message: expect.stringContaining(`HTTP ${status}`) as unknown });
  });

  it(
    'counts a JSON-RPC error (method not found, invalid request) as accepted: the router runs only after ' +
      'authentication',
    async () => {
      expect(await checkKeyWithServer({ url: scripted.url, token: 'msb_t', namespace: 'x' })).toEqual({
        result: 'accepted',
      });
      scripted.answer = (_req, res) =>
        res.writeHead(400).end('{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":1}');
      expect(await checkKeyWithServer({ url: scripted.url, token: 'msb_t', namespace: 'x' })).toEqual({
        result: 'accepted',
      });
      // The auth layer's own 400 (a scoped key without params.namespace) is no JSON-RPC answer.
      scripted.answer = (_req, res) => res.writeHead(400).end('{"error":"Namespace is required","code":2001}');
      expect((await checkKeyWithServer({ url: scripted.url, token: 'msb_t', namespace: 'x' })).result).toBe(
        'not-checked',
      );
    },
  );

  it.each(['not json', '{"code":9}', '[1]', 'null', `{"jsonrpc":"2.0","error":{},"pad":"${'x'.repeat(70_000)}"}`])(
    'counts any other 404 body as not checked (%#)',
    async (body) => {
      scripted.answer = (_req, res) => res.writeHead(404).end(body);
      expect((await checkKeyWithServer({ url: scripted.url, token: 'msb_t', namespace: 'x' })).result).toBe(
        'not-checked',
      );
    },
  );

  it('does not follow a redirect with the key', async () => {
    scripted.answer = (_req, res) => res.writeHead(307, { Location: 'http://127.0.0.1:1/elsewhere' }).end();
    const result = await checkKeyWithServer({ url: scripted.url, token: 'msb_t', namespace: '*' });
    expect(result.result).toBe('not-checked');
    expect(scripted.seen).toHaveLength(1);
  });

  it('gives up after the timeout', async () => {
    scripted.answer = () => undefined; // never answers
    const started = Date.now();
    const result = await checkKeyWithServer({ url: scripted.url, token: 'msb_t', namespace: '*', timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toEqual({
      result: 'not-checked',
      message: expect.stringMatching(/did not answer within 0\.2 seconds/) as unknown,
    });
  });

  it('reports an unreachable server as not checked', async () => {
    const closed = new ScriptedServer();
    await closed.listen();
    const url = closed.url;
    await closed.close();
    const result = await checkKeyWithServer({ url, token: 'msb_t', namespace: '*' });
    expect(result).toEqual({
      result: 'not-checked',
      message: expect.stringMatching(/could not be reached/) as unknown,
    });
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch: typeof fetch = (input) => {
      calls.push(input instanceof Request ? input.url : input.toString());
      return Promise.resolve(new Response(METHOD_NOT_FOUND, { status: 404 }));
    };
    expect(
      await checkKeyWithServer({ url: 'http://10.9.9.9:1', token: 'msb_t', namespace: '*', fetch: fakeFetch }),
    ).toEqual({
      result: 'accepted',
    });
    expect(calls).toEqual(['http://10.9.9.9:1/api/v1/rpc']);
  });
});

describe('checkMintedKey decides whether to ask', () => {
  const never: typeof fetch = () => Promise.reject(new Error('must not be called'));

  it.each([
    ['stopped', { ...INITIAL_SNAPSHOT }, /not running/],
    ['starting', running('http://127.0.0.1:1', { state: 'starting', healthy: null }), /not running/],
    ['stopping', running('http://127.0.0.1:1', { state: 'stopping' }), /not running/],
    ['failed', { ...INITIAL_SNAPSHOT, state: 'failed' as const }, /not running/],
    ['dev mode', running('http://127.0.0.1:1', { devMode: true }), /development mode/],
    ['unhealthy', running('http://127.0.0.1:1', { healthy: false }), /health check/],
  ])('does not check when %s', async (_name, snapshot, reason) => {
    const result = await checkMintedKey({ snapshot, token: 'msb_t', namespace: '*', fetch: never });
    expect(result.result).toBe('not-checked');
    if (result.result === 'not-checked') expect(result.message).toMatch(reason);
  });
});

describe('checkKeyWithServer against the msbserver stand-in', () => {
  let standin: RunningStandin;
  let tmp: string;

  beforeAll(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'key-check-'));
    standin = await startStandin({
      args: ['--key', KEY, '--path', path.join(tmp, 'namespaces')],
      env: { MICROSANDBOX_HOME: tmp },
    });
  });

  afterAll(async () => {
    await standin.stop();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('accepts a key minted with the server key, for * and for a scoped namespace', async () => {
    // `team-a` has no folder: the check needs none, and creates none.
    for (const namespace of ['*', 'default', 'team-a']) {
      const { token } = await mintToken({ key: KEY, namespace });
      expect(await checkMintedKey({ snapshot: running(standin.url), token, namespace })).toEqual({
        result: 'accepted',
      });
    }
    await expect(fsp.readdir(path.join(tmp, 'namespaces'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a key minted with another key, and an expired one', async () => {
    const { token } = await mintToken({ key: 'another-key', namespace: '*' });
    expect((await checkKeyWithServer({ url: standin.url, token, namespace: '*' })).result).toBe('refused');
    const scoped = await mintToken({ key: 'another-key', namespace: 'team-a' });
    expect((await checkKeyWithServer({ url: standin.url, token: scoped.token, namespace: 'team-a' })).result).toBe(
      'refused',
    );
    const expired = signTestToken(KEY, { exp: 1_000, iat: 0, namespace: '*' });
    expect((await checkKeyWithServer({ url: standin.url, token: expired, namespace: '*' })).result).toBe('refused');
  });
});
