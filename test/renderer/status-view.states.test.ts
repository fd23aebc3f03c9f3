// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import type { ServerFailure, ServerSnapshot } from '../../shared/server-status.ts';
import { APP_INFO, IpcFailure, RUNNING, flush, settingsView } from './fake-msb.ts';
import { openWindow } from './window-rig.ts';
import type { WindowRig } from './window-rig.ts';

let rig: WindowRig | null = null;
afterEach(() => {
  rig?.dispose();
  rig = null;
  vi.useRealTimers();
});

const NOW = RUNNING.startedAt! + 60_000;

function failed(error: Partial<ServerFailure>, extra: Partial<ServerSnapshot> = {}): ServerSnapshot {
  return {
    ...INITIAL_SNAPSHOT,
    state: 'failed',
    error: {
      code: 'exited',
      message: 'msbserver exited with code 3 before it answered.',
      exitCode: 3,
      signal: null,
      logTail: ['line 1', 'fatal: no'],
      searched: [],
      at: NOW,
      ...error,
    },
    ...extra,
  };
}

describe('a failure', () => {
  it('leads, above any fact, and no card of dashes is shown', async () => {
    const w = (rig = await openWindow(undefined, () => NOW));
    w.msb.emit('onStatus', failed({}));
    const failure = w.byTestId('status-failure');
    const facts = w.byTestId('status-facts');
    expect(failure.hidden).toBe(false);
    expect(facts.hidden).toBe(true);
    expect(failure.compareDocumentPosition(facts) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    // What, why, the log lines, the next step, in that order.
    const parts = [...failure.children].map((el) => el.getAttribute('data-testid') ?? el.tagName.toLowerCase());
    expect(parts.indexOf('h2')).toBeLessThan(parts.indexOf('failure-message'));
    expect(w.byTestId('failure-log').textContent).toBe('line 1\nfatal: no');
    expect(w.byTestId('failure-next').textContent).toBe(
      'Next: The log lines above say why: fix that, then Start again.',
    );
    // One action: Start, the primary; Restart stays off.
    expect(w.button('Start').classList.contains('primary')).toBe(true);
    expect(w.button('Restart').disabled).toBe(true);
    expect(w.root.querySelectorAll('button.primary')).toHaveLength(1);
  });

  it('shows only the facts that say something while running', async () => {
    const w = (rig = await openWindow(undefined, () => NOW));
    w.msb.emit('onStatus', { ...RUNNING, state: 'starting', healthy: null, startedAt: null });
    expect(w.shown('status-facts')).toBe(true);
    expect(w.shown('status-pid')).toBe(true);
    expect(w.shown('status-uptime')).toBe(false);
    expect(w.shown('status-health')).toBe(false);
  });

  it('after a readiness timeout, says the app stopped it and goes to the timeout field, in seconds', async () => {
    const w = (rig = await openWindow(undefined, () => NOW));
    w.msb.emit(
      'onStatus',
      failed({
        code: 'timeout',
        message: 'The app stopped msbserver after 15 s without a health answer (the readiness timeout in Settings).',
        exitCode: null,
        signal: 'SIGKILL',
        logTail: ['Server listening'],
      }),
    );
    expect(w.byTestId('status-failure').querySelector('h2')?.textContent).toBe('The server did not answer in time');
    expect(w.root.textContent).not.toContain('SIGKILL');
    w.button('Raise the start timeout').click();
    expect(w.tab('Settings').getAttribute('aria-selected')).toBe('true');
    const field = document.activeElement as HTMLInputElement;
    expect(w.root.querySelector(`label[for="${field.id}"]`)?.textContent).toBe('Start timeout');
    expect(w.root.querySelector(`#${field.getAttribute('aria-describedby')?.split(' ')[0]}`)?.textContent).toBe(
      'seconds',
    );
    expect(field.value).toBe('15');
  });
});

describe('an automatic restart after a crash', () => {
  it('counts down with a Cancel, instead of Failed with Start on, and Cancel calls it off', async () => {
    vi.useFakeTimers();
    let now = NOW;
    const w = (rig = await openWindow(undefined, () => now));
    const crash = failed(
      { code: 'crashed', message: 'msbserver stopped unexpectedly (exit code 101).', exitCode: 101 },
      { restartAt: NOW + 3_000 },
    );
    w.msb.answers.cancelRestart = () => ({ ...crash, restartAt: null });
    w.msb.emit('onStatus', crash);
    expect(w.byTestId('status-state').textContent).toBe('Restarting in 3 s');
    expect(w.byTestId('status-pill').textContent).toBe('Restarting…');
    expect(w.button('Start').disabled).toBe(true);
    now += 1_000;
    vi.advanceTimersByTime(1_000);
    expect(w.byTestId('status-state').textContent).toBe('Restarting in 2 s');
    const cancel = w.button('Cancel restart');
    expect(cancel.classList.contains('primary')).toBe(true);
    cancel.click();
    await vi.runOnlyPendingTimersAsync();
    expect(w.msb.calls.at(-1)?.method).toBe('cancelRestart');
    expect(w.byTestId('status-state').textContent).toBe('Failed');
    expect(w.button('Start').disabled).toBe(false);
    expect([...w.root.querySelectorAll('button')].some((b) => b.textContent === 'Cancel restart')).toBe(false);
  });

  it('says so when the restart could not be cancelled, and keeps Cancel', async () => {
    const w = (rig = await openWindow(undefined, () => NOW));
    w.msb.answers.cancelRestart = () => {
      throw new IpcFailure('internal', 'The app is quitting.');
    };
    w.msb.emit('onStatus', failed({ code: 'crashed' }, { restartAt: NOW + 5_000 }));
    w.button('Cancel restart').click();
    await flush();
    expect(w.byTestId('failure-outcome').textContent).toBe('The restart was not cancelled: The app is quitting.');
    expect(w.button('Cancel restart').disabled).toBe(false);
    // The pill stays the one status region.
    expect(w.root.querySelectorAll('[role="status"]')).toHaveLength(1);
  });
});

describe('a hung server', () => {
  it('has its own look and Restart as the next step', async () => {
    const w = (rig = await openWindow(undefined, () => NOW));
    w.msb.emit('onStatus', { ...RUNNING, healthy: false });
    expect(w.byTestId('status-pill').textContent).toBe('Not answering');
    expect(w.byTestId('status-pill').closest('[data-tone]')?.getAttribute('data-tone')).toBe('hung');
    expect(w.byTestId('status-state').textContent).toBe('Not answering');
    expect(w.byTestId('status-failure').querySelector('h2')?.textContent).toBe('The server is not answering');
    expect(w.button('Restart').classList.contains('primary')).toBe(true);
    w.button('Restart').click();
    await flush();
    expect(w.msb.calls.at(-1)?.method).toBe('restart');
  });
});

describe('Stop while starting', () => {
  it('is enabled while the start is under way, as in the tray, and is sent', async () => {
    const w = (rig = await openWindow(undefined, () => NOW));
    let finish: (value: ServerSnapshot) => void = () => undefined;
    w.msb.answers.start = () => new Promise<ServerSnapshot>((resolve) => (finish = resolve));
    w.msb.answers.stop = () => INITIAL_SNAPSHOT;
    w.button('Start').click();
    w.msb.emit('onStatus', { ...RUNNING, state: 'starting', healthy: null });
    await flush();
    expect(w.button('Start').disabled).toBe(true);
    expect(w.button('Stop').disabled).toBe(false);
    w.button('Stop').click();
    await flush();
    expect(w.msb.calls.map((c) => c.method).slice(-2)).toEqual(['start', 'stop']);
    finish(INITIAL_SNAPSHOT);
    await flush();
    expect(w.byTestId('status-state').textContent).toBe('Stopped');
  });
});

describe('a settings change that waits for a restart', () => {
  it('is said in Status too, with Restart as the primary action', async () => {
    const w = (rig = await openWindow(
      (msb) => {
        msb.answers.status = () => RUNNING;
      },
      () => NOW,
    ));
    expect(w.shown('status-restart-needed')).toBe(false);
    w.msb.emit('onSettings', settingsView({ restartNeeded: true }));
    expect(w.shown('status-restart-needed')).toBe(true);
    expect(w.button('Restart').classList.contains('primary')).toBe(true);
    // A restart is another run: the line goes.
    w.msb.emit('onStatus', { ...RUNNING, pid: 5000, startedAt: NOW });
    expect(w.shown('status-restart-needed')).toBe(false);
  });
});

describe('the logs of a server started outside the app', () => {
  it('say why they are empty', async () => {
    const w = (rig = await openWindow((msb) => {
      msb.answers.status = () => ({ ...RUNNING, external: true });
    }));
    w.tab('Logs').click();
    await flush();
    expect(w.byTestId('log-empty').textContent).toMatch(
      new RegExp(
        String.raw`started outside the app \(msb server start\), so its output goes where that command sent it, ` +
          'and nowhere for msb server start -d',
      ),
    );
    w.msb.emit('onStatus', INITIAL_SNAPSHOT);
    expect(w.byTestId('log-empty').textContent).toBe('The log is empty.');
  });
});

describe('moving between views', () => {
  const press = (init: KeyboardEventInit): KeyboardEvent => {
    const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
    document.body.dispatchEvent(event);
    return event;
  };
  const selected = (w: WindowRig): string | null =>
    w.root.querySelector('[role="tab"][aria-selected="true"]')?.textContent ?? null;

  it('Ctrl+1…5 select the views on Linux; Cmd does nothing there', async () => {
    const w = (rig = await openWindow());
    expect(press({ key: '3', code: 'Digit3', ctrlKey: true }).defaultPrevented).toBe(true);
    expect(selected(w)).toBe('Keys');
    expect(document.activeElement).toBe(w.tab('Keys'));
    press({ key: '5', code: 'Digit5', ctrlKey: true });
    expect(selected(w)).toBe('Settings');
    press({ key: '1', code: 'Digit1', metaKey: true });
    press({ key: ',', code: 'Comma', ctrlKey: true });
    press({ key: '9', code: 'Digit9', ctrlKey: true });
    press({ key: '1', code: 'Digit1', ctrlKey: true, shiftKey: true });
    expect(selected(w)).toBe('Settings');
    expect(w.tab('Logs').getAttribute('aria-keyshortcuts')).toBe('Control+4');
  });

  it('Cmd+1…5 and Cmd+, on macOS', async () => {
    const w = (rig = await openWindow((msb) => {
      msb.answers.appInfo = () => ({ ...APP_INFO, platform: 'darwin', platformName: 'macOS' });
    }));
    press({ key: '2', code: 'Digit2', metaKey: true });
    expect(selected(w)).toBe('Sandboxes');
    press({ key: ',', code: 'Comma', metaKey: true });
    expect(selected(w)).toBe('Settings');
    // (Windows of earlier tests still listen on this document: the selected tab is what counts.)
    press({ key: '1', code: 'Digit1', ctrlKey: true });
    expect(selected(w)).toBe('Settings');
    expect(w.tab('Settings').getAttribute('aria-keyshortcuts')).toBe('Meta+5 Meta+,');
  });

  it('shows the view main asks for (the tray’s Settings…)', async () => {
    const w = (rig = await openWindow());
    w.msb.emit('onNavigate', { view: 'settings' });
    expect(selected(w)).toBe('Settings');
    w.msb.emit('onNavigate', { view: 'logs' });
    expect(selected(w)).toBe('Logs');
  });

  it('opens on the view the page’s fragment names (a window main opens on Settings)', async () => {
    window.location.hash = '#settings';
    try {
      const w = (rig = await openWindow());
      expect(selected(w)).toBe('Settings');
    } finally {
      window.location.hash = '';
    }
    rig?.dispose();
    window.location.hash = '#nonsense';
    rig = await openWindow();
    expect(selected(rig)).toBe('Status');
    window.location.hash = '';
  });

  it('has no panel that is a Tab stop of its own', async () => {
    const w = (rig = await openWindow());
    expect([...w.root.querySelectorAll('[role="tabpanel"]')].map((p) => p.getAttribute('tabindex'))).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('what is off around the server', () => {
  it('shows each warning, with its fix, below the facts, and nothing once there is none', async () => {
    const w = (rig = await openWindow(undefined, () => NOW));
    const warnings = [
      'server.key can be read by other users (mode 644): run chmod 600 ~/.microsandbox/server.key.',
      'No msbrun beside /opt/msbserver: sandboxes cannot start.',
    ];
    w.msb.emit('onStatus', { ...RUNNING, warnings });
    const block = w.byTestId('status-warnings');
    expect(block.hidden).toBe(false);
    expect(block.querySelector('h2')?.textContent).toBe('2 things to look at');
    expect([...w.byTestId('warnings-searched').querySelectorAll('li')].map((li) => li.textContent)).toEqual(warnings);
    expect(w.byTestId('status-facts').compareDocumentPosition(block) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    w.msb.emit('onStatus', { ...RUNNING, warnings: [] });
    expect(w.byTestId('status-warnings').hidden).toBe(true);
  });
});
