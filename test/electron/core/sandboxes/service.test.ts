// The sandboxes service: the folder in use follows the settings, stops go through the running
// server (a minted `*` key, never shown) or, without one, straight to the confirmed supervisor,
// log tails and the followed log are scrubbed, and nothing of it writes into the namespaces.
import { appendFileSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { SecretScrubber } from '../../../../electron/core/base/scrub.ts';
import { createSandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import type { SandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import type { SandboxesView, SandboxLogEvent } from '../../../../shared/sandboxes.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { ServerSnapshot } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import type { Settings } from '../../../../shared/settings-schema.ts';
import { msbrunProcessesUnder, signTestToken, startStandin } from '../../../fixtures/standin-helpers.ts';
import type { RunningStandin } from '../../../fixtures/standin-helpers.ts';
import { kit, makeNamespace, sandboxfile, snapshotTree, until } from './helpers.ts';
import { afterEach, beforeEach } from 'vitest';
import { mintToken } from '../../../../electron/core/keys/token.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { listSandboxes } from '../../../../electron/core/sandboxes/catalog.ts';
import { stopSandboxDirectly } from '../../../../electron/core/sandboxes/sandbox-stop.ts';
import { createHarness, type Harness } from '../server/lifecycle-harness.ts';
import { rpc } from './helpers.ts';
import { MAX_TAIL_BYTES } from '../../../../electron/core/server/server-log.ts';

const LINUX = process.platform === 'linux';
const KEY = 'ServiceTestKey0123456789abcdefgh';

/** Settings with a namespaces folder the test can change. */
function settingsOf(initial: Partial<Settings> = {}) {
  let current: Settings = { ...DEFAULT_SETTINGS, ...initial };
  const listeners = new Set<(s: Settings) => void>();
  return {
    get: () => ({ ...current }),
    onChange(listener: (s: Settings) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set(patch: Partial<Settings>) {
      current = { ...current, ...patch };
      for (const l of listeners) l(current);
    },
  };
}

interface World {
  home: string;
  root: string;
  keyFile: string;
  server: ServerSnapshot;
  settings: ReturnType<typeof settingsOf>;
  service: SandboxesService;
  fetched: string[];
}

async function world(
  ctx: TestContext,
  options: { settings?: Partial<Settings>; now?: () => number } = {},
): Promise<World> {
  const home = await kit(ctx).tmp();
  const root = path.join(home, 'namespaces');
  const keyFile = path.join(home, 'server.key');
  const settings = settingsOf(options.settings);
  const fetched: string[] = [];
  const w: World = {
    home,
    root,
    keyFile,
    server: INITIAL_SNAPSHOT,
    settings,
    fetched,
    service: undefined as unknown as SandboxesService,
  };
  w.service = createSandboxesService({
    defaultNamespacesDir: root,
    settings,
    server: () => w.server,
    keyFile,
    scrubber: new SecretScrubber(keyFile, { debug() {}, info() {}, warn() {}, error() {} }),
    fetch: (input, init) => {
      fetched.push(`${String(init.method)} ${input} ${new Headers(init.headers).get('authorization') ?? ''}`);
      return fetch(input, init);
    },
    monitor: { debounceMs: 10, ...(options.now === undefined ? {} : { now: options.now }) },
  });
  ctx.onTestFinished(() => w.service.dispose());
  return w;
}

async function secureServer(ctx: TestContext, w: World): Promise<RunningStandin> {
  await fsp.writeFile(w.keyFile, KEY, { mode: 0o600 });
  const s = await startStandin({
    args: ['--key', KEY, '--path', w.root],
    env: { NO_COLOR: '1', RUST_LOG: undefined, MICROSANDBOX_HOME: w.home },
  });
  ctx.onTestFinished(() => s.stop(500).then(() => undefined));
  w.server = {
    ...INITIAL_SNAPSHOT,
    state: 'running',
    pid: s.child.pid ?? null,
    url: s.url,
    devMode: false,
    startedAt: 1,
    healthy: true,
  };
  return s;
}

async function startSandbox(s: RunningStandin, namespace: string, sandbox: string): Promise<void> {
  const token = signTestToken(KEY, {
    exp: Math.floor(Date.now() / 1000) + 60,
    iat: Math.floor(Date.now() / 1000),
    namespace: '*',
  });
  const res = await fetch(`${s.url}/api/v1/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'sandbox.start',
      params: { sandbox, namespace, config: { image: 'x' } },
      id: 1,
    }),
  });
  expect(res.status, await res.text()).toBe(200);
}

const stateIn = (view: SandboxesView, ns: string, name: string) =>
  view.namespaces.find((n) => n.name === ns)?.sandboxes.find((s) => s.name === name)?.state;
const stateNow = (w: World, ns: string, name: string) => stateIn(w.service.view(), ns, name);

describe('the folder in use', () => {
  it('is <home>/namespaces, or the setting; a change re-creates the monitor and keeps the metrics holders', async (ctx) => {
    const w = await world(ctx);
    await makeNamespace(w.root, 'a', { sandboxfile: sandboxfile('one') });
    const other = path.join(w.home, 'elsewhere');
    await makeNamespace(other, 'b', { sandboxfile: sandboxfile('two') });
    const views: SandboxesView[] = [];
    w.service.onChange((v) => views.push(v));
    // Made after the first listing: seen through the folder watch.
    await until('a seen', () => w.service.view().namespaces.length === 1);
    expect((await w.service.list()).namespaces.map((n) => n.name)).toEqual(['a']);
    expect(w.service.namespacesDir).toBe(w.root);

    const release = w.service.watchMetrics();
    w.settings.set({ namespacesPath: other });
    expect(w.service.namespacesDir).toBe(other);
    expect((await w.service.list()).namespaces.map((n) => n.name)).toEqual(['b']);
    await until('the new view pushed', () => views.at(-1)?.namespacesDir === other);
    expect(w.service.metricsWanted).toBe(true);
    release();
    expect(w.service.metricsWanted).toBe(false);
    w.settings.set({ namespacesPath: null });
    expect((await w.service.list()).namespaces.map((n) => n.name)).toEqual(['a']);
  });
});

describe('stop', () => {
  it("goes through the running server with a key minted for the sandbox's namespace only, that no answer contains", async (ctx) => {
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
  });

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

describe('logs', () => {
  it('tails and follows a sandbox log scrubbed of the key and tokens, and stops following when the window closes', async (ctx) => {
    const w = await world(ctx);
    await fsp.writeFile(w.keyFile, KEY);
    const token = signTestToken(KEY, { exp: 1, iat: 1, namespace: '*' });
    await makeNamespace(w.root, 'n', { sandboxfile: sandboxfile('vm'), rows: [], logs: ['vm'] });
    const log = path.join(w.root, 'n', '.menv', 'log', 'Sandboxfile', 'vm.log');
    appendFileSync(log, `the key is ${KEY}\nand a token ${token}\n`);

    const tail = await w.service.logTail({ namespace: 'n', name: 'vm', lines: 3 });
    expect(tail).toMatchObject({ namespace: 'n', name: 'vm', exists: true });
    expect(tail.lines).toEqual(['vm line 2', 'the key is [server key hidden]', 'and a token msb_[token hidden]']);
    expect(await w.service.logTail({ namespace: 'n', name: 'nope', lines: 5 })).toEqual({
      namespace: 'n',
      name: 'nope',
      exists: false,
      lines: [],
    });

    const events: SandboxLogEvent[] = [];
    w.service.onLogLines((e) => events.push(e));
    w.service.watch({ visible: true, log: { namespace: 'n', name: 'vm' } });
    appendFileSync(log, `later ${KEY}\n`);
    await until('a followed line', () => events.length > 0);
    expect(events).toEqual([{ namespace: 'n', name: 'vm', lines: ['later [server key hidden]'] }]);

    w.service.windowClosed();
    appendFileSync(log, 'after the window closed\n');
    // A window opened again hears what comes after it: the line it hears is the later event.
    w.service.watch({ visible: true, log: { namespace: 'n', name: 'vm' } });
    appendFileSync(log, 'window open again\n');
    await until('the line after reopening', () => events.some((e) => e.lines.includes('window open again')));
    expect(events.flatMap((e) => e.lines)).not.toContain('after the window closed');
  });

  it('holds metrics interest only while the window says its view is visible', async (ctx) => {
    const w = await world(ctx);
    expect(w.service.metricsWanted).toBe(false);
    w.service.watch({ visible: true, log: null });
    w.service.watch({ visible: true, log: null });
    expect(w.service.metricsWanted).toBe(true);
    w.service.watch({ visible: false, log: null });
    expect(w.service.metricsWanted).toBe(false);
    w.service.watch({ visible: true, log: null });
    const tray = w.service.watchMetrics();
    w.service.windowClosed();
    w.service.windowClosed();
    // The tray's hold outlives the window's.
    expect(w.service.metricsWanted).toBe(true);
    tray();
    tray();
    expect(w.service.metricsWanted).toBe(false);
  });
});

describe('touching nothing', () => {
  it('a listing, a tail, a follow and a refused stop create and change nothing on disk', async (ctx) => {
    // Upstream-made namespaces are older than the catalog's "just changed" second: the catalog's
    // clock runs two seconds ahead of the files' times instead of the test waiting for them to age.
    const w = await world(ctx, { now: () => Date.now() + 2_000 });
    await makeNamespace(w.root, 'made', {
      sandboxfile: sandboxfile('a', 'b'),
      rows: [{ name: 'a', status: 'STOPPED', supervisorPid: 5, microvmPid: 6 }],
      logs: ['a'],
    });
    await makeNamespace(w.root, 'bare', { sandboxfile: null });
    const before = await snapshotTree(w.home);
    await w.service.list();
    w.service.watch({ visible: true, log: { namespace: 'bare', name: 'nothing-here' } });
    w.service.watch({ visible: true, log: { namespace: 'made', name: 'a' } });
    await w.service.logTail({ namespace: 'bare', name: 'x', lines: 10 });
    await w.service.logTail({ namespace: 'made', name: 'a', lines: 10 });
    await w.service.stop({ namespace: 'made', name: 'a' });
    await w.service.refresh();
    w.service.windowClosed();
    expect(await snapshotTree(w.home)).toEqual(before);
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

// Sandbox logs reach the (untrusted) window scrubbed of tokens. But a tail reads at
// most MAX_TAIL_BYTES from the end, and a line longer than that is shown from wherever the read
// began: when that falls inside an `msb_` token, what is left of it (the rest of the header, the
// payload and the signature) no longer starts with `msb_` or `eyJ…`, so no rule hides it. msb's
// header is always the same ({"typ":"JWT","alg":"HS256"}), so the usable token is rebuilt from it.
describe('a sandbox log tail cut inside a token', () => {
  describe('a sandbox log tail cut inside a token', () => {
    it('shows no usable piece of a token that straddles where the tail began reading', async (ctx) => {
      const k = kit(ctx);
      const tmp = await k.tmp();
      const home = path.join(tmp, 'home');
      const namespacesDir = path.join(home, 'namespaces');
      await makeNamespace(namespacesDir, 'team', { logs: ['web'] });
      const keyFile = path.join(home, 'server.key');
      await fsp.writeFile(keyFile, 'ServerKey0123456789ServerKey0123');
      const { token } = await mintToken({
        key: 'some-other-server-key-0123456789',
        namespace: '*',
        expiresIn: 3600,
        now: Date.now(),
      });
      // One long line (a VM printing a request log without line breaks): the read starts 12 bytes
      // into the token, inside its constant header.
      const prefix = `${'a'.repeat(1000)} Authorization: Bearer `;
      const tail = ` ${'b'.repeat(MAX_TAIL_BYTES - token.length + 12 - 2)}\n`;
      const text = `${prefix}${token}${tail}`;
      expect(Buffer.byteLength(text) - MAX_TAIL_BYTES).toBe(prefix.length + 12);
      await fsp.writeFile(path.join(namespacesDir, 'team', '.menv', 'log', 'Sandboxfile', 'web.log'), text);

      const service = createSandboxesService({
        defaultNamespacesDir: namespacesDir,
        settings: { get: () => ({ ...DEFAULT_SETTINGS }), onChange: () => () => undefined },
        server: () => ({
          state: 'stopped',
          pid: null,
          url: null,
          devMode: null,
          startedAt: null,
          external: false,
          healthy: null,
          error: null,
          warnings: [],
          restartAt: null,
        }),
        keyFile,
        scrubber: new SecretScrubber(keyFile, silentLogger),
        logger: silentLogger,
      });
      ctx.onTestFinished(() => service.dispose());
      const shown = (await service.logTail({ namespace: 'team', name: 'web', lines: 1 })).lines.join('\n');
      const [, payload = '', signature = ''] = token.slice('msb_'.length).split('.');
      expect(shown).toMatch(/bytes cut/);
      expect(shown, 'the payload and signature of the token are shown').not.toContain(`${payload}.${signature}`);
    });
  });
});
