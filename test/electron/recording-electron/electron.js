// @ts-check
/**
 * A recording stand-in for the `electron` module, for loading the BUILT main process under plain
 * Node (see register.js / hooks.js). It records every call and construction as one JSON line in
 * `$RECORDING_ELECTRON_LOG`, each marked with whether the app was ready yet, and lets the test
 * drive it over the child-process IPC channel (`process.send`): fire `ready`, call a registered
 * `ipcMain.handle` handler as the window or as a stranger, click a tray menu item, try a
 * navigation, ask the permission handlers, make the clipboard stop answering, quit.
 *
 * Environment:
 *   RECORDING_ELECTRON_LOG        the JSON-lines record (appended synchronously)
 *   RECORDING_ELECTRON_USER_DATA  app.getPath('userData')
 *   RECORDING_ELECTRON_LOGS       app.getPath('logs')
 *   RECORDING_ELECTRON_APP_PATH   app.getAppPath()
 *   RECORDING_ELECTRON_LOCK       'held' makes requestSingleInstanceLock() fail (a second instance)
 *   RECORDING_ELECTRON_PLATFORM   pretend to be this `process.platform` (say `darwin`); set when
 *                                 this module loads, before any of main's own code runs
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const LOG = process.env['RECORDING_ELECTRON_LOG'];

// `electron` is an external import of the built main, so this runs before the bundle's first line
// (and before it reads `process.platform`).
const PLATFORM = process.env['RECORDING_ELECTRON_PLATFORM'];
if (PLATFORM !== undefined && PLATFORM !== '') {
  Object.defineProperty(process, 'platform', { value: PLATFORM, configurable: true, enumerable: true, writable: false });
}
let seq = 0;
let isReady = false;

/**
 * A JSON-safe copy: functions become '[function]', cycles and depth are cut.
 * @param {unknown} value
 * @param {number} [depth]
 * @returns {unknown}
 */
function safe(value, depth = 0) {
  if (typeof value === 'function') return '[function]';
  if (value === null || typeof value !== 'object') return value === undefined ? null : value;
  if (depth > 6) return '[deep]';
  if (value instanceof FakeImage) return { image: value.path };
  if (value instanceof FakeMenu) return { menu: safe(value.items, depth + 1) };
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
  const entry = { seq, at: Date.now(), kind, name, ready: isReady, detail: safe(detail) };
  if (LOG !== undefined && LOG !== '') fs.appendFileSync(LOG, `${JSON.stringify(entry)}\n`);
}

