// @ts-check
/**
 * The record the recording `electron` keeps: one JSON line per call, construction, event or
 * listener in `$RECORDING_ELECTRON_LOG`, appended synchronously (so it survives a
 * `process.exit` and a test can read it while the main thread is blocked in a sync dialog),
 * each marked with whether the app was ready yet. Shared by every part of the fake.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';

const LOG = process.env['RECORDING_ELECTRON_LOG'];

let seq = 0;

/** Whether the fake app has fired `ready`; flipped only by the test's `ready` command. */
export const readiness = { ready: false };

/**
 * A JSON-safe copy: functions become '[function]', cycles and depth are cut, and objects that
 * know how to describe themselves (`toRecord()`, such as images and menus) do so.
 * @param {unknown} value
 * @param {number} [depth]
 * @returns {unknown}
 */
export function safe(value, depth = 0) {
  if (typeof value === 'function') return '[function]';
  if (value === null || typeof value !== 'object') return value === undefined ? null : value;
  // Deep enough for a tray menu three levels down (Sandboxes ▸ a sandbox ▸ Stop) inside a command's answer.
  if (depth > 10) return '[deep]';
  const describe = /** @type {{ toRecord?: unknown }} */ (value).toRecord;
  // Same depth: the description stands in for the object itself.
  if (typeof describe === 'function') return safe(describe.call(value), depth);
  if (value instanceof Uint8Array) return { bytes: value.byteLength };
  if (Array.isArray(value)) return value.map((item) => safe(item, depth + 1));
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, item] of Object.entries(value)) out[key] = safe(item, depth + 1);
  return out;
}

/**
 * @param {'call' | 'construct' | 'event' | 'listen'} kind
 * @param {string} name
 * @param {unknown} [detail]
 */
export function record(kind, name, detail) {
  seq += 1;
  const entry = { seq, at: Date.now(), kind, name, ready: readiness.ready, detail: safe(detail) };
  if (LOG !== undefined && LOG !== '') fs.appendFileSync(LOG, `${JSON.stringify(entry)}\n`);
}

/**
 * An event object with `preventDefault`, as Electron passes to listeners.
 * @param {Record<string, unknown>} [fields]
 */
export function electronEvent(fields = {}) {
  const event = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

/** An EventEmitter that records which events get listeners. */
export class RecordingEmitter extends EventEmitter {
  /** @param {string} label */
  constructor(label) {
    super();
    this.label = label;
  }

  /** @override @param {string | symbol} event @param {(...args: any[]) => void} listener */
  on(event, listener) {
    record('listen', `${this.label}.on`, { event: String(event) });
    return super.on(event, listener);
  }

  /** @override @param {string | symbol} event @param {(...args: any[]) => void} listener */
  once(event, listener) {
    record('listen', `${this.label}.once`, { event: String(event) });
    return super.once(event, listener);
  }
}

/**
 * A message to the test process that is not the answer to a command (a window was created, a
 * page should load, a message for the page). Dropped when there is no IPC channel.
 * @param {Record<string, unknown>} message
 */
export function tellTest(message) {
  if (typeof process.send === 'function' && process.connected) process.send(message);
}

/**
 * The test's remote control: commands by name (`{ cmd, ...fields }` over the IPC channel), each
 * answering with a value or throwing. electron.js registers the core ones; the parts of the fake
 * (dialogs, protocol) and stand-ins built on it (test/app-harness) add their own.
 * @type {Map<string, (command: Record<string, any>) => unknown>}
 */
export const commands = new Map();

/**
 * @param {string} name
 * @param {(command: Record<string, any>) => unknown} handler
 */
export function addCommand(name, handler) {
  if (commands.has(name)) throw new Error(`recording electron: command ${name} registered twice`);
  commands.set(name, handler);
}
