// The monitor: sees changes made outside the app through folder watches, and samples metrics
// only while someone holds interest (injected timers).

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxMonitor } from '../../../../electron/core/sandboxes/sandbox-monitor.ts';
import { SandboxCatalog } from '../../../../electron/core/sandboxes/catalog.ts';
import type { TimerHandle, Timers } from '../../../../electron/core/base/clock.ts';
import type { SandboxesView } from '../../../../shared/sandboxes.ts';
import { kit, makeNamespace, rpc, sandboxfile, until } from './helpers.ts';

const LINUX = process.platform === 'linux';
const stateIn = (view: SandboxesView | null, ns: string, name: string) =>
  view?.namespaces.find((n) => n.name === ns)?.sandboxes.find((s) => s.name === name)?.state;

/** Timers that run only when the test says so; real ones are never used. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, { callback: () => void; ms: number }>();
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      const id = next++;
      pending.set(id, { callback, ms });
      return id as unknown as TimerHandle;
    },
    clearTimeout: (handle) => void pending.delete(handle as unknown as number),
  };
  return {
    timers,
    delays: () => [...pending.values()].map((p) => p.ms).sort((a, b) => a - b),
    /** Runs every pending timer of `ms`. */
    fire(ms: number) {
      for (const [id, p] of [...pending]) {
        if (p.ms !== ms) continue;
        pending.delete(id);
        p.callback();
      }
    },
  };
}

