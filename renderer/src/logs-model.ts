import type { ServerSnapshot } from '../../shared/server-status.ts';

/**
 * Joins a freshly read tail with lines that arrived while it was being read: the longest run at
 * the end of the tail that matches the start of the pushed lines is counted once.
 */
export function mergeTail(tail: readonly string[], pushed: readonly string[]): string[] {
  const max = Math.min(tail.length, pushed.length);
  for (let k = max; k > 0; k -= 1) {
    let same = true;
    for (let i = 0; i < k; i += 1) {
      if (tail[tail.length - k + i] !== pushed[i]) {
        same = false;
        break;
      }
    }
    if (same) return [...tail, ...pushed.slice(k)];
  }
  return [...tail, ...pushed];
}

/** The most lines the view keeps; older ones are dropped from the top. */
export const MAX_LOG_LINES = 2000;

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links) that tracing and
// terminals use; the log view shows plain text.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** The line without terminal escape sequences (msbserver colours its log unless NO_COLOR is set). */
export function stripAnsi(line: string): string {
  return line.includes('\u001b') ? line.replace(ANSI, '') : line;
}

/**
 * Why the log shows nothing. It holds only what servers the app started wrote: one started by
 * the CLI writes where the CLI sent its output (`msb server start -d` sends it nowhere).
 */
export function emptyLogText(snapshot: ServerSnapshot | null): string {
  if (snapshot !== null && snapshot.external && snapshot.state === 'running') {
    return (
      'The log is empty: the running server was started outside the app (msb server start), ' +
      'so its output goes where that command sent it, and nowhere for msb server start -d. ' +
      'Stop it and start it here to see its log.'
    );
  }
  return 'The log is empty.';
}
