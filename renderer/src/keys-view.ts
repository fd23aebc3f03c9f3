import type { KeyCopyFormat, MintedKey, MsbApi, SettingsView } from '../../shared/contract.ts';
import { EXPIRY_PRESETS } from '../../shared/duration.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { copyButton, keyCopiedText } from './copy-button.ts';
import { errorMessage, h, replace, setText, uid } from './dom.ts';
import { formatDateTime } from './format.ts';
import { checkKeyForm, keyCheckView, resetOutcomeText } from './keys-model.ts';
import { KEY_ON_COMMAND_LINE_NOTE } from './settings-model.ts';
import type { SandboxesView } from '../../shared/sandboxes.ts';
import { namespaceFolderNote } from './sandboxes-model.ts';
import type { Signal } from './signal.ts';
import { maskToken } from '../../shared/snippets.ts';
import type { View } from './status-view.ts';

export interface KeysDeps {
  readonly api: MsbApi;
  readonly snapshot: Signal<ServerSnapshot>;
  readonly settings: Signal<SettingsView | null>;
  readonly now: () => number;
  /** Polite announcements for screen readers (copy done, key reset). */
  readonly announce: (text: string) => void;
  /** The namespaces that exist (pushed by main), suggested in the namespace field. */
  readonly sandboxes: Signal<SandboxesView | null>;
}

interface Field {
  readonly input: HTMLInputElement;
  readonly error: HTMLElement;
  readonly hint: HTMLElement;
  readonly row: HTMLElement;
}

function field(label: string, testid: string, value: string, extra: HTMLElement | null = null): Field {
  const id = uid(testid);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const input = h('input', {
    id,
    type: 'text',
    value,
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
    'aria-describedby': `${errorId} ${hintId}`,
    'data-testid': testid,
  });
  const error = h('p', { id: errorId, class: 'field-error', 'data-testid': `${testid}-error` });
  const hint = h('p', { id: hintId, class: 'field-hint', 'data-testid': `${testid}-hint` });
  const row = h('div', { class: 'field' }, h('label', { for: id }, label), input, extra, error, hint);
  return { input, error, hint, row };
}

function showError(f: Field, error: string | null): void {
  setText(f.error, error ?? '');
  if (error === null) f.input.removeAttribute('aria-invalid');
  else f.input.setAttribute('aria-invalid', 'true');
}

