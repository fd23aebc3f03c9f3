import { describe, expect, it } from 'vitest';
import { isEnvelope, MsbError, unwrapBridge, type MsbBridge } from '../../shared/bridge.ts';
import { CHANNELS, EVENT_METHODS } from '../../shared/contract.ts';

const API_METHOD_NAMES = Object.values(CHANNELS).map((entry) => entry.method);
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';

/** A bridge whose every call answers with `answer(method, payload)`. */
function bridge(
  answer: (method: string, payload: unknown) => unknown,
  events: Record<string, unknown> = {},
): MsbBridge {
  const calls: Record<string, unknown> = {};
  for (const method of API_METHOD_NAMES)
    calls[method] = (payload?: unknown) => Promise.resolve(answer(method, payload));
  for (const method of Object.keys(EVENT_METHODS)) calls[method] = events[method] ?? (() => () => undefined);
  return calls as unknown as MsbBridge;
}

describe('unwrapBridge', () => {
  it('resolves with the value of an ok envelope and passes the payload through', async () => {
    const seen: unknown[] = [];
    const api = unwrapBridge(
      bridge((method, payload) => {
        seen.push([method, payload]);
        return { ok: true, value: method === 'status' ? INITIAL_SNAPSHOT : null };
      }),
    );
    expect(await api.status()).toEqual(INITIAL_SNAPSHOT);
    await api.logTail({ lines: 5 });
    expect(seen).toEqual([
      ['status', undefined],
      ['logTail', { lines: 5 }],
    ]);
  });

  it('throws an MsbError that keeps the code and the field messages', async () => {
    const api = unwrapBridge(
      bridge(() => ({
        ok: false,
        error: { code: 'invalid-input', message: 'Port is out of range.', fields: { port: 'Use 1-65535.' } },
      })),
    );
    const error = await api.setSettings({ port: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsbError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'invalid-input',
      message: 'Port is out of range.',
      fields: { port: 'Use 1-65535.' },
    });
  });

  it('turns an answer that is not an envelope into an internal error', async () => {
    for (const answer of [undefined, null, 'ok', { ok: true }, { ok: 'yes', value: 1 }, { ok: false }]) {
      const api = unwrapBridge(bridge(() => answer));
      await expect(api.status()).rejects.toMatchObject({
        code: 'internal',
        message: 'Unexpected answer on server:status.',
      });
    }
  });

  it('exposes exactly the contract methods and hands event subscriptions to the bridge', () => {
    const listener = (): void => undefined;
    const received: unknown[] = [];
    const api = unwrapBridge(
      bridge(() => ({ ok: true, value: null }), { onStatus: (l: unknown) => (received.push(l), () => undefined) }),
    );
    expect(Object.keys(api).sort()).toEqual([...API_METHOD_NAMES, ...Object.keys(EVENT_METHODS)].sort());
    api.onStatus(listener);
    expect(received).toEqual([listener]);
    expect(Object.isFrozen(api)).toBe(true);
  });
});

describe('isEnvelope', () => {
  it('accepts only the two envelope shapes', () => {
    expect(isEnvelope({ ok: true, value: undefined })).toBe(true);
    expect(isEnvelope({ ok: false, error: { code: 'internal', message: 'x' } })).toBe(true);
    expect(isEnvelope({ ok: true })).toBe(false);
    expect(isEnvelope({ ok: false })).toBe(false);
    expect(isEnvelope([])).toBe(false);
  });
});
