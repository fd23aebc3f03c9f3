/**
 * The BUILT preload (`out/…/preload/preload.cjs`, CommonJS that `require('electron')`) as a page
 * init script: its source is wrapped in a function that gets a sandboxed-preload `require` whose
 * `electron` has
 *
 * - `contextBridge.exposeInMainWorld(name, api)`: defines `window[name]` (read-only), as the
 *   renderer sees it in Electron;
 * - `ipcRenderer`: `invoke` / `send` go to a Playwright binding (the test process, then main's
 *   `ipcMain` handlers); `on` / `once` / `removeListener` / `off` / `removeAllListeners` keep the
 *   listeners that main's `webContents.send` reaches (delivered by the test through the port below).
 *
 * The binding is taken off `window` before any page script runs. What the test needs in the page
 * sits on one non-enumerable property with a per-launch random name (the "port"): `deliver` (a
 * message from main to this frame's listeners), `answer` (main's reply to one of the frame's
 * invokes; the test sends both through one queue per web contents, in main's order) and `invoke`
 * (a raw invoke, for a test that plays a compromised frame). Unlike Electron's isolated world, a
 * page script that goes looking could find them: the harness tests the app's wiring, not context
 * isolation (the real `_electron` suite checks that the page sees no `require` or `process`).
 *
 * As in Electron, the preload runs in the main frame only, unless the window's webPreferences
 * set `nodeIntegrationInSubFrames`; the port is in every frame.
 */

export interface PreloadShimOptions {
  /** The preload's CommonJS source. */
  readonly source: string;
  /** Its path, for error messages and stack traces. */
  readonly file: string;
  /** The Playwright binding that carries ipcRenderer messages to the test. */
  readonly binding: string;
  /** The hidden property the test uses to reach the frame (deliver, raw invoke). */
  readonly port: string;
  readonly subFrames: boolean;
  /** `process.platform` as the preload should see it. */
  readonly platform: string;
}

/** Message from a frame to the test process, through the binding. */
export type ShimMessage =
  | { readonly type: 'invoke'; readonly id: string; readonly channel: string; readonly args: readonly unknown[] }
  | { readonly type: 'send'; readonly channel: string; readonly args: readonly unknown[] };

/** The test's answer to an invoke. */
export type ShimAnswer =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/**
 * What the binding returns for an invoke: null when main's answer comes down the frame's pipe
 * (`ShimPort.answer`), in its place among main's sends; an answer only when there is none to
 * wait for (the page is no web contents of the app).
 */
export type ShimBindingResult = ShimAnswer | null;

/** The hidden per-frame port, as the test calls it through `frame.evaluate`. */
export interface ShimPort {
  deliver(channel: string, args: readonly unknown[]): number;
  /**
   * Main's reply to the invoke `id` of this document; false when none waits. Ids are unique per
   * document: a reply to a document the frame has since left finds nothing here.
   */
  answer(id: string, answer: ShimAnswer): boolean;
  invoke(channel: string, args: readonly unknown[]): Promise<ShimAnswer>;
}

