// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeSandboxInfo, RuntimeStateInfo, RuntimeView } from '../../shared/runtime.ts';
import { APP_INFO, flush, IpcFailure, RUNNING, SETUP_MISSING } from './fake-msb.ts';
import { openWindow, type WindowRig } from './window-rig.ts';

function sandbox(name: string, status: string, ports: string[] = []): RuntimeSandboxInfo {
  return { name, status, image: 'alpine', createdAt: Date.UTC(2026, 11, 7, 1, 59), cpus: 1, memoryMib: 512, ports };
}

function runtime(sandboxes: RuntimeSandboxInfo[], state: Partial<RuntimeStateInfo> = {}): RuntimeView {
  return {
    generation: 'runtime',
    setting: 'automatic',
    msb: { path: '/home/u/.microsandbox/bin/msb', version: '0.6.18' },
    serverFound: false,
    notes: [],
    state: {
      sandboxes,
      metrics: {},
      host: {
        ok: false,
        checks: [
          {
            name: 'cpu virtualization',
            state: 'fail',
            detail: 'not available',
            fixes: ['enable VT-x in the firmware'],
          },
          { name: 'kvm', state: 'fail', detail: '/dev/kvm missing', fixes: ['sudo modprobe kvm'] },
          { name: 'libkrunfw', state: 'ok', detail: 'found', fixes: [] },
        ],
      },
      context: { kind: 'cloud', profile: 'prod', apiUrl: 'https://api.microsandbox.dev' },
      capabilities: { pause: false },
      error: null,
      listedAt: 1,
      ...state,
    },
  };
}

let w: WindowRig;
afterEach(() => w.dispose());

const WORLD = runtime([
  sandbox('web', 'Running', ['127.0.0.1:8080->80/tcp']),
  sandbox('old', 'Stopped'),
  sandbox('x', 'Hibernating'),
]);

async function runtimeWindow(view: RuntimeView = WORLD): Promise<WindowRig> {
  return openWindow((msb) => {
    msb.answers.runtimeState = () => view;
    msb.answers.runtimeAct = () => view;
  });
}

describe('Status in the runtime generation', () => {
  it('shows the version, where msb is, each failing check with its fix, and the cloud context', async () => {
    w = await runtimeWindow();
    expect(w.byTestId('runtime-title').textContent).toBe('microsandbox 0.6.18');
    expect(w.byTestId('runtime-msb-path').textContent).toBe('/home/u/.microsandbox/bin/msb');
    expect(w.byTestId('host-summary').textContent).toBe('This computer cannot run sandboxes yet');
    const problems = [...w.byTestId('host-problems').children].map((li) => li.textContent);
    expect(problems).toEqual([
      'cpu virtualization: not availableenable VT-x in the firmware',
      'kvm: /dev/kvm missingsudo modprobe kvm',
    ]);
    expect(w.byTestId('runtime-context').textContent).toBe('Cloud, profile prod (https://api.microsandbox.dev)');
    // No server status, no Fix on Linux.
    expect(w.shown('status-state')).toBe(false);
    expect(w.shown('host-fix')).toBe(false);
    expect(w.byTestId('status-pill').textContent).toBe('1 sandbox running');
  });

  it('says ready when every check passes, and checks again on demand', async () => {
    const ready = runtime([], {
      host: { ok: true, checks: [] },
      context: { kind: 'local', profile: null, apiUrl: null },
    });
    w = await runtimeWindow(ready);
    expect(w.byTestId('host-summary').textContent).toBe('Ready: this computer can run sandboxes');
    expect(w.byTestId('runtime-context').textContent).toBe('Local: sandboxes run on this computer');
    w.msb.answers.checkHost = () => WORLD;
    w.button('Check again').click();
    await flush();
    expect(w.msb.calls.filter((c) => c.method === 'checkHost')).toHaveLength(1);
    expect(w.byTestId('host-summary').textContent).toBe('This computer cannot run sandboxes yet');
  });

  it('offers Fix with administrator rights on Windows only', async () => {
    w = await openWindow((msb) => {
      msb.answers.runtimeState = () => WORLD;
      msb.answers.appInfo = () => ({ ...APP_INFO, platform: 'win32', platformName: 'Windows' });
    });
    expect(w.shown('host-fix')).toBe(true);
    w.msb.answers.fixHost = () => {
      throw new IpcFailure('declined', 'Nothing was changed: the fix was not confirmed.');
    };
    w.byTestId<HTMLButtonElement>('host-fix').click();
    await flush();
    // A no in main's dialog is the user's answer, not an error.
    expect(w.byTestId('host-outcome').textContent).toBe('');
  });

  it('hides the Logs tab without a server, and shows a 0.2 server still running', async () => {
    w = await runtimeWindow();
    expect(w.tab('Logs').hidden).toBe(true);
    w.msb.emit('onStatus', RUNNING);
    expect(w.tab('Logs').hidden).toBe(false);
    expect(w.shown('status-state')).toBe(true);
  });

  it('says in Keys that local sandboxes need no key', async () => {
    w = await runtimeWindow();
    w.app.select('keys');
    expect(w.shown('runtime-keys')).toBe(true);
    expect(w.byTestId('runtime-keys').textContent).toContain('cloud dashboard');
  });
});

