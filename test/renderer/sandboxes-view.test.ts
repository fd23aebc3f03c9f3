// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsView } from '../../shared/contract.ts';
import type { SandboxesView, SandboxInfo } from '../../shared/sandboxes.ts';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../shared/settings-schema.ts';
import { createSandboxesView } from '../../renderer/src/sandboxes-view.ts';
import { sdkSnippets } from '../../shared/snippets.ts';
import {
  namespaceFolderNote,
  sandboxesScreen,
  serverUrlOf,
  stopOutcomeText,
} from '../../renderer/src/sandboxes-model.ts';
import { signal } from '../../renderer/src/signal.ts';
import type { View } from '../../renderer/src/status-view.ts';
import { RUNNING, fakeMsb, flush, settingsView } from './fake-msb.ts';
import type { FakeMsb } from './fake-msb.ts';

const NOW = 1_700_000_100_000;
const MiB = 1024 * 1024;

function sandbox(name: string, state: SandboxInfo['state'], extra: Partial<SandboxInfo> = {}): SandboxInfo {
  const running = state === 'running';
  return {
    name,
    state,
    supervisorPid: 10,
    microvmPid: 11,
    startedAt: running ? NOW - 65_000 : null,
    memoryBytes: running ? 8 * MiB : null,
    cpuPercent: running ? 1.25 : null,
    diskBytes: running ? 2048 : null,
    portalPort: running ? 40_001 : null,
    logPath: state === 'defined' ? null : `/n/x/${name}.log`,
    ...extra,
  };
}

const VIEW: SandboxesView = {
  namespacesDir: '/home/u/.microsandbox/namespaces',
  namespaces: [
    { name: 'team', error: null, sandboxes: [sandbox('db', 'stopped'), sandbox('web', 'running')] },
    {
      name: 'zeta',
      error: 'Sandboxfile is not valid YAML: bad indentation',
      sandboxes: [sandbox('ghost', 'stale'), sandbox('idea', 'defined')],
    },
    { name: 'empty-folder', error: null, sandboxes: [] },
  ],
};

let msb: FakeMsb;
let view: View;
let now = NOW;
const sandboxes = signal<SandboxesView | null>(null);
const snapshot = signal<ServerSnapshot>(INITIAL_SNAPSHOT);
const settings = signal<SettingsView | null>(null);
let announced: string[];

const $ = <T extends Element = HTMLElement>(selector: string): T => {
  const el = view.element.querySelector<T>(selector);
  if (el === null) throw new Error(`${selector} not found`);
  return el;
};
const byTestId = <T extends Element = HTMLElement>(id: string): T => $<T>(`[data-testid="${id}"]`);
const row = (key: string): HTMLLIElement => $<HTMLLIElement>(`[data-key="${key}"]`);
const buttonNamed = (name: string): HTMLButtonElement => {
  const found = [...view.element.querySelectorAll('button')].find(
    (b) => (b.getAttribute('aria-label') ?? b.textContent) === name,
  );
  if (found === undefined) throw new Error(`no button named ${name}`);
  return found;
};
const fact = (key: string, what: string): string =>
  row(key).querySelector(`[data-testid="sandbox-${what}"]`)?.textContent ?? '';
const watchCalls = () => msb.calls.filter((c) => c.method === 'watchSandboxes').map((c) => c.payload);

beforeEach(() => {
  msb = fakeMsb();
  now = NOW;
  announced = [];
  sandboxes.set(null);
  snapshot.set(INITIAL_SNAPSHOT);
  settings.set(settingsView({ settings: { ...DEFAULT_SETTINGS, port: 6001 } }));
  view = createSandboxesView({
    api: msb.api,
    sandboxes,
    snapshot,
    settings,
    now: () => now,
    announce: (t) => announced.push(t),
  });
  document.body.append(view.element);
  view.show();
});
afterEach(() => {
  view.hide();
  view.element.remove();
  vi.useRealTimers();
});

