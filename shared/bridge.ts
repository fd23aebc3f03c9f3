/**
 * `window.msb` as preload exposes it answers every call with the envelope itself, because an
 * `Error` thrown across Electron's context bridge arrives with its message only: its `code` and
 * `fields` would be lost. The renderer turns the envelopes back into thrown errors here, on its
 * own side of the bridge, so `code` and `fields` survive.
 */
import { CHANNELS, EVENT_METHODS } from './contract.ts';
import type {
  ApiMethod,
  ChannelOfMethod,
  Envelope,
  ErrorCode,
  EventMap,
  InvokeChannel,
  IpcError,
  MsbApi,
  RequestOf,
  ResponseOf,
} from './contract.ts';
import type { FieldErrors } from './settings-schema.ts';

type BridgeCall<C extends InvokeChannel> =
  RequestOf<C> extends void
    ? () => Promise<Envelope<ResponseOf<C>>>
    : (request: RequestOf<C>) => Promise<Envelope<ResponseOf<C>>>;

/** What preload exposes as `window.msb`. */
export type MsbBridge = { readonly [M in ApiMethod]: BridgeCall<ChannelOfMethod<M>> } & {
  readonly [E in keyof typeof EVENT_METHODS]: (
    listener: (payload: EventMap[(typeof EVENT_METHODS)[E]]) => void,
  ) => () => void;
};

/** A failed call, as the renderer sees it. */
export class MsbError extends Error {
  override name = 'MsbError';
  readonly code: ErrorCode;
  readonly fields: FieldErrors | undefined;

  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.fields = error.fields;
  }
}

export function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  return value.ok === true ? 'value' in value : value.ok === false && 'error' in value;
}

/** The API the renderer codes against: resolves with the value, or throws an `MsbError`. */
export function unwrapBridge(bridge: MsbBridge): MsbApi {
  const api: Record<string, unknown> = {};
  const calls = bridge as unknown as Record<string, (payload?: unknown) => Promise<unknown>>;
  for (const [channel, { method }] of Object.entries(CHANNELS)) {
    api[method] = async (payload?: unknown) => {
      const answer = await calls[method]?.(payload);
      if (!isEnvelope(answer)) throw new MsbError({ code: 'internal', message: `Unexpected answer on ${channel}.` });
      if (answer.ok) return answer.value;
      throw new MsbError(answer.error);
    };
  }
  for (const method of Object.keys(EVENT_METHODS)) api[method] = (bridge as unknown as Record<string, unknown>)[method];
  return Object.freeze(api) as unknown as MsbApi;
}
