import type { MsbApi } from '../../shared/contract.ts';
import type { SandboxLogEvent, SandboxRef } from '../../shared/sandboxes.ts';
import { errorMessage, h, replace, setText, uid } from './dom.ts';
import { MAX_LOG_LINES, mergeTail, stripAnsi } from './logs-model.ts';

export interface SandboxLogPanel {
  readonly element: HTMLElement;
  /** The sandbox shown, or null when the panel is closed. */
  readonly current: () => SandboxRef | null;
  /** Shows `ref`'s log: its tail, then the lines main pushes while it is followed. */
  open(ref: SandboxRef): void;
  /** Reads the tail again (after the log was not followed for a while). */
  reload(): void;
  close(): void;
  /** Lines main pushed (`event:sandbox-log`); those of another sandbox are ignored. */
  push(event: SandboxLogEvent): void;
}

export interface SandboxLogDeps {
  readonly api: MsbApi;
  /** Called after the panel opened, changed sandbox or closed: the view tells main what to follow. */
  readonly onChange: () => void;
  /** Called once closed: focus goes back to where the user came from. */
  readonly onClosed: (ref: SandboxRef) => void;
}

const TAIL_LINES = 200;

/**
 * A sandbox's log inside the Sandboxes view: the last lines, followed as they arrive, at most
 * MAX_LOG_LINES kept. Main scrubs keys and tokens out before they get here.
 */
export function createSandboxLogPanel(deps: SandboxLogDeps): SandboxLogPanel {
  const titleId = uid('sandbox-log-title');
  const followId = uid('sandbox-log-follow');
  const title = h('h2', { id: titleId, 'data-testid': 'sandbox-log-title' });
  const follow = h('input', { type: 'checkbox', id: followId, checked: true });
  const closeButton = h('button', { type: 'button', class: 'small' }, 'Close log');
  const lines = h('div', {
    class: 'log',
    role: 'log',
    'aria-live': 'off',
    'aria-labelledby': titleId,
    tabindex: '0',
    'data-testid': 'sandbox-log-lines',
  });
  const empty = h('p', { class: 'log-empty muted', 'data-testid': 'sandbox-log-empty' }, 'Loading the log…');
  const problem = h('p', { class: 'inline-error', 'data-testid': 'sandbox-log-error' });
  const element = h(
    'section',
    { class: 'sandbox-log-panel', 'aria-labelledby': titleId, 'data-testid': 'sandbox-log-panel', hidden: true },
    h(
      'div',
      { class: 'toolbar' },
      title,
      h(
        'div',
        { class: 'actions' },
        h('label', { class: 'check-label', for: followId }, follow, 'Follow'),
        closeButton,
      ),
    ),
    h('div', { class: 'log-frame' }, empty, lines),
    problem,
  );

  let current: SandboxRef | null = null;
  let count = 0;
  let loading: string[] | null = null;
  let generation = 0;

  const isCurrent = (ref: SandboxRef): boolean =>
    current !== null && current.namespace === ref.namespace && current.name === ref.name;
  const line = (text: string): HTMLElement => {
    const plain = stripAnsi(text);
    return h('div', { class: 'log-line' }, plain === '' ? ' ' : plain);
  };
  function afterChange(): void {
    empty.hidden = count > 0;
    if (count === 0 && loading === null) setText(empty, 'The log is empty.');
    if (follow.checked) lines.scrollTop = lines.scrollHeight;
  }
  function render(all: readonly string[]): void {
    replace(lines, ...all.slice(-MAX_LOG_LINES).map(line));
    count = Math.min(all.length, MAX_LOG_LINES);
    afterChange();
  }

  async function load(): Promise<void> {
    const ref = current;
    if (ref === null) return;
    const mine = ++generation;
    const pushed: string[] = [];
    loading = pushed;
    setText(empty, 'Loading the log…');
    empty.hidden = false;
    try {
      const tail = await deps.api.sandboxLogTail({ namespace: ref.namespace, name: ref.name, lines: TAIL_LINES });
      if (mine !== generation) return;
      loading = null;
      setText(problem, tail.exists ? '' : `${ref.name} has written no log yet.`);
      render(mergeTail(tail.lines, pushed));
    } catch (error) {
      if (mine !== generation) return;
      loading = null;
      setText(problem, `Could not read the log: ${errorMessage(error)}`);
      render(pushed);
    }
  }

  const panel: SandboxLogPanel = {
    element,
    current: () => current,
    open(ref) {
      current = { namespace: ref.namespace, name: ref.name };
      setText(title, `Log of ${ref.name} in ${ref.namespace}`);
      element.hidden = false;
      replace(lines);
      count = 0;
      setText(problem, '');
      // Main starts following first, so that no line falls between the tail and the first push.
      deps.onChange();
      void load();
      lines.focus();
    },
    reload() {
      void load();
    },
    close() {
      const was = current;
      if (was === null) return;
      current = null;
      generation++;
      loading = null;
      element.hidden = true;
      replace(lines);
      count = 0;
      deps.onChange();
      deps.onClosed(was);
    },
    push(event) {
      if (!isCurrent(event)) return;
      if (loading !== null) {
        loading.push(...event.lines);
        return;
      }
      for (const text of event.lines) lines.append(line(text));
      count += event.lines.length;
      while (count > MAX_LOG_LINES && lines.firstChild) {
        lines.removeChild(lines.firstChild);
        count -= 1;
      }
      afterChange();
    },
  };
  closeButton.addEventListener('click', () => panel.close());
  follow.addEventListener('change', () => afterChange());
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    panel.close();
  });
  return panel;
}
