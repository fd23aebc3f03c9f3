// Stopping a sandbox through the server (the stand-in) and without it (a SIGTERM to the one
// confirmed supervisor); refusing every other process.

import { promises as fsp } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSandboxes } from '../../../../electron/core/sandboxes/catalog.ts';
import { tailSandboxLog } from '../../../../electron/core/sandboxes/logs.ts';
import { stopSandboxDirectly, stopSandboxViaServer } from '../../../../electron/core/sandboxes/sandbox-stop.ts';
import { msbrunProcessesUnder } from '../../../fixtures/standin-helpers.ts';
import { kit, makeNamespace, rpc, sandboxfile, until } from './helpers.ts';

const LINUX = process.platform === 'linux';
const stateOf = async (root: string, ns: string, name: string) =>
  (await listSandboxes({ namespacesDir: root })).namespaces
    .find((n) => n.name === ns)
    ?.sandboxes.find((s) => s.name === name)?.state;

describe('stopSandboxViaServer', () => {
  it('stops a running sandbox through sandbox.stop', async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const k = kit(ctx);
    const root = path.join(await k.tmp(), 'namespaces');
    const s = await k.server(root);
    expect((await rpc(s, 'sandbox.start', { sandbox: 'web', namespace: 'team', config: { image: 'x' } })).status).toBe(
      200,
    );
    expect(await stateOf(root, 'team', 'web')).toBe('running');
    const outcome = await stopSandboxViaServer({
      url: s.url,
      token: 'msb_unused-in-dev-mode',
      namespace: 'team',
      name: 'web',
    });
    expect(outcome).toEqual({ ok: true, message: 'Sandbox web stopped successfully' });
    await until('stopped', async () => (await stateOf(root, 'team', 'web')) === 'stopped');
    await until('processes gone', async () => (await msbrunProcessesUnder(root)).length === 0);
  });

  it('says why it failed, never with the token, and follows no redirect', async (ctx) => {
    const token = 'msb_secret.token.value';
    let redirectedTo = 0;
    const server = createServer((req, res) => {
      if (req.url === '/elsewhere/api/v1/rpc') redirectedTo++;
      if (req.headers.host?.startsWith('127.0.0.1') && req.url === '/r/api/v1/rpc') {
        res.writeHead(307, { location: '/elsewhere/api/v1/rpc' }).end();
        return;
      }
      if (req.url === '/u/api/v1/rpc') {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `Invalid credentials ${token}`, code: 1001 }));
        return;
      }
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'Internal server error', code: 5002 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    ctx.onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

    const redirected = await stopSandboxViaServer({ url: `${base}/r`, token, namespace: 'a', name: 'b' });
    expect(redirected).toMatchObject({ ok: false, code: 'unexpected-response' });
    expect(redirectedTo).toBe(0);
    const refused = await stopSandboxViaServer({ url: `${base}/u`, token, namespace: 'a', name: 'b' });
    expect(refused).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(JSON.stringify(refused)).not.toContain(token);
    expect(await stopSandboxViaServer({ url: base, token, namespace: 'a', name: 'b' })).toMatchObject({
      ok: false,
      code: 'server-error',
    });
    expect(await stopSandboxViaServer({ url: base, token, namespace: '../etc', name: 'b' })).toMatchObject({
      ok: false,
      code: 'invalid-input',
    });
    expect(await stopSandboxViaServer({ url: 'file:///etc/passwd', token, namespace: 'a', name: 'b' })).toMatchObject({
      ok: false,
      code: 'invalid-input',
    });

    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const a = probe.address();
        probe.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
      });
    });
    const unreachable = await stopSandboxViaServer({
      url: `http://127.0.0.1:${closed}`,
      token,
      namespace: 'a',
      name: 'b',
    });
    expect(unreachable).toMatchObject({ ok: false, code: 'unreachable' });
    expect(JSON.stringify(unreachable)).not.toContain(token);
  });
});

