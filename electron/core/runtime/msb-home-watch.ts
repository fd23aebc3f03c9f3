/**
 * Watches the runtime's home for the files that change when its sandboxes do: `db/msb.db-wal`
 * (every write to the database) and `sandboxes/` (a sandbox created or removed). A folder that
 * does not exist yet is waited for by watching the nearest one that does, and the watches are
 * moved as folders appear or go. Only reads: nothing is created in the home.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { errorText, type Logger } from '../base/logger.ts';

/** Files in db/ whose change means the database changed (the -shm and lock files move on reads too). */
const DB_FILES = new Set(['msb.db-wal', 'msb.db']);

export interface HomeWatch {
  dispose(): void;
}

export function watchRuntimeHome(home: string, onChange: () => void, logger: Logger): HomeWatch {
  const watchers = new Map<string, FSWatcher>();
  let disposed = false;

  const nearestExisting = (dir: string): string => {
    let current = dir;
    while (!existsSync(current)) {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
    return current;
  };

  const arrange = (): void => {
    if (disposed) return;
    const db = path.join(home, 'db');
    const sandboxes = path.join(home, 'sandboxes');
    const wanted = new Set([nearestExisting(db), nearestExisting(sandboxes)]);
    for (const [dir, watcher] of watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, file) => {
          const name = file === null ? null : String(file);
          const relevant = dir !== db || name === null || DB_FILES.has(name);
          if (dir !== db && dir !== sandboxes) arrange();
          if (relevant) onChange();
        });
        watcher.on('error', (error) => {
          logger.debug(`The watch on ${dir} ended: ${errorText(error)}`);
          watcher.close();
          watchers.delete(dir);
          // The folder went away (the home removed): watch what is left of the way to it.
          arrange();
          onChange();
        });
        watchers.set(dir, watcher);
      } catch (error) {
        logger.warn(`Could not watch ${dir}: ${errorText(error)}; changes there show on the next listing.`);
      }
    }
  };

  arrange();
  return {
    dispose() {
      disposed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
