// Outside review of the tray (issue 14): the tray and the window take Restart from the same facts.
import { describe, expect, it } from 'vitest';
import { buildTrayMenu } from '../../../../electron/core/desktop/tray-menu.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { ServerSnapshot } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import type { SetupState } from '../../../../shared/setup.ts';
import { statusView } from '../../../../renderer/src/status-model.ts';

const CLI_SERVER: ServerSnapshot = {
  ...INITIAL_SNAPSHOT,
  state: 'running',
  pid: 4321,
  url: 'http://127.0.0.1:5555',
  devMode: false,
  startedAt: 1_700_000_000_000,
  external: true,
  healthy: true,
};
const MISSING: SetupState = {
  kind: 'missing',
  locate: {
    found: false,
    searched: ['/home/u/.local/bin/msbserver'],
    problem: 'msbserver was not found.',
    hint: '',
    reason: 'missing',
  },
};

describe('review-ui: Restart while no msbserver can be found', () => {
  it('the tray does not offer Restart Server (the stop would succeed and the start fail)', () => {
    const menu = buildTrayMenu({
      snapshot: CLI_SERVER,
      settings: DEFAULT_SETTINGS,
      platform: 'linux',
      startAtLogin: false,
      setup: MISSING,
      now: 0,
    });
    expect(menu.find((item) => item.id === 'stop')?.enabled).toBe(true);
    expect(menu.find((item) => item.id === 'restart')?.enabled).toBe(false);
  });

  it('the window agrees with the tray', () => {
    const view = statusView(CLI_SERVER, 0, { serverSupported: true, setup: MISSING });
    expect(view.canStop).toBe(true);
    expect(view.canRestart).toBe(false);
    expect(view.primary).not.toBe('restart');
  });
});