describe('stopSandboxDirectly', () => {
  it('SIGTERMs the confirmed supervisor, which stops the microVM and writes STOPPED', async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const k = kit(ctx);
    const root = path.join(await k.tmp(), 'namespaces');
    const s = await k.server(root);
    expect((await rpc(s, 'sandbox.start', { sandbox: 'vm', namespace: 'n', config: { image: 'x' } })).status).toBe(200);
    const logFile = path.join(root, 'n', '.menv', 'log', 'Sandboxfile', 'vm.log');
    await until('the microVM booted', async () => (await fsp.readFile(logFile, 'utf8')).includes('ready'));
    await s.stop(); // no server any more: sandboxes survive it
    expect(await stateOf(root, 'n', 'vm')).toBe('running');
    const outcome = await stopSandboxDirectly({ namespacesDir: root, namespace: 'n', name: 'vm' });
    expect(outcome).toMatchObject({ ok: true });
    await until('stopped', async () => (await stateOf(root, 'n', 'vm')) === 'stopped');
    await until('processes gone', async () => (await msbrunProcessesUnder(root)).length === 0);
    const log = await tailSandboxLog({ namespacesDir: root, namespace: 'n', name: 'vm', lines: 2 });
    expect(log.exists).toBe(true);
    expect(log.lines, JSON.stringify(log)).toContain('[stand-in µvm] shutting down');
    expect(await stopSandboxDirectly({ namespacesDir: root, namespace: 'n', name: 'vm' })).toMatchObject({
      ok: false,
      code: 'not-running',
    });
  });

  it("refuses a PID that is not that sandbox's supervisor, and signals nothing", async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const k = kit(ctx);
    const root = await k.tmp();
    const bystander = k.bystander();
    await makeNamespace(root, 'n', {
      sandboxfile: sandboxfile('imposter', 'one', 'never'),
      rows: [
        { name: 'imposter', status: 'RUNNING', supervisorPid: bystander.pid ?? 0, microvmPid: bystander.pid ?? 0 },
        { name: 'one', status: 'RUNNING', supervisorPid: 1, microvmPid: 1 },
      ],
    });
    const signalled: number[] = [];
    const kill = (pid: number) => void signalled.push(pid);
    expect(await stopSandboxDirectly({ namespacesDir: root, namespace: 'n', name: 'imposter', kill })).toMatchObject({
      ok: false,
      code: 'not-supervisor',
    });
    expect(await stopSandboxDirectly({ namespacesDir: root, namespace: 'n', name: 'one', kill })).toMatchObject({
      ok: false,
      code: 'not-supervisor',
    });
    expect(await stopSandboxDirectly({ namespacesDir: root, namespace: 'n', name: 'never', kill })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    expect(await stopSandboxDirectly({ namespacesDir: root, namespace: 'nope', name: 'x', kill })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    expect(await stopSandboxDirectly({ namespacesDir: root, namespace: '..', name: 'x', kill })).toMatchObject({
      ok: false,
      code: 'invalid-input',
    });
    expect(signalled).toEqual([]);
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
  });

  it("refuses another sandbox's supervisor (same PID recorded for a different name)", async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const k = kit(ctx);
    const root = path.join(await k.tmp(), 'namespaces');
    const s = await k.server(root);
    expect((await rpc(s, 'sandbox.start', { sandbox: 'real', namespace: 'n', config: { image: 'x' } })).status).toBe(
      200,
    );
    const real = (await listSandboxes({ namespacesDir: root })).namespaces[0]?.sandboxes[0];
    // A second namespace whose row claims the same supervisor.
    await makeNamespace(root, 'm', {
      sandboxfile: sandboxfile('fake'),
      rows: [{ name: 'fake', status: 'RUNNING', supervisorPid: real?.supervisorPid ?? 0, microvmPid: 0 }],
    });
    const signalled: number[] = [];
    expect(
      await stopSandboxDirectly({
        namespacesDir: root,
        namespace: 'm',
        name: 'fake',
        kill: (p) => void signalled.push(p),
      }),
    ).toMatchObject({
      ok: false,
      code: 'not-supervisor',
    });
    expect(signalled).toEqual([]);
    expect(await stateOf(root, 'm', 'fake')).toBe('stale');
    expect((await rpc(s, 'sandbox.stop', { sandbox: 'real', namespace: 'n' })).status).toBe(200);
  });
});
