/**
 * The runtime generation for main. Lists when the home's files say something changed (debounced
 * file events; a stat of those files before each listing, so an unchanged home starts no `msb`),
 * and on a slow timer only while something runs (a dead `Running` row turns `Crashed` only when
 * some `msb` reads it). Follows metrics while interest is held and one log while asked. Every
 * `msb` it starts ends by its timeout or by `dispose()`.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorText, silentLogger } from '../base/logger.ts';
import { scrubSecrets } from '../base/scrub.ts';
import type {
  HostReport,
  RuntimeAction,
  RuntimeCapabilities,
  RuntimeLogLine,
  RuntimeMetrics,
  RuntimeService,
  RuntimeServiceOptions,
  RuntimeState,
} from './api.ts';
import { checkHost } from './host-check.ts';
import { followMsb, type Follow } from './msb-follow.ts';
import { parseContext, parseLogLine, parseMetricsLine } from './msb-output.ts';
import { runMsb, runMsbJson } from './msb-runner.ts';
import { createRuntimeSandboxes } from './runtime-sandboxes.ts';
import { createSerialQueue, createSingleFlight } from './single-flight.ts';
import { watchRuntimeHome, type HomeWatch } from './msb-home-watch.ts';

/** File events come in bursts (one write touches the WAL several times). */
export const REFRESH_DEBOUNCE_MS = 25;
/** While something runs: how often `msb ls` alone looks whether a process died. */
export const LIVE_CHECK_MS = 40_000;
/** A failed listing is tried again after this, doubling up to RETRY_MAX_MS, not on its own write. */
export const RETRY_FIRST_MS = 2_000;
export const RETRY_MAX_MS = 60_000;
/** Statuses with a process behind them, which can die without writing anything. */
const LIVE_STATUSES: ReadonlySet<string> = new Set(['Running', 'Draining', 'Paused', 'Starting']);
const FOLLOW_TAIL = 200;
/** The most lines one log batch hands on; a flood shows its end. */
const MAX_LOG_BATCH = 1000;

export interface RuntimeServiceOptionsExtra extends RuntimeServiceOptions {
  /** Overrides for tests and benchmarks. */
  readonly liveCheckMs?: number;
  readonly debounceMs?: number;
  /** Run `msb doctor`, `msb context` and `msb --help` at start (default true). */
  readonly probeAtStart?: boolean;
}

/** Rows msb printed that this app cannot read (a newer msb's), said in the state, not hidden. */
function skippedText(skipped: readonly string[]): string | null {
  if (skipped.length === 0) return null;
  const count = skipped.length === 1 ? '1 sandbox is' : `${skipped.length} sandboxes are`;
  return scrubSecrets(`${count} not shown: ${skipped[0] ?? ''}`, null);
}

