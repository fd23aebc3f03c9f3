// Helpers for the sandboxes tests: namespaces made by hand with upstream's schema (through the
// stand-in's own database code), a stand-in server that really runs sandboxes, and a snapshot
// of a folder tree to prove a listing changed nothing.

import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'vitest';
import { expect } from 'vitest';
import { migrate, writeDb } from '../../../fixtures/msbserver-standin/sandbox-db.js';
import {
  killMsbrunUnder,
  msbrunProcessesUnder,
  signTestToken,
  startStandin,
  type RunningStandin,
} from '../../../fixtures/standin-helpers.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { createSandboxesService, type SandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import type { SandboxesView } from '../../../../shared/sandboxes.ts';
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../../shared/settings-schema.ts';
import { waitFor } from '../../../support/wait-for.ts';

export interface HandRow {
  name: string;
  status: 'RUNNING' | 'STOPPED';
  supervisorPid: number;
  microvmPid: number;
  rootfsPaths?: string;
  modifiedAt?: string;
}

/** A namespace folder as upstream leaves it: Sandboxfile, .gitignore and (with rows) .menv/sandbox.db. */
export async function makeNamespace(
  namespacesDir: string,
  ns: string,
  options: { sandboxfile?: string | null; rows?: HandRow[]; logs?: string[] } = {},
): Promise<string> {
  const dir = path.join(namespacesDir, ns);
  await fsp.mkdir(dir, { recursive: true });
  if (options.sandboxfile !== null)
    await fsp.writeFile(path.join(dir, 'Sandboxfile'), options.sandboxfile ?? '# Sandbox configurations\nsandboxes:\n');
  await fsp.writeFile(path.join(dir, '.gitignore'), '.menv/\n');
  if (options.rows !== undefined) {
    await writeDb(path.join(dir, '.menv', 'sandbox.db'), (db) => {
      migrate(db);
      for (const r of options.rows ?? []) {
        db.run(
          `INSERT INTO sandboxes
             (name, config_file, config_last_modified, status, supervisor_pid, microvm_pid, rootfs_paths, modified_at)
           VALUES (?, 'Sandboxfile', '2025-01-01T00:00:00+00:00', ?, ?, ?, ?, ?)`,
          [
            r.name,
            r.status,
            r.supervisorPid,
            r.microvmPid,
            r.rootfsPaths ?? 'overlayfs:/nowhere/rw',
            r.modifiedAt ?? '2025-06-01 12:00:00',
          ],
        );
      }
    });
  }
  for (const log of options.logs ?? []) {
    await fsp.mkdir(path.join(dir, '.menv', 'log', 'Sandboxfile'), { recursive: true });
    await fsp.writeFile(path.join(dir, '.menv', 'log', 'Sandboxfile', `${log}.log`), `${log} line 1\n${log} line 2\n`);
  }
  return dir;
}

export const sandboxfile = (...names: string[]): string =>
  `sandboxes:\n${names.map((n) => `  ${n}:\n    image: microsandbox/python\n    ports:\n    - 40000:4444\n`).join('')}`;

/** Every path under `dir` with its type, size and mtime: equal before and after means untouched. */
export async function snapshotTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await fsp.readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const s = await fsp.lstat(full);
      out.push(`${path.relative(dir, full)} ${entry.isDirectory() ? 'd' : 'f'} ${s.size} ${s.mtimeMs}`);
      if (entry.isDirectory()) await walk(full);
    }
  };
  const top = await fsp.lstat(dir);
  out.push(`. ${top.mtimeMs}`);
  await walk(dir);
  return out.sort();
}

export interface SandboxTestKit {
  tmp(): Promise<string>;
  /** A stand-in in dev mode serving `namespacesDir`. */
  server(namespacesDir: string, env?: Record<string, string>): Promise<RunningStandin>;
  /** A child process that is alive and is not msbrun. */
  bystander(): ChildProcess;
}

/** Temp dirs, servers and processes of one test, all cleaned up; fails the test if msbrun processes were left. */
export function kit(ctx: TestContext): SandboxTestKit {
  const dirs: string[] = [];
  const servers: RunningStandin[] = [];
  const children: ChildProcess[] = [];
  ctx.onTestFinished(async () => {
    await Promise.all(servers.map((s) => s.stop(500)));
    for (const c of children) c.kill('SIGKILL');
    const left: string[] = [];
    for (const d of dirs) {
      await waitFor(async () => (await msbrunProcessesUnder(d)).length === 0, {
        timeout: 5_000,
        every: 20,
        what: 'the stopped sandboxes to end',
      }).catch(() => undefined); // what is still there is killed and reported just below
      left.push(...(await killMsbrunUnder(d)).map((p) => p.argv.slice(1, 3).join(' ')));
    }
    await Promise.all(dirs.map((d) => fsp.rm(d, { recursive: true, force: true })));
    expect(left, 'msbrun processes left behind by the test').toEqual([]);
  });
  return {
    async tmp() {
      const d = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-sandboxes-'));
      dirs.push(d);
      return d;
    },
    async server(namespacesDir, env = {}) {
      const s = await startStandin({
        args: ['--dev', '--path', namespacesDir],
        env: { NO_COLOR: '1', RUST_LOG: undefined, MICROSANDBOX_HOME: path.dirname(namespacesDir), ...env },
      });
      servers.push(s);
      return s;
    },
    bystander() {
      const c = spawn('sleep', ['60'], { stdio: 'ignore' });
      children.push(c);
      return c;
    },
  };
}

export async function rpc(
  s: RunningStandin,
  method: string,
  params: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${s.url}/api/v1/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

export const until = (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> =>
  waitFor(check, { timeout: timeoutMs, every: 20, what });

/** A PID that no process has (a child that has exited and been reaped). */
export async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  return c.pid ?? 999_999;
}

// A sandboxes service on a temporary home, with a stand-in server that really runs sandboxes.

/** The server key of the services these helpers make. */
export const KEY = 'ServiceTestKey0123456789abcdefgh';

/** Settings with a namespaces folder the test can change. */
export function settingsOf(initial: Partial<Settings> = {}) {
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

export interface World {
  home: string;
  root: string;
  keyFile: string;
  server: ServerSnapshot;
  settings: ReturnType<typeof settingsOf>;
  service: SandboxesService;
  fetched: string[];
}

export async function world(
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

export async function secureServer(ctx: TestContext, w: World): Promise<RunningStandin> {
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

export async function startSandbox(s: RunningStandin, namespace: string, sandbox: string): Promise<void> {
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

export const stateIn = (view: SandboxesView, ns: string, name: string) =>
  view.namespaces.find((n) => n.name === ns)?.sandboxes.find((s) => s.name === name)?.state;
export const stateNow = (w: World, ns: string, name: string) => stateIn(w.service.view(), ns, name);
