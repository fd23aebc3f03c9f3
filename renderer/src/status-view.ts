import type { AppInfo, MsbApi, SettingsView } from '../../shared/contract.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import type { Settings } from '../../shared/settings-schema.ts';
import type { SetupState } from '../../shared/setup.ts';
import { copyButton } from './copy-button.ts';
import { errorCode, errorMessage, h, setText } from './dom.ts';
import { createProblemBlock } from './problem-view.ts';
import type { ProblemHandlers } from './problem-view.ts';
import { warningsProblem } from './failure-model.ts';
import { SETUP_FAILURES, setupProblem } from './setup-model.ts';
import type { Signal } from './signal.ts';
import { DASH, statusView, uptimeOf } from './status-model.ts';
import type { ServerAction, StatusView } from './status-model.ts';

export interface View {
  readonly element: HTMLElement;
  readonly show: () => void;
  readonly hide: () => void;
}

export interface StatusDeps {
  readonly api: MsbApi;
  readonly snapshot: Signal<ServerSnapshot>;
  readonly now: () => number;
  /** Whether microsandbox is there to run (first run, msbrun missing, unsupported platform). */
  readonly setup: Signal<SetupState>;
  readonly appInfo: Signal<AppInfo | null>;
  readonly settings: Signal<SettingsView | null>;
  readonly restartNeeded: Signal<boolean>;
  /** Shows Settings with this field focused. */
  readonly openSetting: (key: keyof Settings) => void;
  readonly announce: (text: string) => void;
}

const FACTS = [
  ['pid', 'PID'],
  ['url', 'URL'],
  ['uptime', 'Uptime'],
  ['health', 'Health'],
  ['mode', 'Mode'],
  ['origin', 'Started by'],
] as const;
type FactKey = (typeof FACTS)[number][0];

/**
 * The state first, then what is wrong and what to do about it (the problem block), the actions,
 * and the facts of a live server. Only facts that say something are shown.
 */
