import { describe, expect, it } from 'vitest';
import { msbserverMcpUrl } from '../../../../electron/core/connect/entries.ts';

describe('msbserverMcpUrl', () => {
  it('appends /mcp to the server URL', () => {
    expect(msbserverMcpUrl('http://127.0.0.1:5555')).toBe('http://127.0.0.1:5555/mcp');
    expect(msbserverMcpUrl('http://192.168.1.5:6000/')).toBe('http://192.168.1.5:6000/mcp');
  });

  it('reaches a server listening on every address through loopback', () => {
    expect(msbserverMcpUrl('http://0.0.0.0:5555')).toBe('http://127.0.0.1:5555/mcp');
    expect(msbserverMcpUrl('http://[::]:5555')).toBe('http://[::1]:5555/mcp');
  });
});
