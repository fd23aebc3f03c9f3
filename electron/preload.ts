/**
 * The sandboxed preload: exposes `window.msb` (typed for the renderer as `MsbApi`), built from the contract's `API_METHODS` and
 * `EVENT_METHODS` and nothing else (no generic invoke, send or on). Built as CommonJS
 * (`out/preload/preload.cjs`) because sandboxed preloads cannot be ES modules.
 *
 * Each method invokes its one channel and unwraps the envelope: `{ ok: true, value }` resolves
 * with the value, `{ ok: false, error }` rejects with an `Error` whose `code` (and `fields`) are
 * set. Note: when that Error crosses the context bridge Electron keeps only its message, so
 * the renderer should not rely on `code` surviving; the message is written for people.
 * Event subscriptions hand the listener the payload only, never the IpcRendererEvent (which
 * would leak `sender`), and return an unsubscribe function.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { API_METHODS, EVENT_METHODS } from '../shared/contract.ts';
import type { Envelope, ErrorCode, IpcError } from '../shared/contract.ts';
import type { FieldErrors } from '../shared/settings-schema.ts';

/** The rejection of a failed call. */
class MsbError extends Error {
  readonly code: ErrorCode;
  readonly fields?: FieldErrors;

  constructor(error: IpcError) {
    super(error.message);
    this.name = 'MsbError';
    this.code = error.code;
    if (error.fields !== undefined) this.fields = error.fields;
  }
}

function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  return value.ok === true ? 'value' in value : value.ok === false && 'error' in value;
}

async function call(channel: string, payload: unknown): Promise<unknown> {
  const answer: unknown = await ipcRenderer.invoke(channel, payload);
  if (!isEnvelope(answer)) {
    throw new MsbError({ code: 'internal', message: `Unexpected answer on ${channel}.` });
  }
  if (answer.ok) return answer.value;
  throw new MsbError(answer.error);
}

function subscribe(channel: string, listener: unknown): () => void {
  if (typeof listener !== 'function') throw new TypeError('A listener function is required.');
  const forward = (_event: IpcRendererEvent, payload: unknown): void => {
    (listener as (payload: unknown) => void)(payload);
  };
  ipcRenderer.on(channel, forward);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    ipcRenderer.removeListener(channel, forward);
  };
}

const api: Record<string, unknown> = {};
for (const [method, channel] of Object.entries(API_METHODS)) {
  // Only the first argument is forwarded; void methods send `undefined`.
  api[method] = (payload?: unknown) => call(channel, payload);
}
for (const [method, channel] of Object.entries(EVENT_METHODS)) {
  api[method] = (listener: unknown) => subscribe(channel, listener);
}

contextBridge.exposeInMainWorld('msb', Object.freeze(api));
