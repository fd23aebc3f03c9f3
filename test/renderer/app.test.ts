// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import { INSTALL_COMMAND } from '../../shared/setup.ts';
import { createApp } from '../../renderer/src/app.ts';
import type { App } from '../../renderer/src/app.ts';
import { mergeTail } from '../../renderer/src/logs-model.ts';
import { APP_INFO, IpcFailure, RUNNING, fakeMsb, flush, settingsView } from './fake-msb.ts';
import type { FakeMsb } from './fake-msb.ts';

let msb: FakeMsb;
let app: App;
let root: HTMLElement;
let now = RUNNING.startedAt! + 5_000;

const byTestId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = root.querySelector<T>(`[data-testid="${id}"]`);
  if (el === null) throw new Error(`no ${id}`);
  return el;
};
function visibleButton(name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find(
    (b) => b.textContent === name && b.closest('[hidden]') === null,
  );
  if (found === undefined) throw new Error(`no visible button ${name}`);
  return found;
}
const tab = (name: string): HTMLButtonElement =>
  [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')].find((t) => t.textContent === name)!;

beforeEach(async () => {
  msb = fakeMsb();
  now = RUNNING.startedAt! + 5_000;
  root = document.createElement('div');
  document.body.append(root);
  app = createApp(root, msb.api, { now: () => now });
  await app.ready;
});
afterEach(() => {
  root.remove();
  vi.useRealTimers();
});

describe('the window', () => {
  it('loads status, settings, app info and the sandboxes once and then only listens', () => {
    expect(msb.calls.map((c) => c.method).sort()).toEqual([
      'appInfo',
      'getSettings',
      'listSandboxes',
      'microsandboxUpdate',
      'runtimeState',
      'setup',
      'status',
    ]);
    expect(msb.listenerCount('onMicrosandboxUpdate')).toBe(1);
    expect(msb.listenerCount('onSetup')).toBe(1);
    expect(msb.listenerCount('onNavigate')).toBe(1);
    expect(msb.listenerCount('onStatus')).toBe(1);
    expect(msb.listenerCount('onSettings')).toBe(1);
    expect(msb.listenerCount('onLog')).toBe(1);
    expect(msb.listenerCount('onSandboxes')).toBe(1);
    expect(msb.listenerCount('onSandboxLog')).toBe(1);
  });

  it('has one status region that follows pushed snapshots', () => {
    const regions = root.querySelectorAll('[role="status"]');
    expect(regions).toHaveLength(1);
    const region = regions[0]!;
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent).toContain('Stopped');
    msb.emit('onStatus', RUNNING);
    expect(region.textContent).toContain('Running');
    expect(region.textContent).toContain('Server running at http://127.0.0.1:5555.');
    expect(byTestId('status-pid').textContent).toBe('4242');
    expect(byTestId('status-url').textContent).toBe('http://127.0.0.1:5555');
    expect(byTestId('status-uptime').textContent).toBe('5s');
  });

  it('ticks the uptime while the status view is shown, and stops when it is not', () => {
    vi.useFakeTimers();
    msb.emit('onStatus', RUNNING);
    now += 60_000;
    vi.advanceTimersByTime(1000);
    expect(byTestId('status-uptime').textContent).toBe('1m 05s');
    const uptime = byTestId('status-uptime');
    app.select('logs');
    now += 60_000;
    vi.advanceTimersByTime(5000);
    expect(uptime.textContent).toBe('1m 05s');
    expect(vi.getTimerCount()).toBe(0);
    app.select('status');
    expect(byTestId('status-uptime').textContent).toBe('2m 05s');
  });

  it('enables Start, Stop and Restart by state and sends them', async () => {
    expect(visibleButton('Start').disabled).toBe(false);
    expect(visibleButton('Stop').disabled).toBe(true);
    visibleButton('Start').click();
    await flush();
    expect(msb.calls.at(-1)?.method).toBe('start');
    expect(visibleButton('Start').disabled).toBe(true);
    expect(visibleButton('Stop').disabled).toBe(false);
    visibleButton('Stop').click();
    await flush();
    expect(msb.calls.at(-1)?.method).toBe('stop');
    expect(byTestId('status-pid').textContent).toBe('—');
  });

  it('shows why an action failed', async () => {
    msb.answers.start = () => {
      throw new IpcFailure('server-error', 'The home directory is not writable.');
    };
    visibleButton('Start').click();
    await flush();
    expect(byTestId('action-error').textContent).toBe('The home directory is not writable.');
  });

  it('shows the reason and the log lines of a failure', () => {
    msb.emit('onStatus', {
      ...INITIAL_SNAPSHOT,
      state: 'failed',
      error: {
        code: 'exited',
        message: 'msbserver exited at once (exit code 3).',
        exitCode: 3,
        signal: null,
        logTail: ['line 1', '\u001b[31mfatal:\u001b[0m no'],
        searched: [],
        at: now,
      },
    });
    expect(byTestId('status-failure').hidden).toBe(false);
    expect(byTestId('failure-message').textContent).toBe('msbserver exited at once (exit code 3).');
    expect(byTestId('failure-log').textContent).toBe('line 1\nfatal: no');
    msb.emit('onStatus', RUNNING);
    expect(byTestId('status-failure').hidden).toBe(true);
  });

  it('lists the places searched and gives the install command when a start found no msbserver', () => {
    msb.emit('onStatus', {
      ...INITIAL_SNAPSHOT,
      state: 'failed',
      error: {
        code: 'not-found',
        message: 'msbserver was not found.',
        exitCode: null,
        signal: null,
        logTail: [],
        searched: ['/a/msbserver', '/b/msbserver'],
        at: now,
      },
    });
    expect([...byTestId('failure-searched').querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      '/a/msbserver',
      '/b/msbserver',
    ]);
    expect(byTestId('failure-command').textContent).toBe(INSTALL_COMMAND);
  });

  it(
    'copies the server URL through main (the window names it, main builds it), only while there is ' +
      'one, and says so on the button',
    async () => {
      const copyUrl = byTestId<HTMLButtonElement>('copy-url');
      expect(copyUrl.disabled).toBe(true);
      expect(copyUrl.hidden).toBe(true);
      msb.emit('onStatus', RUNNING);
      expect(copyUrl.disabled).toBe(false);
      expect(copyUrl.hidden).toBe(false);
      copyUrl.click();
      await flush();
      expect(msb.calls.filter((call) => call.method === 'copy')).toEqual([
        { method: 'copy', payload: { what: 'server-url' } },
      ]);
      expect(copyUrl.textContent).toBe('Copied');
    },
  );

  it('says on the button when a copy failed, and why in its title', async () => {
    msb.answers.copy = () => {
      throw new IpcFailure('internal', 'The clipboard is busy.');
    };
    msb.emit('onStatus', RUNNING);
    const copyUrl = byTestId<HTMLButtonElement>('copy-url');
    copyUrl.click();
    await flush();
    expect(copyUrl.textContent).toBe('Not copied');
    expect(copyUrl.dataset['copy']).toBe('failed');
    expect(copyUrl.title).toBe('The clipboard is busy.');
  });

  it('marks dev mode and a server started outside the app', () => {
    expect(byTestId('status-mode').textContent).toBe('—');
    msb.emit('onStatus', RUNNING);
    expect(byTestId('status-mode').textContent).toBe('Secure: clients need a key');
    expect(byTestId('status-origin').textContent).toBe('This app');
    expect(byTestId('status-exposure').hidden).toBe(true);
    msb.emit('onStatus', { ...RUNNING, devMode: true, external: true });
    expect(byTestId('status-mode').textContent).toBe('Development: no keys needed');
    expect(byTestId('status-mode').classList.contains('warn')).toBe(true);
    expect(byTestId('status-exposure').hidden).toBe(false);
    expect(byTestId('status-exposure').textContent).toBe(
      'Development mode: no key is asked, so the server is open to every program on this computer ' +
        'and every web page you visit.',
    );
    expect(byTestId('status-pill').parentElement?.textContent).toContain(
      'open to every program on this computer and every web page you visit',
    );
    expect(byTestId('status-origin').textContent).toBe('Outside the app (msb CLI)');
  });

  it('says so when the server cannot run on this platform, by its name, and keeps Start off', async () => {
    root.remove();
    msb = fakeMsb();
    msb.answers.appInfo = () => ({ ...APP_INFO, platform: 'win32', platformName: 'Windows' });
    msb.answers.setup = () => ({ kind: 'unsupported', platformName: 'Windows' });
    root = document.createElement('div');
    document.body.append(root);
    await createApp(root, msb.api).ready;
    expect(byTestId('setup-problem').hidden).toBe(false);
    expect(byTestId('setup-problem').querySelector('h2')?.textContent).toBe(
      'microsandbox does not run natively on Windows',
    );
    expect(byTestId('setup-next').textContent).toMatch(/WSL 2/);
    expect(root.textContent).not.toContain('win32');
    expect(visibleButton('Start').disabled).toBe(true);
  });
});