export function preloadInitScript(options: PreloadShimOptions): string {
  const settings = JSON.stringify({
    binding: options.binding,
    port: options.port,
    subFrames: options.subFrames,
    platform: options.platform,
    file: options.file,
  });
  // Plain JavaScript text: nothing of the test's module system reaches the page. The preload's
  // source goes in verbatim (no eval: the page's CSP forbids it, and an init script needs none).
  return `(() => {
  const settings = ${settings};
  const call = window[settings.binding];
  if (typeof call !== 'function') return;
  delete window[settings.binding];

  const listeners = new Map();
  const listFor = (channel) => {
    let list = listeners.get(channel);
    if (list === undefined) { list = []; listeners.set(channel, list); }
    return list;
  };
  // An invoke waits for main's reply on the port (answer), delivered in order with main's sends,
  // as Electron's one pipe per frame carries both; the binding's own result only says whether
  // that reply will come.
  const waiting = new Map();
  // Ids of this document only: a Frame outlives navigations, and a late reply to the document
  // before must not answer an invoke of this one (Electron drops it).
  const documentKey = Math.random().toString(36).slice(2);
  let lastInvoke = 0;
  const invoke = (channel, args) =>
    new Promise((resolve) => {
      const id = documentKey + ':' + String(++lastInvoke);
      waiting.set(id, resolve);
      call({ type: 'invoke', id, channel, args }).then(
        (early) => {
          if (early !== null && waiting.delete(id)) resolve(early);
        },
        (error) => {
          if (waiting.delete(id)) resolve({ ok: false, error: String(error) });
        },
      );
    });
  const ipcRenderer = {
    invoke(channel, ...args) {
      return invoke(channel, args).then((answer) => {
        if (answer.ok) return answer.value;
        throw new Error("Error invoking remote method '" + channel + "': " + answer.error);
      });
    },
    send(channel, ...args) {
      void call({ type: 'send', channel, args });
    },
    sendSync() {
      throw new Error('ipcRenderer.sendSync is not supported by the app harness');
    },
    on(channel, listener) {
      listFor(channel).push({ listener, once: false });
      return ipcRenderer;
    },
    once(channel, listener) {
      listFor(channel).push({ listener, once: true });
      return ipcRenderer;
    },
    removeListener(channel, listener) {
      const list = listeners.get(channel) ?? [];
      const index = list.findIndex((entry) => entry.listener === listener);
      if (index >= 0) list.splice(index, 1);
      return ipcRenderer;
    },
    removeAllListeners(channel) {
      if (channel === undefined) listeners.clear();
      else listeners.delete(channel);
      return ipcRenderer;
    },
    listenerCount(channel) {
      return (listeners.get(channel) ?? []).length;
    },
  };
  ipcRenderer.addListener = ipcRenderer.on;
  ipcRenderer.off = ipcRenderer.removeListener;

  const port = {
    deliver(channel, args) {
      const list = [...(listeners.get(channel) ?? [])];
      const event = { sender: ipcRenderer, senderId: 0, ports: [] };
      for (const entry of list) {
        if (entry.once) ipcRenderer.removeListener(channel, entry.listener);
        entry.listener(event, ...args);
      }
      return list.length;
    },
    answer(id, answer) {
      const resolve = waiting.get(id);
      if (resolve === undefined) return false;
      waiting.delete(id);
      resolve(answer);
      return true;
    },
    invoke(channel, args) {
      return invoke(channel, args);
    },
  };
  Object.defineProperty(window, settings.port, {
    value: Object.freeze(port),
    enumerable: false,
    configurable: false,
    writable: false,
  });

  if (window !== window.top && !settings.subFrames) return;

  const contextBridge = {
    exposeInMainWorld(key, api) {
      if (Object.prototype.hasOwnProperty.call(window, key)) {
        throw new Error('Cannot bind an API on top of an existing property on the window object');
      }
      Object.defineProperty(window, key, { value: api, enumerable: true, configurable: false, writable: false });
    },
  };
  const electron = Object.freeze({ contextBridge, ipcRenderer });
  const require = (id) => {
    if (id === 'electron' || id === 'electron/renderer') return electron;
    throw new Error(
      "module not found: " + id +
        " (a sandboxed preload can require only electron and a few built-ins; the harness has electron only)",
    );
  };
  const module = { exports: {} };
  const process = Object.freeze({
    platform: settings.platform,
    type: 'renderer',
    sandboxed: true,
    contextIsolated: true,
    env: {},
    versions: {},
    argv: [],
  });
  try {
    (function (require, module, exports, process, __filename, __dirname) {
${options.source}
    }).call(module.exports, require, module, module.exports, process, settings.file, '');
  } catch (error) {
    console.error(
      'Unable to load preload script: ' + settings.file + '\\n' + (error && error.stack ? error.stack : String(error)),
    );
  }
})();
//# sourceURL=${encodeURI(`app-harness-preload:${options.file}`)}
`;
}
