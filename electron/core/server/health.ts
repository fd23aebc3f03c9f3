import http from 'node:http';
import { sleep } from '../base/delay.ts';

export const HEALTH_PATH = '/api/v1/health';

/**
 * One `GET /api/v1/health`: true only for a 200. Never throws. Gives up after `timeoutMs`, or at
 * once when `signal` aborts (the request is destroyed, so no socket outlives the answer).
 */
export function checkHealth(baseUrl: string, timeoutMs = 2_000, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    let request: http.ClientRequest;
    const onAbort = (): void => {
      request.destroy();
    };
    const settle = (healthy: boolean): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve(healthy);
    };
    try {
      request = http.get(`${baseUrl}${HEALTH_PATH}`, { timeout: timeoutMs, agent: false }, (response) => {
        response.resume();
        settle(response.statusCode === 200);
      });
    } catch {
      // A URL that does not parse: http.get throws synchronously.
      settle(false);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('timeout', () => request.destroy());
    request.on('error', () => settle(false));
  });
}

export interface WaitForHealthOptions {
  timeoutMs: number;
  /** Stops waiting early (the child exited, the start was cancelled). */
  signal?: AbortSignal;
}

/**
 * Polls health with a short backoff: the first checks come within milliseconds, then every 10 ms,
 * which costs a refused loopback connect each time and keeps the readiness lag small. A check that
 * reached the server waits for its answer until the deadline: a server busy booting accepts the
 * connection and answers late, and giving up on it after a fixed while (then asking again, to be
 * answered just as late) would never see it ready, however long the timeout.
 */
export async function waitForHealth(
  baseUrl: string,
  options: WaitForHealthOptions,
): Promise<'healthy' | 'timeout' | 'aborted'> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 1;
  for (;;) {
    if (options.signal?.aborted) return 'aborted';
    const remaining = deadline - Date.now();
    if (remaining <= 0) return 'timeout';
    if (await checkHealth(baseUrl, remaining, options.signal)) return 'healthy';
    if (options.signal?.aborted) return 'aborted';
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), options.signal);
    delay = Math.min(delay * 2, 5);
  }
}
