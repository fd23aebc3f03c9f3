/**
 * The one rule for what can be done in each server state. The tray menu and the window both take
 * their Start, Stop and Restart from here, so they never disagree.
 */
import type { ServerSnapshot } from './server-status.ts';
import { type SetupState, unsupportedPlatform } from './setup.ts';

/** A server process exists (or is being brought up or down) for this snapshot. */
export function isLive(snapshot: Pick<ServerSnapshot, 'state'>): boolean {
  return snapshot.state === 'running' || snapshot.state === 'starting' || snapshot.state === 'stopping';
}

export interface AvailableActions {
  readonly start: boolean;
  readonly stop: boolean;
  readonly restart: boolean;
}

/**
 * - stopped, failed: Start (a failed server is started again; Restart would do the same, so one
 *   action), but not while an automatic restart is due (`restartAt`): the app is about to, and
 *   Cancel is the choice then;
 * - starting: Stop (it cancels the start);
 * - running: Stop and Restart;
 * - stopping: nothing until it has finished.
 * Where msbserver cannot run (`unsupportedPlatform`: Windows), nothing starts; a live server could
 * still be stopped. Without an msbserver to run (`setup` missing), or with an msbrun the app
 * refuses (`msbrun-unsafe`), neither Start nor Restart: a start would fail before anything ran,
 * and a restart would end a server the CLI started and start nothing. The setup not known yet
 * blocks nothing, but it is a required argument: tray and window pass what they know.
 * `platform` is null while the window does not know it yet.
 */
export function availableActions(
  snapshot: Pick<ServerSnapshot, 'state'> & Partial<Pick<ServerSnapshot, 'restartAt'>>,
  setup: SetupState,
  platform: string | null,
): AvailableActions {
  const { state } = snapshot;
  const canRun =
    unsupportedPlatform(setup, platform) === null && setup.kind !== 'missing' && setup.kind !== 'msbrun-unsafe';
  return {
    start: canRun && (state === 'stopped' || state === 'failed') && (snapshot.restartAt ?? null) === null,
    stop: state === 'running' || state === 'starting',
    restart: canRun && state === 'running',
  };
}
