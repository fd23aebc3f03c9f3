/**
 * The sandboxed preload: exposes `window.msb` (typed for the renderer as `MsbBridge`), built from the
 * contract's `CHANNELS` and `EVENT_METHODS` and nothing else (no generic invoke, send or on). Built as CommonJS
 * (`out/preload/preload.cjs`) because sandboxed preloads cannot be ES modules.
 *
 * Each method invokes its one channel and resolves with the envelope (`MsbBridge` in
 * shared/bridge.ts): an Error thrown across the context bridge keeps only its message, so the
 * renderer turns a failed envelope into a thrown `MsbError` with `code` and `fields` itself.
 * Event subscriptions hand the listener the payload only, never the IpcRendererEvent (which
 * would leak `sender`), and return an unsubscribe function.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { CHANNELS, EVENT_METHODS } from '../shared/contract.ts';
import type { Envelope } from '../shared/contract.ts';
import { isEnvelope } from '../shared/bridge.ts';

/** Answers with the envelope itself: see shared/bridge.ts for why errors are not thrown here. */
async function call(channel: string, payload: unknown): Promise<Envelope<unknown>> {
  const answer: unknown = await ipcRenderer.invoke(channel, payload);
  if (isEnvelope(answer)) return answer;
  return { ok: false, error: { code: 'internal', message: `Unexpected answer on ${channel}.` } };
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
for (const [channel, { method }] of Object.entries(CHANNELS)) {
  // Only the first argument is forwarded; void methods send `undefined`.
  api[method] = (payload?: unknown) => call(channel, payload);
}
for (const [method, channel] of Object.entries(EVENT_METHODS)) {
  api[method] = (listener: unknown) => subscribe(channel, listener);
}

contextBridge.exposeInMainWorld('msb', Object.freeze(api));
