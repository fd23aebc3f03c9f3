// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { MicrosandboxUpdateView } from '../../shared/microsandbox-update.ts';
import type { RuntimeView } from '../../shared/runtime.ts';
import { flush, IpcFailure, SERVER_GENERATION_UPDATE } from './fake-msb.ts';
import { openWindow, type WindowRig } from './window-rig.ts';

const RUNTIME: RuntimeView = {
  generation: 'runtime',
  setting: 'automatic',
  msb: { path: '/home/u/.microsandbox/bin/msb', version: '0.6.18' },
  serverFound: false,
  notes: [],
  state: null,
};

const AVAILABLE: MicrosandboxUpdateView = {
  checksOn: true,
  status: { kind: 'update-available', installed: '0.6.18', latest: '0.7.2', releaseUrl: 'https://github.test/r' },
  run: null,
};

let w: WindowRig;
afterEach(() => w.dispose());

describe('microsandbox updates in Status', () => {
  it('runtime generation: shows both versions and streams the update’s lines, then its result', async () => {
    w = await openWindow((msb) => {
      msb.answers.runtimeState = () => RUNTIME;
      msb.answers.microsandboxUpdate = () => AVAILABLE;
      msb.answers.updateMicrosandbox = () => new Promise(() => undefined);
    });
    expect(w.byTestId('msb-update-versions').textContent).toBe('Installed: 0.6.18 · Latest release: 0.7.2');
    const button = w.byTestId<HTMLButtonElement>('msb-update');
    expect(button.disabled).toBe(false);
    button.click();
    await flush();
    expect(w.msb.calls.at(-1)?.method).toBe('updateMicrosandbox');
    const line = (text: string, stream: 'stdout' | 'stderr' = 'stdout') => ({ stream, text });
    w.msb.emit('onMicrosandboxUpdate', {
      ...AVAILABLE,
      run: { running: true, lines: [line('Checking for updates...')], result: null },
    });
    expect(w.byTestId('msb-update-output').textContent).toBe('Checking for updates...\n');
    expect(w.byTestId('msb-update-result').textContent).toBe('Updating microsandbox…');
    expect(button.disabled).toBe(true);
    w.msb.emit('onMicrosandboxUpdate', {
      checksOn: true,
      status: { kind: 'up-to-date', installed: '0.7.2', latest: '0.7.2' },
      run: {
        running: false,
        lines: [line('Checking for updates...'), line('✓ Updated microsandbox 0.6.18 → 0.7.2')],
        result: { kind: 'updated', from: '0.6.18', to: '0.7.2' },
      },
    });
    expect(w.byTestId('msb-update-output').textContent).toContain('✓ Updated microsandbox 0.6.18 → 0.7.2');
    expect(w.byTestId('msb-update-result').textContent).toBe('microsandbox was updated from 0.6.18 to 0.7.2.');
    expect(w.byTestId('msb-update-versions').textContent).toBe('Installed: 0.7.2 · Latest release: 0.7.2 (up to date)');
    expect(button.disabled).toBe(true);
  });

  it('shows a refusal in main’s words and says nothing more after a no in the native dialog', async () => {
    let answer: Error = new IpcFailure('refused', 'A sandbox is starting: update microsandbox once it runs.');
    w = await openWindow((msb) => {
      msb.answers.runtimeState = () => RUNTIME;
      msb.answers.microsandboxUpdate = () => AVAILABLE;
      msb.answers.updateMicrosandbox = () => {
        throw answer;
      };
    });
    w.byTestId<HTMLButtonElement>('msb-update').click();
    await flush();
    expect(w.byTestId('msb-update-error').textContent).toBe('A sandbox is starting: update microsandbox once it runs.');
    answer = new IpcFailure('declined', 'microsandbox was not updated: the update was not confirmed.');
    w.byTestId<HTMLButtonElement>('msb-update').click();
    await flush();
    expect(w.byTestId('msb-update-error').textContent).toBe('');
  });

  it('says when checking is off, and offers no update it cannot vouch for', async () => {
    w = await openWindow((msb) => {
      msb.answers.runtimeState = () => RUNTIME;
      msb.answers.microsandboxUpdate = () => ({
        checksOn: false,
        status: { kind: 'unknown', installed: '0.6.18', message: 'Not checked yet.' },
        run: null,
      });
    });
    expect(w.byTestId('msb-update-note').textContent).toMatch(/off in Settings/);
    expect(w.byTestId<HTMLButtonElement>('msb-update').disabled).toBe(true);
  });

  it('server generation: 0.2.6 was the last release, and the install link is opened by main', async () => {
    w = await openWindow((msb) => {
      msb.answers.microsandboxUpdate = () => SERVER_GENERATION_UPDATE;
    });
    expect(w.byTestId('msb-update-versions').textContent).toMatch(/0\.2\.6 is the last release/);
    expect(w.shown('msb-update')).toBe(false);
    w.byTestId<HTMLButtonElement>('msb-runtime-install').click();
    await flush();
    expect(w.msb.calls.at(-1)).toEqual({ method: 'openRuntimeInstall', payload: undefined });
  });
});
