/**
 * microsandbox's own updates in Status: the installed version against the latest release and
 * *Update microsandbox* (runtime generation; main asks natively first and streams
 * `msb self update`'s lines), or, in the server generation, that 0.2.6 was its last release with
 * a link to today's install (opened by main, at a URL it fixes).
 */
import type { MsbApi } from '../../shared/contract.ts';
import type { MicrosandboxUpdateView, SelfUpdateResultInfo } from '../../shared/microsandbox-update.ts';
import type { RuntimeView } from '../../shared/runtime.ts';
import { errorCode, errorMessage, h, replace, setText } from './dom.ts';
import type { Signal } from './signal.ts';

export interface MicrosandboxUpdateDeps {
  readonly api: MsbApi;
  readonly runtime: Signal<RuntimeView>;
  readonly announce: (text: string) => void;
}

/** The result of a run, in one sentence. */
export function resultText(result: SelfUpdateResultInfo): string {
  switch (result.kind) {
    case 'updated':
      return `microsandbox was updated from ${result.from} to ${result.to}.`;
    case 'failed':
      return result.message;
    case 'refused':
      return `Not updated: ${result.message}`;
  }
}

export function createMicrosandboxUpdate(deps: MicrosandboxUpdateDeps): HTMLElement {
  const { api } = deps;
  const versions = h('p', { 'data-testid': 'msb-update-versions' });
  const note = h('p', { class: 'field-hint', 'data-testid': 'msb-update-note' });
  const update = h('button', { type: 'button', class: 'small', 'data-testid': 'msb-update' }, 'Update microsandbox');
  const install = h(
    'button',
    { type: 'button', class: 'small', 'data-testid': 'msb-runtime-install', hidden: true },
    'How to install today’s microsandbox…',
  );
  const output = h('pre', { class: 'log-lines', 'data-testid': 'msb-update-output', hidden: true });
  const result = h('p', { 'data-testid': 'msb-update-result' });
  const error = h('p', { class: 'inline-error', 'data-testid': 'msb-update-error' });
  const element = h(
    'section',
    { class: 'msb-update', 'data-testid': 'msb-update-part', hidden: true, 'aria-label': 'microsandbox updates' },
    h('h3', {}, 'microsandbox updates'),
    versions,
    note,
    h('div', { class: 'actions' }, update, install),
    output,
    result,
    error,
  );

  let lastResult: SelfUpdateResultInfo | null = null;
  const render = (view: MicrosandboxUpdateView): void => {
    const status = view.status;
    element.hidden = status.kind === 'not-installed';
    install.hidden = status.kind !== 'server-generation';
    update.hidden = status.kind === 'server-generation';
    const running = view.run?.running === true;
    update.disabled = running || status.kind !== 'update-available';
    switch (status.kind) {
      case 'server-generation':
        setText(versions, status.message);
        break;
      case 'update-available':
        setText(versions, `Installed: ${status.installed} · Latest release: ${status.latest}`);
        break;
      case 'up-to-date':
        setText(versions, `Installed: ${status.installed} · Latest release: ${status.latest} (up to date)`);
        break;
      case 'unknown':
        setText(versions, `Installed: ${status.installed ?? 'unknown'} · Latest release: ${status.message}`);
        break;
      case 'not-installed':
        setText(versions, '');
        break;
    }
    setText(
      note,
      view.checksOn || status.kind === 'server-generation'
        ? ''
        : 'Checking for microsandbox updates is off in Settings: the latest release is not asked for.',
    );
    const lines = view.run?.lines ?? [];
    output.hidden = lines.length === 0;
    replace(
      output,
      ...lines.map((line) => h('span', { class: line.stream === 'stderr' ? 'stderr' : null }, `${line.text}\n`)),
    );
    const done = view.run?.result ?? null;
    setText(result, running ? 'Updating microsandbox…' : done === null ? '' : resultText(done));
    if (done !== null && done !== lastResult) deps.announce(resultText(done));
    lastResult = done;
  };

  const load = (): void => {
    api.microsandboxUpdate().then(render, (failure: unknown) => setText(error, errorMessage(failure)));
  };
  update.addEventListener('click', () => {
    update.disabled = true;
    setText(error, '');
    api.updateMicrosandbox().then(render, (failure: unknown) => {
      // A no in main's own dialog is the user's answer, not a failure to report.
      if (errorCode(failure) !== 'declined') setText(error, errorMessage(failure));
      load();
    });
  });
  install.addEventListener('click', () => {
    api.openRuntimeInstall().catch((failure: unknown) => setText(error, errorMessage(failure)));
  });
  api.onMicrosandboxUpdate(render);
  // Asked when the window learns the generation, and again when it or the installed msb changes.
  let seen: string | null = null;
  deps.runtime.subscribe((view) => {
    const key = `${view.generation} ${view.msb?.version ?? ''}`;
    if (key === seen) return;
    seen = key;
    load();
  });
  return element;
}
