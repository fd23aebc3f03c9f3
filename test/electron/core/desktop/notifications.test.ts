import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { notificationFor, scrubbingNotifier } from '../../../../electron/core/desktop/notifications.ts';
import type { Notification } from '../../../../electron/core/desktop/desktop-ports.ts';
import { HIDDEN_KEY, HIDDEN_TOKEN } from '../../../../electron/core/base/scrub.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { FailureCode, ServerFailure, ServerSnapshot, ServerState } from '../../../../shared/server-status.ts';
import { waitFor } from '../../../support/wait-for.ts';

function failure(code: FailureCode, message: string, at = 1_000, extra: Partial<ServerFailure> = {}): ServerFailure {
  return { code, message, exitCode: null, signal: null, logTail: [], searched: [], at, ...extra };
}

function snap(state: ServerState, extra: Partial<ServerSnapshot> = {}): ServerSnapshot {
  const live = state === 'running' || state === 'starting' || state === 'stopping';
  return {
    ...INITIAL_SNAPSHOT,
    state,
    ...(live ? { pid: 4242, url: 'http://127.0.0.1:5555', devMode: false, startedAt: 500 } : {}),
    ...extra,
  };
}

describe('notificationFor', () => {
  it('announces a failed start with its reason', () => {
    const next = snap('failed', { error: failure('port-in-use', 'Port 5555 is already in use by another program.') });
    expect(notificationFor(snap('starting'), next)).toEqual({
      title: 'Microsandbox server failed to start',
      body: 'Port 5555 is already in use by another program.',
    });
  });

  it.each<FailureCode>([
    'not-found',
    'exited',
    'timeout',
    'spawn-error',
    'not-executable',
    'unsupported-platform',
    'home-error',
  ])('announces a failed start (%s)', (code) => {
    const result = notificationFor(snap('starting'), snap('failed', { error: failure(code, 'Reason.') }));
    expect(result?.title).toBe('Microsandbox server failed to start');
    expect(result?.body).toBe('Reason.');
  });

  it('announces a failure found straight from stopped (start refused before starting)', () => {
    const result = notificationFor(
      snap('stopped'),
      snap('failed', { error: failure('not-found', 'msbserver was not found.') }),
    );
    expect(result?.title).toBe('Microsandbox server failed to start');
  });

  it('announces a crash of a running server with the reason', () => {
    const next = snap('failed', { error: failure('crashed', 'msbserver exited with code 101 while running.') });
    expect(notificationFor(snap('running'), next)).toEqual({
      title: 'Microsandbox server crashed',
      body: 'msbserver exited with code 101 while running.',
    });
  });

  it('announces running → failed as a crash even with another code', () => {
    const next = snap('failed', { error: failure('exited', 'It exited.') });
    expect(notificationFor(snap('running'), next)?.title).toBe('Microsandbox server crashed');
  });

  it('says it restarts when a crash leads to an automatic restart', () => {
    const next = snap('starting', { error: failure('crashed', 'msbserver was killed by SIGKILL.') });
    expect(notificationFor(snap('running'), next)).toEqual({
      title: 'Microsandbox server crashed',
      body: 'msbserver was killed by SIGKILL. Restarting it.',
    });
  });

  it('announces that a crash loop stopped automatic restarts', () => {
    const previous = snap('starting', { error: failure('crashed', 'Crashed.', 900) });
    const next = snap('failed', { error: failure('crash-loop', 'msbserver crashed 5 times in 60 seconds.', 1_000) });
    expect(notificationFor(previous, next)).toEqual({
      title: 'Microsandbox server keeps crashing',
      body: 'msbserver crashed 5 times in 60 seconds. Automatic restart has stopped.',
    });
  });

  it('announces a stop that failed', () => {
    const next = snap('failed', { error: failure('stop-failed', 'msbserver did not exit, not even after SIGKILL.') });
    expect(notificationFor(snap('stopping'), next)?.title).toBe('Microsandbox server did not stop');
  });

  it.each<[ServerState, ServerState]>([
    ['stopped', 'starting'],
    ['starting', 'running'],
    ['running', 'stopping'],
    ['stopping', 'stopped'],
    ['running', 'running'],
    ['failed', 'starting'],
    ['failed', 'stopped'],
    ['stopped', 'running'],
    ['running', 'stopped'],
  ])('is silent for %s → %s without a new failure', (from, to) => {
    expect(notificationFor(snap(from), snap(to))).toBeNull();
  });

  it('is silent when a snapshot merely carries an old failure along', () => {
    const old = failure('crashed', 'Crashed.', 1_000);
    expect(notificationFor(snap('failed', { error: old }), snap('failed', { error: old }))).toBeNull();
    expect(notificationFor(snap('failed', { error: old }), snap('starting', { error: old }))).toBeNull();
    expect(notificationFor(snap('starting', { error: old }), snap('running', { error: old }))).toBeNull();
    expect(notificationFor(snap('running', { error: old }), snap('stopping', { error: old }))).toBeNull();
  });

  it('announces a second failure with the same code at a new time', () => {
    const first = failure('exited', 'Exited.', 1_000);
    const second = failure('exited', 'Exited.', 2_000);
    expect(notificationFor(snap('starting', { error: first }), snap('failed', { error: second }))).not.toBeNull();
  });

  it('falls back to the log tail, then the exit, when the message is empty', () => {
    const fromLog = failure('exited', '  ', 1, { logTail: ['first', 'Error: bind failed', ''] });
    expect(notificationFor(snap('starting'), snap('failed', { error: fromLog }))?.body).toBe('Error: bind failed');
    const fromExit = failure('exited', '', 2, { exitCode: 1 });
    expect(notificationFor(snap('starting'), snap('failed', { error: fromExit }))?.body).toBe(
      'msbserver exited with code 1.',
    );
    const fromSignal = failure('crashed', '', 3, { signal: 'SIGSEGV' });
    expect(notificationFor(snap('running'), snap('failed', { error: fromSignal }))?.body).toBe(
      'msbserver was ended by SIGSEGV.',
    );
    const nothing = failure('exited', '', 4);
    expect(notificationFor(snap('starting'), snap('failed', { error: nothing }))?.body).toBe('No reason was given.');
  });

  it('cuts a very long reason', () => {
    const long = failure('exited', 'x'.repeat(5_000));
    const body = notificationFor(snap('starting'), snap('failed', { error: long }))?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(240);
    expect(body.endsWith('…')).toBe(true);
  });
});

