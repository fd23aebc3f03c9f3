import type { AppInfo, MsbApi, SettingsView, ViewName } from '../../shared/contract.ts';
import { VIEW_NAMES } from '../../shared/contract.ts';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import type { Settings } from '../../shared/settings-schema.ts';
import { SETUP_UNKNOWN } from '../../shared/setup.ts';
import type { SetupState } from '../../shared/setup.ts';
import { errorMessage, h, setText } from './dom.ts';
import { createKeysView } from './keys-view.ts';
import { createConnectView } from './connect-view.ts';
import { createLogsView } from './logs-view.ts';
import { trackRestartNeeded } from './restart-needed.ts';
import type { SandboxesView } from '../../shared/sandboxes.ts';
import { createSandboxesView } from './sandboxes-view.ts';
import { createSettingsView } from './settings-view.ts';
import { shortcutLabel, shortcutView } from './shortcuts.ts';
import { signal } from './signal.ts';
import { statusView } from './status-model.ts';
import { createStatusView } from './status-view.ts';
import { createTabs } from './tabs.ts';
import { RUNTIME_UNKNOWN, type RuntimeView } from '../../shared/runtime.ts';
import { isLive } from '../../shared/actions.ts';
import { runtimeSandboxesScreen, runtimeStatus } from './runtime-model.ts';
import { createRuntimeSandboxes, createRuntimeStatus } from './runtime-view.ts';
import { createMicrosandboxUpdate } from './update-view.ts';

export interface AppOptions {
  readonly now?: () => number;
}

export interface App {
  readonly ready: Promise<void>;
  select(tab: ViewName): void;
}

const LABELS: Readonly<Record<ViewName, string>> = {
  status: 'Status',
  sandboxes: 'Sandboxes',
  keys: 'Keys',
  logs: 'Logs',
  settings: 'Settings',
  connect: 'Connect',
};

