// @ts-check
/**
 * The app harness's `electron` (see driver.ts for the whole picture): the recording electron
 * (test/electron/recording-electron: records everything, tray, dialogs, notifications, clipboard,
 * protocol, the test's commands), whose windows get real pages. It runs inside main's process and
 * only forwards; Chromium lives in the test process:
 *
 *   new BrowserWindow(options)   → `window-created` to the test, which opens a page for it
 *   win.loadURL(url)             → `window-load`; resolves (`did-finish-load`, `ready-to-show`) or
 *                                  rejects (`did-fail-load`) when the test answers `window-loaded`
 *   webContents.send(ch, ...a)   → `contents-send`; the test hands it to the page's ipcRenderer.on
 *   win.destroy()                → `window-closed`; the test closes the page
 *
 * The page's ipcRenderer.invoke and the page's requests to a custom scheme come back as the
 * recording electron's `invoke` and `protocol-request` commands.
 *
 * An unhandled rejection in main is recorded (`process.unhandledRejection`) and printed instead of
 * ending the process, so the test reports it as a problem while the window is still there to see.
 */
import electron, { setWindowHost } from '../electron/recording-electron/electron.js';
import { addCommand, record, safe, tellTest } from '../electron/recording-electron/record.js';

export * from '../electron/recording-electron/electron.js';
export default electron;

let nextLoad = 0;
/**
 * Loads the test has not answered yet.
 * @type {Map<number, { windowId: number, resolve: () => void, reject: (error: Error) => void }>}
 */
const loads = new Map();

setWindowHost({
  created(window) {
    tellTest({
      event: 'window-created',
      windowId: window.id,
      contentsId: window.webContents.id,
      options: safe(window.options),
    });
  },
  load(window, url) {
    const loadId = ++nextLoad;
    return new Promise((resolve, reject) => {
      loads.set(loadId, { windowId: window.id, resolve, reject });
      tellTest({ event: 'window-load', windowId: window.id, contentsId: window.webContents.id, url, loadId });
    });
  },
  send(contents, channel, args) {
    // process.send clones (advanced serialization) and throws on what cannot be cloned, as Electron does.
    tellTest({ event: 'contents-send', contentsId: contents.id, channel, args });
  },
  closed(window) {
    for (const [loadId, load] of loads) {
      if (load.windowId !== window.id) continue;
      loads.delete(loadId);
      load.reject(new Error('ERR_ABORTED (-3) loading: the window was closed'));
    }
    tellTest({ event: 'window-closed', windowId: window.id, contentsId: window.webContents.id });
  },
});

addCommand('window-loaded', (command) => {
  const loadId = Number(command['loadId']);
  const load = loads.get(loadId);
  if (load === undefined) return false;
  loads.delete(loadId);
  const error = command['error'];
  if (typeof error === 'string' && error !== '') load.reject(new Error(error));
  else load.resolve();
  return true;
});

process.on('unhandledRejection', (reason) => {
  const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  record('event', 'process.unhandledRejection', { reason: text });
  console.error('Unhandled rejection in main:', reason);
});
