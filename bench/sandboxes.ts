// Sandboxes figures: listing cost (cold and unchanged), idle cost of the monitor with running
// sandboxes, and how soon a change made outside the app is emitted.
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'vite';
import { SandboxCatalog } from '../electron/core/sandboxes/catalog.ts';
import { SandboxMonitor } from '../electron/core/sandboxes/sandbox-monitor.ts';
import { loadSqlite } from '../electron/core/sandboxes/sqlite.ts';
import type { SandboxesView } from '../shared/sandboxes.ts';
import { migrate, writeDb } from '../test/fixtures/msbserver-standin/sandbox-db.js';
import { killMsbrunUnder, startStandin, type RunningStandin } from '../test/fixtures/standin-helpers.ts';
import { epochMs, fmt, summarize, type Summary } from './stats.ts';

const run = promisify(execFile);
const ENTRY = fileURLToPath(new URL('../electron/core/sandboxes/index.ts', import.meta.url));

export interface SandboxesFigures {
  readonly firstEverMs: number;
  readonly cold: Summary;
  readonly unchanged: Summary;
  readonly running: number;
  /** The probe process before it watches anything: the machine's floor for the two idle figures. */
  readonly idleBaselinePercent: number;
  readonly idleClosedPercent: number;
  readonly idleInterestPercent: number;
  readonly idleSeconds: number;
  readonly startNoticed: Summary;
  /** The monitor's own share of it: from the server's answer (the RUNNING row is written by then) to the emit. */
  readonly startAfterAnswer: Summary;
  readonly stopNoticed: Summary;
}

/**
 * 100 namespaces × 10 sandboxes as upstream leaves them: 6 with rows (stopped), 4 only defined, logs
 * for the started ones.
 */
async function makeFleet(root: string): Promise<void> {
  for (let n = 0; n < 100; n++) {
    const dir = path.join(root, `ns${n}`);
    const names = Array.from({ length: 10 }, (_, i) => `sandbox-${i}`);
    await fsp.mkdir(path.join(dir, '.menv', 'log', 'Sandboxfile'), { recursive: true });
    const entry = (s: string, i: number) =>
      `  ${s}:\n    image: microsandbox/python\n    memory: 512\n    ports:\n    - ${40000 + n * 10 + i}:4444\n`;
    await fsp.writeFile(
      path.join(dir, 'Sandboxfile'),
      `# Sandbox configurations\nsandboxes:\n${names.map(entry).join('')}`,
    );
    await fsp.writeFile(path.join(dir, '.gitignore'), '.menv/\n');
    await writeDb(path.join(dir, '.menv', 'sandbox.db'), (db) => {
      migrate(db);
      for (const s of names.slice(0, 6)) {
        db.run(
          `INSERT INTO sandboxes
             (name, config_file, config_last_modified, status, supervisor_pid, microvm_pid, rootfs_paths)
           VALUES (?, 'Sandboxfile', '2025-01-01T00:00:00+00:00', 'STOPPED', 100000, 100001, ?)`,
          [s, `overlayfs:/layers/x:${dir}/.menv/patch/Sandboxfile/${s}:${dir}/.menv/rw/Sandboxfile/${s}`],
        );
      }
    });
    for (const s of names.slice(0, 6))
      await fsp.writeFile(path.join(dir, '.menv', 'log', 'Sandboxfile', `${s}.log`), 'booted\n');
  }
}

async function bundle(outDir: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      ssr: ENTRY,
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'sandboxes.js' } },
    },
    ssr: { noExternal: [] },
  });
  return path.join(outDir, 'sandboxes.js');
}

