/**
 * Keeps the first-run state current where it shows: each change of whether microsandbox is there
 * reaches the window (`event:setup`) and re-renders the tray. It is looked at again when it may
 * have changed: the msbserver setting changed, a start did not find a usable msbserver, or one ran.
 */
import type { FailureCode, ServerSnapshot } from '../../../shared/server-status.ts';
import { type Disposable, toDisposable } from '../base/disposable.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { SetupWatch } from '../server/setup-watch.ts';
import type { SettingsStore } from '../settings.ts';
import type { WindowSend } from './feeds.ts';

export interface SetupFeedDeps {
  readonly setup: Pick<SetupWatch, 'refresh' | 'onChange'>;
  readonly control: Pick<ServerControl, 'onChange' | 'snapshot'>;
  readonly settings: Pick<SettingsStore, 'onChange' | 'get'>;
  readonly send: WindowSend;
  readonly renderTray: () => void;
}

const SETUP_FAILURES: ReadonlySet<FailureCode> = new Set<FailureCode>([
  'not-found',
  'not-executable',
  'unsafe-executable',
  'unsafe-msbrun',
]);

/** Whether a transition says something about the install: a start that found none, or a server that runs. */
export function saysSomethingAboutSetup(previous: ServerSnapshot, next: ServerSnapshot): boolean {
  if (next.state === previous.state && next.error === previous.error) return false;
  if (next.state === 'running' && previous.state !== 'running') return true;
  return next.state === 'failed' && next.error !== null && SETUP_FAILURES.has(next.error.code);
}

export function feedSetup(deps: SetupFeedDeps): Disposable {
  const offSetup = deps.setup.onChange((state) => {
    deps.renderTray();
    deps.send('event:setup', state);
  });
  let path = deps.settings.get().msbserverPath;
  const offSettings = deps.settings.onChange((settings) => {
    if (settings.msbserverPath === path) return;
    path = settings.msbserverPath;
    void deps.setup.refresh();
  });
  let previous = deps.control.snapshot();
  const offStatus = deps.control.onChange((snapshot) => {
    const look = saysSomethingAboutSetup(previous, snapshot);
    previous = snapshot;
    if (look) void deps.setup.refresh();
  });
  void deps.setup.refresh();
  return toDisposable(() => {
    offSetup();
    offSettings();
    offStatus();
  });
}
