import { describe, expect, it } from 'vitest';
import { availableActions, isLive } from '../../shared/actions.ts';
import type { ServerState } from '../../shared/server-status.ts';
import { SETUP_UNKNOWN, type SetupState, serverRunsOn, unsupportedPlatform } from '../../shared/setup.ts';

describe('the one rule for actions', () => {
  it.each([
    ['stopped', true, { start: true, stop: false, restart: false }],
    ['starting', true, { start: false, stop: true, restart: false }],
    ['running', true, { start: false, stop: true, restart: true }],
    ['stopping', true, { start: false, stop: false, restart: false }],
    ['failed', true, { start: true, stop: false, restart: false }],
    ['stopped', false, { start: false, stop: false, restart: false }],
    ['running', false, { start: false, stop: true, restart: false }],
    ['failed', false, { start: false, stop: false, restart: false }],
  ] as const)('%s (server supported: %s)', (state: ServerState, supported, expected) => {
    expect(availableActions({ state }, SETUP_UNKNOWN, supported ? 'linux' : 'win32')).toEqual(expected);
  });

  it('calls starting, running and stopping live', () => {
    const states: ServerState[] = ['stopped', 'starting', 'running', 'stopping', 'failed'];
    expect(states.filter((state) => isLive({ state }))).toEqual(['starting', 'running', 'stopping']);
  });
});

describe('availableActions while an automatic restart is due', () => {
  it('offers no Start: the app is about to start it, and Cancel is the choice', () => {
    const rule = availableActions;
    expect(rule({ state: 'failed', restartAt: 5 }, SETUP_UNKNOWN, 'linux').start).toBe(false);
    expect(rule({ state: 'failed', restartAt: null }, SETUP_UNKNOWN, 'linux').start).toBe(true);
    expect(rule({ state: 'failed' }, SETUP_UNKNOWN, 'linux').start).toBe(true);
  });
});

describe('availableActions and the setup', () => {
  const missing: SetupState = {
    kind: 'missing',
    locate: { found: false, searched: [], problem: 'msbserver was not found.', hint: '', reason: 'missing' },
  };
  const unsupported: SetupState = { kind: 'unsupported', platformName: 'Windows' };
  const ready: SetupState = { kind: 'ready', msbserver: '/bin/msbserver', msbrun: { found: true, searched: [] } };

  it(
    'offers neither Start nor Restart without an msbserver to run or with an unsafe msbrun, but ' +
      'Stop for a server from outside',
    () => {
      const msbrunUnsafe: SetupState = {
        kind: 'msbrun-unsafe',
        msbserver: '/bin/msbserver',
        msbrun: { searched: ['/bin/msbrun'], problem: '/bin/msbrun can be changed by other users.' },
      };
      for (const setup of [missing, unsupported, msbrunUnsafe]) {
        expect(availableActions({ state: 'stopped' }, setup, 'linux')).toEqual({
          start: false,
          stop: false,
          restart: false,
        });
        expect(availableActions({ state: 'running' }, setup, 'linux')).toEqual({
          start: false,
          stop: true,
          restart: false,
        });
      }
    },
  );

  it('blocks nothing while the setup is ready or not known yet', () => {
    for (const setup of [ready, SETUP_UNKNOWN]) {
      expect(availableActions({ state: 'stopped' }, setup, 'linux').start).toBe(true);
      expect(availableActions({ state: 'running' }, setup, 'linux').restart).toBe(true);
    }
  });
});

describe('where msbserver runs', () => {
  it('runs on Linux and macOS, never natively on Windows', () => {
    expect(serverRunsOn('linux')).toBe(true);
    expect(serverRunsOn('darwin')).toBe(true);
    expect(serverRunsOn('win32')).toBe(false);
  });

  it('names the platform from the setup look, or from the platform before the look', () => {
    expect(unsupportedPlatform({ kind: 'unsupported', platformName: 'Windows' }, 'win32')).toBe('Windows');
    expect(unsupportedPlatform({ kind: 'unsupported', platformName: 'Windows' }, null)).toBe('Windows');
    expect(unsupportedPlatform(SETUP_UNKNOWN, 'win32')).toBe('Windows');
    expect(unsupportedPlatform(SETUP_UNKNOWN, 'linux')).toBeNull();
    // The window before it has heard the platform: nothing is blocked yet.
    expect(unsupportedPlatform(SETUP_UNKNOWN, null)).toBeNull();
  });

  it('keeps Start off on Windows even while the setup is not known yet', () => {
    expect(availableActions({ state: 'stopped' }, SETUP_UNKNOWN, 'win32').start).toBe(false);
    expect(availableActions({ state: 'stopped' }, SETUP_UNKNOWN, null).start).toBe(true);
  });
});
