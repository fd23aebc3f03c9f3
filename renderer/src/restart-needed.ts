import type { SettingsView } from '../../shared/contract.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { signal } from './signal.ts';
import type { Signal } from './signal.ts';

/** The run a snapshot is about: a restart (new PID, new start) is another run. */
export function runOf(snapshot: ServerSnapshot): string | null {
  return snapshot.state === 'running' ? `${snapshot.pid ?? '?'}:${snapshot.startedAt ?? '?'}` : null;
}

/**
 * Whether a settings change waits for a restart, shown in Status and in Settings alike.
 * `restartNeeded` is about the run that was live when main said so: a restart ends it.
 */
export function trackRestartNeeded(
  settings: Signal<SettingsView | null>,
  snapshot: Signal<ServerSnapshot>,
): Signal<boolean> {
  const needed = signal(false);
  let runOfView: string | null = runOf(snapshot.get());
  const update = (): void => {
    const view = settings.get();
    const run = runOf(snapshot.get());
    // Settings that arrived before the first status belong to the first run seen.
    if (runOfView === null && view?.restartNeeded === true) runOfView = run;
    const next = view !== null && view.restartNeeded && run !== null && run === runOfView;
    if (next !== needed.get()) needed.set(next);
  };
  settings.subscribe(() => {
    runOfView = runOf(snapshot.get());
    update();
  });
  snapshot.subscribe(update);
  update();
  return needed;
}