describe('with nothing to show', () => {
  it('shows how to start a sandbox with the SDK and this server URL', async () => {
    expect(byTestId('sandboxes-empty').hidden).toBe(false);
    expect(byTestId('sandboxes-list').hidden).toBe(true);
    expect(byTestId('sandboxes-summary').textContent).toBe('No sandbox is running');
    expect(byTestId('sandboxes-empty-url').textContent).toBe('http://127.0.0.1:6001');
    expect(byTestId('snippet-python').textContent).toContain('server_url="http://127.0.0.1:6001"');
    snapshot.set({ ...RUNNING, url: 'http://127.0.0.1:7007' });
    expect(byTestId('snippet-typescript').textContent).toContain('serverUrl: "http://127.0.0.1:7007"');
    expect(buttonNamed('Stop all').disabled).toBe(true);

    buttonNamed('Copy the TypeScript example').click();
    await flush();
    expect(msb.calls.find((c) => c.method === 'copy')?.payload).toEqual({
      what: 'sdk-example',
      language: 'typescript',
    });
    expect(announced).toEqual(['TypeScript example copied.']);
    // A namespaces folder holding only empty namespaces is still empty.
    sandboxes.set({ namespacesDir: '/n', namespaces: [{ name: 'a', error: null, sandboxes: [] }] });
    expect(byTestId('sandboxes-empty').hidden).toBe(false);
  });
});

describe('the list', () => {
  beforeEach(() => sandboxes.set(VIEW));

  it('groups sandboxes under their namespace with state, uptime, memory, CPU, disk and portal port', () => {
    expect(byTestId('sandboxes-empty').hidden).toBe(true);
    expect([...view.element.querySelectorAll('section.namespace > h2')].map((h) => h.textContent)).toEqual([
      'team',
      'zeta',
    ]);
    expect(byTestId('sandboxes-summary').textContent).toBe('1 sandbox running in 1 namespace');
    expect(byTestId('sandboxes-folder').textContent).toBe('Namespaces folder: /home/u/.microsandbox/namespaces');
    expect(row('team/web').querySelector('h3')?.textContent).toBe('web');
    expect(row('team/web').querySelector('[data-testid="sandbox-state"]')?.textContent).toBe('Running');
    expect(['uptime', 'memory', 'cpu', 'disk', 'port'].map((f) => fact('team/web', f))).toEqual([
      '1m 05s',
      '8.0 MiB',
      '1.3 %',
      '2.0 KiB',
      '40001',
    ]);
    expect(['uptime', 'memory', 'cpu', 'disk', 'port'].map((f) => fact('team/db', f))).toEqual([
      '—',
      '—',
      '—',
      '—',
      '—',
    ]);
    expect(row('zeta/ghost').querySelector('[data-testid="sandbox-state"]')?.textContent).toBe('Stale');
    expect(row('zeta/ghost').textContent).toMatch(/supervisor is gone/);
    expect(row('zeta/idea').querySelector('[data-testid="sandbox-state"]')?.textContent).toBe('Not started');
    expect(
      view.element.querySelector('[data-testid="namespace-zeta"] [data-testid="namespace-error"]')?.textContent,
    ).toMatch(/not valid YAML/);
    // Terms and values as a description list, each row a list item named by its heading.
    expect(row('team/web').querySelectorAll('dt')).toHaveLength(5);
    expect(row('team/web').getAttribute('aria-labelledby')).toBe(row('team/web').querySelector('h3')?.id);
  });

  it('offers Stop only while running and Log only with a log, each button naming its sandbox', () => {
    expect(buttonNamed('Stop web in team').disabled).toBe(false);
    expect(buttonNamed('Log of web in team').disabled).toBe(false);
    expect(buttonNamed('Stop db in team').disabled).toBe(true);
    expect(buttonNamed('Log of db in team').disabled).toBe(false);
    expect(buttonNamed('Stop ghost in zeta').disabled).toBe(true);
    expect(buttonNamed('Log of idea in zeta').disabled).toBe(true);
    expect(buttonNamed('Stop all').disabled).toBe(false);
  });

  it('updates rows in place when a view is pushed, so focus stays where it was', () => {
    const stop = buttonNamed('Stop web in team');
    stop.focus();
    const item = row('team/web');
    sandboxes.set({
      ...VIEW,
      namespaces: VIEW.namespaces.map((ns) => ({
        ...ns,
        sandboxes: ns.sandboxes.map((s) => (s.name === 'web' ? { ...s, memoryBytes: 300 * MiB } : s)),
      })),
    });
    expect(row('team/web')).toBe(item);
    expect(document.activeElement).toBe(stop);
    expect(fact('team/web', 'memory')).toBe('300 MiB');
    // A sandbox that appears gets its row; one that goes loses it.
    sandboxes.set({
      namespacesDir: '/n',
      namespaces: [{ name: 'team', error: null, sandboxes: [sandbox('web', 'running'), sandbox('new', 'running')] }],
    });
    expect(row('team/web')).toBe(item);
    expect(row('team/new')).toBeDefined();
    expect(view.element.querySelector('[data-key="zeta/ghost"]')).toBeNull();
    expect(view.element.querySelector('[data-testid="namespace-zeta"]')).toBeNull();
  });

  it('Stop asks main to stop that sandbox and shows "Stopping…" until the pushed view says stopped', async () => {
    msb.answers.stopSandboxes = () => ({ stopped: [{ namespace: 'team', name: 'web' }], failed: [], via: 'server' });
    buttonNamed('Stop web in team').click();
    await flush();
    expect(msb.calls.filter((c) => c.method === 'stopSandboxes').map((c) => c.payload)).toEqual([
      { namespace: 'team', name: 'web' },
    ]);
    expect(byTestId('sandboxes-outcome').textContent).toBe('Asked web to stop.');
    expect(announced).toEqual(['Asked web to stop.']);
    expect(row('team/web').querySelector('[data-testid="sandbox-state"]')?.textContent).toBe('Stopping…');
    expect(buttonNamed('Stop web in team').disabled).toBe(true);
    sandboxes.set({
      ...VIEW,
      namespaces: VIEW.namespaces.map((ns) => ({
        ...ns,
        sandboxes: ns.sandboxes.map((s) => (s.name === 'web' ? sandbox('web', 'stopped') : s)),
      })),
    });
    expect(row('team/web').querySelector('[data-testid="sandbox-state"]')?.textContent).toBe('Stopped');
    expect(byTestId('sandboxes-summary').textContent).toBe('No sandbox is running');
  });

  it('Stop all asks for every one and says what did not stop', async () => {
    msb.answers.stopSandboxes = () => ({
      stopped: [],
      failed: [{ namespace: 'team', name: 'web', message: 'The server refused the key.' }],
      via: 'none',
    });
    buttonNamed('Stop all').click();
    await flush();
    expect(msb.calls.filter((c) => c.method === 'stopSandboxes').map((c) => c.payload)).toEqual([{ all: true }]);
    expect(byTestId('sandboxes-outcome').textContent).toBe('web was not stopped: The server refused the key.');
  });
});

