import { describe, expect, it } from 'vitest';
import { feedSetup, saysSomethingAboutSetup } from '../../../../electron/core/desktop/setup-feed.ts';
import { INITIAL_SNAPSHOT, type ServerFailure, type ServerSnapshot } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../../shared/settings-schema.ts';
import type { SetupState } from '../../../../shared/setup.ts';

const failure = (code: ServerFailure['code']): ServerFailure => ({
  code,
  message: 'm',
  exitCode: null,
  signal: null,
  logTail: [],
  searched: [],
  at: 1,
});
const failed = (code: ServerFailure['code']): ServerSnapshot => ({
  ...INITIAL_SNAPSHOT,
  state: 'failed',
  error: failure(code),
});
const running: ServerSnapshot = {
  ...INITIAL_SNAPSHOT,
  state: 'running',
  pid: 9,
  url: 'http://127.0.0.1:5555',
  healthy: true,
};

describe('saysSomethingAboutSetup', () => {
  it('is a start that found no usable msbserver or msbrun, or a server that came up', () => {
    expect(saysSomethingAboutSetup(INITIAL_SNAPSHOT, failed('not-found'))).toBe(true);
    expect(saysSomethingAboutSetup(INITIAL_SNAPSHOT, failed('unsafe-executable'))).toBe(true);
    expect(saysSomethingAboutSetup(INITIAL_SNAPSHOT, failed('unsafe-msbrun'))).toBe(true);
    expect(saysSomethingAboutSetup(INITIAL_SNAPSHOT, running)).toBe(true);
    expect(saysSomethingAboutSetup(running, { ...running, healthy: false })).toBe(false);
    expect(saysSomethingAboutSetup(INITIAL_SNAPSHOT, failed('port-in-use'))).toBe(false);
    expect(saysSomethingAboutSetup(running, INITIAL_SNAPSHOT)).toBe(false);
  });
});

describe('feedSetup', () => {
  it(
    'looks at once, again when the msbserver setting or a start says so, and pushes each change to window and ' +
      'tray',
    async () => {
      const looks: string[] = [];
      const setupListeners: ((state: SetupState) => void)[] = [];
      const statusListeners: ((snapshot: ServerSnapshot) => void)[] = [];
      const settingsListeners: ((settings: Settings) => void)[] = [];
      const sent: [string, unknown][] = [];
      let renders = 0;
      const feed = feedSetup({
        setup: {
          refresh: () => Promise.resolve((looks.push('look'), { kind: 'unknown' })),
          onChange: (listener) => (setupListeners.push(listener), () => setupListeners.splice(0)),
        },
        control: {
          snapshot: () => INITIAL_SNAPSHOT,
          onChange: (listener) => (statusListeners.push(listener), () => statusListeners.splice(0)),
        },
        settings: {
          get: () => DEFAULT_SETTINGS,
          onChange: (listener) => (settingsListeners.push(listener), () => settingsListeners.splice(0)),
        },
        send: (channel, payload) => void sent.push([channel, payload]),
        renderTray: () => void renders++,
      });
      expect(looks).toHaveLength(1);
      settingsListeners[0]?.({ ...DEFAULT_SETTINGS, port: 7000 });
      expect(looks).toHaveLength(1);
      settingsListeners[0]?.({ ...DEFAULT_SETTINGS, msbserverPath: '/opt/msbserver' });
      expect(looks).toHaveLength(2);
      statusListeners[0]?.(failed('not-found'));
      expect(looks).toHaveLength(3);
      const missing: SetupState = { kind: 'missing', locate: { found: false, searched: [], problem: 'p', hint: 'h' } };
      setupListeners[0]?.(missing);
      expect(sent).toEqual([['event:setup', missing]]);
      expect(renders).toBe(1);
      await feed.dispose();
      expect([setupListeners, statusListeners, settingsListeners].map((list) => list.length)).toEqual([0, 0, 0]);
    },
  );
});