describe('SandboxMonitor', () => {
  it('sees the namespaces folder appear and a sandbox start and stop outside the app', async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const k = kit(ctx);
    const root = path.join(await k.tmp(), 'namespaces');
    const monitor = new SandboxMonitor({ namespacesDir: root });
    ctx.onTestFinished(() => monitor.dispose());
    const views: SandboxesView[] = [];
    monitor.onChange((v) => views.push(v));
    expect((await monitor.start()).namespaces).toEqual([]);

    const s = await k.server(root);
    expect((await rpc(s, 'sandbox.start', { sandbox: 'web', namespace: 'team', config: { image: 'x' } })).status).toBe(
      200,
    );
    await until('running seen', () => stateIn(monitor.current(), 'team', 'web') === 'running');
    expect((await rpc(s, 'sandbox.stop', { sandbox: 'web', namespace: 'team' })).status).toBe(200);
    await until('stopped seen', () => stateIn(monitor.current(), 'team', 'web') === 'stopped');
    // Only changes are emitted: no two consecutive views alike.
    const texts = views.map((v) => JSON.stringify(v));
    for (let i = 1; i < texts.length; i++) expect(texts[i]).not.toBe(texts[i - 1]);
  });

  it('sees a hand-made namespace and a Sandboxfile edit; stops watching after dispose', async (ctx) => {
    const root = await kit(ctx).tmp();
    const monitor = new SandboxMonitor({ namespacesDir: root, debounceMs: 10 });
    await monitor.start();
    await makeNamespace(root, 'a', { sandboxfile: sandboxfile('one') });
    await until('namespace seen', () => stateIn(monitor.current(), 'a', 'one') === 'defined');
    await fsp.writeFile(path.join(root, 'a', 'Sandboxfile'), sandboxfile('one', 'two'));
    await until('edit seen', () => stateIn(monitor.current(), 'a', 'two') === 'defined');
    // A second monitor of the same folder is the witness that the edit was there to be seen.
    const witness = new SandboxMonitor({ namespacesDir: root, debounceMs: 10 });
    ctx.onTestFinished(() => witness.dispose());
    await witness.start();
    monitor.dispose();
    const last = monitor.current();
    await fsp.writeFile(path.join(root, 'a', 'Sandboxfile'), sandboxfile('three'));
    await until('edit seen by the witness', () => stateIn(witness.current(), 'a', 'three') === 'defined');
    expect(monitor.current()).toBe(last);
    await expect(monitor.refresh()).rejects.toThrow(/disposed/);
  });

  it('keeps seeing namespaces after the namespaces folder is deleted and made again', async (ctx) => {
    const root = path.join(await kit(ctx).tmp(), 'namespaces');
    await makeNamespace(root, 'a', { sandboxfile: sandboxfile('one') });
    const monitor = new SandboxMonitor({ namespacesDir: root, debounceMs: 10 });
    ctx.onTestFinished(() => monitor.dispose());
    await monitor.start();
    expect(stateIn(monitor.current(), 'a', 'one')).toBe('defined');

    await fsp.rm(root, { recursive: true });
    await until('deletion seen', () => monitor.current()?.namespaces.length === 0);
    // A watch left on the deleted folder would hear nothing of the new one.
    await makeNamespace(root, 'b', { sandboxfile: sandboxfile('two') });
    await until('new namespace seen', () => stateIn(monitor.current(), 'b', 'two') === 'defined');
  });

  it('a refresh asked while a listing is under way answers with the listing after it', async (ctx) => {
    const root = await kit(ctx).tmp();
    await makeNamespace(root, 'a', { sandboxfile: sandboxfile('one') });
    const catalog = new SandboxCatalog({ namespacesDir: root });
    const list = catalog.list.bind(catalog);
    // Each listing waits for the test to let it read: the first has read "before" the ask.
    const gates: (() => void)[] = [];
    let listings = 0;
    catalog.list = async () => {
      listings++;
      await new Promise<void>((resolve) => gates.push(resolve));
      return list();
    };
    const monitor = new SandboxMonitor({ namespacesDir: root, timers: manualTimers().timers, catalog });
    ctx.onTestFinished(() => monitor.dispose());
    const first = monitor.refresh();
    await until('the first listing under way', () => gates.length === 1);
    const asked = [monitor.refresh(), monitor.refresh()];
    expect(gates.length, 'no second listing beside the one under way').toBe(1);
    let answered = false;
    void Promise.all(asked).then(() => (answered = true));
    gates[0]?.();
    await first;
    await until('the next listing under way', () => gates.length === 2);
    expect(answered, 'answered by the listing begun before the ask').toBe(false);
    gates[1]?.();
    const [a, b] = await Promise.all(asked);
    expect(a).toBe(b); // both asks share one listing
    expect(listings).toBe(2);
  });

  it('an ask during a listing that fails is answered by the next listing', async (ctx) => {
    const root = await kit(ctx).tmp();
    await makeNamespace(root, 'a', { sandboxfile: sandboxfile('one') });
    const catalog = new SandboxCatalog({ namespacesDir: root });
    const list = catalog.list.bind(catalog);
    let fail: (() => void) | null = null;
    let listings = 0;
    catalog.list = async () => {
      listings++;
      if (listings === 1) await new Promise<void>((_, reject) => (fail = () => reject(new Error('unreadable'))));
      return list();
    };
    const monitor = new SandboxMonitor({ namespacesDir: root, timers: manualTimers().timers, catalog });
    ctx.onTestFinished(() => monitor.dispose());
    const first = monitor.refresh();
    await until('the first listing under way', () => fail !== null);
    const asked = monitor.refresh();
    (fail as (() => void) | null)?.();
    await expect(first).rejects.toThrow('unreadable');
    expect(stateIn(await asked, 'a', 'one')).toBeDefined();
    expect(listings).toBe(2);
  });

  it('an ask during a listing, then dispose: rejected, and nothing is listed again', async (ctx) => {
    const root = await kit(ctx).tmp();
    const catalog = new SandboxCatalog({ namespacesDir: root });
    const list = catalog.list.bind(catalog);
    const gates: (() => void)[] = [];
    catalog.list = async () => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return list();
    };
    const monitor = new SandboxMonitor({ namespacesDir: root, timers: manualTimers().timers, catalog });
    const first = monitor.refresh();
    await until('the first listing under way', () => gates.length === 1);
    const asked = monitor.refresh();
    monitor.dispose();
    gates[0]?.();
    await expect(first).rejects.toThrow('disposed'); // its catalog went with the monitor
    await expect(asked).rejects.toThrow('disposed');
    expect(gates.length).toBe(1);
  });

  it('samples metrics every 2 s only while interest is held', async (ctx) => {
    const root = await kit(ctx).tmp();
    await makeNamespace(root, 'a', { sandboxfile: sandboxfile('one') });
    const t = manualTimers();
    let listings = 0;
    const catalog = new SandboxCatalog({ namespacesDir: root });
    const list = catalog.list.bind(catalog);
    catalog.list = () => {
      listings++;
      return list();
    };
    const monitor = new SandboxMonitor({ namespacesDir: root, timers: t.timers, catalog });
    ctx.onTestFinished(() => monitor.dispose());
    await monitor.start();
    expect(listings).toBe(1);
    expect(t.delays()).not.toContain(2_000); // no interest, no sampling timer

    const release = monitor.watchMetrics();
    const second = monitor.watchMetrics();
    expect(monitor.metricsWanted).toBe(true);
    await until('sampled at once', () => listings === 2);
    expect(t.delays().filter((d) => d === 2_000)).toHaveLength(1);
    t.fire(2_000);
    await until('sampled again', () => listings === 3);
    expect(t.delays().filter((d) => d === 2_000)).toHaveLength(1);

    release();
    release(); // idempotent: the other holder still counts
    t.fire(2_000);
    await until('still sampling', () => listings === 4);
    second();
    expect(monitor.metricsWanted).toBe(false);
    // Nothing scheduled is left that could sample again.
    expect(t.delays()).not.toContain(2_000);
    expect(listings).toBe(4);
  });
});