export function createStatusView(deps: StatusDeps): View {
  const { api, snapshot, now } = deps;
  const state = h('strong', { class: 'state-label', 'data-testid': 'status-state' });
  const dot = h('span', { class: 'dot', 'aria-hidden': 'true' });

  const inFlight = new Set<ServerAction>();
  const actionError = h('p', { class: 'inline-error', 'data-testid': 'action-error', role: 'alert' });
  const run = (action: ServerAction, call: () => Promise<ServerSnapshot>) => async (): Promise<void> => {
    // Stop may be pressed while a start or restart is under way: it ends it (the one rule).
    if (inFlight.has(action) || (action !== 'stop' && inFlight.size > 0)) return;
    inFlight.add(action);
    setText(actionError, '');
    render();
    try {
      snapshot.set(await call());
    } catch (error) {
      setText(actionError, errorMessage(error));
    } finally {
      inFlight.delete(action);
      render();
    }
  };
  const buttons: Record<ServerAction, HTMLButtonElement> = {
    start: h('button', { type: 'button' }, 'Start'),
    stop: h('button', { type: 'button' }, 'Stop'),
    restart: h('button', { type: 'button' }, 'Restart'),
  };
  buttons.start.addEventListener('click', () => void run('start', () => api.start())());
  buttons.stop.addEventListener('click', () => void run('stop', () => api.stop())());
  buttons.restart.addEventListener('click', () => void run('restart', () => api.restart())());
  // Main puts its own value on the clipboard: the window only says "the server URL".
  const copyUrl = copyButton({
    label: 'Copy URL',
    className: 'small',
    copy: () => api.copy({ what: 'server-url' }),
    done: () => 'Copied',
    announce: deps.announce,
    testid: 'copy-url',
  });
  const restartNote = h(
    'p',
    { class: 'banner', 'data-testid': 'status-restart-needed', hidden: true },
    'Settings changed since the server started: Restart applies them.',
  );

  const head = h('div', { class: 'state-line' }, dot, state);
  const actions = h(
    'div',
    { class: 'action-block' },
    h('div', { class: 'actions' }, buttons.start, buttons.stop, buttons.restart, copyUrl),
    actionError,
    restartNote,
  );

  const handlers: ProblemHandlers = {
    copyCommand: () => api.copy({ what: 'install-command' }),
    locate,
    openSetting: deps.openSetting,
    cancelRestart: async () => {
      snapshot.set(await api.cancelRestart());
    },
    announce: deps.announce,
  };
  const setupBlock = createProblemBlock('setup', 'setup-problem', handlers);
  const failureBlock = createProblemBlock('failure', 'status-failure', handlers);
  const warningsBlock = createProblemBlock('warnings', 'status-warnings', handlers);

  const factsList = h('dl', { class: 'facts' });
  const factRows = FACTS.map(([key, term]) => ({
    key,
    dt: h('dt', {}, term),
    dd: h('dd', { 'data-testid': `status-${key}` }),
  }));
  for (const row of factRows) factsList.append(row.dt, row.dd);
  const valueOf = (key: FactKey): HTMLElement | undefined => factRows.find((row) => row.key === key)?.dd;
  const exposure = h('p', { class: 'note warn', 'data-testid': 'status-exposure', hidden: true });
  const facts = h('div', { class: 'facts-card', 'data-testid': 'status-facts' }, factsList, exposure);

  // The problem comes before the buttons: its next step leads to the one that is primary.
  const element = h(
    'section',
    { class: 'status-view' },
    head,
    setupBlock.element,
    failureBlock.element,
    actions,
    facts,
    warningsBlock.element,
  );

  /** Main's file chooser; what the window says after it. */
  async function locate(): Promise<string> {
    try {
      deps.settings.set(await api.chooseMsbserver());
    } catch (error) {
      return errorCode(error) === 'declined' ? errorMessage(error) : `Not changed: ${errorMessage(error)}`;
    }
    // Main looks again after the setting changed; asking now shows the answer without a wait.
    const found = await api.setup();
    deps.setup.set(found);
    switch (found.kind) {
      case 'ready':
        return `Found msbserver at ${found.msbserver}.`;
      case 'msbrun-unsafe':
        return `Found msbserver at ${found.msbserver}, but the msbrun it would run is unsafe: see above.`;
      case 'missing':
      case 'unsupported':
      case 'unknown':
        return 'The chosen file was saved, but it cannot be used: see above.';
    }
  }

  function current(): StatusView {
    const setup = deps.setup.get();
    const info = deps.appInfo.get();
    return statusView(snapshot.get(), now(), {
      setup,
      platform: info?.platform ?? null,
      restartNeeded: deps.restartNeeded.get(),
    });
  }

  function render(): void {
    const view = current();
    setText(state, view.label);
    head.dataset['tone'] = view.tone;
    const text: Record<FactKey, string> = {
      pid: view.pid,
      url: view.url,
      uptime: view.uptime,
      health: view.health,
      mode: view.mode,
      origin: view.origin,
    };
    for (const row of factRows) {
      setText(row.dd, text[row.key]);
      // An empty fact is noise: a card of dashes says nothing.
      const empty = text[row.key] === DASH;
      row.dt.hidden = empty;
      row.dd.hidden = empty;
    }
    valueOf('mode')?.classList.toggle('warn', view.devMode);
    valueOf('url')?.classList.toggle('mono', view.url.startsWith('http'));
    valueOf('health')?.classList.toggle('bad', view.tone === 'hung');
    facts.hidden = factRows.every((row) => row.dd.hidden);
    exposure.hidden = view.exposure === null;
    setText(
      exposure,
      view.exposure === null
        ? ''
        : `${view.devMode ? 'Development mode: no key is asked, so the server is' : 'The server is'} ${view.exposure}.`,
    );
    const can: Record<ServerAction, boolean> = { start: view.canStart, stop: view.canStop, restart: view.canRestart };
    for (const action of ['start', 'stop', 'restart'] as const) {
      const blocked = action === 'stop' ? inFlight.has('stop') : inFlight.size > 0;
      buttons[action].disabled = blocked || !can[action];
      buttons[action].classList.toggle('primary', view.primary === action);
    }
    // Without a server there is no address to copy: the button would only be noise.
    copyUrl.disabled = !view.url.startsWith('http');
    copyUrl.hidden = copyUrl.disabled;
    restartNote.hidden = !view.restartNeeded;

    const setup = setupProblem(
      deps.setup.get(),
      deps.appInfo.get(),
      view.state === 'running' || view.state === 'starting' || view.state === 'stopping',
    );
    setupBlock.render(setup);
    // The setup block already says why a start found no msbserver: once, not twice.
    const failureCode = snapshot.get().error?.code;
    const explained =
      setup !== null && setup.kind !== 'msbrun-missing' && failureCode !== undefined && SETUP_FAILURES.has(failureCode);
    failureBlock.render(explained ? null : view.problem);
    warningsBlock.render(warningsProblem(snapshot.get()));
    syncTicker(view.state === 'running' || view.restartIn !== null);
  }

  // The uptime and a restart countdown tick once a second, only while they are on screen.
  let shown = false;
  let ticker: ReturnType<typeof setInterval> | null = null;
  function syncTicker(moving: boolean): void {
    const want = shown && moving && document.visibilityState === 'visible';
    if (want && ticker === null) {
      ticker = setInterval(() => {
        const uptime = valueOf('uptime');
        if (snapshot.get().restartAt !== null || uptime === undefined) render();
        else setText(uptime, uptimeOf(snapshot.get(), now()));
      }, 1000);
    } else if (!want && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    }
  }
  document.addEventListener('visibilitychange', () => render());
  snapshot.subscribe(() => render());
  deps.setup.subscribe(() => render());
  deps.appInfo.subscribe(() => render());
  deps.restartNeeded.subscribe(() => render());
  render();

  return {
    element,
    show() {
      shown = true;
      render();
    },
    hide() {
      shown = false;
      syncTicker(false);
    },
  };
}
