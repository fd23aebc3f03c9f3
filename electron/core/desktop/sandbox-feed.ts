/**
 * What flows from the sandboxes to the tray and the window: each new view reaches the window
 * (`event:sandboxes`) and re-renders the tray when what the tray shows of it changed (metrics
 * sampled every 2 s change CPU figures the tray does not show); lines of the followed log reach
 * the window (`event:sandbox-log`). Also the tray's hold on metrics while its menu is open.
 */
import type { SandboxesView, SandboxStopFailure } from '../../../shared/sandboxes.ts';
import { type Disposable, toDisposable } from '../base/disposable.ts';
import type { SandboxesService } from '../sandboxes/service.ts';
import type { WindowSend } from './feeds.ts';
import type { Notification } from './desktop-ports.ts';
import { sandboxTrayItems } from './tray-menu.ts';

export interface SandboxFeedDeps {
  readonly sandboxes: Pick<SandboxesService, 'onChange' | 'onLogLines'>;
  readonly send: WindowSend;
  readonly renderTray: () => void;
}

/** What of a view the tray shows, as text: equal texts render the same tray. */
export function trayShownOf(view: SandboxesView | null): string {
  return JSON.stringify(sandboxTrayItems(view));
}

export function feedSandboxes(deps: SandboxFeedDeps): Disposable {
  let shown = trayShownOf(null);
  const offView = deps.sandboxes.onChange((view) => {
    deps.send('event:sandboxes', view);
    const next = trayShownOf(view);
    if (next === shown) return;
    shown = next;
    deps.renderTray();
  });
  const offLog = deps.sandboxes.onLogLines((event) => deps.send('event:sandbox-log', event));
  return toDisposable(() => {
    offView();
    offLog();
  });
}

/**
 * The tray's interest in metrics: held while its menu is open (where the platform says so: macOS
 * `menu-will-show` / `menu-will-close`), so the next look at the menu shows fresh figures.
 */
export function trayMetricsInterest(sandboxes: Pick<SandboxesService, 'watchMetrics'>): (open: boolean) => void {
  let release: (() => void) | null = null;
  return (open) => {
    if (open && release === null) release = sandboxes.watchMetrics();
    else if (!open && release !== null) {
      release();
      release = null;
    }
  };
}

/** The notification for sandboxes that were asked to stop and did not. */
export function stopFailureNotice(failures: readonly SandboxStopFailure[]): Notification {
  const one = failures.length === 1 ? failures[0] : undefined;
  if (one !== undefined) return { title: `Sandbox ${one.name} was not stopped`, body: one.message };
  return {
    title: `${failures.length} sandboxes were not stopped`,
    body: failures.map((f) => `${f.namespace}/${f.name}: ${f.message}`).join('\n'),
  };
}
