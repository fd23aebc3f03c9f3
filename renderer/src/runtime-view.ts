/**
 * The runtime generation in the window: its part of Status (version, where `msb` is, the host
 * check with fixes, `msb context`, today's install on first run) and its Sandboxes list with each
 * sandbox's actions, log and shell command. The window only names sandboxes of the list main
 * pushed; main checks the name again and asks natively before anything that cannot be undone.
 */
import type { AppInfo, MsbApi, RuntimeLogLineView, RuntimeLogView } from '../../shared/contract.ts';
import type { RuntimeActionName, RuntimeView } from '../../shared/runtime.ts';
import type { SetupState } from '../../shared/setup.ts';
import { copyButton } from './copy-button.ts';
import { errorCode, errorMessage, h, replace, setText } from './dom.ts';
import { ACTION_LABELS, runtimeInstallOptions, runtimeSandboxesScreen, runtimeStatus } from './runtime-model.ts';
import type { RuntimeRowView } from './runtime-model.ts';
import type { Signal } from './signal.ts';
import type { View } from './status-view.ts';

export interface RuntimeStatusDeps {
  readonly api: MsbApi;
  readonly runtime: Signal<RuntimeView>;
  readonly setup: Signal<SetupState>;
  readonly appInfo: Signal<AppInfo | null>;
  readonly announce: (text: string) => void;
}

/** Nothing of either generation found: the first run, which offers today's install first. */
export function isFirstRun(view: RuntimeView, setup: SetupState): boolean {
  return view.generation === 'none' && (setup.kind === 'missing' || setup.kind === 'unsupported');
}

export function createRuntimeStatus(deps: RuntimeStatusDeps): HTMLElement {
  const { api } = deps;
  const title = h('h2', { 'data-testid': 'runtime-title' });
  const facts = h('dl', { class: 'facts' });
  const msbPath = h('dd', { 'data-testid': 'runtime-msb-path' });
  const context = h('dd', { 'data-testid': 'runtime-context' });
  facts.append(h('dt', {}, 'msb'), msbPath, h('dt', {}, 'Where sandboxes run'), context);
  // No live region of its own: the pill is the one status region, and says the host check too.
  const hostSummary = h('p', { class: 'host-summary', 'data-testid': 'host-summary' });
  const problems = h('ul', { class: 'host-problems', 'data-testid': 'host-problems' });
  const notes = h('ul', { class: 'runtime-notes', 'data-testid': 'runtime-notes' });
  const listError = h('p', { class: 'inline-error', 'data-testid': 'runtime-list-error' });
  const outcome = h('p', { class: 'inline-error', 'data-testid': 'host-outcome' });
  const check = h('button', { type: 'button', class: 'small', 'data-testid': 'host-check' }, 'Check again');
  const fix = h(
    'button',
    { type: 'button', class: 'small', 'data-testid': 'host-fix', hidden: true },
    'Fix (administrator)…',
  );
  const run = (button: HTMLButtonElement, call: () => Promise<RuntimeView>) => (): void => {
    button.disabled = true;
    setText(outcome, '');
    call()
      .then(
        (view) => deps.runtime.set(view),
        (error: unknown) => {
          // A no in main's own dialog is the user's answer, not a failure to report.
          if (errorCode(error) !== 'declined') setText(outcome, errorMessage(error));
        },
      )
      .finally(() => {
        button.disabled = false;
      });
  };
  check.addEventListener(
    'click',
    run(check, () => api.checkHost()),
  );
  fix.addEventListener(
    'click',
    run(fix, () => api.fixHost()),
  );

  const runtimePart = h(
    'section',
    { class: 'runtime-status', 'data-testid': 'runtime-status', 'aria-labelledby': 'runtime-title' },
    title,
    facts,
    hostSummary,
    problems,
    h('div', { class: 'actions' }, check, fix),
    outcome,
    listError,
    notes,
  );
  title.id = 'runtime-title';

  const installList = h('ul', { class: 'install-options', 'data-testid': 'runtime-install' });
  const firstRun = h(
    'section',
    { class: 'first-run-runtime', 'data-testid': 'first-run-runtime', hidden: true },
    h('h2', {}, 'Install microsandbox'),
    h('p', {}, "Today's microsandbox runs each sandbox as its own process: no server and no keys on this computer."),
    installList,
    h(
      'p',
      { class: 'muted small-text' },
      'Need the older 0.2 server (msbserver, API keys)? Its install follows below.',
    ),
  );
  let installedFor: string | null = null;
  const renderInstall = (platform: string): void => {
    if (installedFor === platform) return;
    installedFor = platform;
    replace(
      installList,
      ...runtimeInstallOptions(platform).map((option) =>
        h(
          'li',
          {},
          h('span', { class: 'install-label' }, option.label),
          h('code', { 'data-testid': `install-${option.method}` }, option.command),
          copyButton({
            label: 'Copy',
            className: 'small',
            testid: `copy-install-${option.method}`,
            copy: () => api.copy({ what: 'runtime-install', method: option.method }),
            done: () => 'Copied',
            announce: deps.announce,
          }),
        ),
      ),
    );
  };

  const element = h('div', { class: 'runtime-status-wrap' });
  const render = (): void => {
    const view = deps.runtime.get();
    const platform = deps.appInfo.get()?.platform ?? 'linux';
    firstRun.hidden = !isFirstRun(view, deps.setup.get());
    if (!firstRun.hidden) renderInstall(platform);
    runtimePart.hidden = view.generation !== 'runtime';
    // Only what applies is in the page, so headings and regions are those of what is shown.
    const parts = [firstRun, runtimePart].filter((part) => !part.hidden);
    if (parts.length !== element.childElementCount || parts.some((part, i) => element.children[i] !== part))
      replace(element, ...parts);
    if (runtimePart.hidden) return;
    const status = runtimeStatus(view);
    setText(title, status.title);
    runtimePart.dataset['tone'] = status.tone;
    setText(msbPath, status.msbPath);
    setText(context, status.context);
    setText(hostSummary, status.hostSummary);
    hostSummary.dataset['tone'] = status.hostTone;
    replace(
      problems,
      ...status.problems.map((problem) =>
        h(
          'li',
          { 'data-tone': problem.tone },
          h('span', {}, problem.text),
          problem.fixes.length === 0
            ? null
            : h('ul', { class: 'fixes' }, ...problem.fixes.map((text) => h('li', {}, text))),
        ),
      ),
    );
    fix.hidden = !(platform === 'win32' && status.hostTone === 'bad');
    check.hidden = view.msb === null;
    setText(listError, status.listError === null ? '' : `msb could not list the sandboxes: ${status.listError}`);
    replace(
      notes,
      ...status.notes.map((note) => h('li', {}, note.message, ' ', h('span', { class: 'fix' }, note.fix))),
    );
  };
  deps.runtime.subscribe(render);
  deps.setup.subscribe(render);
  deps.appInfo.subscribe(render);
  render();
  return element;
}

