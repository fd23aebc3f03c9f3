// The sandboxes service: the folder in use follows the settings, log tails and the followed log
// are scrubbed, and nothing of it writes into the namespaces. Stopping is in stop-request.test.ts.
import { appendFileSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { mintToken } from '../../../../electron/core/keys/token.ts';
import { createSandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import { MAX_TAIL_BYTES } from '../../../../electron/core/base/log-tail.ts';
import type { SandboxesView, SandboxLogEvent } from '../../../../shared/sandboxes.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { signTestToken } from '../../../fixtures/standin-helpers.ts';
import { KEY, kit, makeNamespace, sandboxfile, snapshotTree, until, world } from './helpers.ts';

describe('the folder in use', () => {
  it(
    'is <home>/namespaces, or the setting; ' + 'a change re-creates the monitor and keeps the metrics holders',
    async (ctx) => {
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
    },
  );
});

describe('a refresh across a change of folder', () => {
  it("an ask waiting for the old folder's next listing is answered from the new folder", async (ctx) => {
    const w = await world(ctx);
    await makeNamespace(w.root, 'a', { sandboxfile: sandboxfile('one') });
    const other = path.join(w.home, 'elsewhere');
    await makeNamespace(other, 'b', { sandboxfile: sandboxfile('two') });
    await w.service.list();
    // One listing under way, one ask waiting for the next; then the folder changes (the old
    // monitor is disposed before its next listing could begin).
    const first = w.service.refresh();
    const waiting = w.service.refresh();
    w.settings.set({ namespacesPath: other });
    for (const view of [await first, await waiting]) {
      expect(view.namespacesDir).toBe(other);
      expect(view.namespaces.map((n) => n.name)).toEqual(['b']);
    }
  });
});

describe('logs', () => {
  it(
    'tails and follows a sandbox log scrubbed of the key and tokens, ' + 'and stops following when the window closes',
    async (ctx) => {
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
    },
  );

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
