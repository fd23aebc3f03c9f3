import { describe, expect, it } from 'vitest';
import { effectiveServerUrl, serverUrlFromSettings } from '../../shared/server-url.ts';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';

const running: ServerSnapshot = {
  ...INITIAL_SNAPSHOT,
  state: 'running',
  pid: 1234,
  url: 'http://127.0.0.1:5555',
  devMode: false,
  startedAt: 1,
  healthy: true,
};

describe('server URLs', () => {
  it('come from the settings, IPv6 in brackets, and from the running server while there is one', () => {
    expect(serverUrlFromSettings({ host: '127.0.0.1', port: 5555 })).toBe('http://127.0.0.1:5555');
    expect(serverUrlFromSettings({ host: 'fe80::1', port: 1 })).toBe('http://[fe80::1]:1');
    expect(effectiveServerUrl(running, { host: '0.0.0.0', port: 1 })).toBe('http://127.0.0.1:5555');
    expect(effectiveServerUrl(INITIAL_SNAPSHOT, { host: '0.0.0.0', port: 1 })).toBe('http://0.0.0.0:1');
  });

  it('offer the settings, not a failed server’s old URL, and the defaults without settings', () => {
    const failedThere: ServerSnapshot = { ...INITIAL_SNAPSHOT, state: 'failed', url: 'http://127.0.0.1:7000' };
    expect(effectiveServerUrl(failedThere, { host: '127.0.0.1', port: 5555 })).toBe('http://127.0.0.1:5555');
    const starting: ServerSnapshot = { ...INITIAL_SNAPSHOT, state: 'starting', url: 'http://[::1]:7000' };
    expect(effectiveServerUrl(starting, { host: '127.0.0.1', port: 5555 })).toBe('http://[::1]:7000');
    expect(effectiveServerUrl(INITIAL_SNAPSHOT, null)).toBe('http://127.0.0.1:5555');
  });
});
