import { describe, expect, it } from 'vitest';
import { API_METHODS, CHANNEL_ERROR_CODE, INVOKE_CHANNELS } from '../../shared/contract.ts';

describe('the contract', () => {
  it('names the error code of an unexpected failure for every channel, and for no other', () => {
    expect(Object.keys(CHANNEL_ERROR_CODE).sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(new Set(Object.values(CHANNEL_ERROR_CODE))).toEqual(new Set(['server-error', 'internal']));
  });

  it('says the server failed only for the channels that drive or read the server', () => {
    const serverChannels = INVOKE_CHANNELS.filter((channel) => CHANNEL_ERROR_CODE[channel] === 'server-error');
    expect(serverChannels).toContain(API_METHODS.start);
    expect(serverChannels).toContain(API_METHODS.logTail);
    expect(serverChannels).not.toContain(API_METHODS.listSandboxes);
    expect(serverChannels).not.toContain(API_METHODS.mintKey);
  });
});
