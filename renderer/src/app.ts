import type { AppInfo, MsbApi, SettingsView } from '../../shared/contract.ts';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { errorMessage, h, setText } from './dom.ts';
import { createKeysView } from './keys-view.ts';
import { createLogsView } from './logs-view.ts';
import type { SandboxesView } from '../../shared/sandboxes.ts';
import { createSandboxesView } from './sandboxes-view.ts';
import { createSettingsView } from './settings-view.ts';
import { signal } from './signal.ts';
import { statusView } from './status-model.ts';
import { createStatusView } from './status-view.ts';
import { createTabs } from './tabs.ts';

export interface AppOptions {
  readonly now?: () => number;
}

export interface App {
  readonly ready: Promise<void>;
  select(tab: 'status' | 'sandboxes' | 'keys' | 'logs' | 'settings'): void;
}

/** Builds the window into `root`. Everything it knows arrives through `api`. */
export function createApp(root: HTMLElement, api: MsbApi, options: AppOptions = {}): App {
  const now = options.now ?? (() => Date.now());
  const snapshot = signal<ServerSnapshot>(INITIAL_SNAPSHOT);
  const settings = signal<SettingsView | null>(null);
  const appInfo = signal<AppInfo | null>(null);
  const unsupported = signal<string | null>(null);
  const sandboxes = signal<SandboxesView | null>(null);

  // The one status region: short, so that a change is announced without noise.
  const pillLabel = h('span', { class: 'pill-label', 'data-testid': 'status-pill' });
  const pillDetail = h('span', { class: 'sr-only' });
  const pill = h(
    'p',
    { class: 'pill', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
    h('span', { class: 'sr-only' }, 'Server: '),
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    pillLabel,
    pillDetail,
  );
  // Transient notices (copied, saved) go to their own polite region, not the status one.
  const notices = h('div', { class: 'sr-only', 'aria-live': 'polite', 'data-testid': 'announcer' });
  const announce = (text: string): void => {
    setText(notices, '');
    // A new text node after a tick makes screen readers repeat an identical message.
    setTimeout(() => setText(notices, text), 50);
  };

  const status = createStatusView({ api, snapshot, now, unsupported });
  const sandboxesView = createSandboxesView({ api, sandboxes, snapshot, settings, now, announce });
  const keys = createKeysView({ api, snapshot, settings, now, announce, sandboxes });
  const logs = createLogsView({ api });
  const settingsView = createSettingsView({ api, settings, snapshot, appInfo, announce });
  const views = { status, sandboxes: sandboxesView, keys, logs, settings: settingsView };
  const tabs = createTabs(
    [
      { id: 'status', label: 'Status', content: status.element, onShow: status.show, onHide: status.hide },
      { id: 'sandboxes', label: 'Sandboxes', content: sandboxesView.element, onShow: sandboxesView.show, onHide: sandboxesView.hide },
      { id: 'keys', label: 'Keys', content: keys.element, onShow: keys.show, onHide: keys.hide },
      { id: 'logs', label: 'Logs', content: logs.element, onShow: logs.show, onHide: logs.hide },
      { id: 'settings', label: 'Settings', content: settingsView.element, onShow: settingsView.show, onHide: settingsView.hide },
    ],
    'Sections',
  );
  const loadError = h('p', { class: 'inline-error', 'data-testid': 'load-error', role: 'alert', hidden: true });

  root.append(
    h('header', { class: 'top' }, h('h1', {}, 'Microsandbox'), pill),
    tabs.tablist,
    loadError,
    h('main', { class: 'content' }, tabs.panels),
    notices,
  );

  const renderPill = (value: ServerSnapshot): void => {
    const view = statusView(value, now());
    pill.dataset['tone'] = view.tone;
    setText(pillLabel, view.label);
    setText(pillDetail, ` — ${view.announcement}`);
  };
  snapshot.subscribe(renderPill);
  renderPill(snapshot.get());

  // Pushed updates; the window never polls.
  api.onStatus((value) => snapshot.set(value));
  api.onSettings((value) => settings.set(value));
  api.onSandboxes((value) => sandboxes.set(value));

  tabs.select('status');

  const ready = Promise.allSettled([
    api.status().then((value) => {
      snapshot.set(value);
      // The views render synchronously on set: this marks the first real status in the DOM,
      // which the benchmark reads as navigation → first status.
      performance.mark('msb:first-status');
    }),
    api.getSettings().then((value) => settings.set(value)),
    // Main's answer is no older than a view it pushed before answering (one pipe, in order).
    api.listSandboxes().then((value) => sandboxes.set(value)),
    api.appInfo().then((info) => {
      appInfo.set(info);
      if (!info.serverSupported) unsupported.set(`msbserver does not run natively on ${info.platform}. Run microsandbox inside WSL or a Linux machine and use its URL.`);
    }),
  ]).then((results) => {
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) {
      loadError.hidden = false;
      setText(loadError, `Could not load everything: ${errorMessage(failed.reason)}`);
    }
  });

  return {
    ready,
    select(tab) {
      if (tab in views) tabs.select(tab);
    },
  };
}