/** Builds the window into `root`. Everything it knows arrives through `api`. */
export function createApp(root: HTMLElement, api: MsbApi, options: AppOptions = {}): App {
  const now = options.now ?? (() => Date.now());
  const snapshot = signal<ServerSnapshot>(INITIAL_SNAPSHOT);
  const settings = signal<SettingsView | null>(null);
  const appInfo = signal<AppInfo | null>(null);
  const setup = signal<SetupState>(SETUP_UNKNOWN);
  const sandboxes = signal<SandboxesView | null>(null);
  const runtime = signal<RuntimeView>(RUNTIME_UNKNOWN);
  const usesRuntime = (): boolean => runtime.get().generation === 'runtime';
  const restartNeeded = trackRestartNeeded(settings, snapshot);

  // The one status region: short, so that a change is announced without noise.
  const pillLabel = h('span', { class: 'pill-label', 'data-testid': 'status-pill' });
  const pillSubject = h('span', { class: 'sr-only' }, 'Server: ');
  const pillDetail = h('span', { class: 'sr-only' });
  const pill = h(
    'p',
    { class: 'pill', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
    pillSubject,
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

  const openSetting = (key: keyof Settings): void => {
    tabs.select('settings');
    settingsView.focusField(key);
  };
  const status = createStatusView({
    api,
    snapshot,
    now,
    setup,
    appInfo,
    settings,
    restartNeeded,
    openSetting,
    announce,
  });
  const sandboxesView = createSandboxesView({ api, sandboxes, snapshot, settings, now, announce });
  const keys = createKeysView({ api, snapshot, settings, now, announce, sandboxes });
  const logs = createLogsView({ api, snapshot });
  const settingsView = createSettingsView({ api, settings, snapshot, appInfo, announce, restartNeeded });
  const connectView = createConnectView({
    api,
    announce,
    clearSeconds: () => settings.get()?.settings.clipboardClearSeconds ?? 0,
  });
  // The runtime generation's parts sit beside the server's; which shows follows the generation in use.
  const runtimeStatusPart = createRuntimeStatus({ api, runtime, setup, appInfo, announce });
  const runtimeSandboxes = createRuntimeSandboxes({ api, runtime, announce });
  const keysNote = h(
    'section',
    { class: 'runtime-keys', 'data-testid': 'runtime-keys', hidden: true },
    h('h2', {}, 'No key needed'),
    h('p', {}, 'Sandboxes on this computer need no key: msb runs them directly.'),
    h('p', {}, 'Keys for microsandbox cloud (msb_…) are made in the cloud dashboard, not here.'),
  );
  const microsandboxUpdate = createMicrosandboxUpdate({ api, runtime, announce });
  const statusPane = h('div', { class: 'generation-pane' }, runtimeStatusPart, microsandboxUpdate, status.element);
  const sandboxesPane = h('div', { class: 'generation-pane' }, runtimeSandboxes.element, sandboxesView.element);
  const keysPane = h('div', { class: 'generation-pane' }, keysNote, keys.element);
  /** The 0.2 server's parts show in the server generation, and whenever a 0.2 server still runs. */
  const serverShown = (): boolean => !usesRuntime() || isLive(snapshot.get());
  let sandboxesShown = false;
  const views = {
    status: { element: statusPane, show: status.show, hide: status.hide },
    sandboxes: {
      element: sandboxesPane,
      show: () => {
        sandboxesShown = true;
        if (usesRuntime()) runtimeSandboxes.show();
        else sandboxesView.show();
      },
      hide: () => {
        sandboxesShown = false;
        runtimeSandboxes.hide();
        sandboxesView.hide();
      },
    },
    keys: { element: keysPane, show: keys.show, hide: keys.hide },
    logs,
    settings: settingsView,
    connect: connectView,
  };
  const tabs = createTabs(
    VIEW_NAMES.map((id) => ({
      id,
      label: LABELS[id],
      content: views[id].element,
      onShow: views[id].show,
      onHide: views[id].hide,
    })),
    'Sections',
  );
  const loadError = h('p', {
    class: 'inline-error load-error',
    'data-testid': 'load-error',
    role: 'alert',
    hidden: true,
  });
  const showLoadError = (what: string, error: unknown): void => {
    loadError.hidden = false;
    setText(loadError, `${what}: ${errorMessage(error)}`);
  };

  root.append(
    h('header', { class: 'top' }, h('h1', {}, 'Microsandbox'), pill),
    tabs.tablist,
    loadError,
    h('main', { class: 'content' }, tabs.panels),
    notices,
  );

  const renderPill = (value: ServerSnapshot): void => {
    if (usesRuntime()) {
      const state = runtimeStatus(runtime.get());
      pill.dataset['tone'] = state.tone;
      setText(pillSubject, 'Sandboxes: ');
      setText(pillLabel, runtimeSandboxesScreen(runtime.get()).summary);
      setText(pillDetail, ` — ${state.title}. ${state.hostSummary}.`);
      return;
    }
    setText(pillSubject, 'Server: ');
    const view = statusView(value, now(), { setup: setup.get(), platform: appInfo.get()?.platform ?? null });
    pill.dataset['tone'] = view.tone;
    setText(pillLabel, view.pillLabel);
    setText(pillDetail, ` — ${view.announcement}`);
  };
  snapshot.subscribe(renderPill);
  renderPill(snapshot.get());

  const isMac = (): boolean => appInfo.get()?.platform === 'darwin';
  const labelShortcuts = (): void => {
    for (const id of VIEW_NAMES)
      tabs
        .tab(id)
        ?.setAttribute(
          'aria-keyshortcuts',
          `${shortcutLabel(id, isMac())}${isMac() && id === 'settings' ? ' Meta+,' : ''}`,
        );
  };
  appInfo.subscribe(labelShortcuts);
  labelShortcuts();
  document.addEventListener('keydown', (event) => {
    const view = shortcutView(event, isMac());
    // A modal question is answered first: leaving its view would take it out of the page's top layer.
    if (view === null || document.querySelector('dialog[open]') !== null) return;
    event.preventDefault();
    tabs.select(view, true);
  });

  const renderGeneration = (): void => {
    const runtimeInUse = usesRuntime();
    const server = serverShown();
    status.element.hidden = !server;
    sandboxesView.element.hidden = runtimeInUse;
    runtimeSandboxes.element.hidden = !runtimeInUse;
    keysNote.hidden = !runtimeInUse;
    keys.element.hidden = !server;
    // The server's log is there only when there is a server.
    const logsTab = tabs.tab('logs');
    if (logsTab !== undefined) logsTab.hidden = !server;
    if (!server && tabs.selected() === 'logs') tabs.select('status');
    renderPill(snapshot.get());
  };
  let lastGeneration = runtime.get().generation;
  runtime.subscribe((view) => {
    renderGeneration();
    if (view.generation !== lastGeneration && sandboxesShown) {
      // The other generation's list is now the one looked at.
      views.sandboxes.hide();
      views.sandboxes.show();
    }
    lastGeneration = view.generation;
  });
  snapshot.subscribe(renderGeneration);
  renderGeneration();

  // Pushed updates; the window never polls.
  api.onRuntime((value) => runtime.set(value));
  api.onRuntimeLog((event) => runtimeSandboxes.pushLog(event));
  api.onStatus((value) => snapshot.set(value));
  api.onSettings((value) => settings.set(value));
  api.onSandboxes((value) => sandboxes.set(value));
  api.onSetup((value) => setup.set(value));
  api.onNavigate((event) => {
    const view = viewOf(event.view);
    if (view !== null) tabs.select(view, true);
  });

  // An install made in a terminal shows as soon as the window comes back to the front.
  let looking = false;
  const lookAgain = (): void => {
    if (looking || document.visibilityState !== 'visible') return;
    looking = true;
    api
      .setup()
      .then(
        (value) => setup.set(value),
        (error: unknown) => showLoadError('Could not look for msbserver', error),
      )
      .finally(() => {
        looking = false;
      });
  };
  window.addEventListener('focus', lookAgain);
  document.addEventListener('visibilitychange', lookAgain);

  // A window main opens on a view (the tray's Settings…) names it in the fragment: an event sent
  // before the page listens would be lost.
  tabs.select(viewOf(window.location.hash.slice(1)) ?? 'status');

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
    api.appInfo().then((info) => appInfo.set(info)),
    api.setup().then((value) => setup.set(value)),
    api.runtimeState().then((value) => runtime.set(value)),
  ]).then((results) => {
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) showLoadError('Could not load everything', failed.reason);
  });

  return {
    ready,
    select(tab) {
      if (tab in views) tabs.select(tab);
    },
  };
}

function viewOf(name: string): ViewName | null {
  return VIEW_NAMES.find((view) => view === name) ?? null;
}