const rpc = async (s: RunningStandin, method: string, params: unknown): Promise<void> => {
  const res = await fetch(`${s.url}/api/v1/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
  });
  if (res.status !== 200) throw new Error(`${method} answered ${res.status}: ${await res.text()}`);
};

function whenState(monitor: SandboxMonitor, ns: string, name: string, state: string): Promise<number> {
  return new Promise((resolve) => {
    const check = (view: SandboxesView): void => {
      if (view.namespaces.find((n) => n.name === ns)?.sandboxes.find((s) => s.name === name)?.state !== state) return;
      off();
      resolve(epochMs());
    };
    const off = monitor.onChange(check);
  });
}

export async function measureSandboxes(runs: number, idleSeconds: number): Promise<SandboxesFigures> {
  const temp = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-bench-sandboxes-'));
  const servers: RunningStandin[] = [];
  try {
    const fleet = path.join(temp, 'fleet');
    await makeFleet(fleet);
    // Let the files age past the catalog's "just changed" window, as they would in use.
    await new Promise((r) => setTimeout(r, 1_200));

    let t = performance.now();
    await loadSqlite();
    const catalog0 = new SandboxCatalog({ namespacesDir: fleet });
    await catalog0.list();
    const firstEverMs = performance.now() - t;
    catalog0.dispose();

    const cold: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const catalog = new SandboxCatalog({ namespacesDir: fleet });
      t = performance.now();
      const view = await catalog.list();
      if (i >= 3) cold.push(performance.now() - t);
      if (view.namespaces.length !== 100 || view.namespaces.some((n) => n.sandboxes.length !== 10))
        throw new Error('the fleet did not list in full');
      catalog.dispose();
    }
    const warm = new SandboxCatalog({ namespacesDir: fleet });
    await warm.list();
    const unchanged: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      t = performance.now();
      await warm.list();
      if (i >= 3) unchanged.push(performance.now() - t);
    }
    warm.dispose();

    // 10 running sandboxes, started by the stand-in in 2 namespaces.
    const live = path.join(temp, 'live', 'namespaces');
    const server = await startStandin({
      args: ['--dev', '--path', live],
      env: { NO_COLOR: '1', MICROSANDBOX_HOME: path.dirname(live) },
    });
    servers.push(server);
    for (let i = 0; i < 10; i++)
      await rpc(server, 'sandbox.start', {
        sandbox: `vm${i}`,
        namespace: `team${i % 2}`,
        config: { image: 'microsandbox/python' },
      });

    const outDir = fileURLToPath(new URL('../out/bench-sandboxes/', import.meta.url));
    const coreFile = await bundle(outDir);
    const { stdout } = await run(
      process.execPath,
      [fileURLToPath(new URL('./sandboxes-idle-probe.mjs', import.meta.url))],
      {
        env: { ...process.env, CORE_FILE: coreFile, NAMESPACES: live, IDLE_SECONDS: String(idleSeconds) },
        timeout: (idleSeconds * 3 + 60) * 1_000,
      },
    );
    const idle = JSON.parse(stdout) as {
      running: number;
      baselinePercent: number;
      closedPercent: number;
      interestPercent: number;
      seconds: number;
    };

    // Outside changes: a start through the server (from the request) and a supervisor ended by
    // a signal from outside (from the kill), until the monitor emits them.
    const monitor = new SandboxMonitor({ namespacesDir: live });
    await monitor.start();
    const startNoticed: number[] = [];
    const startAfterAnswer: number[] = [];
    const stopNoticed: number[] = [];
    for (let i = 0; i < Math.max(5, Math.round(runs / 2)); i++) {
      const started = whenState(monitor, 'probe', 'p', 'running');
      const t0 = epochMs();
      await rpc(server, 'sandbox.start', {
        sandbox: 'p',
        namespace: 'probe',
        config: { image: 'microsandbox/python' },
      });
      const answered = epochMs();
      const emitted = await started;
      startNoticed.push(emitted - t0);
      // Emitted before the answer arrived counts as no delay of the app's.
      startAfterAnswer.push(Math.max(0, emitted - answered));
      const view = monitor.current();
      const pid =
        view?.namespaces.find((n) => n.name === 'probe')?.sandboxes.find((s) => s.name === 'p')?.supervisorPid ?? 0;
      const stopped = whenState(monitor, 'probe', 'p', 'stopped');
      const t1 = epochMs();
      process.kill(pid, 'SIGTERM');
      stopNoticed.push((await stopped) - t1);
      await new Promise((r) => setTimeout(r, 300));
    }
    monitor.dispose();
    return {
      firstEverMs,
      cold: summarize(cold),
      unchanged: summarize(unchanged),
      running: idle.running,
      idleBaselinePercent: idle.baselinePercent,
      idleClosedPercent: idle.closedPercent,
      idleInterestPercent: idle.interestPercent,
      idleSeconds: idle.seconds,
      startNoticed: summarize(startNoticed),
      startAfterAnswer: summarize(startAfterAnswer),
      stopNoticed: summarize(stopNoticed),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop(500)));
    await killMsbrunUnder(temp);
    await fsp.rm(temp, { recursive: true, force: true });
  }
}

/** The rows bench/run.ts prints. */
export async function sandboxesRows(
  runs: number,
  idleSeconds: number,
): Promise<{ figure: string; value: string; budget: string; met: boolean | null }[]> {
  const f = await measureSandboxes(runs, idleSeconds);
  const median = (figure: string, s: Summary, budget: number) => ({
    figure,
    value: `median ${fmt(s.median)} ms, p95 ${fmt(s.p95)} ms (n=${s.runs})`,
    budget: `median ≤ ${budget} ms`,
    met: s.median <= budget,
  });
  return [
    {
      figure: 'sandboxes: first listing in a process (incl. compiling sql.js wasm)',
      value: `${fmt(f.firstEverMs)} ms`,
      budget: '—',
      met: null,
    },
    median('sandboxes: list 100 namespaces × 10, cold', f.cold, 50),
    median('sandboxes: the same, nothing changed', f.unchanged, 5),
    {
      figure:
        `sandboxes idle: the same process before it watches anything (the machine's floor, over ${f.idleSeconds} ` +
        `s)`,
      value: `${fmt(f.idleBaselinePercent, 3)} % of one core`,
      budget: '—',
      met: null,
    },
    {
      figure: `sandboxes idle, ${f.running} running, no metrics interest (over ${f.idleSeconds} s)`,
      value: `${fmt(f.idleClosedPercent, 3)} % of one core`,
      budget: '≤ 0.1 %',
      met: f.idleClosedPercent <= 0.1,
    },
    {
      figure: `sandboxes idle, ${f.running} running, metrics interest held (over ${f.idleSeconds} s)`,
      value: `${fmt(f.idleInterestPercent, 3)} % of one core`,
      budget: '≤ 0.5 %',
      met: f.idleInterestPercent <= 0.5,
    },
    median('sandboxes: outside start noticed (request sent → running emitted)', f.startNoticed, 300),
    {
      figure: "sandboxes: the monitor's share of it (server answered → running emitted)",
      value:
        `median ${fmt(f.startAfterAnswer.median)} ms, p95 ${fmt(f.startAfterAnswer.p95)} ms ` +
        `(n=${f.startAfterAnswer.runs})`,
      budget: '—',
      met: null,
    },
    median('sandboxes: outside stop noticed (SIGTERM → stopped emitted)', f.stopNoticed, 300),
  ];
}