export function runtimeHome(options: Pick<RuntimeServiceOptions, 'home' | 'env'>): string {
  if (options.home !== undefined) return options.home;
  const fromEnv = (options.env ?? process.env)['MSB_HOME'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : path.join(os.homedir(), '.microsandbox');
}

async function homeStamp(home: string): Promise<string> {
  const stat = (file: string): Promise<string> =>
    fsp.stat(file, { bigint: true }).then(
      (s) => `${s.mtimeNs}:${s.size}:${s.ino}`,
      () => '-',
    );
  const parts = await Promise.all([
    stat(path.join(home, 'db', 'msb.db-wal')),
    stat(path.join(home, 'db', 'msb.db')),
    stat(path.join(home, 'sandboxes')),
  ]);
  return parts.join('|');
}

export function createRuntimeService(options: RuntimeServiceOptionsExtra): RuntimeService {
  const logger = options.logger ?? silentLogger;
  const home = runtimeHome(options);
  const runOptions = { msbPath: options.msbPath, home, ...(options.env === undefined ? {} : { env: options.env }) };
  const timeoutMs = options.commandTimeoutMs;
  const limits = timeoutMs === undefined ? {} : { timeoutMs };
  const sandboxes = createRuntimeSandboxes({
    ...runOptions,
    logger,
    ...(timeoutMs === undefined ? {} : { commandTimeoutMs: timeoutMs }),
  });
  const liveCheckMs = options.liveCheckMs ?? LIVE_CHECK_MS;
  const debounceMs = options.debounceMs ?? REFRESH_DEBOUNCE_MS;

  let state: RuntimeState = {
    sandboxes: [],
    metrics: {},
    host: null,
    context: null,
    capabilities: { pause: false },
    error: null,
    listedAt: null,
  };
  let shown = JSON.stringify(state);
  const listeners = new Set<(state: RuntimeState) => void>();
  const logListeners = new Set<(name: string, lines: readonly RuntimeLogLine[]) => void>();
  let disposed = false;
  /** The home's stamp after the last good listing; null forces the next one. */
  let baseline: string | null = null;
  /** Listings and live checks one at a time, so a check never mistakes msb's own write for news. */
  const exclusive = createSerialQueue();
  let debounce: NodeJS.Timeout | null = null;
  let liveTimer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let retryMs = RETRY_FIRST_MS;
  let confirmTimer: NodeJS.Timeout | null = null;
  let metricsInterest = 0;
  let metricsFollow: Follow | null = null;
  let logFollow: { readonly name: string; readonly follow: Follow } | null = null;

  const update = (next: Partial<RuntimeState>): void => {
    if (disposed) return;
    state = { ...state, ...next };
    const text = JSON.stringify(state);
    if (text === shown) return;
    shown = text;
    for (const listener of [...listeners]) {
      try {
        listener(state);
      } catch (error) {
        logger.error(`A runtime state listener failed: ${errorText(error)}`);
      }
    }
  };

  const list = async (force: boolean): Promise<RuntimeState> => {
    if (disposed) return state;
    const before = await homeStamp(home);
    if (!force && baseline !== null && before === baseline) return state;
    try {
      const { sandboxes: listed, skipped } = await sandboxes.listing();
      // msb writes the WAL on every run, this listing's included: the stamp after it is the new "unchanged".
      baseline = await homeStamp(home);
      retryMs = RETRY_FIRST_MS;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      update({ sandboxes: listed, error: skippedText(skipped), listedAt: Date.now() });
      // A write of someone else's that landed after this listing's msb read the database is folded
      // into the stamp just taken, with msb's own: one more listing soon reads it. Only after a
      // listing that news prompted (a forced one, this confirmation included, never asks again),
      // so msb's own writes cannot chain listings.
      if (!force) arrangeConfirm();
    } catch (error) {
      // A failed `msb ls` wrote the WAL too: that write is no news. Without this the watch would see
      // it, list again, fail again and write again, starting msb over and over while nothing changed.
      baseline = await homeStamp(home);
      logger.warn(`Listing the runtime's sandboxes failed: ${errorText(error)}`);
      update({ error: scrubSecrets(errorText(error), null), listedAt: Date.now() });
      arrangeRetry();
    }
    arrangeLiveCheck();
    if (metricsInterest > 0 && metricsFollow === null) startMetrics();
    return state;
  };

  const refresh = (force = false): Promise<RuntimeState> => exclusive(() => list(force));

  const liveCheck = (): Promise<unknown> =>
    exclusive(async () => {
      if (disposed) return;
      if (baseline === null || (await homeStamp(home)) !== baseline) return list(true);
      try {
        const statuses = await sandboxes.statuses();
        const known = state.sandboxes.map(({ name, status }) => `${name}:${status}`).join('\n');
        const now = statuses.map(({ name, status }) => `${name}:${status}`).join('\n');
        if (now !== known) return list(true);
        baseline = await homeStamp(home);
      } catch (error) {
        logger.warn(`Checking the runtime's running sandboxes failed: ${errorText(error)}`);
      }
      arrangeLiveCheck();
      return undefined;
    });

  function arrangeConfirm(): void {
    if (disposed || confirmTimer !== null) return;
    confirmTimer = setTimeout(() => {
      confirmTimer = null;
      void refresh(true);
    }, debounceMs);
    confirmTimer.unref();
  }

  function arrangeRetry(): void {
    if (disposed || retryTimer !== null) return;
    const wait = retryMs;
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void refresh(true);
    }, wait);
    retryTimer.unref();
  }

  function arrangeLiveCheck(): void {
    const live = state.sandboxes.some((sandbox) => LIVE_STATUSES.has(sandbox.status));
    if (live && liveTimer === null && !disposed) {
      liveTimer = setTimeout(() => {
        liveTimer = null;
        void liveCheck();
      }, liveCheckMs);
      liveTimer.unref();
    } else if (!live && liveTimer !== null) {
      clearTimeout(liveTimer);
      liveTimer = null;
    }
  }

  const onFileEvent = (): void => {
    if (disposed) return;
    if (debounce !== null) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = null;
      void refresh(false);
    }, debounceMs);
  };
  const watch: HomeWatch = watchRuntimeHome(home, onFileEvent, logger);

  function startMetrics(): void {
    if (disposed || metricsFollow !== null) return;
    metricsFollow = followMsb(
      runOptions,
      ['metrics', '--follow', '--interval', '1s'],
      {
        parse: parseMetricsLine,
        onBatch: (items: RuntimeMetrics[]) => {
          const metrics = { ...state.metrics };
          for (const item of items) metrics[item.name] = item;
          update({ metrics });
        },
        onEnd: () => {
          // Started again by the next listing while interest is still held.
          metricsFollow = null;
        },
      },
      logger,
    );
  }

  /** One run at a time per key (see createSingleFlight). */
  const once = createSingleFlight();

  /** The action in flight per sandbox. */
  const acting = new Map<string, RuntimeAction>();

  const requireListed = async (name: string): Promise<void> => {
    if (state.sandboxes.some((sandbox) => sandbox.name === name)) return;
    await refresh(false);
    if (!state.sandboxes.some((sandbox) => sandbox.name === name))
      throw new Error(`There is no sandbox named ${JSON.stringify(name.slice(0, 140))}.`);
  };

  const actNow = async (
    name: string,
    action: RuntimeAction,
    actOptions: { readonly force?: boolean },
  ): Promise<void> => {
    await requireListed(name);
    const run: Record<RuntimeAction, () => Promise<void>> = {
      stop: () => sandboxes.stop(name, { force: actOptions.force === true }),
      start: () => sandboxes.start(name),
      restart: () => sandboxes.restart(name),
      remove: () => sandboxes.remove(name),
      pause: () => sandboxes.pause(name),
      resume: () => sandboxes.resume(name),
    };
    if ((action === 'pause' || action === 'resume') && !state.capabilities.pause)
      throw new Error(`The installed msb cannot ${action} sandboxes; update microsandbox to 0.7 or later.`);
    try {
      await run[action]();
    } finally {
      await refresh(true);
    }
  };

  const probe = async (): Promise<void> => {
    const [help, context] = await Promise.allSettled([
      runMsb(runOptions, ['--help'], limits),
      runMsbJson(runOptions, ['context', '--format', 'json'], parseContext, limits),
    ]);
    const capabilities: RuntimeCapabilities = {
      pause: help.status === 'fulfilled' && /^\s+pause\s/m.test(help.value.stdout),
    };
    if (help.status === 'rejected') logger.warn(`msb --help failed: ${errorText(help.reason)}`);
    if (context.status === 'rejected') logger.warn(`msb context failed: ${errorText(context.reason)}`);
    update({ capabilities, ...(context.status === 'fulfilled' ? { context: context.value } : {}) });
  };

  const service: RuntimeService = {
    state: () => state,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh: () => refresh(false),
    checkHost(): Promise<HostReport> {
      return once('doctor', async () => {
        const report = await checkHost({ ...runOptions, ...limits });
        update({ host: report });
        return report;
      });
    },
    watchMetrics() {
      metricsInterest += 1;
      startMetrics();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        metricsInterest -= 1;
        if (metricsInterest === 0) {
          metricsFollow?.dispose();
          metricsFollow = null;
          update({ metrics: {} });
        }
      };
    },
    followLog(name) {
      if (logFollow !== null && logFollow.name === name) return;
      logFollow?.follow.dispose();
      logFollow = null;
      if (name === null || disposed) return;
      if (!state.sandboxes.some((sandbox) => sandbox.name === name)) {
        logger.warn(`Not following the log of ${JSON.stringify(name.slice(0, 140))}: no such sandbox in the list.`);
        return;
      }
      const follow = followMsb(
        runOptions,
        ['logs', '--json', '--follow', '--source', 'all', '--tail', String(FOLLOW_TAIL), '--', name],
        {
          parse: (value, command) => {
            const line = parseLogLine(value, command);
            return { ...line, text: scrubSecrets(line.text, null) };
          },
          onBatch: (lines: RuntimeLogLine[]) => {
            const bounded = lines.length > MAX_LOG_BATCH ? lines.slice(-MAX_LOG_BATCH) : lines;
            for (const listener of [...logListeners]) {
              try {
                listener(name, bounded);
              } catch (error) {
                logger.error(`A runtime log listener failed: ${errorText(error)}`);
              }
            }
          },
        },
        logger,
      );
      const current = { name, follow };
      logFollow = current;
      // `msb logs -f` ends by itself when the sandbox stops: asking for the same log again restarts it.
      void follow.ended.then(() => {
        if (logFollow === current) logFollow = null;
      });
    },
    onLogLines(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    logTail(name, lines) {
      return once(`log-tail\u0000${name}\u0000${lines}`, async () => {
        await requireListed(name);
        return sandboxes.logTail(name, lines);
      });
    },
    act(name, action: RuntimeAction, actOptions = {}) {
      // One act per sandbox at a time: the same ask again joins the one in flight; another action
      // on that sandbox meanwhile is refused (msb would race on it), not queued behind it.
      const busy = acting.get(name);
      if (busy !== undefined && busy !== action)
        return Promise.reject(
          new Error(
            `${JSON.stringify(name.slice(0, 140))} is still being handled (${busy}); try again once it is done.`,
          ),
        );
      acting.set(name, action);
      return once(`act\u0000${name}`, () => actNow(name, action, actOptions).finally(() => acting.delete(name)));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      watch.dispose();
      if (debounce !== null) clearTimeout(debounce);
      if (liveTimer !== null) clearTimeout(liveTimer);
      if (confirmTimer !== null) clearTimeout(confirmTimer);
      if (retryTimer !== null) clearTimeout(retryTimer);
      metricsFollow?.dispose();
      metricsFollow = null;
      logFollow?.follow.dispose();
      logFollow = null;
      sandboxes.dispose();
      listeners.clear();
      logListeners.clear();
    },
  };

  void refresh(true);
  if (options.probeAtStart !== false) {
    void probe().catch((error: unknown) => logger.warn(`Probing msb failed: ${errorText(error)}`));
    void service.checkHost().catch((error: unknown) => logger.warn(`msb doctor failed: ${errorText(error)}`));
  }
  return service;
}