describe('Sandboxes in the runtime generation', () => {
  it('lists each sandbox with status, image, ports and what its status allows', async () => {
    w = await runtimeWindow();
    w.app.select('sandboxes');
    const rows = [...w.root.querySelectorAll<HTMLElement>('[data-testid="runtime-row"]')];
    expect(rows.map((row) => row.dataset['name'])).toEqual(['old', 'web', 'x']);
    const actions = (row: HTMLElement): (string | undefined)[] =>
      [...row.querySelectorAll<HTMLButtonElement>('button[data-action]')].map((b) => b.dataset['action']);
    expect(actions(rows[0]!)).toEqual(['start', 'remove']);
    expect(actions(rows[1]!)).toEqual(['stop', 'restart', 'force-stop']);
    expect(actions(rows[2]!)).toEqual([]);
    expect(rows[2]!.querySelector('[data-testid="runtime-status"]')?.textContent).toBe('Hibernating');
    expect(rows[1]!.textContent).toContain('127.0.0.1:8080->80/tcp');
    expect(w.msb.calls.filter((c) => c.method === 'watchRuntime').map((c) => c.payload)).toEqual([
      { visible: true, log: null },
    ]);
  });

  it('asks main to act by name, force only on Force stop', async () => {
    w = await runtimeWindow();
    w.app.select('sandboxes');
    const row = w.root.querySelector<HTMLElement>('[data-name="web"]')!;
    row.querySelector<HTMLButtonElement>('[data-action="stop"]')!.click();
    row.querySelector<HTMLButtonElement>('[data-action="force-stop"]')!.click();
    await flush();
    expect(w.msb.calls.filter((c) => c.method === 'runtimeAct').map((c) => c.payload)).toEqual([
      { name: 'web', action: 'stop' },
      { name: 'web', action: 'stop', force: true },
    ]);
  });

  it("shows main's refusal, and nothing for a no in main's dialog", async () => {
    w = await runtimeWindow();
    w.app.select('sandboxes');
    w.msb.answers.runtimeAct = () => {
      throw new IpcFailure('refused', 'old is Running: it cannot remove now.');
    };
    w.root.querySelector<HTMLButtonElement>('[data-name="old"] [data-action="remove"]')!.click();
    await flush();
    expect(w.byTestId('runtime-outcome').textContent).toBe('old: old is Running: it cannot remove now.');
  });

  it('copies the shell command through main by name', async () => {
    w = await runtimeWindow();
    w.app.select('sandboxes');
    const copy = [...w.root.querySelectorAll<HTMLButtonElement>('[data-name="web"] button')].find(
      (b) => b.textContent === 'Copy shell command',
    )!;
    copy.click();
    await flush();
    expect(w.msb.calls.filter((c) => c.method === 'copy').map((c) => c.payload)).toEqual([
      { what: 'exec-command', name: 'web' },
    ]);
  });

  it('tails and follows a log, and stops following when the sandbox leaves the list', async () => {
    w = await runtimeWindow();
    w.msb.answers.runtimeLogTail = () => ({ name: 'web', lines: [{ source: 'stdout', text: 'hello\n', time: 1 }] });
    w.app.select('sandboxes');
    w.root.querySelector<HTMLButtonElement>('[data-name="web"] [aria-label="Log of web"]')!.click();
    await flush();
    w.msb.emit('onRuntimeLog', { name: 'web', lines: [{ source: 'stderr', text: 'world', time: 2 }] });
    w.msb.emit('onRuntimeLog', { name: 'old', lines: [{ source: 'stdout', text: 'not this', time: 2 }] });
    expect(w.byTestId('runtime-log-lines').textContent).toBe('helloworld');
    w.msb.emit('onRuntime', runtime([sandbox('old', 'Stopped')]));
    expect(w.shown('runtime-log')).toBe(false);
    expect(w.msb.calls.filter((c) => c.method === 'watchRuntime').map((c) => c.payload)).toEqual([
      { visible: true, log: null },
      { visible: true, log: 'web' },
      { visible: true, log: null },
    ]);
  });

  it('stops following metrics when the view is left', async () => {
    w = await runtimeWindow();
    w.app.select('sandboxes');
    w.app.select('status');
    expect(w.msb.calls.filter((c) => c.method === 'watchRuntime').map((c) => c.payload)).toEqual([
      { visible: true, log: null },
      { visible: false, log: null },
    ]);
  });
});

describe('first run', () => {
  it("offers today's install first, per platform with Copy, and the 0.2 server's second", async () => {
    w = await openWindow((msb) => {
      msb.answers.setup = () => SETUP_MISSING;
      msb.answers.runtimeState = () => ({ ...WORLD, generation: 'none', msb: null, state: null });
    });
    expect(w.byTestId('install-script').textContent).toBe('curl -fsSL https://install.microsandbox.dev | sh');
    expect(w.byTestId('install-homebrew').textContent).toBe('brew install superradcompany/tap/microsandbox');
    expect(w.byTestId('install-npm').textContent).toBe('npm i -g microsandbox');
    const text = w.root.textContent ?? '';
    expect(text.indexOf('install.microsandbox.dev')).toBeLessThan(text.indexOf('get.microsandbox.dev'));
    w.byTestId<HTMLButtonElement>('copy-install-script').click();
    await flush();
    expect(w.msb.calls.filter((c) => c.method === 'copy').map((c) => c.payload)).toEqual([
      { what: 'runtime-install', method: 'script' },
    ]);
  });

  it('gives the PowerShell command on Windows and no Homebrew', async () => {
    w = await openWindow((msb) => {
      msb.answers.setup = () => ({ kind: 'unsupported', platformName: 'Windows' });
      msb.answers.appInfo = () => ({ ...APP_INFO, platform: 'win32', platformName: 'Windows' });
      msb.answers.runtimeState = () => ({ ...WORLD, generation: 'none', msb: null, state: null });
    });
    expect(w.byTestId('install-script').textContent).toBe('irm https://install.microsandbox.dev/windows | iex');
    expect(w.shown('install-homebrew')).toBe(false);
  });
});
