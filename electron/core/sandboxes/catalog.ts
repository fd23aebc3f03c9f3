/**
 * The sandboxes of a namespaces folder, read from disk the way `msb server status` reads them,
 * but read-only (no `.menv/`, database, log or folder is ever created, nothing is locked) and
 * without trusting a RUNNING row whose supervisor is gone.
 *
 * A catalog keeps what it read per namespace, keyed on each file's stat (inode, size, mtime,
 * ctime), and reads a Sandboxfile, a database, the log folder or portal.ports again only when
 * that key changes. A file changed within the last second is not trusted to its key (file times
 * can be coarse, and two writes in one tick look alike): it is read again on the next listing.
 */
import { promises as fsp, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { isNamespaceName } from '../../../shared/namespace.ts';
import {
  type NamespaceInfo,
  type SandboxInfo,
  type SandboxesView,
  type SandboxState,
} from '../../../shared/sandboxes.ts';
import { DiskUsageCache, writableLayer } from './disk-usage.ts';
import { errorText as describeError, silentLogger, type Logger } from '../base/logger.ts';
import { CONFIG_FILE, MENV_DIR, SANDBOX_DB, portalPortsPath } from './sandbox-paths.ts';
import { parsePortalPorts, portalKey, type PortalPorts } from './portal-ports.ts';
import { CpuMeter, sampleProcess } from './proc-stats.ts';
import { readSandboxDb, type DbRead, type SandboxRow } from './sandbox-db.ts';
import { MAX_SMALL_FILE, readSandboxFile, readSandboxFileSync } from './safe-read.ts';
import { sandboxNamesIn, type SandboxfileRead } from './sandboxfile.ts';
import { identifySupervisor, type SupervisorExpectation } from '../process/supervisor-identity.ts';
import { probe } from '../base/probe.ts';

export interface CatalogOptions {
  readonly namespacesDir: string;
  readonly platform?: NodeJS.Platform;
  readonly logger?: Logger;
  /** Wall clock in ms (CPU percent and cache ages). */
  readonly now?: () => number;
  /** How a database caught mid-write is read again. */
  readonly dbRetry?: {
    readonly attempts?: number;
    readonly retryDelayMs?: number;
    readonly sleep?: (ms: number) => Promise<void>;
  };
}

/** A file changed this recently (ms) is read again on the next listing whatever its stat says. */
const RACY_MS = 1_000;

interface NamespaceCache {
  configKey: string;
  config: SandboxfileRead | null;
  dbKey: string;
  db: DbRead;
  logsKey: string;
  logs: ReadonlySet<string>;
  /** The last result, reused while no file changed and nothing in it runs (nothing to re-check). */
  infoKey: string;
  info: { info: NamespaceInfo; layers: string[] } | null;
}

export interface RunningSupervisor {
  readonly namespace: string;
  readonly name: string;
  readonly pid: number;
}

let racyCounter = 0;

/** The stat-based cache key of a file, or 'missing'. */
function fileKey(stats: Stats | null, now: number): string {
  if (stats === null) return 'missing';
  if (now - Math.max(stats.mtimeMs, stats.ctimeMs) < RACY_MS) return `racy:${++racyCounter}`;
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/**
 * Synchronous on purpose: a stat of a local file takes microseconds, while the asynchronous one
 * costs a thread-pool round trip; a listing makes a few hundred of them.
 */
function statOrNull(file: string, logger: Logger): Stats | null {
  try {
    return statSync(file, { throwIfNoEntry: false }) ?? null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') logger.debug(`sandboxes: cannot stat ${file}`, describeError(error));
    return null;
  }
}

export class SandboxCatalog {
  readonly namespacesDir: string;
  readonly #platform: NodeJS.Platform;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #cache = new Map<string, NamespaceCache>();
  #portsKey = 'none';
  #ports: PortalPorts = new Map();
  readonly #cpu: CpuMeter;
  readonly #disk: DiskUsageCache;
  #running: RunningSupervisor[] = [];
  #disposed = false;

  readonly #options: CatalogOptions;

  constructor(options: CatalogOptions) {
    this.#options = options;
    this.namespacesDir = path.resolve(options.namespacesDir);
    this.#platform = options.platform ?? process.platform;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#cpu = new CpuMeter(this.#now);
    this.#disk = new DiskUsageCache(this.#logger, this.#now);
  }

  /** The supervisors the last listing found running (for a cheap liveness check between listings). */
  runningSupervisors(): readonly RunningSupervisor[] {
    return this.#running;
  }

  /** Forget everything read so far: the next listing reads every file again. */
  invalidate(): void {
    this.#cache.clear();
    this.#portsKey = 'none';
  }

  dispose(): void {
    this.#disposed = true;
    this.invalidate();
  }

  async list(): Promise<SandboxesView> {
    if (this.#disposed) throw new Error('the sandbox catalog was disposed');
    const started = this.#now();
    const names = await this.#namespaceNames();
    await this.#refreshPorts(started);
    const namespaces = await Promise.all(names.map((ns) => this.#readNamespace(ns, started)));
    const seen = new Set(names);
    for (const ns of this.#cache.keys()) if (!seen.has(ns)) this.#cache.delete(ns);

    const running: RunningSupervisor[] = [];
    const vmPids = new Set<number>();
    const layers = new Set<string>();
    for (const ns of namespaces) {
      for (const s of ns.info.sandboxes) {
        if (s.state !== 'running') continue;
        if (s.supervisorPid !== null) running.push({ namespace: ns.info.name, name: s.name, pid: s.supervisorPid });
        if (s.microvmPid !== null) vmPids.add(s.microvmPid);
      }
      for (const layer of ns.layers) layers.add(layer);
    }
    this.#running = running;
    this.#cpu.retain(vmPids);
    this.#disk.retain(layers);
    return { namespacesDir: this.namespacesDir, namespaces: namespaces.map((n) => n.info) };
  }

  /** Folders under N with a valid namespace name, sorted. None when N does not exist. */
  async #namespaceNames(): Promise<string[]> {
    let entries;
    try {
      entries = await fsp.readdir(this.namespacesDir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.#logger.warn(`sandboxes: cannot list ${this.namespacesDir}`, describeError(error));
      return [];
    }
    const names: string[] = [];
    for (const entry of entries) {
      let isDir = entry.isDirectory();
      // upstream follows symlinks here (Path::is_dir).
      if (entry.isSymbolicLink())
        isDir = statOrNull(path.join(this.namespacesDir, entry.name), this.#logger)?.isDirectory() ?? false;
      if (!isDir) continue;
      const name: string = entry.name;
      if (!isNamespaceName(name)) {
        this.#logger.debug(`sandboxes: skipping ${JSON.stringify(name)}: not a namespace name msbserver would create`);
        continue;
      }
      names.push(name);
    }
    return names.sort();
  }

  async #refreshPorts(now: number): Promise<void> {
    const file = portalPortsPath(this.namespacesDir);
    const key = fileKey(statOrNull(file, this.#logger), now);
    if (key === this.#portsKey) return;
    this.#portsKey = key;
    if (key === 'missing') {
      this.#ports = new Map();
      return;
    }
    try {
      this.#ports = parsePortalPorts((await readSandboxFile(file, MAX_SMALL_FILE)).toString('utf8'));
    } catch (error) {
      // Caught mid-rewrite, or broken: no ports now, and a fresh look next time.
      this.#logger.debug(`sandboxes: cannot read ${file}`, describeError(error));
      this.#ports = new Map();
      this.#portsKey = 'unreadable';
    }
  }

  async #readNamespace(ns: string, now: number): Promise<{ info: NamespaceInfo; layers: string[] }> {
    const dir = path.join(this.namespacesDir, ns);
    const configFile = path.join(dir, CONFIG_FILE);
    const dbFile = path.join(dir, MENV_DIR, SANDBOX_DB);
    const logDir = path.join(dir, MENV_DIR, 'log', CONFIG_FILE);
    const configStat = statOrNull(configFile, this.#logger);
    const dbStat = statOrNull(dbFile, this.#logger);
    const logStat = statOrNull(logDir, this.#logger);
    const entry: NamespaceCache = this.#cache.get(ns) ?? {
      configKey: '',
      config: null,
      dbKey: '',
      db: { kind: 'missing' },
      logsKey: '',
      logs: new Set(),
      infoKey: '',
      info: null,
    };
    this.#cache.set(ns, entry);

    const configKey = fileKey(configStat, now);
    if (configKey !== entry.configKey) {
      entry.configKey = configKey;
      entry.config = configStat === null ? null : await this.#readConfig(configFile);
      if (entry.config !== null && !entry.config.ok) entry.configKey = 'retry';
    }
    const dbKey = fileKey(dbStat, now);
    if (dbKey !== entry.dbKey) {
      entry.db =
        dbStat === null
          ? { kind: 'missing' }
          : await readSandboxDb(dbFile, { logger: this.#logger, ...this.#options.dbRetry });
      // A busy or broken database is read again next time; so is one that changed during the read.
      entry.dbKey =
        entry.db.kind === 'ok' ? fileKey(entry.db.stat, now) : entry.db.kind === 'missing' ? dbKey : 'retry';
    }
    const logsKey = fileKey(logStat, now);
    if (logsKey !== entry.logsKey) {
      entry.logsKey = logsKey;
      entry.logs =
        logStat === null
          ? new Set()
          : new Set((await probe(fsp.readdir(logDir), { logger: this.#logger, what: `the logs in ${logDir}` })) ?? []);
    }

    const infoKey = `${entry.configKey}|${entry.dbKey}|${entry.logsKey}|${this.#portsKey}`;
    const rows = entry.db.kind === 'ok' ? entry.db.rows : [];
    if (entry.info !== null && infoKey === entry.infoKey && !rows.some((r) => r.status === 'RUNNING'))
      return entry.info;
    const built = await this.#build(ns, dir, entry);
    entry.infoKey = infoKey;
    entry.info = built;
    return built;
  }

  async #build(ns: string, dir: string, entry: NamespaceCache): Promise<{ info: NamespaceInfo; layers: string[] }> {
    const errors: string[] = [];
    if (entry.config !== null && !entry.config.ok) errors.push(entry.config.message);
    if (entry.db.kind === 'busy' || entry.db.kind === 'broken') errors.push(entry.db.message);
    const rows = entry.db.kind === 'ok' ? entry.db.rows : [];
    const defined = entry.config?.ok === true ? entry.config.names : [];
    const byName = new Map<string, SandboxRow>();
    for (const row of rows) byName.set(row.name, row);
    // Rows for sandboxes no longer in the Sandboxfile are shown too: a running one still uses
    // the machine, and can still be stopped directly.
    const allNames = [...new Set([...defined, ...byName.keys()])].sort();
    const layers: string[] = [];
    // The folder's real path, once per namespace rather than per running sandbox (a listing with
    // metrics interest runs every 2 s, and each realpath costs a thread-pool round trip).
    const real = rows.some((r) => r.status === 'RUNNING')
      ? await probe(fsp.realpath(dir), { logger: this.#logger, what: `the real path of ${dir}` })
      : null;
    const sandboxes = await Promise.all(
      allNames.map((name) => this.#describe(ns, dir, real, name, byName.get(name), entry.logs, layers)),
    );
    return { info: { name: ns, error: errors.length > 0 ? errors.join('; ') : null, sandboxes }, layers };
  }

  async #readConfig(file: string): Promise<SandboxfileRead | null> {
    let text: string;
    try {
      // Small local files: a synchronous read skips the thread-pool round trip.
      text = readSandboxFileSync(file, MAX_SMALL_FILE).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { ok: false, message: `Sandboxfile cannot be read: ${describeError(error)}` };
    }
    return sandboxNamesIn(text);
  }

  async #describe(
    ns: string,
    dir: string,
    real: string | null,
    name: string,
    row: SandboxRow | undefined,
    logs: ReadonlySet<string>,
    layers: string[],
  ): Promise<SandboxInfo> {
    const port = this.#ports.get(portalKey(ns, name)) ?? null;
    const logPath = logs.has(`${name}.log`) ? path.join(dir, MENV_DIR, 'log', CONFIG_FILE, `${name}.log`) : null;
    const base = { name, portalPort: port, logPath, memoryBytes: null, cpuPercent: null, diskBytes: null };
    if (row === undefined) {
      return { ...base, state: 'defined', supervisorPid: null, microvmPid: null, startedAt: null };
    }
    const pids = { supervisorPid: row.supervisorPid, microvmPid: row.microvmPid };
    if (row.status !== 'RUNNING') return { ...base, ...pids, state: 'stopped', startedAt: null };

    const state: SandboxState =
      row.supervisorPid !== null &&
      (await this.#isSupervisor(row.supervisorPid, ns, expectationFor(dir, real, name), name))
        ? 'running'
        : 'stale';
    if (state === 'stale') return { ...base, ...pids, state, startedAt: row.modifiedAt };

    let memoryBytes: number | null = null;
    let cpuPercent: number | null = null;
    if (row.microvmPid !== null) {
      const sample = await sampleProcess(row.microvmPid, this.#platform);
      if (sample !== null) {
        memoryBytes = sample.rssBytes;
        cpuPercent = this.#cpu.percent(row.microvmPid, sample);
      }
    }
    const layer = writableLayer(row.rootfsPaths);
    let diskBytes: number | null = null;
    if (layer !== null) {
      layers.push(layer);
      diskBytes = await this.#disk.bytes(layer);
    }
    return { ...base, ...pids, state, startedAt: row.modifiedAt, memoryBytes, cpuPercent, diskBytes };
  }

  async #isSupervisor(pid: number, ns: string, expected: SupervisorExpectation, name: string): Promise<boolean> {
    const identity = await identifySupervisor(pid, expected, this.#platform);
    if (identity.kind !== 'supervisor')
      this.#logger.debug(`sandboxes: ${ns}/${name}: supervisor PID ${pid} is ${identity.kind}; the row is stale`);
    return identity.kind === 'supervisor';
  }
}

/** What the supervisor of `D`'s sandbox `name` has on its command line (D as given, and resolved). */
export async function supervisorExpectation(dir: string, name: string): Promise<SupervisorExpectation> {
  return expectationFor(dir, await probe(fsp.realpath(dir)), name);
}

/** The same, with the folder's real path already known (null when it could not be resolved). */
function expectationFor(dir: string, real: string | null, name: string): SupervisorExpectation {
  const dirs = [dir];
  if (real !== null && real !== dir) dirs.push(real);
  return {
    name,
    logDirs: dirs.map((d) => path.join(d, MENV_DIR, 'log')),
    dbPaths: dirs.map((d) => path.join(d, MENV_DIR, SANDBOX_DB)),
  };
}

/**
 * One listing with nothing cached (a fresh catalog). For repeated listings keep a
 * `SandboxCatalog` (or a `SandboxMonitor`), which reads only what changed.
 */
export async function listSandboxes(options: CatalogOptions): Promise<SandboxesView> {
  const catalog = new SandboxCatalog(options);
  try {
    return await catalog.list();
  } finally {
    catalog.dispose();
  }
}
