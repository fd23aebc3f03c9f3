import type { MsbApi } from '../../shared/contract.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { errorMessage, h, replace, setText } from './dom.ts';
import { emptyLogText, MAX_LOG_LINES, mergeTail, stripAnsi } from './logs-model.ts';
import type { Signal } from './signal.ts';
import type { View } from './status-view.ts';

export interface LogsDeps {
  readonly api: MsbApi;
  /** Whose output the log holds: a server started outside the app writes elsewhere. */
  readonly snapshot?: Signal<ServerSnapshot>;
}

/** The server log's tail, followed as lines arrive, and a button that opens its folder. */
export function createLogsView(deps: LogsDeps): View {
  const { api } = deps;
  const lines = h('div', {
    class: 'log',
    role: 'log',
    'aria-live': 'off',
    'aria-label': 'Server log',
    tabindex: '0',
    'data-testid': 'log-lines',
  });
  const empty = h('p', { class: 'log-empty muted', 'data-testid': 'log-empty' }, 'Loading the log…');
  const follow = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
  const openFolder = h('button', { type: 'button' }, 'Open log folder');
  const problem = h('p', { class: 'inline-error reserve', 'data-testid': 'log-error' });
  const where = h('p', { class: 'muted log-path', 'data-testid': 'log-path' });
  const element = h(
    'section',
    { class: 'logs-view' },
    h(
      'div',
      { class: 'toolbar' },
      h('label', { class: 'check-label', for: 'log-follow' }, follow, 'Follow new lines'),
      openFolder,
    ),
    h('div', { class: 'log-frame' }, empty, lines),
    where,
    problem,
  );
  openFolder.addEventListener('click', () => {
    api.reveal({ target: 'log' }).then(
      () => setText(problem, ''),
      (error: unknown) => setText(problem, `Could not open the folder: ${errorMessage(error)}`),
    );
  });

  let count = 0;
  let loading: string[] | null = null;
  let generation = 0;

  function render(all: readonly string[]): void {
    replace(lines, ...all.slice(-MAX_LOG_LINES).map(line));
    count = Math.min(all.length, MAX_LOG_LINES);
    afterChange();
  }
  function line(text: string): HTMLElement {
    const plain = stripAnsi(text);
    return h('div', { class: 'log-line' }, plain === '' ? ' ' : plain);
  }
  function afterChange(): void {
    empty.hidden = count > 0;
    if (count === 0 && loading === null) setText(empty, emptyLogText(deps.snapshot?.get() ?? null));
    if (follow.checked) lines.scrollTop = lines.scrollHeight;
  }
  function appendLines(more: readonly string[]): void {
    if (loading !== null) {
      loading.push(...more);
      return;
    }
    for (const text of more) lines.append(line(text));
    count += more.length;
    while (count > MAX_LOG_LINES && lines.firstChild) {
      lines.removeChild(lines.firstChild);
      count -= 1;
    }
    afterChange();
  }
  follow.addEventListener('change', () => afterChange());
  deps.snapshot?.subscribe(() => {
    if (count === 0 && loading === null) afterChange();
  });
  api.onLog((event) => appendLines(event.lines));

  async function load(): Promise<void> {
    const mine = ++generation;
    const pushed: string[] = [];
    loading = pushed;
    try {
      const tail = await api.logTail({ lines: 200 });
      if (mine !== generation) return;
      loading = null;
      setText(problem, '');
      setText(where, tail.path);
      render(mergeTail(tail.lines, pushed));
    } catch (error) {
      if (mine !== generation) return;
      loading = null;
      setText(problem, `Could not read the log: ${errorMessage(error)}`);
      render(pushed);
    }
  }

  return {
    element,
    show() {
      void load();
    },
    hide() {},
  };
}
