// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { INSTALL_COMMAND } from '../../shared/setup.ts';
import type { SetupState } from '../../shared/setup.ts';
import { IpcFailure, SETUP_MISSING, SETUP_READY, flush, settingsView } from './fake-msb.ts';
import { openWindow } from './window-rig.ts';
import type { WindowRig } from './window-rig.ts';

let rig: WindowRig | null = null;
afterEach(() => {
  rig?.dispose();
  rig = null;
});

async function missing(): Promise<WindowRig> {
  rig = await openWindow((msb) => {
    msb.answers.setup = () => SETUP_MISSING;
  });
  return rig;
}

const NOT_FOUND: ServerSnapshot = {
  ...INITIAL_SNAPSHOT,
  state: 'failed',
  error: {
    code: 'not-found',
    message: 'msbserver was not found.',
    exitCode: null,
    signal: null,
    logTail: [],
    searched: ['/home/u/.local/bin/msbserver'],
    at: 1,
  },
};

describe('the first run, without microsandbox installed', () => {
  it(
    'says microsandbox is not installed, where the app looked, ' + 'the command, and what happens next; Start is off',
    async () => {
      const w = await missing();
      expect(w.shown('setup-problem')).toBe(true);
      expect(w.byTestId('setup-problem').querySelector('h2')?.textContent).toBe('microsandbox is not installed');
      expect([...w.byTestId('setup-searched').querySelectorAll('li')].map((li) => li.textContent)).toEqual([
        '$MSBSERVER_EXE (not set)',
        '/home/u/.local/bin/msbserver',
      ]);
      expect(w.byTestId('setup-command').textContent).toBe(INSTALL_COMMAND);
      expect(w.byTestId('setup-next').textContent).toBe(
        'Next: Install it with this command in a terminal, or locate an msbserver you have. The app then finds ' +
          'it by itself and Start becomes available.',
      );
      expect(w.button('Start').disabled).toBe(true);
      expect(w.button('Start').classList.contains('primary')).toBe(false);
      // No card of dashes under it.
      expect(w.shown('status-facts')).toBe(false);
    },
  );

  it('copies the install command through main, by name, and says so on the button', async () => {
    const w = await missing();
    const copy = w.byTestId<HTMLButtonElement>('setup-copy-command');
    copy.click();
    await flush();
    expect(w.msb.calls.filter((c) => c.method === 'copy').map((c) => c.payload)).toEqual([{ what: 'install-command' }]);
    expect(copy.textContent).toBe('Copied');
  });

  it('says it once, even after a start that did not find msbserver', async () => {
    const w = await missing();
    w.msb.emit('onStatus', NOT_FOUND);
    expect(w.shown('status-failure')).toBe(false);
    expect(w.root.querySelectorAll('h2')).toHaveLength(1);
    expect(w.root.textContent?.split(INSTALL_COMMAND)).toHaveLength(2);
  });

  it('Locate msbserver… opens main’s chooser, then looks again and says what it found', async () => {
    const w = await missing();
    w.msb.answers.setup = () => SETUP_READY;
    w.button('Locate msbserver…').click();
    await flush();
    expect(w.msb.calls.map((c) => c.method).slice(-2)).toEqual(['chooseMsbserver', 'setup']);
    // Ready now: the first-run state is gone and Start is the one action.
    expect(w.shown('setup-problem')).toBe(false);
    expect(w.button('Start').disabled).toBe(false);
    expect(w.button('Start').classList.contains('primary')).toBe(true);
  });

  it('says why when the chooser was cancelled, and keeps the state', async () => {
    const w = await missing();
    w.msb.answers.chooseMsbserver = () => {
      throw new IpcFailure('declined', 'No file was chosen: the msbserver path is unchanged.');
    };
    w.button('Locate msbserver…').click();
    await flush();
    expect(w.byTestId('setup-outcome').textContent).toBe('No file was chosen: the msbserver path is unchanged.');
    expect(w.shown('setup-problem')).toBe(true);
    expect(w.msb.calls.filter((c) => c.method === 'setup')).toHaveLength(1);
  });

  it('follows main’s pushed setup: an install made in a terminal turns Start on', async () => {
    const w = await missing();
    w.msb.emit('onSetup', SETUP_READY);
    expect(w.shown('setup-problem')).toBe(false);
    expect(w.button('Start').disabled).toBe(false);
  });

  it('looks again when the window comes to the front or becomes visible', async () => {
    const w = await missing();
    const looks = (): number => w.msb.calls.filter((c) => c.method === 'setup').length;
    expect(looks()).toBe(1);
    w.msb.answers.setup = () => SETUP_READY;
    window.dispatchEvent(new Event('focus'));
    await flush();
    expect(looks()).toBe(2);
    expect(w.shown('setup-problem')).toBe(false);
    document.dispatchEvent(new Event('visibilitychange'));
    await flush();
    expect(looks()).toBe(3);
  });

  it('shows a failed look as a load error and keeps the last answer', async () => {
    const w = await missing();
    w.msb.answers.setup = () => {
      throw new IpcFailure('internal', 'No answer.');
    };
    window.dispatchEvent(new Event('focus'));
    await flush();
    expect(w.byTestId('load-error').textContent).toBe('Could not look for msbserver: No answer.');
    expect(w.shown('setup-problem')).toBe(true);
  });

  it('says an msbserver set in Settings that is not there cannot be used, with the reason', async () => {
    const setup: SetupState = {
      kind: 'missing',
      locate: {
        found: false,
        searched: ['/opt/msbserver'],
        problem: 'the msbserver path in Settings points at /opt/msbserver, which does not exist.',
        hint: 'x',
        reason: 'missing',
      },
    };
    rig = await openWindow((msb) => {
      msb.answers.setup = () => setup;
      msb.answers.getSettings = () => settingsView();
    });
    expect(rig.byTestId('setup-problem').querySelector('h2')?.textContent).toBe('msbserver cannot be used');
    expect(rig.byTestId('setup-message').textContent).toBe(
      'the msbserver path in Settings points at /opt/msbserver, which does not exist.',
    );
    expect(rig.button('Start').disabled).toBe(true);
  });
});

