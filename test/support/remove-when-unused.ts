// Removing a temporary msb home only when nothing uses it: a folder removed while a process still
// writes into it is left half removed (ENOTEMPTY), and the writer fails in ways a test misreads.
import { rmSync } from 'node:fs';
import { environmentHas, liveProcesses, type LiveProcess } from './processes.ts';
import { waitFor } from './wait-for.ts';

/** How long a home's users may take to end: an msb run lives up to its own 20 s stop bound. */
const USERS_END_MS = 22_000;

/**
 * Removes `dir` once no process has `home` as its MSB_HOME: the app or service given it has ended,
 * and so have the msb runs it started (they outlive a disposed service until their own timeout),
 * which write the home until they exit; a folder removed under a writer is left half removed
 * (ENOTEMPTY). If some are still there at the deadline the test fails naming them, and they are
 * killed (the home is the test's own, so they are too) and the folder removed all the same.
 */
export async function removeWhenUnused(
  dir: string,
  home: string,
  { usersEndMs = USERS_END_MS }: { usersEndMs?: number } = {},
): Promise<void> {
  const users = (): LiveProcess[] =>
    liveProcesses().filter(({ pid }) => pid !== process.pid && environmentHas(pid, `MSB_HOME=${home}`));
  try {
    await waitFor(() => users().length === 0, {
      timeout: usersEndMs,
      every: 100,
      what: `the processes using ${home} to end`,
      detail: () =>
        users()
          .map(({ pid, command }) => `${pid} ${command}`)
          .join('\n'),
    });
  } finally {
    for (const { pid } of users()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }
    await waitFor(() => users().length === 0, {
      timeout: 5_000,
      every: 100,
      what: `the killed users of ${home} to end`,
    });
    rmSync(dir, { recursive: true, force: true });
  }
}