/** Namespace and expiry with live validation, Generate, the result with copy buttons, and the key reset. */
export function createKeysView(deps: KeysDeps): View {
  const { api, snapshot, settings, now } = deps;
  const defaults = settings.get()?.settings;
  const ns = field('Namespace', 'key-namespace', defaults?.defaultNamespace ?? '*');
  // The namespaces that have a folder, as suggestions; a name without one is still valid.
  const namespaceList = h('datalist', { id: uid('namespaces'), 'data-testid': 'key-namespace-suggestions' });
  const namespaceNote = h('p', { id: `${ns.input.id}-note`, class: 'field-hint', 'data-testid': 'key-namespace-note' });
  ns.input.setAttribute('list', namespaceList.id);
  ns.input.setAttribute('aria-describedby', `${ns.input.getAttribute('aria-describedby') ?? ''} ${namespaceNote.id}`);
  ns.row.append(namespaceNote, namespaceList);
  const presets = h('div', { class: 'presets', role: 'group', 'aria-label': 'Expiry presets' });
  const exp = field('Expires in', 'key-expiry', defaults?.defaultExpiry ?? '24h', presets);
  exp.input.setAttribute('placeholder', 'e.g. 24h, 7d, 90m, 1y');
  const presetButtons = EXPIRY_PRESETS.map((preset) => {
    const button = h(
      'button',
      { type: 'button', class: 'chip', 'aria-pressed': 'false', 'data-value': preset.value },
      preset.label,
    );
    button.addEventListener('click', () => {
      exp.input.value = preset.value;
      validate();
    });
    presets.append(button);
    return button;
  });
  let touched = false;

  const devNote = h(
    'p',
    { class: 'note', 'data-testid': 'dev-note', hidden: true },
    'The server runs in development mode: clients need no key. Keys made now work once it runs in secure mode again.',
  );
  const generate = h('button', { type: 'submit', class: 'primary' }, 'Generate');
  const keyError = h('p', { class: 'inline-error reserve', 'data-testid': 'key-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'key-form', novalidate: true, 'aria-label': 'Generate a key' },
    ns.row,
    exp.row,
    h('div', { class: 'actions' }, generate),
    keyError,
  );

  const result = h('section', { class: 'result', 'aria-label': 'New key', 'data-testid': 'key-result', hidden: true });

  const resetButton = h('button', { type: 'button', class: 'danger-outline' }, 'Reset server key');
  const resetOutcome = h('p', { class: 'reserve', 'data-testid': 'reset-outcome' });
  const dialog = createResetDialog(async () => {
    setText(resetOutcome, 'Resetting the server key…');
    clearResult();
    try {
      const before = snapshot.get();
      const after = await api.resetKey();
      snapshot.set(after);
      const text = resetOutcomeText(before, after);
      setText(resetOutcome, text);
      deps.announce(text);
    } catch (error) {
      setText(resetOutcome, `The key was not reset: ${errorMessage(error)}`);
    }
  });
  resetButton.addEventListener('click', () => dialog.open());
  const resetSection = h(
    'section',
    { class: 'reset', 'aria-labelledby': 'reset-title' },
    h('h2', { id: 'reset-title' }, 'Server key'),
    h('p', { class: 'muted' }, 'If a key leaked, reset the server key: every key issued so far stops working.'),
    h('p', { class: 'muted small-text', 'data-testid': 'key-command-line-note' }, KEY_ON_COMMAND_LINE_NOTE),
    resetButton,
    resetOutcome,
  );

  const element = h('section', { class: 'keys-view' }, devNote, form, result, resetSection, dialog.element);

  function validate(): ReturnType<typeof checkKeyForm> {
    const check = checkKeyForm(ns.input.value, exp.input.value, now());
    showError(ns, check.namespace.ok ? null : check.namespace.error);
    setText(ns.hint, check.namespace.ok ? check.namespace.hint : '');
    setText(namespaceNote, check.namespace.ok ? (namespaceFolderNote(ns.input.value, deps.sandboxes.get()) ?? '') : '');
    showError(exp, check.expiry.ok ? null : check.expiry.error);
    setText(exp.hint, check.expiry.ok ? check.expiry.preview : '');
    const value = exp.input.value.trim();
    for (const button of presetButtons) button.setAttribute('aria-pressed', String(button.dataset['value'] === value));
    return check;
  }
  ns.input.addEventListener('input', () => {
    touched = true;
    validate();
  });
  exp.input.addEventListener('input', () => {
    touched = true;
    validate();
  });

  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void mint();
  });
  async function mint(): Promise<void> {
    if (busy) return;
    const check = validate();
    setText(keyError, '');
    if (check.request === null) {
      (check.namespace.ok ? exp.input : ns.input).focus();
      return;
    }
    // The key shown stays until a new one arrives: a Generate that fails takes nothing away.
    busy = true;
    generate.disabled = true;
    result.setAttribute('aria-busy', 'true');
    try {
      showResult(await api.mintKey(check.request));
    } catch (error) {
      setText(keyError, errorMessage(error));
      if (token !== null) setText(staleNote, 'No new key was made: the key above is still the last one.');
    } finally {
      busy = false;
      generate.disabled = false;
      result.removeAttribute('aria-busy');
    }
  }

  // The token lives only here, in this closure, until the next key or a reset.
  let token: string | null = null;
  const staleNote = h('p', { class: 'note', 'data-testid': 'key-stale' });
  function clearResult(): void {
    token = null;
    replace(result);
    result.hidden = true;
  }

  function showResult(minted: MintedKey): void {
    token = minted.token;
    let revealed = false;
    const tokenId = uid('token');
    const value = h('code', { id: tokenId, class: 'token', 'data-testid': 'token-value' }, maskToken(minted.token));
    const reveal = h(
      'button',
      { type: 'button', class: 'small reveal', 'aria-controls': tokenId, 'aria-pressed': 'false' },
      'Reveal',
    );
    reveal.addEventListener('click', () => {
      if (token === null) return;
      revealed = !revealed;
      setText(value, revealed ? token : maskToken(token));
      setText(reveal, revealed ? 'Hide' : 'Reveal');
      reveal.setAttribute('aria-pressed', String(revealed));
      value.classList.toggle('revealed', revealed);
    });
    // Main builds each text from the key it gave this window; the window only names the format.
    const copyKey = (label: string, format: KeyCopyFormat): HTMLButtonElement =>
      copyButton({
        label,
        copy: () =>
          token === null
            ? Promise.reject(new Error('The key is gone: generate a new one.'))
            : api.copy({ what: format, token }),
        done: () => keyCopiedText(settings.get()?.settings.clipboardClearSeconds ?? 0),
        announce: deps.announce,
      });
    const check = keyCheckView(minted.check);
    // Development mode is said once, above the form; the check would only say it again.
    const checkSaysDevMode = minted.devMode && minted.check.result === 'not-checked';
    const expires = `${formatDateTime(minted.expiresAt * 1000)}`;
    setText(staleNote, '');
    replace(
      result,
      h('div', { class: 'token-row' }, value, reveal),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Namespace'),
        h(
          'dd',
          { 'data-testid': 'token-namespace', class: 'mono' },
          minted.namespace === '*' ? '* (all)' : minted.namespace,
        ),
        h('dt', {}, 'Expires'),
        h('dd', { 'data-testid': 'token-expiry' }, expires),
        h('dt', {}, 'Server'),
        h('dd', { 'data-testid': 'token-server', class: 'mono' }, minted.serverUrl),
      ),
      checkSaysDevMode && !devNote.hidden
        ? null
        : h('p', { class: `check check-${check.tone}`, 'data-testid': 'token-check' }, check.text),
      h(
        'div',
        { class: 'copy-grid' },
        copyKey('Copy token', 'token'),
        copyKey('Copy export line', 'export-line'),
        copyKey('Copy .env', 'dotenv'),
        copyKey('Copy MCP config', 'mcp-config'),
      ),
      staleNote,
      h('p', { class: 'muted small-text' }, 'Shown once: the app keeps no copy of this key.'),
    );
    result.hidden = false;
  }

  function renderDev(): void {
    const s = snapshot.get();
    devNote.hidden = !(s.state === 'running' && s.devMode === true);
  }
  snapshot.subscribe(renderDev);
  const suggestNamespaces = (view: SandboxesView | null): void => {
    const names = ['*', ...(view?.namespaces.map((n) => n.name) ?? [])];
    const shown = [...namespaceList.children].map((option) => (option as HTMLOptionElement).value);
    if (names.join('\n') !== shown.join('\n'))
      replace(
        namespaceList,
        ...names.map((name) => h('option', { value: name }, name === '*' ? 'all namespaces' : null)),
      );
    validate();
  };
  deps.sandboxes.subscribe(suggestNamespaces);
  settings.subscribe((view) => {
    // Until the user types, the form follows the configured defaults.
    if (touched || view === null) return;
    ns.input.value = view.settings.defaultNamespace;
    exp.input.value = view.settings.defaultExpiry;
    validate();
  });
  renderDev();
  suggestNamespaces(deps.sandboxes.get());

  // The preview names a minute; keep it right while the view is on screen.
  let ticker: ReturnType<typeof setInterval> | null = null;
  return {
    element,
    show() {
      validate();
      ticker ??= setInterval(() => validate(), 15_000);
    },
    hide() {
      // Main may switch views (the tray's Settings…) while the reset question is open: it goes unanswered.
      if (dialog.element.open) dialog.element.close();
      if (ticker !== null) clearInterval(ticker);
      ticker = null;
    },
  };
}

interface ResetDialog {
  readonly element: HTMLDialogElement;
  open(): void;
}

function createResetDialog(onConfirm: () => Promise<void>): ResetDialog {
  const cancel = h('button', { type: 'button', autofocus: true }, 'Cancel');
  const confirm = h('button', { type: 'button', class: 'danger' }, 'Reset key');
  const element = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': 'reset-dialog-title', 'aria-describedby': 'reset-dialog-text' },
    h('h2', { id: 'reset-dialog-title' }, 'Reset the server key?'),
    h(
      'p',
      { id: 'reset-dialog-text' },
      'Every key issued so far stops working, and the server restarts with a new key. Clients need new keys ' +
        'afterwards.',
    ),
    h('div', { class: 'actions end' }, cancel, confirm),
  );
  const close = (): void => {
    if (element.open) element.close();
  };
  cancel.addEventListener('click', close);
  confirm.addEventListener('click', () => {
    close();
    void onConfirm();
  });
  return {
    element,
    open() {
      if (typeof element.showModal === 'function') element.showModal();
      else element.setAttribute('open', '');
      cancel.focus();
    },
  };
}
