import { describe, expect, it } from 'vitest';
import { CHANNELS, INVOKE_CHANNELS, isInvokeChannel } from '../../shared/contract.ts';

describe('the contract', () => {
  it('has one entry per channel, with the error code of an unexpected failure', () => {
    expect(Object.keys(CHANNELS)).toEqual(INVOKE_CHANNELS);
    expect(new Set(Object.values(CHANNELS).map((entry) => entry.errorCode))).toEqual(
      new Set(['server-error', 'internal']),
    );
  });

  it('gives every channel a window.msb method of its own', () => {
    const methods = Object.values(CHANNELS).map((entry) => entry.method);
    expect(new Set(methods).size).toBe(methods.length);
    for (const method of methods) expect(method).toMatch(/^[a-z][A-Za-z]*$/);
  });

  it('says the server failed only for the channels that drive or read the server', () => {
    const serverChannels = INVOKE_CHANNELS.filter((channel) => CHANNELS[channel].errorCode === 'server-error');
    expect(serverChannels).toContain('server:start');
    expect(serverChannels).toContain('logs:tail');
    expect(serverChannels).not.toContain('sandboxes:list');
    expect(serverChannels).not.toContain('keys:mint');
  });

  it('knows its own channels and nothing else', () => {
    for (const channel of INVOKE_CHANNELS) expect(isInvokeChannel(channel), channel).toBe(true);
    for (const other of ['server:nope', 'status', 'event:status', '__proto__', 'toString', 42, null])
      expect(isInvokeChannel(other), String(other)).toBe(false);
  });
});
