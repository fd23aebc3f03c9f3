import { describe, expect, it } from 'vitest';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import { INSTALL_COMMAND, SETUP_UNKNOWN, type SetupState } from '../../shared/setup.ts';
import type { ServerFailure, ServerSnapshot } from '../../shared/server-status.ts';
import { type StatusContext, statusView } from '../../renderer/src/status-model.ts';
import { RUNNING } from './fake-msb.ts';

const NOW = RUNNING.startedAt! + 185_000;
/** Where Start may run: Linux, the setup not known yet (which blocks nothing). */
const CTX: StatusContext = { setup: SETUP_UNKNOWN, platform: 'linux' };

function failure(overrides: Partial<ServerFailure> = {}): ServerFailure {
  return {
    code: 'exited',
    message: 'msbserver exited with code 3 before it answered.',
    exitCode: 3,
    signal: null,
    logTail: ['boom'],
    searched: [],
    at: NOW,
    ...overrides,
  };
}

describe('statusView', () => {
  it('maps a stopped server: dashes, only Start enabled', () => {
    const view = statusView(INITIAL_SNAPSHOT, NOW, CTX);
    expect(view).toMatchObject({
      label: 'Stopped',
      tone: 'idle',
      pid: '—',
      url: '—',
      uptime: '—',
      health: '—',
      canStart: true,
      canStop: false,
      canRestart: false,
      problem: null,
      devMode: false,
      external: false,
    });
    expect(view.announcement).toBe('Server stopped.');
  });

  it('maps a running server with PID, URL, uptime and health', () => {
    const view = statusView(RUNNING, NOW, CTX);
    expect(view).toMatchObject({
      label: 'Running',
      tone: 'ok',
      pid: '4242',
      url: 'http://127.0.0.1:5555',
      uptime: '3m 05s',
      health: 'Healthy',
      canStart: false,
      canStop: true,
      canRestart: true,
    });
    expect(view.announcement).toBe('Server running at http://127.0.0.1:5555.');
  });

  it('marks dev mode and a server started outside the app, and says so to screen readers', () => {
    const view = statusView({ ...RUNNING, devMode: true, external: true }, NOW, CTX);
    expect(view).toMatchObject({
      devMode: true,
      external: true,
      mode: 'Development: no keys needed',
      origin: 'Outside the app (msb CLI)',
    });
    expect(statusView(RUNNING, NOW, CTX)).toMatchObject({ mode: 'Secure: clients need a key', origin: 'This app' });
    expect(statusView(INITIAL_SNAPSHOT, NOW, CTX)).toMatchObject({ mode: '—', origin: '—' });
    expect(view.announcement).toMatch(
      /development mode, open to every program on this computer and every web page you visit, started outside the app/,
    );
    expect(view.exposure).toBe('open to every program on this computer and every web page you visit');
    expect(statusView(RUNNING, NOW, CTX).exposure).toBeNull();
  });

  it('says who can reach a server on a host other computers reach', () => {
    const remote = statusView({ ...RUNNING, url: 'http://0.0.0.0:5555' }, NOW, CTX);
    expect(remote.exposure).toBe('reachable from other computers (they still need a key)');
    expect(remote.announcement).toMatch(/reachable from other computers/);
    // Started outside the app (msb server start --dev --host 0.0.0.0): said, not hidden.
    const open = statusView({ ...RUNNING, devMode: true, external: true, url: 'http://[::]:5555' }, NOW, CTX);
    expect(open.exposure).toBe(
      'open to every program on this computer, every web page you visit and every computer that can reach it',
    );
    expect(
      statusView({ ...INITIAL_SNAPSHOT, devMode: true, url: 'http://0.0.0.0:5555' }, NOW, CTX).exposure,
    ).toBeNull();
  });

  it('gives a running server that stops answering its own look and Restart as the next step', () => {
    const view = statusView({ ...RUNNING, healthy: false }, NOW, CTX);
    expect(view).toMatchObject({
      label: 'Not answering',
      pillLabel: 'Not answering',
      tone: 'hung',
      health: 'Not answering',
      primary: 'restart',
      canRestart: true,
    });
    expect(view.problem).toMatchObject({
      kind: 'hung',
      title: 'The server is not answering',
      next: expect.stringMatching(/^Restart it/) as unknown,
    });
    expect(view.problem?.why).toContain('PID 4242');
    expect(statusView({ ...RUNNING, healthy: null }, NOW, CTX)).toMatchObject({
      health: 'Checking…',
      label: 'Running',
      tone: 'ok',
      problem: null,
      primary: null,
    });
  });

  // The one rule (shared/actions.ts): Stop cancels a start; nothing is offered while stopping.
  it.each<[ServerSnapshot['state'], string, boolean]>([
    ['starting', 'Starting…', true],
    ['stopping', 'Stopping…', false],
  ])('offers only what the shared rule allows while %s', (state, label, canStop) => {
    const view = statusView({ ...RUNNING, state, healthy: null }, NOW, CTX);
    expect(view).toMatchObject({
      label,
      tone: 'busy',
      canStart: false,
      canStop,
      canRestart: false,
      uptime: '—',
      primary: null,
    });
  });

  it('leads a failure with what, why, the log lines and the next step, and offers Start alone', () => {
    const view = statusView(
      {
        ...INITIAL_SNAPSHOT,
        state: 'failed',
        error: failure({ message: 'msbserver exited before it answered.', logTail: ['\u001b[31mboom\u001b[0m'] }),
      },
      NOW,
      CTX,
    );
    // One action after a failure: Start (Restart would do the same).
    expect(view).toMatchObject({
      label: 'Failed',
      tone: 'bad',
      canStart: true,
      canRestart: false,
      canStop: false,
      primary: 'start',
    });
    expect(view.problem).toEqual({
      kind: 'failure:exited',
      tone: 'bad',
      title: 'The server could not run',
      why: 'msbserver exited before it answered.',
      detail: 'Exit code 3',
      list: null,
      log: ['boom'],
      command: null,
      next: 'The log lines above say why: fix that, then Start again.',
      actions: [],
    });
    expect(view.announcement).toBe('Server failed: msbserver exited before it answered.');
  });

  it('does not repeat an exit code the message already names', () => {
    const view = statusView(
      {
        ...INITIAL_SNAPSHOT,
        state: 'failed',
        error: failure({ message: 'msbserver exited before it was ready (exit code 3).' }),
      },
      NOW,
      CTX,
    );
    expect(view.problem?.detail).toBe('');
  });

  it('lists the places searched and gives the install command when msbserver is missing', () => {
    const searched = ['$MSBSERVER_EXE (not set)', '/home/u/.local/bin/msbserver'];
    const view = statusView(
      {
        ...INITIAL_SNAPSHOT,
        state: 'failed',
        error: failure({
          code: 'not-found',
          message: 'msbserver was not found.',
          exitCode: null,
          logTail: [],
          searched,
        }),
      },
      NOW,
      CTX,
    );
    expect(view.problem).toMatchObject({
      title: 'msbserver was not found',
      list: { label: 'Places searched:', items: searched },
      command: INSTALL_COMMAND,
      detail: '',
      actions: [{ kind: 'locate' }],
    });
  });

  it('says an msbserver others could change was not run, without an install command', () => {
    const message = 'The app does not run this msbserver: /opt/x/msbserver can be changed by other users.';
    const view = statusView(
      {
        ...INITIAL_SNAPSHOT,
        state: 'failed',
        error: failure({
          code: 'unsafe-executable',
          message,
          exitCode: null,
          logTail: [],
          searched: ['/opt/x/msbserver'],
        }),
      },
      NOW,
      CTX,
    );
    expect(view.problem).toMatchObject({ title: 'msbserver was not run', why: message, command: null, list: null });
  });

  it('names the signal when there is no exit code', () => {
    const view = statusView(
      { ...INITIAL_SNAPSHOT, state: 'failed', error: failure({ code: 'crashed', exitCode: null, signal: 'SIGKILL' }) },
      NOW,
      CTX,
    );
    expect(view.problem?.detail).toBe('Ended by signal SIGKILL');
  });

  it(
    'says the app stopped a server that did not answer in time, without the signal it sent, and ' +
      'offers to raise the timeout',
    () => {
      const message =
        'The app stopped msbserver after 15 s without a health answer (the readiness timeout in Settings).';
      const view = statusView(
        {
          ...INITIAL_SNAPSHOT,
          state: 'failed',
          error: failure({
            code: 'timeout',
            message,
            exitCode: null,
            signal: 'SIGKILL',
            logTail: ['Server listening on 127.0.0.1:5555'],
          }),
        },
        NOW,
        CTX,
      );
      expect(view.problem).toMatchObject({
        title: 'The server did not answer in time',
        why: message,
        detail: '',
        log: ['Server listening on 127.0.0.1:5555'],
      });
      expect(view.problem?.actions).toEqual([
        { kind: 'setting', key: 'readinessTimeoutMs', label: 'Raise the start timeout' },
      ]);
      expect(view.primary).toBe('start');
    },
  );

  it('offers another port when the port is taken', () => {
    const view = statusView(
      {
        ...INITIAL_SNAPSHOT,
        state: 'failed',
        error: failure({ code: 'port-in-use', message: 'Port 5555 is in use.', exitCode: null, logTail: [] }),
      },
      NOW,
      CTX,
    );
    expect(view.problem?.actions).toEqual([{ kind: 'setting', key: 'port', label: 'Change the port' }]);
  });

  it('counts down to an automatic restart with Cancel, and offers no Start meanwhile', () => {
    const crashed = {
      ...INITIAL_SNAPSHOT,
      state: 'failed' as const,
      error: failure({ code: 'crashed' }),
      restartAt: NOW + 4_200,
    };
    const view = statusView(crashed, NOW, CTX);
    expect(view).toMatchObject({
      label: 'Restarting in 5 s',
      pillLabel: 'Restarting…',
      tone: 'busy',
      restartIn: 5,
      canStart: false,
      primary: null,
    });
    expect(view.problem).toMatchObject({ tone: 'busy', actions: [{ kind: 'cancel-restart' }] });
    expect(view.announcement).toMatch(/restarts by itself/);
    expect(statusView(crashed, NOW + 4_100, CTX).label).toBe('Restarting in 1 s');
    expect(statusView(crashed, NOW + 9_000, CTX)).toMatchObject({
      label: 'Restarting…',
      restartIn: 0,
      canStart: false,
    });
    // Cancelled: failed, and Start is the one action again.
    expect(statusView({ ...crashed, restartAt: null }, NOW, CTX)).toMatchObject({
      label: 'Failed',
      canStart: true,
      primary: 'start',
      problem: { actions: [] },
    });
  });

  it('keeps Start off while msbserver is missing or cannot run here', () => {
    const missing: SetupState = {
      kind: 'missing',
      locate: { found: false, searched: [], problem: 'msbserver was not found.', hint: '', reason: 'missing' },
    };
    expect(statusView(INITIAL_SNAPSHOT, NOW, { ...CTX, setup: missing })).toMatchObject({
      canStart: false,
      primary: null,
    });
    expect(statusView(INITIAL_SNAPSHOT, NOW, { ...CTX, platform: 'win32' })).toMatchObject({
      canStart: false,
      primary: null,
    });
    expect(statusView(INITIAL_SNAPSHOT, NOW, CTX)).toMatchObject({ canStart: true, primary: 'start' });
  });

  it('makes Restart the primary action while a settings change waits for it', () => {
    expect(statusView(RUNNING, NOW, { ...CTX, restartNeeded: true })).toMatchObject({
      restartNeeded: true,
      primary: 'restart',
    });
    expect(statusView(INITIAL_SNAPSHOT, NOW, { ...CTX, restartNeeded: true })).toMatchObject({
      restartNeeded: false,
      primary: 'start',
    });
  });

  it('does not show an old failure once the server runs or is stopped', () => {
    expect(statusView({ ...RUNNING, error: failure() }, NOW, CTX).problem).toBeNull();
    expect(statusView({ ...INITIAL_SNAPSHOT, error: failure() }, NOW, CTX).problem).toBeNull();
  });
});
