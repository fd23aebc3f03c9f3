// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsView } from '../../shared/contract.ts';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import type { SandboxesView } from '../../shared/sandboxes.ts';
import { COPY_FEEDBACK_MS } from '../../renderer/src/copy-button.ts';
import { createKeysView } from '../../renderer/src/keys-view.ts';
import { DEFAULT_SETTINGS } from '../../shared/settings-schema.ts';
import { signal } from '../../renderer/src/signal.ts';
import { maskToken } from '../../shared/snippets.ts';
import type { View } from '../../renderer/src/status-view.ts';
import { IpcFailure, RUNNING, TOKEN, fakeMsb, flush, minted, settingsView } from './fake-msb.ts';
import type { FakeMsb } from './fake-msb.ts';

let msb: FakeMsb;
let view: View;
let announced: string[];
const snapshot = signal<ServerSnapshot>(INITIAL_SNAPSHOT);
const settings = signal<SettingsView | null>(null);
const sandboxes = signal<SandboxesView | null>(null);

function q<T extends Element>(selector: string): T {
  const el = view.element.querySelector<T>(selector);
  if (el === null) throw new Error(`${selector} not found`);
  return el;
}
const byTestId = <T extends Element = HTMLElement>(id: string): T => q<T>(`[data-testid="${id}"]`);
function button(name: string): HTMLButtonElement {
  const found = [...view.element.querySelectorAll('button')].find((b) => b.textContent === name);
  if (found === undefined) throw new Error(`no button ${name}`);
  return found;
}
function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

beforeEach(() => {
  msb = fakeMsb();
  announced = [];
  snapshot.set(RUNNING);
  settings.set(settingsView());
  sandboxes.set(null);
  view = createKeysView({
    api: msb.api,
    snapshot,
    settings,
    now: () => Date.UTC(2025, 0, 15, 12),
    announce: (t) => announced.push(t),
    sandboxes,
  });
  document.body.append(view.element);
  view.show();
});
afterEach(() => {
  view.hide();
  view.element.remove();
});

