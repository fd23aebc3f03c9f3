// A stop request, carried out by the sandboxes service on a fresh listing: only what runs is
// stopped, through the running server (a token minted for that sandbox's namespace, never shown)
// when it serves the folder shown, else straight to the confirmed supervisor.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { mintToken } from '../../../../electron/core/keys/token.ts';
import { listSandboxes } from '../../../../electron/core/sandboxes/catalog.ts';
import { stopSandboxDirectly } from '../../../../electron/core/sandboxes/sandbox-stop.ts';
import { createSandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { Settings } from '../../../../shared/settings-schema.ts';
import { msbrunProcessesUnder } from '../../../fixtures/standin-helpers.ts';
import { createHarness, type Harness } from '../server/lifecycle-harness.ts';
import {
  KEY,
  kit,
  makeNamespace,
  sandboxfile,
  rpc,
  secureServer,
  startSandbox,
  stateIn,
  stateNow,
  until,
  world,
} from './helpers.ts';

const LINUX = process.platform === 'linux';

describe('stop', () => {
  it(
    'goes through the running server with a key minted for the ' + "sandbox's namespace only, that no answer contains",
    async (ctx) => {
      if (!LINUX) return ctx.skip('reads /proc: Linux only');
      const w = await world(ctx);
      const s = await secureServer(ctx, w);
      await startSandbox(s, 'team', 'web');
      await startSandbox(s, 'team', 'db');
      await until(
        'both running',
        async () =>
          stateIn(await w.service.refresh(), 'team', 'db') === 'running' && stateNow(w, 'team', 'web') === 'running',
      );

      const result = await w.service.stop({ namespace: 'team', name: 'web' });
      expect(result).toEqual({ stopped: [{ namespace: 'team', name: 'web' }], failed: [], via: 'server' });
      expect(w.fetched).toHaveLength(1);
      expect(w.fetched[0]).toMatch(new RegExp(`^POST ${s.url}/api/v1/rpc Bearer msb_`));
      // Scoped to the namespace, not `*`: a leaked stop token cannot reach other namespaces.
      const payload = (/Bearer msb_[^.]+\.([^.]+)\./.exec(w.fetched[0] ?? '') ?? [])[1] ?? '';
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toMatchObject({ namespace: 'team' });
      expect(JSON.stringify(result)).not.toContain(KEY);
      await until('web stopped', async () => stateIn(await w.service.refresh(), 'team', 'web') === 'stopped');
      expect(stateNow(w, 'team', 'db')).toBe('running');

      const all = await w.service.stop({ all: true });
      expect(all).toEqual({ stopped: [{ namespace: 'team', name: 'db' }], failed: [], via: 'server' });
      await until('db stopped', async () => stateIn(await w.service.refresh(), 'team', 'db') === 'stopped');
      await until('no msbrun left', async () => (await msbrunProcessesUnder(w.root)).length === 0);
      expect(await w.service.stop({ all: true })).toEqual({ stopped: [], failed: [], via: 'none' });
    },
  );

  it('says so when the server refuses the key, and signals nothing itself', async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const w = await world(ctx);
    const s = await secureServer(ctx, w);
    await startSandbox(s, 'team', 'web');
    await until('running', async () => stateIn(await w.service.refresh(), 'team', 'web') === 'running');
    await fsp.writeFile(w.keyFile, 'a-different-key-than-the-server-has');
    const refused = await w.service.stop({ namespace: 'team', name: 'web' });
    expect(refused.stopped).toEqual([]);
    expect(refused.failed[0]?.message).toMatch(/refused the key/);
    expect(stateIn(await w.service.refresh(), 'team', 'web')).toBe('running');
    await fsp.rm(w.keyFile);
    expect((await w.service.stop({ namespace: 'team', name: 'web' })).failed[0]?.message).toMatch(/no server key/);
    await fsp.writeFile(w.keyFile, KEY);
    expect((await w.service.stop({ namespace: 'team', name: 'web' })).stopped).toHaveLength(1);
    await until('no msbrun left', async () => (await msbrunProcessesUnder(w.root)).length === 0);
  });

  it('without a server, SIGTERMs the confirmed supervisor; and when the server is gone meanwhile too', async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const w = await world(ctx);
    const s = await secureServer(ctx, w);
    await startSandbox(s, 'n', 'one');
    await startSandbox(s, 'n', 'two');
    const running = w.server;
    await s.stop();
    await until(
      'both running',
      async () => stateIn(await w.service.refresh(), 'n', 'two') === 'running' && stateNow(w, 'n', 'one') === 'running',
    );

    // The app still thinks the server runs: it cannot be reached, so the app stops it itself.
    w.server = running;
    expect(await w.service.stop({ namespace: 'n', name: 'one' })).toEqual({
      stopped: [{ namespace: 'n', name: 'one' }],
      failed: [],
      via: 'signal',
    });
    await until('one stopped', async () => stateIn(await w.service.refresh(), 'n', 'one') === 'stopped');
    w.server = INITIAL_SNAPSHOT;
    const fetchedBefore = w.fetched.length;
    expect(await w.service.stop({ all: true })).toEqual({
      stopped: [{ namespace: 'n', name: 'two' }],
      failed: [],
      via: 'signal',
    });
    expect(w.fetched).toHaveLength(fetchedBefore);
    await until('two stopped', async () => stateIn(await w.service.refresh(), 'n', 'two') === 'stopped');
    await until('no msbrun left', async () => (await msbrunProcessesUnder(w.root)).length === 0);
  });

  it('refuses what does not run, a stale row and a bad name, signalling nothing and asking no server', async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const w = await world(ctx);
    const bystander = kit(ctx).bystander();
    await makeNamespace(w.root, 'n', {
      sandboxfile: sandboxfile('stale', 'never', 'old'),
      rows: [
        { name: 'stale', status: 'RUNNING', supervisorPid: bystander.pid ?? 0, microvmPid: bystander.pid ?? 0 },
        { name: 'old', status: 'STOPPED', supervisorPid: 1, microvmPid: 1 },
      ],
    });
    w.server = {
      ...INITIAL_SNAPSHOT,
      state: 'running',
      pid: 1,
      url: 'http://127.0.0.1:1',
      devMode: true,
      startedAt: 1,
      healthy: true,
    };
    const failures = async (ref: { namespace: string; name: string }) => {
      const result = await w.service.stop(ref);
      expect(result.stopped).toEqual([]);
      expect(result.via).toBe('none');
      return result.failed.map((f) => f.message).join(' ');
    };
    expect(await failures({ namespace: 'n', name: 'stale' })).toMatch(/stale/);
    expect(await failures({ namespace: 'n', name: 'never' })).toMatch(/not running/);
    expect(await failures({ namespace: 'n', name: 'old' })).toMatch(/not running/);
    expect(await failures({ namespace: 'n', name: 'ghost' })).toMatch(/no sandbox/);
    expect(await failures({ namespace: '..', name: 'x' })).toMatch(/namespace/i);
    expect(await w.service.stop({ all: true })).toEqual({ stopped: [], failed: [], via: 'none' });
    expect(w.fetched).toEqual([]);
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
  });
});

