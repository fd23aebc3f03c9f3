// Review 14: Stop of a sandbox goes to the server that runs, but that server may serve another
// namespaces folder than the one the app shows (the namespaces folder setting changed while it
// ran: the window only says "restart needed"; or a server the CLI started with `--path`). Then
// `sandbox.stop` acts on the server's folder: a sandbox of the same name there is stopped in
// place of the one the user clicked, which keeps running while the app says it was stopped.
//
// Real parts throughout: the controller starts the stand-in (secure mode, --path A), a second
// stand-in ran a sandbox in folder B and was stopped (its sandbox survives, as upstream's do),
// the sandboxes service lists B and mints its token from server.key.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretScrubber } from '../../../../electron/core/base/scrub.ts';
import { mintToken } from '../../../../electron/core/keys/token.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { listSandboxes } from '../../../../electron/core/sandboxes/catalog.ts';
import { createSandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import { stopSandboxDirectly } from '../../../../electron/core/sandboxes/sandbox-stop.ts';
import type { Settings } from '../../../../shared/settings-schema.ts';
import { createHarness, type Harness } from '../server/lifecycle-harness.ts';
import { kit, rpc, until } from './helpers.ts';

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

describe('review 14: stopping a sandbox through a server that serves another folder', () => {
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
    await new Promise((r) => setTimeout(r, 1_000));
    const after = { a: await stateOf(folderA, 'team', 'web'), b: await stateOf(folderB, 'team', 'web') };

    // Leave nothing running, whatever happened.
    for (const folder of [folderA, folderB]) {
      if ((await stateOf(folder, 'team', 'web')) === 'running')
        await stopSandboxDirectly({ namespacesDir: folder, namespace: 'team', name: 'web' });
    }
    await control.stop();

    expect(result.stopped, JSON.stringify(result)).toEqual([{ namespace: 'team', name: 'web' }]);
    expect(after, 'the sandbox stopped should be the one in the folder shown (B); the one in A should run on').toEqual({
      a: 'running',
      b: 'stopped',
    });
  });
});