describe('scrubbingNotifier', () => {
  it('shows every notification, in order, without the server key or any token', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'notify-scrub-'));
    try {
      const key = 'NoteKey0123456789NoteKey01234567';
      const token = 'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';
      await fsp.writeFile(path.join(dir, 'server.key'), key, { mode: 0o600 });
      const shown: Notification[] = [];
      const notifier = scrubbingNotifier(
        { notify: (note) => void shown.push(note) },
        new SecretScrubber(path.join(dir, 'server.key'), silentLogger),
        silentLogger,
      );
      notifier.notify({ title: 'Microsandbox server crashed', body: `panicked: bad key ${key}` });
      notifier.notify({ title: `Token ${token}`, body: 'plain' });
      notifier.notify({ title: 'Third', body: `--key=${key} Bearer ${token}` });
      await waitFor(() => shown.length >= 3, {
        timeout: 2_000,
        what: 'three notifications',
        detail: () => JSON.stringify(shown),
      });
      expect(shown).toEqual([
        { title: 'Microsandbox server crashed', body: `panicked: bad key ${HIDDEN_KEY}` },
        { title: `Token ${HIDDEN_TOKEN}`, body: 'plain' },
        { title: 'Third', body: `--key=${HIDDEN_KEY} Bearer ${HIDDEN_TOKEN}` },
      ]);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
