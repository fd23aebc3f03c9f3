// Listing sandboxes from disk: namespaces made by the stand-in and by hand, real processes.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSandboxes, SandboxCatalog } from '../../../../electron/core/sandboxes/catalog.ts';
import { JOURNAL_MAGIC, parseSqliteUtc } from '../../../../electron/core/sandboxes/sandbox-db.ts';
import type { NamespaceInfo, SandboxesView } from '../../../../shared/sandboxes.ts';
import { deadPid, kit, makeNamespace, rpc, sandboxfile, snapshotTree, until } from './helpers.ts';

const LINUX = process.platform === 'linux';

function ns(view: SandboxesView, name: string): NamespaceInfo {
  const found = view.namespaces.find((n) => n.name === name);
  if (found === undefined) throw new Error(`no namespace ${name} in ${JSON.stringify(view)}`);
  return found;
}
const states = (n: NamespaceInfo) => Object.fromEntries(n.sandboxes.map((s) => [s.name, s.state]));

describe('listSandboxes', () => {
  it('a missing namespaces folder is an empty view, and nothing is created', async (ctx) => {
    const root = await kit(ctx).tmp();
    const before = await snapshotTree(root);
    const view = await listSandboxes({ namespacesDir: path.join(root, 'namespaces') });
    expect(view).toEqual({ namespacesDir: path.join(root, 'namespaces'), namespaces: [] });
    expect(await snapshotTree(root)).toEqual(before);
  });

  it(
    'hand-made namespaces: stopped, stale (dead PID), stale (live non-msbrun PID), defined, no .menv, empty ' +
      'Sandboxfile, no Sandboxfile',
    async (ctx) => {
      if (!LINUX) return ctx.skip('reads /proc: Linux only');
      const k = kit(ctx);
      const root = await k.tmp();
      const bystander = k.bystander();
      const dead = await deadPid();
      await makeNamespace(root, 'alpha', {
        sandboxfile: sandboxfile('off', 'gone', 'imposter', 'fresh'),
        rows: [
          { name: 'off', status: 'STOPPED', supervisorPid: 4242, microvmPid: 4243, modifiedAt: '2025-06-01 12:30:00' },
          { name: 'gone', status: 'RUNNING', supervisorPid: dead, microvmPid: dead, modifiedAt: '2025-06-01 12:00:00' },
          { name: 'imposter', status: 'RUNNING', supervisorPid: bystander.pid ?? 0, microvmPid: bystander.pid ?? 0 },
        ],
        logs: ['off'],
      });
      await makeNamespace(root, 'bare', { sandboxfile: sandboxfile('a', 'b') });
      await makeNamespace(root, 'empty');
      await makeNamespace(root, 'nofile', { sandboxfile: null });
      await fsp.writeFile(path.join(root, 'portal.ports'), JSON.stringify({ mappings: { 'alpha/gone': 40001 } }));
      // Not namespaces: a file, and a folder msbserver could not have made.
      await fsp.writeFile(path.join(root, 'stray.txt'), 'x');
      await fsp.mkdir(path.join(root, '.hidden'));

      const before = await snapshotTree(root);
      const view = await listSandboxes({ namespacesDir: root });
      expect(await snapshotTree(root)).toEqual(before);

      expect(view.namespaces.map((n) => n.name)).toEqual(['alpha', 'bare', 'empty', 'nofile']);
      const alpha = ns(view, 'alpha');
      expect(alpha.error).toBeNull();
      expect(states(alpha)).toEqual({ fresh: 'defined', gone: 'stale', imposter: 'stale', off: 'stopped' });
      const byName = Object.fromEntries(alpha.sandboxes.map((s) => [s.name, s]));
      expect(byName['off']).toEqual({
        name: 'off',
        state: 'stopped',
        supervisorPid: 4242,
        microvmPid: 4243,
        startedAt: null,
        memoryBytes: null,
        cpuPercent: null,
        diskBytes: null,
        portalPort: null,
        logPath: path.join(root, 'alpha', '.menv', 'log', 'Sandboxfile', 'off.log'),
      });
      expect(byName['gone']).toMatchObject({
        startedAt: Date.UTC(2025, 5, 1, 12, 0, 0),
        portalPort: 40001,
        memoryBytes: null,
        logPath: null,
      });
      expect(byName['fresh']).toMatchObject({ supervisorPid: null, microvmPid: null, startedAt: null });
      expect(states(ns(view, 'bare'))).toEqual({ a: 'defined', b: 'defined' });
      expect(ns(view, 'empty')).toEqual({ name: 'empty', error: null, sandboxes: [] });
      expect(ns(view, 'nofile')).toEqual({ name: 'nofile', error: null, sandboxes: [] });
      expect(bystander.exitCode).toBeNull();
    },
  );

  it('a broken database is reported for its namespace only; a bad Sandboxfile too', async (ctx) => {
    const root = await kit(ctx).tmp();
    const dir = await makeNamespace(root, 'broken', { sandboxfile: sandboxfile('x') });
    await fsp.mkdir(path.join(dir, '.menv'));
    await fsp.writeFile(
      path.join(dir, '.menv', 'sandbox.db'),
      'this is not a database, just some text long enough to look at',
    );
    await makeNamespace(root, 'badyaml', { sandboxfile: 'sandboxes: [unclosed' });
    await makeNamespace(root, 'fine', {
      sandboxfile: sandboxfile('ok'),
      rows: [{ name: 'ok', status: 'STOPPED', supervisorPid: 5, microvmPid: 6 }],
    });
    let slept = 0;
    const view = await listSandboxes({
      namespacesDir: root,
      dbRetry: { attempts: 3, retryDelayMs: 1, sleep: () => Promise.resolve(void slept++) },
    });
    expect(ns(view, 'broken').error).toMatch(/sandbox\.db is not a readable sandbox database/);
    expect(states(ns(view, 'broken'))).toEqual({ x: 'defined' });
    expect(slept).toBe(2); // read again before giving up
    expect(ns(view, 'badyaml').error).toMatch(/Sandboxfile is not valid YAML/);
    expect(ns(view, 'fine')).toMatchObject({ error: null, sandboxes: [{ name: 'ok', state: 'stopped' }] });
  });

  it('a database caught mid-write (hot journal) is read again, and reported only if the journal stays', async (ctx) => {
    const root = await kit(ctx).tmp();
    const dir = await makeNamespace(root, 'busy', {
      sandboxfile: sandboxfile('vm'),
      rows: [{ name: 'vm', status: 'STOPPED', supervisorPid: 7, microvmPid: 8 }],
    });
    const db = path.join(dir, '.menv', 'sandbox.db');
    const journal = `${db}-journal`;
    await fsp.writeFile(journal, Buffer.concat([JOURNAL_MAGIC, await fsp.readFile(db)]));

    // The writer finishes while the reader waits: the second attempt reads the database.
    const sleeps: number[] = [];
    const resolved = await listSandboxes({
      namespacesDir: root,
      dbRetry: {
        attempts: 4,
        retryDelayMs: 30,
        sleep: async (ms) => {
          sleeps.push(ms);
          await fsp.rm(journal);
        },
      },
    });
    expect(sleeps).toEqual([30]);
    expect(ns(resolved, 'busy')).toMatchObject({ error: null, sandboxes: [{ name: 'vm', state: 'stopped' }] });

    // A journal that stays through every attempt: reported, not called broken.
    await fsp.writeFile(journal, Buffer.concat([JOURNAL_MAGIC, await fsp.readFile(db)]));
    const catalog = new SandboxCatalog({
      namespacesDir: root,
      dbRetry: { attempts: 3, retryDelayMs: 1, sleep: async () => {} },
    });
    const stuck = await catalog.list();
    expect(ns(stuck, 'busy').error).toMatch(/being written/);
    expect(ns(stuck, 'busy').error).not.toMatch(/not a readable/);
    // And the next listing looks again (nothing stale is cached).
    await fsp.rm(journal);
    expect(ns(await catalog.list(), 'busy')).toMatchObject({ error: null, sandboxes: [{ state: 'stopped' }] });
    catalog.dispose();
  });

  it('a zeroed journal (journal_mode PERSIST after a commit) is no write under way', async (ctx) => {
    const root = await kit(ctx).tmp();
    const dir = await makeNamespace(root, 'p', {
      sandboxfile: sandboxfile('vm'),
      rows: [{ name: 'vm', status: 'STOPPED', supervisorPid: 7, microvmPid: 8 }],
    });
    await fsp.writeFile(path.join(dir, '.menv', 'sandbox.db-journal'), Buffer.alloc(512));
    const view = await listSandboxes({ namespacesDir: root, dbRetry: { attempts: 2, sleep: async () => {} } });
    expect(ns(view, 'p')).toMatchObject({ error: null, sandboxes: [{ state: 'stopped' }] });
  });

  it('sandboxes the stand-in started: running with metrics, then stopped; listing never writes', async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const k = kit(ctx);
    const root = path.join(await k.tmp(), 'namespaces');
    const s = await k.server(root, { MSB_STANDIN_MICROVM_BUSY: '1' });
    expect(
      (await rpc(s, 'sandbox.start', { sandbox: 'web', namespace: 'team', config: { image: 'microsandbox/python' } }))
        .status,
    ).toBe(200);
    const ports = JSON.parse(await fsp.readFile(path.join(root, 'portal.ports'), 'utf8')) as {
      mappings: Record<string, number>;
    };
    const logFile = path.join(root, 'team', '.menv', 'log', 'Sandboxfile', 'web.log');
    await until('the microVM wrote its file', async () => (await fsp.readFile(logFile, 'utf8')).includes('ready'));

    let clock = Date.now();
    const catalog = new SandboxCatalog({ namespacesDir: root, now: () => clock });
    const before = await snapshotTree(root);
    const first = await catalog.list();
    const web = ns(first, 'team').sandboxes[0];
    expect(web).toMatchObject({
      name: 'web',
      state: 'running',
      portalPort: ports.mappings['team/web'],
      logPath: logFile,
      cpuPercent: null,
    });
    expect(web?.memoryBytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(web?.diskBytes).toBe(4096);
    expect(Math.abs((web?.startedAt ?? 0) - Date.now())).toBeLessThan(10_000);

    // CPU from two samples of the microVM's CPU time over the time between them. How much CPU a
    // busy process gets depends on the machine's load, so the figure is checked against the
    // process's own CPU time read around each sample, not against a fixed share.
    const busy = web?.microvmPid ?? 0;
    clock = Date.now();
    const first1 = clock;
    const lo1 = await cpuMs(busy);
    await catalog.list(); // the sample the next one is measured from
    const hi1 = await cpuMs(busy);
    await until('the microVM used CPU', async () => (await cpuMs(busy)) - hi1 >= 50);
    clock = Date.now();
    const lo2 = await cpuMs(busy);
    const second = ns(await catalog.list(), 'team').sandboxes[0];
    const hi2 = await cpuMs(busy);
    const elapsed = clock - first1;
    const tick = 10; // /proc counts CPU time in ticks of 10 ms
    expect(second?.cpuPercent).toBeGreaterThan(0);
    expect(second?.cpuPercent).toBeGreaterThanOrEqual(((lo2 - hi1 - tick) / elapsed) * 100);
    expect(second?.cpuPercent).toBeLessThanOrEqual(((hi2 - lo1 + tick) / elapsed) * 100);
    expect(second?.cpuPercent).toBeLessThan(110);
    expect(await snapshotTree(root)).toEqual(before);

    expect((await rpc(s, 'sandbox.stop', { sandbox: 'web', namespace: 'team' })).status).toBe(200);
    await until('stopped', async () => ns(await catalog.list(), 'team').sandboxes[0]?.state === 'stopped');
    const stopped = ns(await catalog.list(), 'team').sandboxes[0];
    expect(stopped).toMatchObject({
      memoryBytes: null,
      cpuPercent: null,
      diskBytes: null,
      portalPort: null,
      startedAt: null,
      supervisorPid: web?.supervisorPid,
    });
    catalog.dispose();
  });

  it('a SIGKILLed supervisor makes the row stale', async (ctx) => {
    if (!LINUX) return ctx.skip('reads /proc: Linux only');
    const k = kit(ctx);
    const root = path.join(await k.tmp(), 'namespaces');
    const s = await k.server(root);
    expect((await rpc(s, 'sandbox.start', { sandbox: 'vm', namespace: 'k', config: { image: 'x' } })).status).toBe(200);
    const running = ns(await listSandboxes({ namespacesDir: root }), 'k').sandboxes[0];
    expect(running?.state).toBe('running');
    process.kill(running?.supervisorPid ?? 0, 'SIGKILL');
    await until(
      'stale',
      async () => ns(await listSandboxes({ namespacesDir: root }), 'k').sandboxes[0]?.state === 'stale',
    );
    process.kill(running?.microvmPid ?? 0, 'SIGTERM');
  });

  it('a repeated listing reuses what it read while no file changed, and sees a changed one', async (ctx) => {
    const root = await kit(ctx).tmp();
    await makeNamespace(root, 'a', {
      sandboxfile: sandboxfile('one'),
      rows: [{ name: 'one', status: 'STOPPED', supervisorPid: 5, microvmPid: 6 }],
    });
    // The catalog's clock runs a minute ahead, so these files do not count as just changed.
    const catalog = new SandboxCatalog({ namespacesDir: root, now: () => Date.now() + 60_000 });
    const first = await catalog.list();
    const second = await catalog.list();
    expect(second.namespaces[0]).toBe(first.namespaces[0]);
    await fsp.writeFile(path.join(root, 'a', 'Sandboxfile'), sandboxfile('one', 'two'));
    const third = await catalog.list();
    expect(third.namespaces[0]).not.toBe(first.namespaces[0]);
    expect(states(ns(third, 'a'))).toEqual({ one: 'stopped', two: 'defined' });
    catalog.dispose();
  });
});

describe('parseSqliteUtc', () => {
  it('reads zone-less UTC text and nothing else', () => {
    expect(parseSqliteUtc('2025-06-01 12:00:00')).toBe(Date.UTC(2025, 5, 1, 12, 0, 0));
    expect(parseSqliteUtc('2025-06-01 12:00:00.250')).toBe(Date.UTC(2025, 5, 1, 12, 0, 0, 250));
    expect(parseSqliteUtc('June 1st')).toBeNull();
    expect(parseSqliteUtc(42)).toBeNull();
  });
});

/** A process's CPU time (user + system) in ms, from /proc/PID/stat (ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