/** An event object with `preventDefault`, as Electron passes to listeners. */
function electronEvent(/** @type {Record<string, unknown>} */ fields = {}) {
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
class RecordingEmitter extends EventEmitter {
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

// ---------------------------------------------------------------------------------------------
// app

/** @type {() => void} */
let resolveReady = () => undefined;
const readyPromise = new Promise((resolve) => {
  resolveReady = () => resolve(undefined);
});

const paths = {
  userData: process.env['RECORDING_ELECTRON_USER_DATA'] ?? path.join(os.tmpdir(), 'recording-electron', 'userData'),
  logs: process.env['RECORDING_ELECTRON_LOGS'] ?? path.join(os.tmpdir(), 'recording-electron', 'logs'),
  home: os.homedir(),
  temp: os.tmpdir(),
  appData: path.join(os.tmpdir(), 'recording-electron', 'appData'),
};

class FakeApp extends RecordingEmitter {
  constructor() {
    super('app');
    this.isPackaged = false;
    this.name = 'Microsandbox Tray';
    this.loginItem = { openAtLogin: false };
    this.dock = {
      hide: () => record('call', 'app.dock.hide'),
      show: () => {
        record('call', 'app.dock.show');
        return Promise.resolve();
      },
      setIcon: (/** @type {unknown} */ image) => record('call', 'app.dock.setIcon', { image }),
    };
  }

  requestSingleInstanceLock() {
    const held = process.env['RECORDING_ELECTRON_LOCK'] === 'held';
    record('call', 'app.requestSingleInstanceLock', { granted: !held });
    return !held;
  }

  releaseSingleInstanceLock() {
    record('call', 'app.releaseSingleInstanceLock');
  }

  whenReady() {
    record('call', 'app.whenReady');
    return readyPromise;
  }

  isReady() {
    return isReady;
  }

  /** Like Electron: `before-quit` (preventable), then `will-quit`, then the process ends. */
  quit() {
    record('call', 'app.quit');
    const before = electronEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) {
      record('event', 'app.before-quit.prevented');
      return;
    }
    const will = electronEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    this.emit('quit', electronEvent(), 0);
    finish(0);
  }

  /** @param {number} [code] */
  exit(code = 0) {
    record('call', 'app.exit', { code });
    finish(code);
  }

  /** @param {string} name */
  getPath(name) {
    record('call', 'app.getPath', { name });
    const value = /** @type {Record<string, string>} */ (paths)[name];
    if (value === undefined) throw new Error(`Failed to get '${name}' path`);
    return value;
  }

  /** @param {string} name @param {string} value */
  setPath(name, value) {
    record('call', 'app.setPath', { name, value });
    /** @type {Record<string, string>} */ (paths)[name] = value;
  }

  getAppPath() {
    record('call', 'app.getAppPath');
    return process.env['RECORDING_ELECTRON_APP_PATH'] ?? process.cwd();
  }

  getVersion() {
    return '0.0.0-recording';
  }

  getName() {
    return this.name;
  }

  /** @param {{ openAtLogin?: boolean }} settings */
  setLoginItemSettings(settings) {
    record('call', 'app.setLoginItemSettings', settings);
    this.loginItem = { openAtLogin: settings.openAtLogin === true };
  }

  getLoginItemSettings() {
    record('call', 'app.getLoginItemSettings');
    return { ...this.loginItem, openAsHidden: false, wasOpenedAtLogin: false };
  }

  /** @param {string} id */
  setAppUserModelId(id) {
    record('call', 'app.setAppUserModelId', { id });
  }

  /** @param {{ steal?: boolean }} [options] */
  focus(options) {
    record('call', 'app.focus', options);
  }
}

export const app = new FakeApp();

/** Ends the process after the record is flushed (appendFileSync: it already is). */
function finish(/** @type {number} */ code) {
  record('event', 'process.exit', { code });
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// Images, menus, tray, notifications

class FakeImage {
  /** @param {string} file */
  constructor(file) {
    this.path = file;
    this.template = false;
  }

  isEmpty() {
    return this.path === '' || !fs.existsSync(this.path);
  }

  /** @param {boolean} value */
  setTemplateImage(value) {
    record('call', 'nativeImage.setTemplateImage', { image: this.path, value });
    this.template = value;
  }

  isTemplateImage() {
    return this.template;
  }

  getSize() {
    return { width: 16, height: 16 };
  }
}

export const nativeImage = {
  /** @param {string} file */
  createFromPath(file) {
    record('call', 'nativeImage.createFromPath', { path: file });
    return new FakeImage(file);
  },
  createEmpty() {
    record('call', 'nativeImage.createEmpty');
    return new FakeImage('');
  },
};

class FakeMenu {
  /** @param {any[]} items */
  constructor(items) {
    this.items = items;
  }
}

export const Menu = {
  /** @param {any[]} template */
  buildFromTemplate(template) {
    record('call', 'Menu.buildFromTemplate', { template });
    return new FakeMenu(template);
  },
  /** @param {FakeMenu | null} menu */
  setApplicationMenu(menu) {
    record('call', 'Menu.setApplicationMenu', { menu });
  },
  getApplicationMenu() {
    return null;
  },
};

export class MenuItem {
  /** @param {unknown} options */
  constructor(options) {
    record('construct', 'MenuItem', options);
    Object.assign(this, options);
  }
}

/** @type {Tray[]} */
const trays = [];

export class Tray extends RecordingEmitter {
  /** @param {FakeImage | string} image */
  constructor(image) {
    super('tray');
    record('construct', 'Tray', { image: typeof image === 'string' ? image : image.path });
    this.image = typeof image === 'string' ? image : image.path;
    /** @type {FakeMenu | null} */
    this.menu = null;
    this.tooltip = '';
    this.destroyed = false;
    trays.push(this);
  }

  /** @param {FakeImage | string} image */
  setImage(image) {
    this.image = typeof image === 'string' ? image : image.path;
    record('call', 'tray.setImage', { image: this.image });
  }

  /** @param {string} text */
  setToolTip(text) {
    this.tooltip = text;
    record('call', 'tray.setToolTip', { text });
  }

  /** @param {string} title */
  setTitle(title) {
    record('call', 'tray.setTitle', { title });
  }

  /** @param {FakeMenu | null} menu */
  setContextMenu(menu) {
    this.menu = menu;
    record('call', 'tray.setContextMenu', { menu });
  }

  destroy() {
    this.destroyed = true;
    record('call', 'tray.destroy');
  }

  isDestroyed() {
    return this.destroyed;
  }
}

export class Notification extends RecordingEmitter {
  static isSupported() {
    return true;
  }

  /** @param {{ title?: string, body?: string }} options */
  constructor(options) {
    super('notification');
    record('construct', 'Notification', options);
    this.options = options;
  }

  show() {
    record('call', 'notification.show', this.options);
  }

  close() {
    record('call', 'notification.close');
  }
}

// ---------------------------------------------------------------------------------------------
// Windows and web contents

let nextContentsId = 1;
let nextWindowId = 1;
/** @type {BrowserWindow[]} */
const windows = [];

class WebContents extends RecordingEmitter {
  constructor() {
    super('webContents');
    this.id = nextContentsId++;
    this.url = '';
    this.destroyed = false;
    /** @type {((details: Record<string, unknown>) => unknown) | null} */
    this.windowOpenHandler = null;
    this.session = session.defaultSession;
  }

  get mainFrame() {
    return { url: this.url, routingId: 1, processId: 1 };
  }

  /** @param {string} channel @param {unknown[]} args */
  send(channel, ...args) {
    record('call', 'webContents.send', { id: this.id, channel, args });
  }

  /** @param {(details: Record<string, unknown>) => unknown} handler */
  setWindowOpenHandler(handler) {
    record('call', 'webContents.setWindowOpenHandler', { id: this.id });
    this.windowOpenHandler = handler;
  }

  getURL() {
    return this.url;
  }

  isDestroyed() {
    return this.destroyed;
  }

  openDevTools() {
    record('call', 'webContents.openDevTools');
  }
}

export class BrowserWindow extends RecordingEmitter {
  static getAllWindows() {
    return windows.filter((window) => !window.destroyed);
  }

  static getFocusedWindow() {
    return BrowserWindow.getAllWindows()[0] ?? null;
  }

  /** @param {Record<string, unknown>} [options] */
  constructor(options = {}) {
    super('browserWindow');
    this.id = nextWindowId++;
    record('construct', 'BrowserWindow', { id: this.id, options });
    this.options = options;
    this.destroyed = false;
    this.visible = false;
    this.webContents = new WebContents();
    windows.push(this);
    app.emit('web-contents-created', electronEvent(), this.webContents);
  }

  /** @param {string} url */
  loadURL(url) {
    record('call', 'browserWindow.loadURL', { id: this.id, url });
    this.webContents.url = url;
    setImmediate(() => {
      if (this.destroyed) return;
      this.webContents.emit('did-finish-load');
      this.emit('ready-to-show');
    });
    return Promise.resolve();
  }

  /** @param {string} file */
  loadFile(file) {
    record('call', 'browserWindow.loadFile', { id: this.id, file });
    return this.loadURL(pathToFileURL(path.resolve(file)).href);
  }

  show() {
    this.visible = true;
    record('call', 'browserWindow.show', { id: this.id });
  }

  hide() {
    this.visible = false;
    record('call', 'browserWindow.hide', { id: this.id });
  }

  focus() {
    record('call', 'browserWindow.focus', { id: this.id });
  }

  restore() {
    record('call', 'browserWindow.restore', { id: this.id });
  }

  isMinimized() {
    return false;
  }

  isVisible() {
    return this.visible;
  }

  removeMenu() {
    record('call', 'browserWindow.removeMenu', { id: this.id });
  }

  /** @param {unknown} menu */
  setMenu(menu) {
    record('call', 'browserWindow.setMenu', { id: this.id, menu });
  }

  close() {
    record('call', 'browserWindow.close', { id: this.id });
    if (this.destroyed) return;
    const event = electronEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }

  destroy() {
    if (this.destroyed) return;
    record('call', 'browserWindow.destroy', { id: this.id });
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }

  isDestroyed() {
    return this.destroyed;
  }
}

// ---------------------------------------------------------------------------------------------
// Session, IPC, clipboard, shell and the rest

/** @type {{ headers: Function | null, permissionRequest: Function | null, permissionCheck: Function | null }} */
const sessionHandlers = { headers: null, permissionRequest: null, permissionCheck: null };

const defaultSession = {
  webRequest: {
    /** @param {unknown[]} args */
    onHeadersReceived(...args) {
      record('call', 'session.webRequest.onHeadersReceived', { filter: args.length > 1 ? args[0] : null });
      const listener = args.at(-1);
      sessionHandlers.headers = typeof listener === 'function' ? listener : null;
    },
    /** @param {unknown[]} args */
    onBeforeRequest(...args) {
      record('call', 'session.webRequest.onBeforeRequest', { filter: args.length > 1 ? args[0] : null });
    },
  },
  /** @param {Function | null} handler */
  setPermissionRequestHandler(handler) {
    record('call', 'session.setPermissionRequestHandler');
    sessionHandlers.permissionRequest = handler;
  },
  /** @param {Function | null} handler */
  setPermissionCheckHandler(handler) {
    record('call', 'session.setPermissionCheckHandler');
    sessionHandlers.permissionCheck = handler;
  },
  /** @param {boolean} enabled */
  setSpellCheckerEnabled(enabled) {
    record('call', 'session.setSpellCheckerEnabled', { enabled });
  },
};

export const session = {
  defaultSession,
  /** @param {string} partition */
  fromPartition(partition) {
    record('call', 'session.fromPartition', { partition });
    return defaultSession;
  },
};

/** @type {Map<string, Function>} */
const invokeHandlers = new Map();

class FakeIpcMain extends RecordingEmitter {
  constructor() {
    super('ipcMain');
  }

  /** @param {string} channel @param {Function} handler */
  handle(channel, handler) {
    record('call', 'ipcMain.handle', { channel });
    if (invokeHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    invokeHandlers.set(channel, handler);
  }

  /** @param {string} channel @param {Function} handler */
  handleOnce(channel, handler) {
    record('call', 'ipcMain.handleOnce', { channel });
    invokeHandlers.set(channel, handler);
  }

  /** @param {string} channel */
  removeHandler(channel) {
    record('call', 'ipcMain.removeHandler', { channel });
    invokeHandlers.delete(channel);
  }
}

export const ipcMain = new FakeIpcMain();

let clipboardText = '';
/** Set by the `stall-clipboard` command: from then on reads and writes never finish. */
let clipboardStalled = false;
/** @type {Promise<never>} */
const never = new Promise(() => undefined);
export const clipboard = {
  readText() {
    record('call', 'clipboard.readText', { stalled: clipboardStalled });
    return clipboardStalled ? never : Promise.resolve(clipboardText);
  },
  /** @param {string} text */
  writeText(text) {
    record('call', 'clipboard.writeText', { text, stalled: clipboardStalled });
    if (clipboardStalled) return never;
    clipboardText = text;
    return Promise.resolve();
  },
  clear() {
    record('call', 'clipboard.clear');
    clipboardText = '';
  },
};

export const shell = {
  /** @param {string} file */
  openPath(file) {
    record('call', 'shell.openPath', { path: file });
    return Promise.resolve('');
  },
  /** @param {string} file */
  showItemInFolder(file) {
    record('call', 'shell.showItemInFolder', { path: file });
  },
  /** @param {string} url */
  openExternal(url) {
    record('call', 'shell.openExternal', { url });
    return Promise.resolve();
  },
};

export const dialog = {
  /** @param {string} title @param {string} content */
  showErrorBox(title, content) {
    record('call', 'dialog.showErrorBox', { title, content });
  },
  /** @param {unknown[]} args */
  showMessageBox(...args) {
    record('call', 'dialog.showMessageBox', { args });
    return Promise.resolve({ response: 0, checkboxChecked: false });
  },
};

class FakeNativeTheme extends RecordingEmitter {
  constructor() {
    super('nativeTheme');
    this.shouldUseDarkColors = false;
    this.themeSource = 'system';
  }
}
export const nativeTheme = new FakeNativeTheme();

class FakeScreen extends RecordingEmitter {
  constructor() {
    super('screen');
  }

  getPrimaryDisplay() {
    record('call', 'screen.getPrimaryDisplay');
    const bounds = { x: 0, y: 0, width: 1280, height: 800 };
    return { id: 1, bounds, workArea: bounds, scaleFactor: 1 };
  }

  getCursorScreenPoint() {
    record('call', 'screen.getCursorScreenPoint');
    return { x: 0, y: 0 };
  }
}
export const screen = new FakeScreen();

class FakePowerMonitor extends RecordingEmitter {
  constructor() {
    super('powerMonitor');
  }
}
export const powerMonitor = new FakePowerMonitor();

/** Renderer-side modules exist in `electron` too; main has no business using them. */
export const contextBridge = {
  exposeInMainWorld() {
    record('call', 'contextBridge.exposeInMainWorld');
  },
};
export const ipcRenderer = new RecordingEmitter('ipcRenderer');

const electron = {
  app,
  BrowserWindow,
  Menu,
  MenuItem,
  Notification,
  Tray,
  clipboard,
  contextBridge,
  dialog,
  ipcMain,
  ipcRenderer,
  nativeImage,
  nativeTheme,
  powerMonitor,
  screen,
  session,
  shell,
};
export default electron;

// ---------------------------------------------------------------------------------------------
// The test's remote control

/** @returns {BrowserWindow | undefined} */
function currentWindow() {
  return windows.filter((window) => !window.destroyed).at(-1);
}

/**
 * @param {any[]} items
 * @param {string} id
 * @returns {any}
 */
function findMenuItem(items, id) {
  for (const item of items) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const found = findMenuItem(item.submenu, id);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * One command from the test; the answer is sent back with the same `messageId`.
 * @param {Record<string, any>} command
 * @returns {Promise<unknown>}
 */
async function run(command) {
  switch (command['cmd']) {
    case 'ready':
      if (isReady) return false;
      isReady = true;
      record('event', 'app.ready');
      app.emit('ready', electronEvent(), {});
      resolveReady();
      return true;
    case 'emit-app': {
      const event = electronEvent();
      app.emit(command['event'], event, ...(command['args'] ?? []));
      return { prevented: event.defaultPrevented };
    }
    case 'quit':
      app.quit();
      return true;
    case 'invoke': {
      const handler = invokeHandlers.get(command['channel']);
      if (handler === undefined) throw new Error(`no handler for ${command['channel']}`);
      const window = currentWindow();
      const id = command['senderId'] ?? window?.webContents.id ?? -1;
      const url = command['senderUrl'] ?? window?.webContents.url ?? '';
      const event = { sender: { id }, senderFrame: { url }, processId: 1, frameId: 1 };
      return await handler(event, ...(command['args'] ?? []));
    }
    case 'tray-click': {
      const tray = trays.filter((t) => !t.destroyed).at(-1);
      if (tray?.menu == null) throw new Error('no tray menu');
      const item = findMenuItem(tray.menu.items, command['id']);
      if (item === undefined || typeof item.click !== 'function') throw new Error(`no clickable tray item ${command['id']}`);
      item.click(item, undefined, {});
      return true;
    }
    case 'tray-event': {
      const tray = trays.filter((t) => !t.destroyed).at(-1);
      tray?.emit(command['event'], electronEvent());
      return tray !== undefined;
    }
    case 'contents-event': {
      const window = currentWindow();
      if (window === undefined) throw new Error('no window');
      const event = electronEvent({ url: command['url'] });
      window.webContents.emit(command['event'], event, command['url']);
      return { prevented: event.defaultPrevented };
    }
    case 'window-open': {
      const handler = currentWindow()?.webContents.windowOpenHandler;
      if (handler == null) throw new Error('no window open handler');
      return handler({ url: command['url'], frameName: '', features: '', disposition: 'new-window' });
    }
    case 'close-window':
      currentWindow()?.close();
      return true;
    case 'stall-clipboard':
      clipboardStalled = true;
      return true;
    case 'permission-request': {
      const handler = sessionHandlers.permissionRequest;
      if (handler === null) throw new Error('no permission request handler');
      return await new Promise((resolve) => {
        handler(currentWindow()?.webContents ?? null, command['permission'], resolve, {});
      });
    }
    case 'permission-check': {
      const handler = sessionHandlers.permissionCheck;
      if (handler === null) throw new Error('no permission check handler');
      return handler(currentWindow()?.webContents ?? null, command['permission'], 'file://', {});
    }
    case 'headers': {
      const handler = sessionHandlers.headers;
      if (handler === null) throw new Error('no headers handler');
      return await new Promise((resolve) => {
        handler({ url: command['url'], responseHeaders: command['headers'] ?? {} }, resolve);
      });
    }
    case 'state': {
      const window = currentWindow();
      const tray = trays.filter((t) => !t.destroyed).at(-1);
      return {
        ready: isReady,
        window: window === undefined ? null : { id: window.id, contentsId: window.webContents.id, url: window.webContents.url },
        tray: tray === undefined ? null : { image: tray.image, tooltip: tray.tooltip },
        clipboard: clipboardText,
        channels: [...invokeHandlers.keys()],
      };
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(command['cmd'])}`);
  }
}

if (typeof process.send === 'function') {
  process.on('message', (/** @type {Record<string, any>} */ message) => {
    const reply = (/** @type {Record<string, unknown>} */ answer) => process.send?.({ ...answer, messageId: message['messageId'] });
    run(message).then(
      (value) => reply({ ok: true, value: safe(value) }),
      (error) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // Like Electron, the fake keeps running until the app quits; an orphaned one ends itself.
  process.on('disconnect', () => finish(0));
}
