import { describe, expect, it } from 'vitest';
import { resetOutcomeText } from '../../renderer/src/keys-model.ts';
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../shared/server-status.ts';

const running = (extra: Partial<ServerSnapshot> = {}): ServerSnapshot => ({
  ...INITIAL_SNAPSHOT,
  state: 'running',
  pid: 100,
  url: 'http://127.0.0.1:5555',
  devMode: false,
  startedAt: 1,
  healthy: true,
  ...extra,
});
const failure = (code: 'home-error' | 'exited', message: string): ServerSnapshot => ({
  ...INITIAL_SNAPSHOT,
  state: 'failed',
  error: { code, message, exitCode: null, signal: null, logTail: [], searched: [], at: 1 },
});

describe('resetOutcomeText', () => {
  it('says the server restarted only when it did', () => {
    expect(resetOutcomeText(running(), running({ pid: 200 }))).toMatch(/restarted with it/);
    expect(resetOutcomeText(running({ devMode: true }), running({ devMode: true }))).toMatch(/development mode now/);
    expect(resetOutcomeText(running(), running({ pid: 200, devMode: true }))).toMatch(/restarted in development mode/);
    expect(resetOutcomeText(INITIAL_SNAPSHOT, INITIAL_SNAPSHOT)).toBe(
      'The server key was reset. Earlier keys no longer work.',
    );
  });

  it('tells a failed reset from a failed restart', () => {
    expect(resetOutcomeText(INITIAL_SNAPSHOT, failure('home-error', 'Could not reset the server key: EACCES.'))).toBe(
      'The key was not reset: Could not reset the server key: EACCES.',
    );
    expect(
      resetOutcomeText(running(), failure('exited', 'msbserver exited before it was ready (exit code 1).')),
    ).toMatch(/reset, but the server did not start again: msbserver exited/);
  });
});
