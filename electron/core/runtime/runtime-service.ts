/**
 * The runtime generation for main. Lists when the home's files say something changed
 * (runtime-listing.ts), follows metrics while interest is held and one log while asked
 * (runtime-follows.ts), and acts on sandboxes: one `msb doctor` at a time, one tail per name, one
 * act per sandbox. Every `msb` it starts ends by its timeout or by `dispose()`.
 */
import { errorText, silentLogger } from '../base/logger.ts';
import type {
  HostReport,
  RuntimeAction,
  RuntimeCapabilities,
  RuntimeService,
  RuntimeServiceOptions,
  RuntimeState,
} from './api.ts';
import { checkHost } from './host-check.ts';
import { parseContext } from './msb-output.ts';
import { runMsb, runMsbJson } from './msb-runner.ts';
import { createRuntimeFollows } from './runtime-follows.ts';
import { createRuntimeListing, LIVE_CHECK_MS, REFRESH_DEBOUNCE_MS } from './runtime-listing.ts';
import { createRuntimeSandboxes } from './runtime-sandboxes.ts';
import { RuntimeStateHolder } from './runtime-state.ts';
import { createSingleFlight } from './single-flight.ts';

export { LIVE_CHECK_MS, REFRESH_DEBOUNCE_MS, RETRY_FIRST_MS, RETRY_MAX_MS } from './runtime-listing.ts';

export interface RuntimeServiceOptionsExtra extends RuntimeServiceOptions {
  /** msb's home (msb-home.ts), decided once by the caller: the fix and the update use the same one. */
  readonly home: string;
  /** Overrides for tests and benchmarks. */
  readonly liveCheckMs?: number;
  readonly debounceMs?: number;
  /** Run `msb doctor`, `msb context` and `msb --help` at start (default true). */
  readonly probeAtStart?: boolean;
}

export function createRuntimeService(options: RuntimeServiceOptionsExtra): RuntimeService {
  const logger = options.logger ?? silentLogger;
  const { home } = options;
  const runOptions = { msbPath: options.msbPath, home, ...(options.env === undefined ? {} : { env: options.env }) };
  const timeoutMs = options.commandTimeoutMs;
  const limits = timeoutMs === undefined ? {} : { timeoutMs };
  const sandboxes = createRuntimeSandboxes({
    ...runOptions,
    logger,
    ...(timeoutMs === undefined ? {} : { commandTimeoutMs: timeoutMs }),
  });
  const state = new RuntimeStateHolder(logger);
  const follows = createRuntimeFollows({ run: runOptions, state, logger });
  const listing = createRuntimeListing({
    home,
    sandboxes,
    state,
    logger,
    debounceMs: options.debounceMs ?? REFRESH_DEBOUNCE_MS,
    liveCheckMs: options.liveCheckMs ?? LIVE_CHECK_MS,
    afterListing: () => follows.resumeMetrics(),
  });
  let disposed = false;
  const refresh = (force = false): Promise<RuntimeState> => listing.refresh(force);

  /** One run at a time per key (see createSingleFlight). */
  const once = createSingleFlight();

  /** The action in flight per sandbox. */
  const acting = new Map<string, RuntimeAction>();
  /** Why acts are refused now (holdActs), one entry per hold. */
  const holds = new Map<symbol, string>();

  const isListed = (name: string): boolean => state.current.sandboxes.some((sandbox) => sandbox.name === name);

  const requireListed = async (name: string): Promise<void> => {
    if (isListed(name)) return;
    await refresh(false);
    if (!isListed(name)) throw new Error(`There is no sandbox named ${JSON.stringify(name.slice(0, 140))}.`);
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
    if ((action === 'pause' || action === 'resume') && !state.current.capabilities.pause)
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
    state.update({ capabilities, ...(context.status === 'fulfilled' ? { context: context.value } : {}) });
  };

  const service: RuntimeService = {
    home,
    state: () => state.current,
    onChange: (listener) => state.onChange(listener),
    refresh: () => refresh(false),
    checkHost(): Promise<HostReport> {
      return once('doctor', async () => {
        const report = await checkHost({ ...runOptions, ...limits });
        state.update({ host: report });
        return report;
      });
    },
    watchMetrics: () => follows.watchMetrics(),
    followLog: (name) => follows.followLog(name),
    onLogLines: (listener) => follows.onLogLines(listener),
    logTail(name, lines) {
      return once(`log-tail\u0000${name}\u0000${lines}`, async () => {
        await requireListed(name);
        return sandboxes.logTail(name, lines);
      });
    },
    act(name, action: RuntimeAction, actOptions = {}) {
      // One act per sandbox at a time: the same ask again joins the one in flight; another action
      // on that sandbox meanwhile is refused (msb would race on it), not queued behind it.
      const held = holds.values().next();
      if (held.done !== true) return Promise.reject(new Error(held.value));
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
    actsInFlight: () => new Map(acting),
    holdActs(reason) {
      const hold = Symbol('hold');
      holds.set(hold, reason);
      return () => void holds.delete(hold);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      state.close();
      listing.dispose();
      follows.dispose();
      sandboxes.dispose();
    },
  };

  void refresh(true);
  if (options.probeAtStart !== false) {
    void probe().catch((error: unknown) => logger.warn(`Probing msb failed: ${errorText(error)}`));
    void service.checkHost().catch((error: unknown) => logger.warn(`msb doctor failed: ${errorText(error)}`));
  }
  return service;
}