// ---------------------------------------------------------------------------------------------

export interface RuntimeSandboxesDeps {
  readonly api: MsbApi;
  readonly runtime: Signal<RuntimeView>;
  readonly announce: (text: string) => void;
}

export interface RuntimeSandboxesView extends View {
  /** Lines main pushed for the followed log (`event:runtime-log`). */
  pushLog(event: RuntimeLogView): void;
}

const TAIL_LINES = 200;
const MAX_SHOWN_LINES = 1000;

function logText(line: RuntimeLogLineView): string {
  return line.text.replace(/\n$/, '');
}

export function createRuntimeSandboxes(deps: RuntimeSandboxesDeps): RuntimeSandboxesView {
  const { api } = deps;
  const summary = h('p', { class: 'sandboxes-summary', 'data-testid': 'runtime-summary' });
  const outcome = h('p', { class: 'reserve small-text', 'data-testid': 'runtime-outcome' });
  const list = h('ul', { class: 'sandboxes-list runtime-list', 'data-testid': 'runtime-list' });
  const empty = h(
    'p',
    { class: 'muted', 'data-testid': 'runtime-empty', hidden: true },
    'No sandbox yet. Create one with msb run or an SDK; it shows here as soon as it exists.',
  );
  const logTitle = h('h2', { 'data-testid': 'runtime-log-title' });
  const logLines = h('div', { class: 'log', role: 'log', tabindex: '0', 'data-testid': 'runtime-log-lines' });
  const logError = h('p', { class: 'inline-error', 'data-testid': 'runtime-log-error' });
  const closeLog = h('button', { type: 'button', class: 'small' }, 'Close log');
  const logPanel = h(
    'section',
    { class: 'sandbox-log', 'data-testid': 'runtime-log', hidden: true },
    h('div', { class: 'snippet-head' }, logTitle, closeLog),
    logError,
    logLines,
  );
  const element = h(
    'section',
    { class: 'runtime-sandboxes', 'data-testid': 'runtime-sandboxes' },
    summary,
    outcome,
    empty,
    list,
    logPanel,
  );

  let visible = false;
  let logName: string | null = null;
  const tellMain = (): void => {
    if (deps.runtime.get().generation !== 'runtime') return;
    api.watchRuntime({ visible, log: visible ? logName : null }).catch((error: unknown) => {
      setText(outcome, errorMessage(error));
    });
  };

  const appendLines = (lines: readonly RuntimeLogLineView[]): void => {
    for (const line of lines) {
      logLines.append(h('div', { class: `log-line source-${line.source}` }, logText(line)));
    }
    while (logLines.childElementCount > MAX_SHOWN_LINES) logLines.firstElementChild?.remove();
  };

  const openLog = (name: string): void => {
    logName = name;
    logPanel.hidden = false;
    setText(logTitle, `Log of ${name}`);
    setText(logError, '');
    replace(logLines);
    api.runtimeLogTail({ name, lines: TAIL_LINES }).then(
      (tail) => {
        if (logName === tail.name) appendLines(tail.lines);
      },
      (error: unknown) => setText(logError, errorMessage(error)),
    );
    tellMain();
  };
  closeLog.addEventListener('click', () => {
    logName = null;
    logPanel.hidden = true;
    tellMain();
  });

  const act =
    (name: string, action: RuntimeActionName, force = false) =>
    (): void => {
      setText(outcome, '');
      api.runtimeAct(force ? { name, action, force } : { name, action }).then(
        (view) => {
          deps.runtime.set(view);
          deps.announce(`${ACTION_LABELS[action].replace('…', '')}: ${name}`);
        },
        (error: unknown) => {
          if (errorCode(error) !== 'declined') setText(outcome, `${name}: ${errorMessage(error)}`);
        },
      );
    };

  const rowItem = (row: RuntimeRowView): HTMLLIElement => {
    const buttons: HTMLButtonElement[] = row.actions.map((action) =>
      h(
        'button',
        {
          type: 'button',
          class: action === 'remove' || action === 'stop' ? 'small danger-outline' : 'small',
          'aria-label': `${ACTION_LABELS[action].replace('…', '')} ${row.name}`,
          'data-action': action,
          onclick: act(row.name, action),
        },
        ACTION_LABELS[action],
      ),
    );
    if (row.actions.includes('stop'))
      buttons.push(
        h(
          'button',
          {
            type: 'button',
            class: 'small danger-outline',
            'aria-label': `Force stop ${row.name}`,
            'data-action': 'force-stop',
            onclick: act(row.name, 'stop', true),
          },
          'Force stop…',
        ),
      );
    const log = h(
      'button',
      { type: 'button', class: 'small', 'aria-label': `Log of ${row.name}`, onclick: () => openLog(row.name) },
      'Log',
    );
    const copy = copyButton({
      label: 'Copy shell command',
      className: 'small',
      copy: () => api.copy({ what: 'exec-command', name: row.name }),
      done: () => 'Copied',
      announce: deps.announce,
    });
    const fact = (label: string, value: string): HTMLElement[] => [h('dt', {}, label), h('dd', {}, value)];
    return h(
      'li',
      { class: 'sandbox-row', 'data-name': row.name, 'data-testid': 'runtime-row' },
      h(
        'div',
        { class: 'sandbox-head' },
        h('strong', {}, row.name),
        h('span', { class: 'badge', 'data-tone': row.tone, 'data-testid': 'runtime-status' }, row.status),
      ),
      h(
        'dl',
        { class: 'facts' },
        ...fact('Image', row.image),
        ...fact('Created', row.created),
        ...fact('CPUs', row.cpus),
        ...fact('Memory', row.memory),
        ...fact('Ports', row.ports),
        ...fact('CPU use', row.cpu),
        ...fact('Memory used', row.memoryUsed),
      ),
      h('div', { class: 'actions' }, ...buttons, log, copy),
    );
  };

  let shown = '';
  const render = (): void => {
    const view = deps.runtime.get();
    const screen = runtimeSandboxesScreen(view);
    setText(summary, screen.summary);
    empty.hidden = !screen.empty;
    // Rebuilt only when something shown changed, so focus stays put between identical pushes.
    const key = JSON.stringify(screen.rows);
    if (key !== shown) {
      shown = key;
      const focusedName = (document.activeElement?.closest('[data-name]') as HTMLElement | null)?.dataset['name'];
      const focusedAction = (document.activeElement as HTMLElement | null)?.dataset['action'];
      replace(list, ...screen.rows.map(rowItem));
      if (focusedName !== undefined && focusedAction !== undefined)
        list
          .querySelector<HTMLButtonElement>(`[data-name="${CSS.escape(focusedName)}"] [data-action="${focusedAction}"]`)
          ?.focus();
    }
    if (logName !== null && !screen.rows.some((row) => row.name === logName)) {
      logName = null;
      logPanel.hidden = true;
      tellMain();
    }
  };
  deps.runtime.subscribe(render);
  render();

  return {
    element,
    show() {
      visible = true;
      tellMain();
    },
    hide() {
      visible = false;
      tellMain();
    },
    pushLog(event) {
      if (event.name === logName) appendLines(event.lines);
    },
  };
}