describe('msbrun missing beside msbserver', () => {
  it('is the same kind of state, with the install command; the server itself may still start', async () => {
    rig = await openWindow((msb) => {
      msb.answers.setup = () => ({
        kind: 'ready',
        msbserver: '/opt/mb/msbserver',
        msbrun: { found: false, searched: ['/opt/mb/msbrun'] },
      });
    });
    const block = rig.byTestId('setup-problem');
    expect(block.querySelector('h2')?.textContent).toBe('msbrun is missing beside msbserver: sandboxes cannot start');
    expect(rig.byTestId('setup-message').textContent).toContain('/opt/mb/msbserver');
    expect(rig.byTestId('setup-command').textContent).toBe(INSTALL_COMMAND);
    expect(rig.button('Start').disabled).toBe(false);
  });
});

describe('msbrun others could change', () => {
  const UNSAFE: SetupState = {
    kind: 'msbrun-unsafe',
    msbserver: '/opt/mb/msbserver',
    msbrun: {
      searched: ['/opt/mb/msbrun'],
      problem:
        '/opt/mb/msbrun can be changed by other users (it is group- or world-writable). ' +
        'Run chmod go-w "/opt/mb/msbrun" if that is not meant.',
    },
  };
  const REFUSED: ServerSnapshot = {
    ...INITIAL_SNAPSHOT,
    state: 'failed',
    error: {
      code: 'unsafe-msbrun',
      message: 'msbrun is unsafe: /opt/mb/msbrun can be changed by other users.',
      exitCode: null,
      signal: null,
      logTail: [],
      searched: ['/opt/mb/msbrun'],
      at: 1,
    },
  };

  it('says msbrun is unsafe, which file and why, with the fix and no install command; Start is off', async () => {
    rig = await openWindow((msb) => {
      msb.answers.setup = () => UNSAFE;
    });
    const block = rig.byTestId('setup-problem');
    expect(block.querySelector('h2')?.textContent).toBe('msbrun is unsafe: the app will not start the server');
    expect(rig.byTestId('setup-message').textContent).toMatch(
      new RegExp(
        String.raw`^msbrun is unsafe: \/opt\/mb\/msbrun can be changed by other users .*` +
          String.raw`chmod go-w "\/opt\/mb\/msbrun".* msbserver runs msbrun for every sandbox`,
      ),
    );
    expect(rig.byTestId('setup-detail').textContent).toBe('msbserver: /opt/mb/msbserver');
    expect(rig.byTestId('setup-searched').textContent).toContain('/opt/mb/msbrun');
    expect(rig.byTestId('setup-next').textContent).toContain('reinstall microsandbox');
    expect(rig.shown('setup-command')).toBe(false);
    expect(rig.byTestId('setup-message').textContent).not.toContain('missing');
    expect(rig.button('Start').disabled).toBe(true);
    expect(rig.button('Restart').disabled).toBe(true);
  });

  it('a refused start is said once, by the setup block, and Start comes back once msbrun is fixed', async () => {
    rig = await openWindow((msb) => {
      msb.answers.setup = () => UNSAFE;
    });
    rig.msb.emit('onStatus', REFUSED);
    await flush();
    expect(rig.shown('status-failure')).toBe(false);
    expect(rig.shown('setup-problem')).toBe(true);
    rig.msb.emit('onSetup', { kind: 'ready', msbserver: '/opt/mb/msbserver', msbrun: { found: true, searched: [] } });
    await flush();
    expect(rig.shown('setup-problem')).toBe(false);
    // No setup problem left to explain it: the refusal itself shows, under its own title.
    expect(rig.byTestId('status-failure').querySelector('h2')?.textContent).toBe(
      'msbrun is unsafe: the server was not started',
    );
    expect(rig.button('Start').disabled).toBe(false);
  });
});

describe('no msbserver found while a server started outside the app runs', () => {
  it('does not say microsandbox is not installed; it offers Locate so the app can start one itself', async () => {
    const { setupProblem } = await import('../../renderer/src/setup-model.ts');
    const missing = {
      kind: 'missing',
      locate: {
        found: false,
        searched: ['/home/u/.local/bin/msbserver'],
        problem: 'msbserver was not found.',
        hint: '',
        reason: 'missing',
      },
    } as const;
    const view = setupProblem(missing, null, true);
    expect(view?.title).toBe('The app cannot find msbserver');
    expect(view?.command).toBeNull();
    expect(view?.actions).toEqual([{ kind: 'locate' }]);
    expect(setupProblem(missing, null, false)?.title).toBe('microsandbox is not installed');
  });
});
