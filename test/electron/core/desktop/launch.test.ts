import { describe, expect, it } from 'vitest';
import { shouldStartOnLaunch } from '../../../../electron/core/desktop/launch.ts';
import type { ServerState } from '../../../../shared/server-status.ts';

describe('shouldStartOnLaunch', () => {
  it.each<[boolean, ServerState, NodeJS.Platform, boolean]>([
    [true, 'stopped', 'linux', true],
    [true, 'failed', 'darwin', true],
    [true, 'running', 'linux', false],
    [true, 'starting', 'linux', false],
    [true, 'stopped', 'win32', false],
    [false, 'stopped', 'linux', false],
  ])('setting %s, %s on %s: %s', (startServerOnLaunch, state, platform, expected) => {
    expect(shouldStartOnLaunch({ startServerOnLaunch }, { state }, platform)).toBe(expected);
  });
});