describe('the key form', () => {
  it('starts from the configured defaults: * and 24h, with a preview', () => {
    expect(byTestId<HTMLInputElement>('key-namespace').value).toBe('*');
    expect(byTestId<HTMLInputElement>('key-expiry').value).toBe('24h');
    expect(byTestId('key-expiry-hint').textContent).toMatch(/^Expires on .*\(in 1 day\)$/);
  });

  it('labels its inputs "Namespace" and "Expires in" and ties errors and hints with aria-describedby', () => {
    for (const [label, testid] of [
      ['Namespace', 'key-namespace'],
      ['Expires in', 'key-expiry'],
    ] as const) {
      const input = byTestId<HTMLInputElement>(testid);
      expect(document.querySelector(`label[for="${input.id}"]`)?.textContent).toBe(label);
      const described = input.getAttribute('aria-describedby')?.split(' ') ?? [];
      expect(described).toContain(byTestId(`${testid}-error`).id);
      expect(described).toContain(byTestId(`${testid}-hint`).id);
    }
  });

  it('validates as the user types, marking the field aria-invalid', () => {
    const ns = byTestId<HTMLInputElement>('key-namespace');
    type(ns, 'team a');
    expect(ns.getAttribute('aria-invalid')).toBe('true');
    expect(byTestId('key-namespace-error').textContent).toMatch(/space/);
    type(ns, 'team-a');
    expect(ns.hasAttribute('aria-invalid')).toBe(false);
    expect(byTestId('key-namespace-error').textContent).toBe('');
    expect(byTestId('key-namespace-hint').textContent).toContain('team-a');

    const exp = byTestId<HTMLInputElement>('key-expiry');
    type(exp, '1.5h');
    expect(exp.getAttribute('aria-invalid')).toBe('true');
    expect(byTestId('key-expiry-error').textContent).toMatch(/not a valid duration/);
    expect(byTestId('key-expiry-hint').textContent).toBe('');
    type(exp, '90m');
    expect(byTestId('key-expiry-hint').textContent).toMatch(/15 Jan 2025|Jan 15, 2025|2025/);
    expect(byTestId('key-expiry-hint').textContent).toContain('(in 90 minutes)');
  });

  it('fills the expiry from a preset and marks the preset pressed', () => {
    button('7 days').click();
    expect(byTestId<HTMLInputElement>('key-expiry').value).toBe('7d');
    expect(button('7 days').getAttribute('aria-pressed')).toBe('true');
    expect(button('24 hours').getAttribute('aria-pressed')).toBe('false');
    expect(byTestId('key-expiry-hint').textContent).toContain('(in 7 days)');
  });

  it.each([
    ['team a', '1h'],
    ['team-a', '1.5h'],
    ['', ''],
  ])('sends nothing when Generate is clicked with namespace %j and expiry %j', async (ns, exp) => {
    type(byTestId('key-namespace'), ns);
    type(byTestId('key-expiry'), exp);
    button('Generate').click();
    await flush();
    expect(msb.calls).toEqual([]);
    expect(byTestId('key-result').hidden).toBe(true);
    expect(document.activeElement).toBe(byTestId(ns === 'team-a' ? 'key-expiry' : 'key-namespace'));
  });

  it('sends the namespace and the trimmed expiry and shows the result masked', async () => {
    type(byTestId('key-namespace'), 'team-a');
    type(byTestId('key-expiry'), ' 1h ');
    button('Generate').click();
    await flush();
    expect(msb.calls).toEqual([{ method: 'mintKey', payload: { namespace: 'team-a', expiresIn: '1h' } }]);
    expect(byTestId('key-result').hidden).toBe(false);
    expect(byTestId('token-value').textContent).toBe(maskToken(TOKEN));
    expect(view.element.textContent).not.toContain(TOKEN);
    expect(byTestId('token-namespace').textContent).toBe('team-a');
    expect(byTestId('token-check').textContent).toMatch(/accepts this key/);
  });

  it('reveals and hides the token', async () => {
    button('Generate').click();
    await flush();
    button('Reveal').click();
    expect(byTestId('token-value').textContent).toBe(TOKEN);
    button('Hide').click();
    expect(byTestId('token-value').textContent).toBe(maskToken(TOKEN));
  });

  it('asks main to copy the key it was given in each format (main builds the text, never the window)', async () => {
    button('Generate').click();
    await flush();
    for (const name of ['Copy token', 'Copy export line', 'Copy .env', 'Copy MCP config']) button(name).click();
    await flush();
    expect(msb.calls.slice(1)).toEqual([
      { method: 'copy', payload: { what: 'token', token: TOKEN } },
      { method: 'copy', payload: { what: 'export-line', token: TOKEN } },
      { method: 'copy', payload: { what: 'dotenv', token: TOKEN } },
      { method: 'copy', payload: { what: 'mcp-config', token: TOKEN } },
    ]);
    // Each button answers on itself, where the eye is: no line under them.
    expect(button('Copied — clears in 60 s')).toBeDefined();
    expect([...view.element.querySelectorAll('.copy-grid button')].map((b) => b.textContent)).toEqual(
      Array(4).fill('Copied — clears in 60 s'),
    );
    expect(view.element.querySelector('[data-testid="copy-notice"]')).toBeNull();
    expect(announced.at(-1)).toBe('Copied — clears in 60 s');
  });

  it('says only "Copied" when the clipboard is never cleared, and reads its label again after a while', async () => {
    vi.useFakeTimers();
    settings.set(settingsView({ settings: { ...DEFAULT_SETTINGS, clipboardClearSeconds: 0 } }));
    button('Generate').click();
    await vi.runOnlyPendingTimersAsync();
    button('Copy token').click();
    await vi.advanceTimersByTimeAsync(0);
    const copied = button('Copied');
    vi.advanceTimersByTime(COPY_FEEDBACK_MS);
    expect(copied.textContent).toBe('Copy token');
    vi.useRealTimers();
  });

  it('says on the button when a copy failed, with the reason', async () => {
    button('Generate').click();
    await flush();
    msb.answers.copy = () => {
      throw new IpcFailure('refused', 'That key was not made by this window.');
    };
    button('Copy export line').click();
    await flush();
    const failed = button('Not copied');
    expect(failed.title).toBe('That key was not made by this window.');
    expect(announced.at(-1)).toBe('Not copied: That key was not made by this window.');
  });

  it.each([
    [
      { result: 'refused', message: 'The running server refused this key for its namespace.' } as const,
      /^The running server refused this key for its namespace\.$/,
    ],
    [
      { result: 'not-checked', message: 'The server is not running, so the key was not checked.' } as const,
      /^The server is not running, so the key was not checked\.$/,
    ],
  ])('shows the check result %j', async (check, text) => {
    msb.answers.mintKey = () => minted({ check });
    button('Generate').click();
    await flush();
    expect(byTestId('token-check').textContent).toMatch(text);
  });

  it('keeps the previous key when a Generate fails, and says the refusal inline', async () => {
    button('Generate').click();
    await flush();
    expect(byTestId('key-result').hidden).toBe(false);
    msb.answers.mintKey = () => {
      throw new IpcFailure('key-unavailable', 'The server key file could not be read.');
    };
    button('Generate').click();
    await flush();
    expect(byTestId('key-error').textContent).toBe('The server key file could not be read.');
    expect(byTestId('key-result').hidden).toBe(false);
    expect(byTestId('token-value').textContent).toBe(maskToken(TOKEN));
    expect(byTestId('key-stale').textContent).toBe('No new key was made: the key above is still the last one.');
    // Its copies still work.
    button('Copy token').click();
    await flush();
    expect(msb.calls.at(-1)).toEqual({ method: 'copy', payload: { what: 'token', token: TOKEN } });
    msb.answers.mintKey = () => minted({ namespace: 'team-b' });
    button('Generate').click();
    await flush();
    expect(byTestId('token-namespace').textContent).toBe('team-b');
    expect(byTestId('key-stale').textContent).toBe('');
  });

  it.each(['0', '0h', '0d'])(
    'marks the expiry %j invalid inline, sends nothing and keeps the previous key',
    async (zero) => {
      button('Generate').click();
      await flush();
      const exp = byTestId<HTMLInputElement>('key-expiry');
      type(exp, zero);
      expect(exp.getAttribute('aria-invalid')).toBe('true');
      expect(byTestId('key-expiry-error').textContent).toBe(
        'A key must last longer than 0: enter a duration such as 1h or 24h.',
      );
      expect(byTestId('key-expiry-hint').textContent).toBe('');
      button('Generate').click();
      await flush();
      expect(msb.calls.filter((c) => c.method === 'mintKey')).toHaveLength(1);
      expect(document.activeElement).toBe(exp);
      expect(byTestId('key-result').hidden).toBe(false);
      expect(byTestId('token-value').textContent).toBe(maskToken(TOKEN));
    },
  );

  it('keeps the Reveal button one width for both its labels', async () => {
    button('Generate').click();
    await flush();
    const reveal = button('Reveal');
    expect(reveal.classList.contains('reveal')).toBe(true);
    reveal.click();
    expect(reveal.textContent).toBe('Hide');
    expect(reveal.getAttribute('aria-pressed')).toBe('true');
  });

  it('says a long-lived key will be asked about, and what main answered when the user said no', async () => {
    const expiry = view.element.querySelector<HTMLInputElement>('[data-testid="key-expiry"]');
    if (expiry === null) throw new Error('no expiry field');
    expiry.value = '2y';
    expiry.dispatchEvent(new Event('input', { bubbles: true }));
    expect(byTestId('key-expiry-hint').textContent).toMatch(/Longer than a year: you will be asked to confirm\.$/);
    msb.answers.mintKey = () => {
      throw new IpcFailure('declined', 'No key was made: the long expiry was not confirmed.');
    };
    button('Generate').click();
    await flush();
    expect(byTestId('key-error').textContent).toBe('No key was made: the long expiry was not confirmed.');
    expiry.value = '11y';
    expiry.dispatchEvent(new Event('input', { bubbles: true }));
    expect(byTestId('key-expiry-error').textContent).toBe('A key can last at most 10 years (10y).');
  });

  it('says who can read the server key from the process list, and what helps', () => {
    expect(byTestId('key-command-line-note').textContent).toMatch(
      /command line.*every user of this computer can read it.*only you use.*hidepid=2/,
    );
  });

  it('says that keys are not needed in dev mode', () => {
    expect(byTestId('dev-note').hidden).toBe(true);
    snapshot.set({ ...RUNNING, devMode: true });
    expect(byTestId('dev-note').hidden).toBe(false);
    expect(byTestId('dev-note').textContent).toMatch(/need no key/);
  });

  it('says dev mode once in the view, also with a key made in it', async () => {
    snapshot.set({ ...RUNNING, devMode: true });
    msb.answers.mintKey = () =>
      minted({
        devMode: true,
        check: {
          result: 'not-checked',
          message:
            'The server is running in development mode and accepts requests without a key, so the key was not checked.',
        },
      });
    button('Generate').click();
    await flush();
    const visibleText = [...view.element.querySelectorAll('p, dd, code')]
      .filter((el) => el.closest('[hidden]') === null)
      .map((el) => el.textContent ?? '');
    expect(visibleText.filter((text) => /development mode/i.test(text))).toHaveLength(1);
  });

  it('never writes to storage', async () => {
    localStorage.clear();
    sessionStorage.clear();
    button('Generate').click();
    await flush();
    button('Reveal').click();
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });
});

