/**
 * The runtime service's long `msb` runs: `msb metrics --follow` while anyone holds interest in
 * metrics (the metrics leave the state when the last lets go), and `msb logs -f` for the one
 * sandbox log asked for, its lines scrubbed and a flood handed on by its end.
 */
import type { Disposable } from '../base/disposable.ts';
import { errorText, type Logger } from '../base/logger.ts';
import { scrubSecrets } from '../base/scrub.ts';
import type { RuntimeLogLine, RuntimeMetrics, RuntimeOptions } from './api.ts';
import { followMsb, type Follow } from './msb-follow.ts';
import { parseLogLine, parseMetricsLine } from './msb-output.ts';
import type { RuntimeStateHolder } from './runtime-state.ts';

const FOLLOW_TAIL = 200;
/** The most lines one log batch hands on; a flood shows its end. */
const MAX_LOG_BATCH = 1000;

export interface RuntimeFollowsOptions {
  readonly run: Pick<RuntimeOptions, 'msbPath' | 'home' | 'env'>;
  readonly state: RuntimeStateHolder;
  readonly logger: Logger;
}

export interface RuntimeFollows extends Disposable {
  /** Holds interest in metrics; returns the release (idempotent). */
  watchMetrics(): () => void;
  /** Follows metrics again if interest is held and the follow ended (after a listing). */
  resumeMetrics(): void;
  /** Follows that listed sandbox's log, or none with null. */
  followLog(name: string | null): void;
  onLogLines(listener: (name: string, lines: readonly RuntimeLogLine[]) => void): () => void;
  /** Synchronous: both follows' `msb` are killed at once. */
  dispose(): void;
}

export function createRuntimeFollows(options: RuntimeFollowsOptions): RuntimeFollows {
  const { run, state, logger } = options;
  const logListeners = new Set<(name: string, lines: readonly RuntimeLogLine[]) => void>();
  let disposed = false;
  let metricsInterest = 0;
  let metricsFollow: Follow | null = null;
  let logFollow: { readonly name: string; readonly follow: Follow } | null = null;

  function startMetrics(): void {
    if (disposed || metricsFollow !== null) return;
    metricsFollow = followMsb(
      run,
      ['metrics', '--follow', '--interval', '1s'],
      {
        parse: parseMetricsLine,
        onBatch: (items: RuntimeMetrics[]) => {
          const metrics = { ...state.current.metrics };
          for (const item of items) metrics[item.name] = item;
          state.update({ metrics });
        },
        onEnd: () => {
          // Started again by the next listing while interest is still held.
          metricsFollow = null;
        },
      },
      logger,
    );
  }

  const handLines = (name: string, lines: RuntimeLogLine[]): void => {
    const bounded = lines.length > MAX_LOG_BATCH ? lines.slice(-MAX_LOG_BATCH) : lines;
    for (const listener of [...logListeners]) {
      try {
        listener(name, bounded);
      } catch (error) {
        logger.error(`A runtime log listener failed: ${errorText(error)}`);
      }
    }
  };

  return {
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
          state.update({ metrics: {} });
        }
      };
    },
    resumeMetrics() {
      if (metricsInterest > 0 && metricsFollow === null) startMetrics();
    },
    followLog(name) {
      if (logFollow !== null && logFollow.name === name) return;
      logFollow?.follow.dispose();
      logFollow = null;
      if (name === null || disposed) return;
      if (!state.current.sandboxes.some((sandbox) => sandbox.name === name)) {
        logger.warn(`Not following the log of ${JSON.stringify(name.slice(0, 140))}: no such sandbox in the list.`);
        return;
      }
      const follow = followMsb(
        run,
        ['logs', '--json', '--follow', '--source', 'all', '--tail', String(FOLLOW_TAIL), '--', name],
        {
          parse: (value, command) => {
            const line = parseLogLine(value, command);
            return { ...line, text: scrubSecrets(line.text, null) };
          },
          onBatch: (lines: RuntimeLogLine[]) => handLines(name, lines),
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
    dispose() {
      if (disposed) return;
      disposed = true;
      metricsFollow?.dispose();
      metricsFollow = null;
      logFollow?.follow.dispose();
      logFollow = null;
      logListeners.clear();
    },
  };
}
