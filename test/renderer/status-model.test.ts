import { describe, expect, it } from 'vitest';
import { INITIAL_SNAPSHOT, MICROSANDBOX_INSTALL_HINT } from '../../shared/server-status.ts';
import type { ServerFailure, ServerSnapshot } from '../../shared/server-status.ts';
import { statusView } from '../../renderer/src/status-model.ts';
import { RUNNING } from './fake-msb.ts';

const NOW = RUNNING.startedAt! + 185_000;

function failure(overrides: Partial<ServerFailure> = {}): ServerFailure {
  return { code: 'exited', message: 'msbserver exited with code 3 before it answered.', exitCode: 3, signal: null, logTail: ['boom'], searched: [], at: NOW, ...overrides };
}

describe('statusView', () => {
  it('maps a stopped server: dashes, only Start enabled', () => {
    const view = statusView(INITIAL_SNAPSHOT, NOW);
    expect(view).toMatchObject({ label: 'Stopped', tone: 'idle', pid: '—', url: '—', uptime: '—', health: '—', canStart: true, canStop: false, canRestart: false, failure: null, devMode: false, external: false });
    expect(view.announcement).toBe('Server stopped.');
  });

  it('maps a running server with PID, URL, uptime and health', () => {
    const view = statusView(RUNNING, NOW);
    expect(view).toMatchObject({ label: 'Running', tone: 'ok', pid: '4242', url: 'http://127.0.0.1:5555', uptime: '3m 05s', health: 'Healthy', canStart: false, canStop: true, canRestart: true });
    expect(view.announcement).toBe('Server running at http://127.0.0.1:5555.');
  });

  it('marks dev mode and a server started outside the app, and says so to screen readers', () => {
    const view = statusView({ ...RUNNING, devMode: true, external: true }, NOW);
    expect(view).toMatchObject({ devMode: true, external: true, mode: 'Development: no keys needed', origin: 'Outside the app (msb CLI)' });
    expect(statusView(RUNNING, NOW)).toMatchObject({ mode: 'Secure: clients need a key', origin: 'This app' });
    expect(statusView(INITIAL_SNAPSHOT, NOW)).toMatchObject({ mode: '—', origin: '—' });
    expect(view.announcement).toMatch(/development mode, open to every program on this computer and every web page you visit, started outside the app/);
    expect(view.exposure).toBe('open to every program on this computer and every web page you visit');
    expect(statusView(RUNNING, NOW).exposure).toBeNull();
  });

  it('says who can reach a server on a host other computers reach', () => {
    const remote = statusView({ ...RUNNING, url: 'http://0.0.0.0:5555' }, NOW);
    expect(remote.exposure).toBe('reachable from other computers (they still need a key)');
    expect(remote.announcement).toMatch(/reachable from other computers/);
    // Started outside the app (msb server start --dev --host 0.0.0.0): said, not hidden.
    const open = statusView({ ...RUNNING, devMode: true, external: true, url: 'http://[::]:5555' }, NOW);
    expect(open.exposure).toBe('open to every program on this computer, every web page you visit and every computer that can reach it');
    expect(statusView({ ...INITIAL_SNAPSHOT, devMode: true, url: 'http://0.0.0.0:5555' }, NOW).exposure).toBeNull();
  });

  it('turns the tone bad when a running server stops answering', () => {
    const view = statusView({ ...RUNNING, healthy: false }, NOW);
    expect(view.tone).toBe('bad');
    expect(view.health).toBe('Not answering');
    expect(statusView({ ...RUNNING, healthy: null }, NOW).health).toBe('Checking…');
  });

  // The one rule (shared/actions.ts): Stop cancels a start; nothing is offered while stopping.
  it.each<[ServerSnapshot['state'], string, boolean]>([
    ['starting', 'Starting…', true],
    ['stopping', 'Stopping…', false],
  ])('offers only what the shared rule allows while %s', (state, label, canStop) => {
    const view = statusView({ ...RUNNING, state, healthy: null }, NOW);
    expect(view).toMatchObject({ label, tone: 'busy', canStart: false, canStop, canRestart: false, uptime: '—' });
  });

  it('shows the reason, the exit code and the log lines of a failure', () => {
    const view = statusView({ ...INITIAL_SNAPSHOT, state: 'failed', error: failure({ message: 'msbserver exited before it answered.' }) }, NOW);
    // One action after a failure: Start (Restart would do the same).
    expect(view).toMatchObject({ label: 'Failed', tone: 'bad', canStart: true, canRestart: false, canStop: false });
    expect(view.failure).toEqual({
      title: 'The server could not run',
      message: 'msbserver exited before it answered.',
      detail: 'Exit code 3',
      logTail: ['boom'],
      searched: [],
      installHint: null,
    });
    expect(view.announcement).toBe('Server failed: msbserver exited before it answered.');
  });

  it('does not repeat an exit code the message already names', () => {
    const view = statusView({ ...INITIAL_SNAPSHOT, state: 'failed', error: failure({ message: 'msbserver exited before it was ready (exit code 3).' }) }, NOW);
    expect(view.failure?.detail).toBe('');
  });

  it('lists the places searched and how to install microsandbox when msbserver is missing', () => {
    const searched = ['$MSBSERVER_EXE (not set)', '/home/u/.local/bin/msbserver'];
    const view = statusView({ ...INITIAL_SNAPSHOT, state: 'failed', error: failure({ code: 'not-found', message: 'msbserver was not found.', exitCode: null, logTail: [], searched }) }, NOW);
    expect(view.failure).toMatchObject({ title: 'msbserver was not found', searched, installHint: MICROSANDBOX_INSTALL_HINT, detail: '' });
  });

  it('says an msbserver others could change was not run, without an install hint', () => {
    const message = 'The app does not run this msbserver: /opt/x/msbserver can be changed by other users.';
    const view = statusView({ ...INITIAL_SNAPSHOT, state: 'failed', error: failure({ code: 'unsafe-executable', message, exitCode: null, logTail: [], searched: ['/opt/x/msbserver'] }) }, NOW);
    expect(view.failure).toMatchObject({ title: 'msbserver was not run', message, installHint: null });
  });

  it('names the signal when there is no exit code', () => {
    const view = statusView({ ...INITIAL_SNAPSHOT, state: 'failed', error: failure({ code: 'crashed', exitCode: null, signal: 'SIGKILL' }) }, NOW);
    expect(view.failure?.detail).toBe('Ended by signal SIGKILL');
  });

  it('does not show an old failure once the server runs or is stopped', () => {
    expect(statusView({ ...RUNNING, error: failure() }, NOW).failure).toBeNull();
    expect(statusView({ ...INITIAL_SNAPSHOT, error: failure() }, NOW).failure).toBeNull();
  });
});
