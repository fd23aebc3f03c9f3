import type { MsbApi, SettingsView } from '../../shared/contract.ts';
import type { SandboxesView, SandboxRef, SandboxWatchRequest } from '../../shared/sandboxes.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { errorMessage, h, replace, setText, uid } from './dom.ts';
import { createSandboxLogPanel } from './sandbox-log-panel.ts';
import { sdkSnippets } from '../../shared/snippets.ts';
import { sandboxesScreen, serverUrlOf, stopOutcomeText } from './sandboxes-model.ts';
import type { NamespaceView, SandboxRowView } from './sandboxes-model.ts';
import type { Signal } from './signal.ts';
import type { View } from './status-view.ts';

export interface SandboxesDeps {
  readonly api: MsbApi;
  /** Pushed by main (`event:sandboxes`); the view never polls. */
  readonly sandboxes: Signal<SandboxesView | null>;
  readonly snapshot: Signal<ServerSnapshot>;
  readonly settings: Signal<SettingsView | null>;
  readonly now: () => number;
  readonly announce: (text: string) => void;
}

interface RowParts {
  readonly item: HTMLLIElement;
  readonly badge: HTMLElement;
  readonly hint: HTMLElement;
  readonly facts: Readonly<Record<'uptime' | 'memory' | 'cpu' | 'disk' | 'port', HTMLElement>>;
  readonly stop: HTMLButtonElement;
  readonly log: HTMLButtonElement;
}

interface SectionParts {
  readonly section: HTMLElement;
  readonly error: HTMLElement;
  readonly list: HTMLUListElement;
}

/** How long a sandbox asked to stop shows "Stopping…" at most, if the view does not say it stopped. */
const STOPPING_MS = 15_000;
const FACTS = [
  ['uptime', 'Uptime'],
  ['memory', 'Memory'],
  ['cpu', 'CPU'],
  ['disk', 'Disk'],
  ['port', 'Portal port'],
] as const;

/**
 * The namespaces and their sandboxes with state, uptime, memory, CPU, disk and portal port, Stop
 * and Log per sandbox, Stop all, a sandbox's log, and, with nothing to show, how to start a first
 * sandbox. Rows are updated in place as views arrive, so focus and screen readers keep their
 * place; while the view is on screen main samples metrics (`sandboxes:watch`).
 */
