import http from 'node:http';
import { sleep } from '../base/delay.ts';

export const HEALTH_PATH = '/api/v1/health';

/** One `GET /api/v1/health`: true only for a 200. Never throws. */
export function checkHealth(baseUrl: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    let request: http.ClientRequest;
    try {
      request = http.get(`${baseUrl}${HEALTH_PATH}`, { timeout: timeoutMs, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
    } catch {
      // A URL that does not parse: http.get throws synchronously.
      resolve(false);
      return;
    }
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

export interface WaitForHealthOptions {
  timeoutMs: number;
  /** Stops waiting early (the child exited, the start was cancelled). */
  signal?: AbortSignal;
}

/**
 * Polls health with a short backoff: the first checks come within milliseconds, then every 10 ms,
 * which costs a refused loopback connect each time and keeps the readiness lag small.
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
    if (await checkHealth(baseUrl, Math.min(1_000, remaining))) return 'healthy';
    if (options.signal?.aborted) return 'aborted';
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), options.signal);
    delay = Math.min(delay * 2, 5);
  }
}
