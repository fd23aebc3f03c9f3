import type { MsbApi } from '../../shared/contract.ts';
import type { ServerFailure, ServerSnapshot } from '../../shared/server-status.ts';
import { errorMessage, h, replace, setText } from './dom.ts';
import { stripAnsi } from './logs-model.ts';
import type { Signal } from './signal.ts';
import { statusView, uptimeOf } from './status-model.ts';
import type { StatusView } from './status-model.ts';

export interface View {
  readonly element: HTMLElement;
  readonly show: () => void;
  readonly hide: () => void;
}

export interface StatusDeps {
  readonly api: MsbApi;
  readonly snapshot: Signal<ServerSnapshot>;
  readonly now: () => number;
  /** Set when msbserver cannot run on this platform (Windows). */
  readonly unsupported: Signal<string | null>;
}

/** State, facts, Start/Stop/Restart, and on failure the reason and the log lines. */
export function createStatusView(deps: StatusDeps): View {
  const { api, snapshot, now } = deps;
  const state = h('strong', { class: 'state-label', 'data-testid': 'status-state' });
  const dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
  const pid = h('dd', { 'data-testid': 'status-pid' });
  const url = h('dd', { 'data-testid': 'status-url' });
  const uptime = h('dd', { 'data-testid': 'status-uptime' });
  const health = h('dd', { 'data-testid': 'status-health' });
  const mode = h('dd', { 'data-testid': 'status-mode' });
  const origin = h('dd', { 'data-testid': 'status-origin' });
  const exposure = h('p', { class: 'note warn', 'data-testid': 'status-exposure', hidden: true });
  const card = h(
    'div',
    { class: 'state-card' },
    h('div', { class: 'state-line' }, dot, state),
    h(
      'dl',
      { class: 'facts' },
      ...[['PID', pid], ['URL', url], ['Uptime', uptime], ['Health', health], ['Mode', mode], ['Started by', origin]].flatMap(([term, value]) => [h('dt', {}, term), value]),
    ),
    exposure,
  );

  const actionError = h('p', { class: 'inline-error reserve', 'data-testid': 'action-error' });
  let busy = false;
  const run = (action: () => Promise<ServerSnapshot>) => async () => {
    if (busy) return;
    busy = true;
    setText(actionError, '');
    render();
    try {
      snapshot.set(await action());
    } catch (error) {
      setText(actionError, errorMessage(error));
    } finally {
      busy = false;
      render();
    }
  };
  const start = h('button', { type: 'button', class: 'primary' }, 'Start');
  const stop = h('button', { type: 'button' }, 'Stop');
  const restart = h('button', { type: 'button' }, 'Restart');
  start.addEventListener('click', () => void run(() => api.start())());
  stop.addEventListener('click', () => void run(() => api.stop())());
  restart.addEventListener('click', () => void run(() => api.restart())());
  // Main puts its own value on the clipboard: the window only says "the server URL".
  const copyUrl = h('button', { type: 'button', class: 'small' }, 'Copy URL');
  const copyNotice = h('p', { class: 'copy-notice reserve', 'data-testid': 'url-copy-notice' });
  copyUrl.addEventListener('click', () => {
    api.copy({ what: 'server-url' }).then(
      () => setText(copyNotice, 'Server URL copied.'),
      (error: unknown) => setText(copyNotice, `Not copied: ${errorMessage(error)}`),
    );
  });

  const unsupportedNote = h('p', { class: 'note', hidden: true });
  const failure = h('section', { class: 'failure', 'aria-labelledby': 'failure-title', 'data-testid': 'status-failure', hidden: true });

  const element = h(
    'section',
    { class: 'status-view' },
    card,
    h('div', { class: 'action-block' }, h('div', { class: 'actions' }, start, stop, restart, copyUrl), actionError, copyNotice),
    unsupportedNote,
    failure,
  );

  let lastError: ServerFailure | null | undefined;
  function render(): void {
    const view = statusView(snapshot.get(), now(), deps.unsupported.get() === null);
    setText(state, view.label);
    card.dataset['tone'] = view.tone;
    setText(mode, view.mode);
    mode.classList.toggle('warn', view.devMode);
    setText(origin, view.origin);
    exposure.hidden = view.exposure === null;
    setText(exposure, view.exposure === null ? '' : `${view.devMode ? 'Development mode: no key is asked, so the server is' : 'The server is'} ${view.exposure}.`);
    url.classList.toggle('mono', view.url.startsWith('http'));
    setText(pid, view.pid);
    setText(url, view.url);
    setText(uptime, view.uptime);
    setText(health, view.health);
    start.disabled = busy || !view.canStart;
    stop.disabled = busy || !view.canStop;
    restart.disabled = busy || !view.canRestart;
    copyUrl.disabled = !view.url.startsWith('http');
    const note = deps.unsupported.get();
    unsupportedNote.hidden = note === null;
    setText(unsupportedNote, note ?? '');
    const current = snapshot.get();
    const shownError = current.state === 'failed' ? current.error : null;
    if (shownError !== lastError) {
      lastError = shownError;
      renderFailure(view.failure);
    }
    syncTicker(view.state === 'running');
  }

  function renderFailure(view: StatusView['failure']): void {
    failure.hidden = view === null;
    if (view === null) {
      replace(failure);
      return;
    }
    replace(
      failure,
      h('h2', { id: 'failure-title' }, view.title),
      h('p', { 'data-testid': 'failure-message' }, view.message),
      view.detail !== '' ? h('p', { class: 'muted' }, view.detail) : null,
      view.searched.length > 0
        ? h('div', {}, h('p', {}, 'Places searched:'), h('ul', { class: 'mono searched', 'data-testid': 'failure-searched' }, ...view.searched.map((place) => h('li', {}, place))))
        : null,
      view.installHint !== null ? h('p', { 'data-testid': 'install-hint' }, view.installHint) : null,
      view.logTail.length > 0
        ? h('div', {}, h('p', {}, 'Last lines of the server log:'), h('pre', { class: 'log-excerpt', tabindex: '0', 'data-testid': 'failure-log' }, view.logTail.map(stripAnsi).join('\n')))
        : null,
    );
  }

  // The uptime ticks once a second, only while it is on screen and the server runs.
  let shown = false;
  let ticker: ReturnType<typeof setInterval> | null = null;
  function syncTicker(running: boolean): void {
    const want = shown && running && document.visibilityState === 'visible';
    if (want && ticker === null) {
      ticker = setInterval(() => setText(uptime, uptimeOf(snapshot.get(), now())), 1000);
    } else if (!want && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    }
  }
  document.addEventListener('visibilitychange', () => render());
  snapshot.subscribe(() => render());
  deps.unsupported.subscribe(() => render());
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
