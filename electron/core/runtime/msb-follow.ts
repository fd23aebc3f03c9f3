/**
 * A long-running `msb` that prints one JSON object a line (`metrics --follow`, `logs --json -f`):
 * run by absolute path without a shell, each line parsed and handed on in batches (one batch per
 * chunk read), a line longer than the cap dropped with a log line, killed by `dispose()`.
 */
import { execa } from 'execa';
import { errorText, type Logger } from '../base/logger.ts';
import { scrubSecrets } from '../base/scrub.ts';
import type { RuntimeOptions } from './api.ts';
import { boundMsb, commandText, msbEnvironment } from './msb-runner.ts';

export const MAX_FOLLOW_LINE = 64 * 1024;

export interface FollowHandlers<T> {
  readonly parse: (value: unknown, command: string) => T;
  readonly onBatch: (items: T[]) => void;
  /** The process ended by itself (not through dispose); `error` says why when it failed. */
  readonly onEnd?: (error: string | null) => void;
}

export interface Follow {
  readonly pid: number | undefined;
  /** Resolves once the process is gone. */
  readonly ended: Promise<void>;
  dispose(): void;
}

export function followMsb<T>(
  options: Pick<RuntimeOptions, 'msbPath' | 'home' | 'env'>,
  args: readonly string[],
  handlers: FollowHandlers<T>,
  logger: Logger,
): Follow {
  const command = commandText(args);
  let disposed = false;
  let pending = '';
  let stderrTail = '';
  const child = execa(options.msbPath, [...args], {
    env: msbEnvironment(options),
    extendEnv: false,
    shell: false,
    stdin: 'ignore',
    reject: false,
    buffer: false,
    windowsHide: true,
    forceKillAfterDelay: 1000,
    // Its own process group: dispose() ends what it started too, and a child left holding the
    // pipes after msb exited does not keep `ended` waiting.
    detached: process.platform !== 'win32',
  });
  const bound = boundMsb(child, null);
  const take = (line: string, out: T[]): void => {
    if (line.trim() === '') return;
    try {
      out.push(handlers.parse(JSON.parse(line) as unknown, command));
    } catch (error) {
      logger.warn(`${command} printed a line that was skipped: ${errorText(error)}`);
    }
  };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    if (disposed) return;
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    if (pending.length > MAX_FOLLOW_LINE) {
      logger.warn(`${command} printed a line longer than ${MAX_FOLLOW_LINE} characters; it was dropped.`);
      pending = '';
    }
    const out: T[] = [];
    for (const part of parts) {
      if (part.length > MAX_FOLLOW_LINE) logger.warn(`${command} printed a line too long to show; it was dropped.`);
      else take(part, out);
    }
    if (out.length > 0) handlers.onBatch(out);
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Only the end is kept: it holds msb's message when it fails.
    stderrTail = (stderrTail + chunk).slice(-4096);
  });
  const ended = child
    .finally(() => bound.cancel())
    .then(
      (result) => {
        if (disposed) return;
        disposed = true;
        const failed = result.exitCode !== 0;
        const message = failed
          ? (stderrTail
              .split('\n')
              .map((line) => line.trim())
              .filter((line) => line !== '')
              .at(-1)
              ?.replace(/^error:\s*/, '') ?? `${command} ended with exit code ${String(result.exitCode)}.`)
          : null;
        // msb's words may reach the window: no token in them.
        const shown = message === null ? null : scrubSecrets(message, null);
        if (failed) logger.warn(`${command} ended: ${shown ?? ''}`);
        handlers.onEnd?.(shown);
      },
      (error: unknown) => {
        // reject: false makes this unreachable in practice; still, a failure is logged, not lost.
        logger.warn(`${command} failed: ${errorText(error)}`);
      },
    );
  return {
    pid: child.pid,
    ended,
    dispose() {
      disposed = true;
      child.kill();
      bound.killGroup('SIGTERM');
    },
  };
}
