/**
 * The runtime's sandboxes through `msb` itself: list (`ls` and `ps -a`, merged), stop, start,
 * remove and the log's tail. Each call is one or two `msb` processes with a timeout and an output
 * cap; a failed action rejects with msb's own message. No state is kept: the service caches.
 */
import { errorText, silentLogger } from '../base/logger.ts';
import { scrubSecrets } from '../base/scrub.ts';
import type { RuntimeLogLine, RuntimeOptions, RuntimeSandbox, RuntimeSandboxes } from './api.ts';
import { DEFAULT_MSB_TIMEOUT_MS, MsbCommandError, commandText, runMsb, runMsbJson } from './msb-runner.ts';
import {
  RUNTIME_SANDBOX_NAME,
  mergeListing,
  parseInspect,
  parseLogLine,
  parseLs,
  parsePs,
  type RuntimeSandboxDetails,
} from './msb-output.ts';

/** How long a graceful stop may take before msb kills the sandbox itself (`msb stop -t`). */
export const GRACEFUL_STOP_SECS = 10;
/** The most log lines one tail returns. */
export const MAX_LOG_TAIL = 5000;

export interface RuntimeSandboxesOptions extends RuntimeOptions {
  readonly commandTimeoutMs?: number;
}

export interface RuntimeSandboxesImpl extends RuntimeSandboxes {
  restart(name: string): Promise<void>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  /** `msb inspect NAME --format json`: what the window's details show. */
  inspect(name: string): Promise<RuntimeSandboxDetails>;
  /** `msb ls` alone: names and statuses, one process (the slow timer's look). */
  statuses(): Promise<{ readonly name: string; readonly status: string }[]>;
}

export function checkedName(name: string): string {
  if (!RUNTIME_SANDBOX_NAME.test(name)) throw new Error(`${JSON.stringify(name.slice(0, 140))} is not a sandbox name.`);
  return name;
}

/** Lines of `msb logs --json` (one JSON object a line), scrubbed; a line that is not JSON is a clear error. */
export function parseLogLines(stdout: string, command: string): RuntimeLogLine[] {
  const lines: RuntimeLogLine[] = [];
  for (const raw of stdout.split('\n')) {
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new MsbCommandError(command, 'output', `${command} printed a line that is not JSON.`);
    }
    const line = parseLogLine(value, command);
    lines.push({ ...line, text: scrubSecrets(line.text, null) });
  }
  return lines;
}

export function createRuntimeSandboxes(options: RuntimeSandboxesOptions): RuntimeSandboxesImpl {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_MSB_TIMEOUT_MS;
  let disposed = false;
  const limits = { timeoutMs };

  const guard = (): void => {
    if (disposed) throw new Error('The runtime sandboxes were disposed.');
  };

  const action = async (args: readonly string[], actionTimeoutMs = timeoutMs): Promise<void> => {
    guard();
    try {
      await runMsb(options, args, { timeoutMs: actionTimeoutMs });
    } catch (error) {
      logger.warn(`${commandText(args)} failed: ${errorText(error)}`);
      throw error;
    }
  };

  return {
    async list(): Promise<RuntimeSandbox[]> {
      guard();
      // Both ended before answering, as in listing(): a `ps` left running after `ls` failed would
      // still be writing the home when the caller had its answer.
      const [lsDone, psDone] = await Promise.allSettled([
        runMsbJson(options, ['ls', '--format', 'json'], parseLs, limits),
        runMsbJson(options, ['ps', '-a', '--format', 'json'], parsePs, limits),
      ]);
      if (lsDone.status === 'rejected') throw lsDone.reason;
      if (psDone.status === 'rejected') throw psDone.reason;
      return mergeListing(lsDone.value, psDone.value);
    },
    async listing() {
      guard();
      const skipped: string[] = [];
      // Both ended before answering, failed or not: a `ps` still running when `ls` failed would
      // write the WAL after the caller took its stamp, and that write would look like news.
      const [lsDone, psDone] = await Promise.allSettled([
        runMsbJson(
          options,
          ['ls', '--format', 'json'],
          (value, command) => parseLs(value, command, (reason) => skipped.push(reason)),
          limits,
        ),
        // A bad `ps` row only costs that sandbox its figures: logged, not counted as not shown.
        runMsbJson(
          options,
          ['ps', '-a', '--format', 'json'],
          (value, command) => parsePs(value, command, (reason) => logger.warn(`A row was left out: ${reason}`)),
          limits,
        ),
      ]);
      if (lsDone.status === 'rejected') throw lsDone.reason;
      if (psDone.status === 'rejected') throw psDone.reason;
      const [ls, ps] = [lsDone.value, psDone.value];
      for (const reason of skipped) logger.warn(`A sandbox was left out of the list: ${reason}`);
      return { sandboxes: mergeListing(ls, ps), skipped };
    },
    async inspect(name) {
      guard();
      return runMsbJson(options, ['inspect', '--format', 'json', '--', checkedName(name)], parseInspect, limits);
    },
    async statuses() {
      guard();
      const ls = await runMsbJson(options, ['ls', '--format', 'json'], parseLs, limits);
      return ls.map(({ name, status }) => ({ name, status }));
    },
    async stop(name, stopOptions = {}) {
      const checked = checkedName(name);
      if (stopOptions.force === true) return action(['stop', '--force', '--', checked]);
      // msb waits up to -t seconds, then kills: give it that long plus the usual allowance.
      return action(
        ['stop', '--timeout', String(GRACEFUL_STOP_SECS), '--', checked],
        timeoutMs + GRACEFUL_STOP_SECS * 1000,
      );
    },
    start: async (name) => action(['start', '--', checkedName(name)]),
    restart: async (name) => action(['restart', '--', checkedName(name)], timeoutMs + GRACEFUL_STOP_SECS * 1000),
    remove: async (name) => action(['rm', '--', checkedName(name)]),
    pause: async (name) => action(['pause', '--', checkedName(name)]),
    resume: async (name) => action(['resume', '--', checkedName(name)]),
    async logTail(name, lines) {
      guard();
      const count = Math.max(1, Math.min(MAX_LOG_TAIL, Math.floor(lines)));
      const args = ['logs', '--json', '--source', 'all', '--tail', String(count), '--', checkedName(name)];
      const { stdout } = await runMsb(options, args, limits);
      return parseLogLines(stdout, commandText(args));
    },
    dispose() {
      // Each call's process ends by itself within its timeout; nothing here outlives it.
      disposed = true;
    },
  };
}