describe('resetting the server key', () => {
  it('asks first, saying that earlier keys stop working and the server restarts', async () => {
    const dialog = q<HTMLDialogElement>('dialog');
    button('Reset server key').click();
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toMatch(/Every key issued so far stops working, and the server restarts/);
    button('Cancel').click();
    await flush();
    expect(dialog.open).toBe(false);
    expect(msb.calls).toEqual([]);
  });

  it('resets on confirmation and forgets the shown token', async () => {
    msb.answers.resetKey = () => ({ ...RUNNING, pid: (RUNNING.pid ?? 0) + 1 });
    button('Generate').click();
    await flush();
    button('Reset server key').click();
    button('Reset key').click();
    await flush();
    expect(msb.calls.map((c) => c.method)).toEqual(['mintKey', 'resetKey']);
    expect(byTestId('key-result').hidden).toBe(true);
    expect(byTestId('reset-outcome').textContent).toMatch(/reset and the server restarted with it/);
  });
});

describe('namespace suggestions', () => {
  const VIEW: SandboxesView = {
    namespacesDir: '/n',
    namespaces: [
      { name: 'team-a', error: null, sandboxes: [] },
      { name: 'team-b', error: null, sandboxes: [] },
    ],
  };

  it('suggests * and the namespaces that exist, following the pushed view', () => {
    const input = byTestId<HTMLInputElement>('key-namespace');
    const list = byTestId<HTMLDataListElement>('key-namespace-suggestions');
    expect(input.getAttribute('list')).toBe(list.id);
    expect([...list.querySelectorAll('option')].map((o) => o.value)).toEqual(['*']);
    sandboxes.set(VIEW);
    expect([...list.querySelectorAll('option')].map((o) => o.value)).toEqual(['*', 'team-a', 'team-b']);
    sandboxes.set({ ...VIEW, namespaces: [VIEW.namespaces[1]!] });
    expect([...list.querySelectorAll('option')].map((o) => o.value)).toEqual(['*', 'team-b']);
  });

  it('says when a namespace has no folder yet, and that a key for it is still valid', () => {
    sandboxes.set(VIEW);
    const input = byTestId<HTMLInputElement>('key-namespace');
    const note = byTestId('key-namespace-note');
    expect(input.getAttribute('aria-describedby')?.split(' ')).toContain(note.id);
    type(input, 'team-a');
    expect(note.textContent).toBe('');
    type(input, 'new-team');
    expect(note.textContent).toBe(
      'Namespace “new-team” has no folder yet. The key is still valid: the first sandbox started in it creates ' +
        'the folder.',
    );
    expect(input.getAttribute('aria-invalid')).toBeNull();
    type(input, '*');
    expect(note.textContent).toBe('');
    type(input, 'bad name');
    expect(note.textContent).toBe('');
    // The folder appears (a sandbox.start): the note goes without a keystroke.
    type(input, 'new-team');
    sandboxes.set({ ...VIEW, namespaces: [...VIEW.namespaces, { name: 'new-team', error: null, sandboxes: [] }] });
    expect(note.textContent).toBe('');
  });

  it('sends the key request as before: the note never blocks Generate', async () => {
    sandboxes.set(VIEW);
    type(byTestId<HTMLInputElement>('key-namespace'), 'nowhere');
    button('Generate').click();
    await flush();
    expect(msb.calls.filter((c) => c.method === 'mintKey').map((c) => c.payload)).toEqual([
      { namespace: 'nowhere', expiresIn: '24h' },
    ]);
  });
});
