// Removing a temporary msb home only when nothing uses it: a folder removed while a process still
// writes into it is left half removed (ENOTEMPTY), and the writer fails in ways a test misreads.
import { rmSync } from 'node:fs';
import { processesWithEnvironment, type LiveProcess } from './processes.ts';
import { waitFor } from './wait-for.ts';

/**
 * How long a home's users may take to end: an msb run a disposed service left behind ends within
 * its own bound (a listing's 10 s and the 1 s kill after it), and tests await their longer stops.
 * With the kill below it stays well inside vitest's 30 s for the hook that runs it.
 */
const USERS_END_MS = 15_000;
/** How long the users killed at the deadline may take to be gone. */
const KILLED_END_MS = 3_000;

const listed = (processes: readonly LiveProcess[]): string =>
  processes.map(({ pid, command }) => `${pid} ${command}`).join('\n');

/**
 * Removes `dir` once no process has `home` as its MSB_HOME: the app or service given it has ended,
 * and so have the msb runs it started, which write the home until they exit. If some are still
 * there at the deadline, it fails naming them, and (the home being the test's own, so are they)
 * kills them and removes the folder all the same, so a slow run cannot leak a home.
 */
export async function removeWhenUnused(
  dir: string,
  home: string,
  { usersEndMs = USERS_END_MS }: { usersEndMs?: number } = {},
): Promise<void> {
  const users = (): LiveProcess[] =>
    processesWithEnvironment(`MSB_HOME=${home}`).filter(({ pid }) => pid !== process.pid);
  let seen: LiveProcess[] = [];
  try {
    await waitFor(() => (seen = users()).length === 0, {
      timeout: usersEndMs,
      every: 100,
      what: `the processes using ${home} to end`,
      detail: () => listed(seen),
    });
  } catch (failure) {
    const aftermath = await endUsersAndRemove(dir, users);
    if (aftermath === null) throw failure;
    throw new Error(`${messageOf(failure)}\nand then, ending them and removing ${dir}: ${aftermath}`, {
      cause: failure,
    });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Kills the users left at the deadline and removes the folder: null, or what went wrong doing so. */
async function endUsersAndRemove(dir: string, users: () => LiveProcess[]): Promise<string | null> {
  try {
    for (const { pid } of users()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        // ESRCH: it ended meanwhile; anything else is said with the failure.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    let left: LiveProcess[] = [];
    await waitFor(() => (left = users()).length === 0, {
      timeout: KILLED_END_MS,
      every: 100,
      what: 'the killed processes to be gone',
      detail: () => listed(left),
    });
    rmSync(dir, { recursive: true, force: true });
    return null;
  } catch (error) {
    return messageOf(error);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
