import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HEALTH_PATH, checkHealth, waitForHealth } from '../../../../electron/core/server/health.ts';
import { serverUrl } from '../../../../shared/server-url.ts';
import { freePort } from '../../../fixtures/standin-helpers.ts';
import { waitFor } from '../../../support/wait-for.ts';

const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(server.listening).toBe(false);
  }
});

interface TestServer {
  url: string;
  port: number;
  requests: string[];
}

async function listen(handler: http.RequestListener, port = 0): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${actual}`, port: actual, requests };
}

function answer(status: number): http.RequestListener {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: status === 200 ? 'Service is healthy' : 'nope' }));
  };
}

/** Accepts the connection and the request, and never answers. */
const silent: http.RequestListener = () => undefined;

describe('checkHealth', () => {
  it('is true for a 200 on GET /api/v1/health', async () => {
    const server = await listen(answer(200));
    expect(await checkHealth(server.url)).toBe(true);
    expect(HEALTH_PATH).toBe('/api/v1/health');
    expect(server.requests).toEqual(['GET /api/v1/health']);
  });

  it.each([503, 500, 404, 401, 204, 301])('is false for a %d', async (status) => {
    const server = await listen(answer(status));
    expect(await checkHealth(server.url)).toBe(false);
  });

  it('is false for a refused connection', async () => {
    const port = await freePort();
    expect(await checkHealth(`http://127.0.0.1:${port}`)).toBe(false);
  });

  it('is false, without hanging, for a server that never answers', async () => {
    const server = await listen(silent);
    expect(await checkHealth(server.url, 100)).toBe(false);
    expect(server.requests).toEqual(['GET /api/v1/health']);
  });

  it('is false for a server that closes the connection without answering', async () => {
    const server = await listen((req) => req.socket.destroy());
    expect(await checkHealth(server.url)).toBe(false);
  });

  it('is true as soon as the status line arrives, even if the body never ends', async () => {
    const server = await listen((_req, res) => {
      res.writeHead(200);
      res.write('{"message":');
    });
    expect(await checkHealth(server.url, 5000)).toBe(true);
  });

  it('never throws, even for a malformed URL', async () => {
    await expect(checkHealth('http://[::1')).resolves.toBe(false);
    await expect(checkHealth('not a url')).resolves.toBe(false);
  });

  it('answers many checks in a row without keeping connections (no agent pool)', async () => {
    const server = await listen(answer(200));
    const results = await Promise.all(Array.from({ length: 20 }, () => checkHealth(server.url)));
    expect(results.every(Boolean)).toBe(true);
    expect(server.requests).toHaveLength(20);
  });
});

describe('waitForHealth', () => {
  it('is healthy at once for a healthy server', async () => {
    const server = await listen(answer(200));
    expect(await waitForHealth(server.url, { timeoutMs: 5000 })).toBe('healthy');
    expect(server.requests).toHaveLength(1);
  });

  it('is healthy once the server starts answering 200', async () => {
    let calls = 0;
    const server = await listen((req, res) => {
      calls += 1;
      answer(calls <= 5 ? 503 : 200)(req, res);
    });
    expect(await waitForHealth(server.url, { timeoutMs: 20_000 })).toBe('healthy');
    expect(server.requests).toHaveLength(6);
  });

  it('is healthy once a server starts listening later', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let attemptsBefore = 0;
    const waiting = waitForHealth(url, { timeoutMs: 20_000 });
    // A few refused checks first.
    while (attemptsBefore < 3) {
      if (await checkHealth(url, 100)) throw new Error('port taken by someone else');
      attemptsBefore += 1;
    }
    const server = await listen(answer(200), port);
    expect(await waiting).toBe('healthy');
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('counts a first answer slower than a second, within the timeout', async () => {
    // A server busy booting: it accepts at once and answers 1.5 s later, to every request.
    const server = await listen((req, res) => setTimeout(() => answer(200)(req, res), 1_500));
    expect(await waitForHealth(server.url, { timeoutMs: 10_000 })).toBe('healthy');
    // One patient request, not one given up every second and asked again.
    expect(server.requests).toEqual(['GET /api/v1/health']);
  });

  it('still times out on a slow answer that comes after the timeout', async () => {
    const server = await listen((req, res) => setTimeout(() => answer(200)(req, res), 1_500));
    expect(await waitForHealth(server.url, { timeoutMs: 500 })).toBe('timeout');
  });

  it('times out when the server never becomes healthy', async () => {
    const server = await listen(answer(503));
    expect(await waitForHealth(server.url, { timeoutMs: 300 })).toBe('timeout');
    expect(server.requests.length).toBeGreaterThan(1);
  });

  it('times out when nothing listens', async () => {
    const port = await freePort();
    expect(await waitForHealth(`http://127.0.0.1:${port}`, { timeoutMs: 200 })).toBe('timeout');
  });

  it('times out, without hanging, on a server that never answers', async () => {
    const server = await listen(silent);
    expect(await waitForHealth(server.url, { timeoutMs: 300 })).toBe('timeout');
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('returns timeout at once for a zero timeout', async () => {
    const server = await listen(answer(200));
    expect(await waitForHealth(server.url, { timeoutMs: 0 })).toBe('timeout');
    expect(server.requests).toEqual([]);
  });

  it('is aborted when the signal aborts while waiting', async () => {
    // A server that is not healthy yet: its second request shows the wait is between checks.
    const server = await listen(answer(503));
    const controller = new AbortController();
    const waiting = waitForHealth(server.url, { timeoutMs: 60_000, signal: controller.signal });
    await waitFor(() => server.requests.length >= 2, { what: 'a second health check' });
    controller.abort();
    expect(await waiting).toBe('aborted');
  });

  it('is aborted when the signal aborts during a check that hangs', async () => {
    const server = await listen((_req, _res) => {
      controller.abort();
    });
    const controller = new AbortController();
    expect(await waitForHealth(server.url, { timeoutMs: 60_000, signal: controller.signal })).toBe('aborted');
  });

  it('is aborted at once for a signal that has already aborted', async () => {
    const server = await listen(answer(200));
    expect(await waitForHealth(server.url, { timeoutMs: 5000, signal: AbortSignal.abort() })).toBe('aborted');
    expect(server.requests).toEqual([]);
  });

  it('prefers healthy over a signal that never aborts', async () => {
    const server = await listen(answer(200));
    expect(await waitForHealth(server.url, { timeoutMs: 5000, signal: new AbortController().signal })).toBe('healthy');
  });
});

describe('serverUrl', () => {
  it.each([
    ['127.0.0.1', 5555, 'http://127.0.0.1:5555'],
    ['0.0.0.0', 7000, 'http://0.0.0.0:7000'],
    ['::1', 5555, 'http://[::1]:5555'],
    ['::', 80, 'http://[::]:80'],
    ['fd00::1:2', 6000, 'http://[fd00::1:2]:6000'],
  ])('%s:%d → %s', (host, port, url) => {
    expect(serverUrl(host, port)).toBe(url);
  });

  it('gives URLs that parse to the same host and port', () => {
    const url = new URL(serverUrl('::1', 5555));
    expect(url.hostname).toBe('[::1]');
    expect(url.port).toBe('5555');
  });
});