// Stop of a sandbox goes to the server that runs, but that server may serve another
// namespaces folder than the one the app shows (the namespaces folder setting changed while it
// ran: the window only says "restart needed"; or a server the CLI started with `--path`). Then
// `sandbox.stop` acts on the server's folder: a sandbox of the same name there is stopped in
// place of the one the user clicked, which keeps running while the app says it was stopped.
//
// Real parts throughout: the controller starts the stand-in (secure mode, --path A), a second
// stand-in ran a sandbox in folder B and was stopped (its sandbox survives, as upstream's do),
// the sandboxes service lists B and mints its token from server.key.
describe('stopping a sandbox through a server that serves another folder', () => {
  const LINUX = process.platform === 'linux';
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness();
  });

  afterEach(async () => {
    await h.cleanup();
  });

  const stateOf = async (root: string, ns: string, name: string) =>
    (await listSandboxes({ namespacesDir: root })).namespaces
      .find((n) => n.name === ns)
      ?.sandboxes.find((s) => s.name === name)?.state;

  describe('stopping a sandbox through a server that serves another folder', () => {
    it("stops the sandbox the user chose, not the one of the same name in the running server's folder", async (ctx) => {
      if (!LINUX) return ctx.skip('reads /proc: Linux only');
      const k = kit(ctx);
      const tmp = await k.tmp();
      const folderA = path.join(tmp, 'a', 'namespaces');
      const folderB = path.join(tmp, 'b', 'namespaces');
      await fsp.mkdir(folderA, { recursive: true });

      // Folder B: a sandbox started by a server that has stopped since; the sandbox runs on.
      const other = await k.server(folderB);
      expect(
        (await rpc(other, 'sandbox.start', { sandbox: 'web', namespace: 'team', config: { image: 'x' } })).status,
      ).toBe(200);
      await other.stop(500);
      expect(await stateOf(folderB, 'team', 'web')).toBe('running');

      // The app's own server, serving folder A, where a sandbox of the same name runs too.
      h.settings = { ...h.settings, namespacesPath: folderA };
      const control = h.controller();
      await control.ready;
      const running = await control.start();
      expect(running.state).toBe('running');
      const key = await fsp.readFile(h.paths.keyFile, 'utf8');
      const { token } = await mintToken({ key, namespace: '*', expiresIn: 60, now: Date.now() });
      const started = await fetch(`${running.url ?? ''}/api/v1/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          jsonrpc: '2.0',
          method: 'sandbox.start',
          params: { sandbox: 'web', namespace: 'team', config: { image: 'x' } },
          id: 1,
        }),
      });
      expect(started.status).toBe(200);
      await until('web runs in A', async () => (await stateOf(folderA, 'team', 'web')) === 'running');

      // The user points the app at folder B (Settings), and stops team/web there.
      const listeners = new Set<(s: Settings) => void>();
      const settings = {
        get: () => h.settings,
        onChange: (l: (s: Settings) => void) => (listeners.add(l), () => listeners.delete(l)),
      };
      const service = createSandboxesService({
        defaultNamespacesDir: h.paths.namespacesDir,
        settings,
        server: () => control.snapshot(),
        keyFile: h.paths.keyFile,
        scrubber: new SecretScrubber(h.paths.keyFile, silentLogger),
        logger: silentLogger,
      });
      ctx.onTestFinished(() => service.dispose());
      h.settings = { ...h.settings, namespacesPath: folderB };
      for (const l of listeners) l(h.settings);
      const view = await service.list();
      expect(view.namespacesDir).toBe(folderB);

      const result = await service.stop({ namespace: 'team', name: 'web' });
      // The stop has taken effect once one of the two is stopped; which one is the question.
      const states = async () => [await stateOf(folderA, 'team', 'web'), await stateOf(folderB, 'team', 'web')];
      await until('one of the two to stop', async () => (await states()).includes('stopped'));
      const after = { a: await stateOf(folderA, 'team', 'web'), b: await stateOf(folderB, 'team', 'web') };

      // Leave nothing running, whatever happened.
      for (const folder of [folderA, folderB]) {
        if ((await stateOf(folder, 'team', 'web')) === 'running')
          await stopSandboxDirectly({ namespacesDir: folder, namespace: 'team', name: 'web' });
      }
      await control.stop();

      expect(result.stopped, JSON.stringify(result)).toEqual([{ namespace: 'team', name: 'web' }]);
      expect(
        after,
        'the sandbox stopped should be the one in the folder shown (B); the one in A should run on',
      ).toEqual({
        a: 'running',
        b: 'stopped',
      });
    });
  });
});