describe('the tabs', () => {
  it('is a tablist with one tab in the tab order, moved with the arrow keys', () => {
    const tabs = [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    expect(tabs.map((t) => t.textContent)).toEqual(['Status', 'Sandboxes', 'Keys', 'Logs', 'Settings', 'Connect']);
    expect(tabs.map((t) => t.tabIndex)).toEqual([0, -1, -1, -1, -1, -1]);
    tabs[0]!.focus();
    tabs[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    expect(tab('Sandboxes').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab('Sandboxes'));
    tab('Sandboxes').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    expect(tab('Keys').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab('Keys'));
    expect(root.querySelector<HTMLElement>('#panel-keys')!.hidden).toBe(false);
    expect(root.querySelector<HTMLElement>('#panel-status')!.hidden).toBe(true);
    // Only the selected panel holds its view, so no hidden control can be found by its label.
    expect(root.querySelector('#panel-status')!.childElementCount).toBe(0);
    expect(root.querySelector('[data-testid="key-namespace"]')).not.toBeNull();
    expect(root.querySelector('[data-testid="status-state"]')).toBeNull();
    tab('Keys').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    tab('Status').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    expect(tab('Connect').getAttribute('aria-selected')).toBe('true');
    tab('Connect').dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    expect(tab('Status').getAttribute('aria-selected')).toBe('true');
    expect(tab('Status').getAttribute('aria-controls')).toBe('panel-status');
    expect(root.querySelector('#panel-status')!.getAttribute('aria-labelledby')).toBe('tab-status');
  });
});

describe('the logs view', () => {
  it('reads 200 lines when opened, then follows pushed lines, without terminal colours', async () => {
    msb.answers.logTail = () => ({ lines: ['one', '\u001b[2m2026\u001b[0m \u001b[31mERROR\u001b[0m two'] });
    tab('Logs').click();
    await flush();
    expect(msb.calls.at(-1)).toEqual({ method: 'logTail', payload: { lines: 200 } });
    msb.emit('onLog', { lines: ['three'] });
    const lines = [...byTestId('log-lines').querySelectorAll('.log-line')].map((l) => l.textContent);
    expect(lines).toEqual(['one', '2026 ERROR two', 'three']);
    expect(byTestId('log-empty').hidden).toBe(true);
  });

  it('opens the log folder', async () => {
    tab('Logs').click();
    visibleButton('Open log folder').click();
    await flush();
    expect(msb.calls.at(-1)).toEqual({ method: 'reveal', payload: { target: 'log' } });
  });

  it('says when the log is empty', async () => {
    tab('Logs').click();
    await flush();
    expect(byTestId('log-empty').textContent).toBe('The log is empty.');
  });

  it('counts lines pushed while the tail was read once', () => {
    expect(mergeTail(['a', 'b', 'c'], ['b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(mergeTail(['a'], ['x'])).toEqual(['a', 'x']);
    expect(mergeTail([], ['x'])).toEqual(['x']);
  });
});

describe('settings pushed from main', () => {
  it('reach the keys form defaults until the user types', () => {
    app.select('keys');
    msb.emit(
      'onSettings',
      settingsView({ settings: { ...settingsView().settings, defaultNamespace: 'team-b', defaultExpiry: '7d' } }),
    );
    expect(byTestId<HTMLInputElement>('key-namespace').value).toBe('team-b');
    expect(byTestId<HTMLInputElement>('key-expiry').value).toBe('7d');
  });
});
