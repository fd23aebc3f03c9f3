import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { portInUse } from '../../../../electron/core/server/port-check.ts';
import { freePort, waitForExit } from '../../../fixtures/standin-helpers.ts';

const servers: net.Server[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const status = await waitForExit(child);
    expect(status.code !== null || status.signal !== null).toBe(true);
  }
});

function listen(port: number, host: string): Promise<net.Server> {
  const server = net.createServer();
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => resolve(server));
  });
}

function portOf(server: net.Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

const hasIPv6Loopback = Object.values(os.networkInterfaces()).some((list) =>
  list?.some((i) => i.family === 'IPv6' && i.address === '::1'),
);

describe('portInUse', () => {
  it('is true for a port held by a listening socket', async () => {
    const holder = await listen(0, '127.0.0.1');
    expect(await portInUse('127.0.0.1', portOf(holder))).toBe(true);
    // The holder is untouched.
    expect(holder.listening).toBe(true);
  });

  it('is true on 127.0.0.1 for a port held on every address (0.0.0.0)', async () => {
    const holder = await listen(0, '0.0.0.0');
    expect(await portInUse('127.0.0.1', portOf(holder))).toBe(true);
  });

  it('is true on 0.0.0.0 for a port held on 127.0.0.1', async () => {
    const holder = await listen(0, '127.0.0.1');
    expect(await portInUse('0.0.0.0', portOf(holder))).toBe(true);
  });

  it('is true for a port held by another process', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port)); " +
          'setTimeout(() => {}, 30000);',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.setEncoding('utf8').once('data', (text: string) => resolve(Number(text.trim())));
      child.once('error', reject);
      child.once('exit', () => reject(new Error('child exited early')));
    });
    expect(port).toBeGreaterThan(0);
    expect(await portInUse('127.0.0.1', port)).toBe(true);
    child.kill('SIGTERM');
    expect((await waitForExit(child)).signal).toBe('SIGTERM');
    expect(await portInUse('127.0.0.1', port)).toBe(false);
  });

  it('is false for a free port, and leaves it free', async () => {
    const port = await freePort();
    expect(await portInUse('127.0.0.1', port)).toBe(false);
    // The check closed its own socket: the port can be listened on again, and then counts as taken.
    const server = await listen(port, '127.0.0.1');
    expect(portOf(server)).toBe(port);
    expect(await portInUse('127.0.0.1', port)).toBe(true);
    await close(server);
    expect(await portInUse('127.0.0.1', port)).toBe(false);
  });

  it('leaves the port free after many checks in a row', async () => {
    const port = await freePort();
    for (let i = 0; i < 20; i += 1) expect(await portInUse('127.0.0.1', port)).toBe(false);
    const results = await Promise.all(Array.from({ length: 5 }, () => portInUse('127.0.0.1', port)));
    // Concurrent checks may see each other's socket, but one of them binds first; none is left behind.
    expect(results).toContain(false);
    const server = await listen(port, '127.0.0.1');
    expect(portOf(server)).toBe(port);
  });

  it('is false once the holder has closed', async () => {
    const holder = await listen(0, '127.0.0.1');
    const port = portOf(holder);
    expect(await portInUse('127.0.0.1', port)).toBe(true);
    await close(holder);
    expect(await portInUse('127.0.0.1', port)).toBe(false);
  });

  it('leaves other errors, such as an address this machine does not have, to msbserver (false)', async () => {
    // 192.0.2.1 is TEST-NET-1: never a local address.
    expect(await portInUse('192.0.2.1', await freePort())).toBe(false);
  });

  it.skipIf(!hasIPv6Loopback)('works on the IPv6 loopback', async () => {
    const holder = await listen(0, '::1');
    const port = portOf(holder);
    expect(await portInUse('::1', port)).toBe(true);
    await close(holder);
    expect(await portInUse('::1', port)).toBe(false);
  });
});