export function createSandboxesView(deps: SandboxesDeps): View {
  const { api, now } = deps;
  const summary = h('p', { class: 'sandboxes-summary', 'data-testid': 'sandboxes-summary' });
  const stopAll = h('button', { type: 'button', class: 'danger-outline small' }, 'Stop all');
  const outcome = h('p', { class: 'reserve small-text', 'data-testid': 'sandboxes-outcome' });
  const folder = h('p', { class: 'muted small-text sandboxes-folder', 'data-testid': 'sandboxes-folder' });
  const list = h('div', { class: 'sandboxes-list', 'data-testid': 'sandboxes-list' });
  const emptyUrl = h('code', { 'data-testid': 'sandboxes-empty-url' });
  const snippets = {
    python: h('pre', { class: 'snippet', tabindex: '0', 'data-testid': 'snippet-python' }),
    typescript: h('pre', { class: 'snippet', tabindex: '0', 'data-testid': 'snippet-typescript' }),
  };
  const snippetBlock = (label: string, key: keyof typeof snippets): HTMLElement => {
    const copy = h('button', { type: 'button', class: 'small', 'aria-label': `Copy the ${label} example` }, 'Copy');
    copy.addEventListener('click', () => {
      api.copy({ what: 'sdk-example', language: key }).then(
        () => deps.announce(`${label} example copied.`),
        (error: unknown) => setText(outcome, `Not copied: ${errorMessage(error)}`),
      );
    });
    return h(
      'div',
      { class: 'snippet-block' },
      h('div', { class: 'snippet-head' }, h('h3', {}, label), copy),
      snippets[key],
    );
  };
  const empty = h(
    'section',
    {
      class: 'sandboxes-empty',
      'aria-labelledby': 'sandboxes-empty-title',
      'data-testid': 'sandboxes-empty',
      hidden: true,
    },
    h('h2', { id: 'sandboxes-empty-title' }, 'No sandboxes yet'),
    h(
      'p',
      {},
      'Start one with an SDK against this server, ',
      emptyUrl,
      '; it shows here by itself. Set MSB_API_KEY to a key from the Keys tab unless the server runs in ' +
        'development mode.',
    ),
    snippetBlock('Python', 'python'),
    snippetBlock('TypeScript', 'typescript'),
  );

  const rows = new Map<string, RowParts>();
  const sections = new Map<string, SectionParts>();
  const stopping = new Map<string, number>();
  const busy = new Set<string>();

  const logPanel = createSandboxLogPanel({
    api,
    onChange: () => syncWatch(false),
    onClosed: (ref) => rows.get(`${ref.namespace}/${ref.name}`)?.log.focus(),
  });
  api.onSandboxLog((event) => logPanel.push(event));

  const element = h(
    'section',
    { class: 'sandboxes-view' },
    h('div', { class: 'toolbar' }, summary, stopAll),
    outcome,
    empty,
    list,
    folder,
    logPanel.element,
  );

  function makeRow(view: SandboxRowView): RowParts {
    const titleId = uid('sandbox');
    const badge = h('span', { class: 'badge', 'data-testid': 'sandbox-state' });
    const stop = h('button', { type: 'button', class: 'small' }, 'Stop');
    const log = h('button', { type: 'button', class: 'small' }, 'Log');
    const ref: SandboxRef = { namespace: view.namespace, name: view.name };
    stop.addEventListener('click', () => void stopOne(ref));
    log.addEventListener('click', () => logPanel.open(ref));
    const facts = {} as Record<(typeof FACTS)[number][0], HTMLElement>;
    const dl = h('dl', { class: 'sandbox-facts' });
    for (const [key, term] of FACTS) {
      facts[key] = h('dd', { 'data-testid': `sandbox-${key}` });
      dl.append(h('div', { class: 'fact' }, h('dt', {}, term), facts[key]));
    }
    const hint = h('p', { class: 'muted small-text sandbox-hint' });
    const item = h(
      'li',
      { class: 'sandbox', 'aria-labelledby': titleId, 'data-testid': 'sandbox-row', 'data-key': view.key },
      h(
        'div',
        { class: 'sandbox-head' },
        h('h3', { id: titleId, class: 'sandbox-name' }, view.name),
        badge,
        h('div', { class: 'sandbox-actions' }, stop, log),
      ),
      dl,
      hint,
    );
    return { item, badge, hint, facts, stop, log };
  }

  function updateRow(parts: RowParts, view: SandboxRowView, at: number): void {
    const since = stopping.get(view.key);
    const isStopping = since !== undefined && view.state === 'running' && at - since < STOPPING_MS;
    if (since !== undefined && !isStopping) stopping.delete(view.key);
    setText(parts.badge, isStopping ? 'Stopping…' : view.stateLabel);
    parts.badge.dataset['tone'] = isStopping ? 'busy' : view.tone;
    parts.item.dataset['state'] = view.state;
    setText(parts.hint, view.state === 'running' ? '' : view.stateHint);
    parts.hint.hidden = view.state === 'running' || view.stateHint === '';
    for (const [key] of FACTS) setText(parts.facts[key], view[key]);
    parts.stop.disabled = !view.canStop || isStopping || busy.has(view.key);
    parts.stop.setAttribute('aria-label', view.stopLabel);
    parts.log.disabled = !view.canLog;
    parts.log.setAttribute('aria-label', view.logLabel);
  }

  function section(ns: NamespaceView): SectionParts {
    const existing = sections.get(ns.name);
    if (existing !== undefined) return existing;
    const titleId = uid('namespace');
    const error = h('p', { class: 'inline-error', 'data-testid': 'namespace-error' });
    const ul = h('ul', { class: 'sandbox-list', 'aria-labelledby': titleId });
    const parts = {
      section: h(
        'section',
        { class: 'namespace', 'aria-labelledby': titleId, 'data-testid': `namespace-${ns.name}` },
        h('h2', { id: titleId }, ns.name),
        error,
        ul,
      ),
      error,
      list: ul,
    };
    sections.set(ns.name, parts);
    return parts;
  }

  /** Puts `wanted` in `parent` in order, touching the DOM only when something changed (a moved node loses focus). */
  function arrange(parent: Element, wanted: readonly Element[]): void {
    const same = parent.children.length === wanted.length && wanted.every((child, i) => parent.children[i] === child);
    if (!same) replace(parent, ...wanted);
  }

  function render(): void {
    const at = now();
    const screen = sandboxesScreen(deps.sandboxes.get(), at);
    setText(summary, screen.summary);
    stopAll.disabled = !screen.canStopAll || busy.has('*');
    setText(folder, screen.folder === '' ? '' : `Namespaces folder: ${screen.folder}`);
    empty.hidden = !screen.empty;
    list.hidden = screen.empty;
    if (screen.empty) {
      const url = serverUrlOf(deps.snapshot.get(), deps.settings.get()?.settings ?? null);
      setText(emptyUrl, url);
      const code = sdkSnippets(url);
      setText(snippets.python, code.python);
      setText(snippets.typescript, code.typescript);
    }
    const seenRows = new Set<string>();
    const wantedSections: Element[] = [];
    for (const ns of screen.namespaces) {
      const parts = section(ns);
      setText(parts.error, ns.error ?? '');
      parts.error.hidden = ns.error === null;
      const items: Element[] = [];
      for (const view of ns.rows) {
        seenRows.add(view.key);
        let row = rows.get(view.key);
        if (row === undefined) {
          row = makeRow(view);
          rows.set(view.key, row);
        }
        updateRow(row, view, at);
        items.push(row.item);
      }
      arrange(parts.list, items);
      wantedSections.push(parts.section);
    }
    for (const key of [...rows.keys()]) if (!seenRows.has(key)) rows.delete(key);
    const names = new Set(screen.namespaces.map((ns) => ns.name));
    for (const name of [...sections.keys()]) if (!names.has(name)) sections.delete(name);
    arrange(list, wantedSections);
    syncTicker(screen.running > 0);
  }

  async function stop(key: string, request: Parameters<MsbApi['stopSandboxes']>[0]): Promise<void> {
    if (busy.has(key)) return;
    busy.add(key);
    setText(outcome, '');
    render();
    try {
      const result = await api.stopSandboxes(request);
      for (const ref of result.stopped) stopping.set(`${ref.namespace}/${ref.name}`, now());
      const text = stopOutcomeText(result);
      setText(outcome, text);
      deps.announce(text);
    } catch (error) {
      setText(outcome, `Nothing was stopped: ${errorMessage(error)}`);
    } finally {
      busy.delete(key);
      render();
    }
  }
  const stopOne = (ref: SandboxRef): Promise<void> =>
    stop(`${ref.namespace}/${ref.name}`, { namespace: ref.namespace, name: ref.name });
  stopAll.addEventListener('click', () => void stop('*', { all: true }));

  // What main should watch: metrics while the view is on screen, the log while its panel is open.
  let shown = false;
  let sent: SandboxWatchRequest = { visible: false, log: null };
  /** `resume`: the view came back on screen; lines written while nobody followed are read from the file again. */
  function syncWatch(resume: boolean): void {
    const visible = shown && document.visibilityState === 'visible';
    const log = visible ? logPanel.current() : null;
    if (sent.visible === visible && sent.log?.namespace === log?.namespace && sent.log?.name === log?.name) return;
    const resumed = sent.log === null && log !== null;
    sent = { visible, log };
    api
      .watchSandboxes(sent)
      .catch((error: unknown) => setText(outcome, `Live figures are not available: ${errorMessage(error)}`));
    if (resume && resumed) logPanel.reload();
  }

  // The uptime ticks once a second, only while on screen and something runs.
  let ticker: ReturnType<typeof setInterval> | null = null;
  function syncTicker(anyRunning: boolean): void {
    const want = shown && anyRunning && document.visibilityState === 'visible';
    if (want && ticker === null) ticker = setInterval(() => render(), 1000);
    else if (!want && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    }
  }

  document.addEventListener('visibilitychange', () => {
    syncWatch(true);
    render();
  });
  deps.sandboxes.subscribe(() => render());
  deps.snapshot.subscribe(() => render());
  deps.settings.subscribe(() => render());
  render();

  return {
    element,
    show() {
      shown = true;
      syncWatch(true);
      render();
    },
    hide() {
      shown = false;
      syncWatch(false);
      syncTicker(false);
    },
  };
}