describe('what main is told to watch', () => {
  it('metrics while the view is shown, nothing once hidden; the view itself never asks for a list', () => {
    expect(watchCalls()).toEqual([{ visible: true, log: null }]);
    view.show();
    expect(watchCalls()).toHaveLength(1);
    view.hide();
    expect(watchCalls()).toEqual([
      { visible: true, log: null },
      { visible: false, log: null },
    ]);
    expect(msb.calls.filter((c) => c.method === 'listSandboxes')).toEqual([]);
  });

  it('ticks the uptime once a second only while shown and something runs', () => {
    vi.useFakeTimers();
    sandboxes.set(VIEW);
    now += 10_000;
    vi.advanceTimersByTime(1000);
    expect(fact('team/web', 'uptime')).toBe('1m 15s');
    view.hide();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a sandbox log', () => {
  beforeEach(() => sandboxes.set(VIEW));

  it(
    'follows first, then tails 200 lines, appends pushed lines of that sandbox only, and closes back to its ' +
      'button',
    async () => {
      msb.answers.sandboxLogTail = (payload) => ({
        ...(payload as object),
        exists: true,
        lines: ['booting', '\u001b[32mready\u001b[0m'],
      });
      const log = buttonNamed('Log of web in team');
      log.click();
      const order = msb.calls.map((c) => c.method).filter((m) => m === 'watchSandboxes' || m === 'sandboxLogTail');
      expect(order.slice(-2)).toEqual(['watchSandboxes', 'sandboxLogTail']);
      expect(watchCalls().at(-1)).toEqual({ visible: true, log: { namespace: 'team', name: 'web' } });
      expect(msb.calls.find((c) => c.method === 'sandboxLogTail')?.payload).toEqual({
        namespace: 'team',
        name: 'web',
        lines: 200,
      });
      await flush();
      const panel = byTestId('sandbox-log-panel');
      expect(panel.hidden).toBe(false);
      expect(byTestId('sandbox-log-title').textContent).toBe('Log of web in team');
      expect(document.activeElement).toBe(byTestId('sandbox-log-lines'));
      msb.emit('onSandboxLog', { namespace: 'team', name: 'web', lines: ['a request'] });
      msb.emit('onSandboxLog', { namespace: 'team', name: 'db', lines: ['not this one'] });
      expect([...byTestId('sandbox-log-lines').children].map((l) => l.textContent)).toEqual([
        'booting',
        'ready',
        'a request',
      ]);

      byTestId('sandbox-log-lines').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      expect(panel.hidden).toBe(true);
      expect(watchCalls().at(-1)).toEqual({ visible: true, log: null });
      expect(document.activeElement).toBe(log);
    },
  );

  it('keeps lines pushed while the tail is read, once; says when there is no log yet', async () => {
    let answer: (value: unknown) => void = () => undefined;
    msb.answers.sandboxLogTail = () => new Promise((resolve) => (answer = resolve));
    buttonNamed('Log of db in team').click();
    msb.emit('onSandboxLog', { namespace: 'team', name: 'db', lines: ['two', 'three'] });
    answer({ namespace: 'team', name: 'db', exists: true, lines: ['one', 'two'] });
    await flush();
    expect([...byTestId('sandbox-log-lines').children].map((l) => l.textContent)).toEqual(['one', 'two', 'three']);
    buttonNamed('Close log').click();
    msb.answers.sandboxLogTail = (payload) => ({ ...(payload as object), exists: false, lines: [] });
    buttonNamed('Log of web in team').click();
    await flush();
    expect(byTestId('sandbox-log-error').textContent).toBe('web has written no log yet.');
  });

  it('stops following while the view is hidden and reads the tail again when it is back', async () => {
    buttonNamed('Log of web in team').click();
    await flush();
    view.hide();
    expect(watchCalls().at(-1)).toEqual({ visible: false, log: null });
    const tails = () => msb.calls.filter((c) => c.method === 'sandboxLogTail').length;
    const before = tails();
    view.show();
    expect(watchCalls().at(-1)).toEqual({ visible: true, log: { namespace: 'team', name: 'web' } });
    expect(tails()).toBe(before + 1);
  });
});

describe('the model', () => {
  it('summarises, formats and names', () => {
    const screen = sandboxesScreen(VIEW, NOW);
    expect(screen.namespaces.map((ns) => ns.name)).toEqual(['team', 'zeta']);
    expect(screen.running).toBe(1);
    expect(sandboxesScreen(null, NOW)).toMatchObject({
      empty: true,
      summary: 'No sandbox is running',
      canStopAll: false,
      folder: '',
    });
    const two: SandboxesView = {
      namespacesDir: '/n',
      namespaces: [
        { name: 'a', error: null, sandboxes: [sandbox('x', 'running')] },
        { name: 'b', error: null, sandboxes: [sandbox('y', 'running')] },
      ],
    };
    expect(sandboxesScreen(two, NOW).summary).toBe('2 sandboxes running in 2 namespaces');
    expect(
      stopOutcomeText({
        stopped: [
          { namespace: 'a', name: 'x' },
          { namespace: 'b', name: 'y' },
        ],
        failed: [],
        via: 'signal',
      }),
    ).toBe('Asked 2 sandboxes to stop.');
    expect(stopOutcomeText({ stopped: [], failed: [], via: 'none' })).toBe('No sandbox was running.');
    expect(serverUrlOf(INITIAL_SNAPSHOT, { host: '::1', port: 7000 })).toBe('http://[::1]:7000');
    expect(serverUrlOf(RUNNING, null)).toBe('http://127.0.0.1:5555');
    expect(namespaceFolderNote('team', VIEW)).toBeNull();
    expect(namespaceFolderNote('*', VIEW)).toBeNull();
    expect(namespaceFolderNote('other', null)).toBeNull();
    expect(namespaceFolderNote('other', VIEW)).toMatch(/no folder yet/);
  });

  it('writes snippets that quote the URL as code', () => {
    const code = sdkSnippets('http://[::1]:5555');
    expect(code.python).toContain('PythonSandbox.create(name="my-sandbox", server_url="http://[::1]:5555")');
    expect(code.typescript).toContain('NodeSandbox.create({ name: "my-sandbox", serverUrl: "http://[::1]:5555" })');
    expect(code.typescript).toContain('await sb.stop();');
  });
});
