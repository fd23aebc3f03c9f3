// @ts-check
/**
 * A recording stand-in for the `electron` module, for loading the BUILT main process under plain
 * Node (see register.js / hooks.js). It records every call and construction as one JSON line in
 * `$RECORDING_ELECTRON_LOG` (record.js), each marked with whether the app was ready yet, and lets
 * the test drive it over the child-process IPC channel (`process.send`, advanced serialization so
 * IPC payloads are structured clones as in Electron): fire `ready`, call a registered
 * `ipcMain.handle` handler as the window or as a stranger, click a tray menu item (by id or
 * label, also in submenus; never a disabled one), answer a dialog (dialogs.js), request a page
 * from a custom scheme (protocol.js), try a navigation, ask the permission handlers, make the
 * clipboard stop answering, quit.
 *
 * Windows have no page of their own: `loadURL` "finishes" on the next tick. A stand-in that
 * gives them one (test/app-harness) installs a window host with `setWindowHost`.
 *
 * Environment:
 *   RECORDING_ELECTRON_LOG        the JSON-lines record (appended synchronously)
 *   RECORDING_ELECTRON_USER_DATA  app.getPath('userData')
 *   RECORDING_ELECTRON_LOGS       app.getPath('logs')
 *   RECORDING_ELECTRON_APP_PATH   app.getAppPath()
 *   RECORDING_ELECTRON_LOCK       'held' makes requestSingleInstanceLock() fail (a second instance)
 *   RECORDING_ELECTRON_PLATFORM   pretend to be this `process.platform` (say `darwin`); set when
 *                                 this module loads, before any of main's own code runs
 *   RECORDING_ELECTRON_DIALOG_DIR where the test writes answers to sync dialogs (dialogs.js)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dialog } from './dialogs.js';
import { net, protocol } from './protocol.js';
import { RecordingEmitter, commands, electronEvent, readiness, record, safe } from './record.js';

export { dialog, net, protocol, record };

// `electron` is an external import of the built main, so this runs before the bundle's first line
// (and before it reads `process.platform`).
const PLATFORM = process.env['RECORDING_ELECTRON_PLATFORM'];
if (PLATFORM !== undefined && PLATFORM !== '') {
  Object.defineProperty(process, 'platform', {
    value: PLATFORM,
    configurable: true,
    enumerable: true,
    writable: false,
  });
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
    return readiness.ready;
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
    return {
      ...this.loginItem,
      openAsHidden: false,
      wasOpenedAtLogin: false,
      status: /** @type {'not-registered'} */ ('not-registered'),
      executableWillLaunchAtLogin: false,
      launchItems: [],
    };
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

  toRecord() {
    return { image: this.path };
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

/** A built menu; an emitter, as Electron's is (macOS tray menus say `menu-will-show`). */
class FakeMenu extends RecordingEmitter {
  /** @param {any[]} items */
  constructor(items) {
    super('menu');
    this.items = items;
  }

  toRecord() {
    return { menu: this.items };
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

let nextNotificationId = 1;
/** @type {Map<number, Notification>} */
const notifications = new Map();

export class Notification extends RecordingEmitter {
  static isSupported() {
    return true;
  }

  /** @param {{ title?: string, body?: string }} [options] */
  constructor(options = {}) {
    super('notification');
    record('construct', 'Notification', options);
    this.options = options;
    this.id = nextNotificationId++;
    notifications.set(this.id, this);
  }

  show() {
    // The id lets a test click exactly this one (`notification-click`).
    record('call', 'notification.show', { ...this.options, id: this.id });
  }

  close() {
    record('call', 'notification.close', { id: this.id });
  }
}

// ---------------------------------------------------------------------------------------------
// Windows and web contents

/**
 * What gives windows a page (test/app-harness does, with Chromium). Without one a window has
 * none and every load "finishes" on the next tick.
 * @typedef {object} WindowHost
 * @property {(window: BrowserWindow) => void} created  the window and its contents exist
 * @property {(window: BrowserWindow, url: string) => Promise<void>} load  resolves once the page has loaded
 * @property {(contents: WebContents, channel: string, args: unknown[]) => void} send  `webContents.send`
 * @property {(window: BrowserWindow) => void} closed  the window is destroyed
 */

/** @type {WindowHost | null} */
let windowHost = null;

/** @param {WindowHost} host */
export function setWindowHost(host) {
  windowHost = host;
}

let nextContentsId = 1;
let nextWindowId = 1;
/** @type {BrowserWindow[]} */
const windows = [];
/** Every web contents by id, windows' and stray ones (`create-contents`). @type {Map<number, WebContents>} */
const allContents = new Map();

/**
 * Electron's WebFrameMain, as far as IPC events show it: one object per frame, so a handler
 * can check `event.senderFrame === event.sender.mainFrame`.
 */
export class WebFrameMain {
  /**
   * @param {WebContents} contents
   * @param {WebFrameMain | null} parent
   * @param {number} routingId
   */
  constructor(contents, parent, routingId) {
    this.contents = contents;
    this.parent = parent;
    this.routingId = routingId;
    this.frameTreeNodeId = routingId;
    this.processId = 1;
    this.osProcessId = process.pid;
    this.name = '';
    this.detached = false;
    this.frameUrl = '';
  }

  /** @returns {WebFrameMain} */
  get top() {
    return this.parent === null ? this : this.parent.top;
  }

  get url() {
    return this.parent === null ? this.contents.url : this.frameUrl;
  }

  get origin() {
    try {
      return new URL(this.url).origin;
    } catch {
      // not a URL: an opaque origin, as Electron reports it
      return 'null';
    }
  }

  toRecord() {
    return { url: this.url, routingId: this.routingId, main: this.parent === null };
  }
}

export class WebContents extends RecordingEmitter {
  constructor() {
    super('webContents');
    this.id = nextContentsId++;
    this.url = '';
    this.destroyed = false;
    /** @type {((details: import('electron').HandlerDetails) => unknown) | null} */
    this.windowOpenHandler = null;
    this.session = session.defaultSession;
    this.mainFrame = new WebFrameMain(this, null, 1);
    /** Sub frames by the key the test gave them. @type {Map<string, WebFrameMain>} */
    this.subFrames = new Map();
    allContents.set(this.id, this);
  }

  /**
   * The frame object for a frame of this contents' page: the main frame, or one sub frame per key.
   * @param {string} key
   * @param {string} url
   * @param {string} [name]
   */
  frame(key, url, name = '') {
    if (key === 'main') return this.mainFrame;
    let frame = this.subFrames.get(key);
    if (frame === undefined) {
      frame = new WebFrameMain(this, this.mainFrame, this.subFrames.size + 2);
      this.subFrames.set(key, frame);
    }
    frame.frameUrl = url;
    frame.name = name;
    return frame;
  }

  /** @param {string} channel @param {unknown[]} args */
  send(channel, ...args) {
    record('call', 'webContents.send', { id: this.id, channel, args });
    if (this.destroyed) throw new Error('Object has been destroyed');
    windowHost?.send(this, channel, args);
  }

  /** @param {(details: import('electron').HandlerDetails) => unknown} handler */
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

  toRecord() {
    return { webContents: this.id };
  }
}

export class BrowserWindow extends RecordingEmitter {
  static getAllWindows() {
    return windows.filter((window) => !window.destroyed);
  }

  static getFocusedWindow() {
    return BrowserWindow.getAllWindows()[0] ?? null;
  }

  /** @param {object} [options] */
  constructor(options = {}) {
    super('browserWindow');
    this.id = nextWindowId++;
    record('construct', 'BrowserWindow', { id: this.id, options });
    this.options = options;
    this.destroyed = false;
    this.visible = false;
    this.readyShown = false;
    this.webContents = new WebContents();
    windows.push(this);
    windowHost?.created(this);
    app.emit('web-contents-created', electronEvent(), this.webContents);
  }

  /** @param {string} url */
  loadURL(url) {
    record('call', 'browserWindow.loadURL', { id: this.id, url });
    this.webContents.url = url;
    if (windowHost === null) {
      setImmediate(() => this.#loaded());
      return Promise.resolve();
    }
    return windowHost.load(this, url).then(
      () => this.#loaded(),
      (/** @type {unknown} */ error) => {
        const description = error instanceof Error ? error.message : String(error);
        record('event', 'webContents.did-fail-load', { id: this.webContents.id, url, description });
        if (!this.destroyed) this.webContents.emit('did-fail-load', electronEvent(), -2, description, url, true);
        throw error instanceof Error ? error : new Error(description);
      },
    );
  }

  /** As Electron: `did-finish-load`, and `ready-to-show` the first time the page is there. */
  #loaded() {
    if (this.destroyed) return;
    this.webContents.emit('did-finish-load');
    if (!this.readyShown) {
      this.readyShown = true;
      this.emit('ready-to-show');
    }
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
    allContents.delete(this.webContents.id);
    windowHost?.closed(this);
    this.emit('closed');
  }

  isDestroyed() {
    return this.destroyed;
  }

  toRecord() {
    return { browserWindow: this.id };
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
  protocol,
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

class FakeNativeTheme extends RecordingEmitter {
  constructor() {
    super('nativeTheme');
    this.shouldUseDarkColors = false;
    /** @type {import('electron').NativeTheme['themeSource']} */
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
  net,
  powerMonitor,
  protocol,
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

/** @returns {Tray | undefined} */
function currentTray() {
  return trays.filter((tray) => !tray.destroyed).at(-1);
}

/**
 * The menu item a user would click for `key`: the item with that id anywhere in the menu, else
 * the one with that label; with whether it (or a submenu it sits in) is disabled.
 * @param {any[]} items
 * @param {string} key
 * @returns {{ item: any, enabled: boolean } | undefined}
 */
function findMenuItem(items, key) {
  /**
   * @param {any[]} list
   * @param {(item: any) => boolean} test
   * @param {boolean} enabled
   * @returns {{ item: any, enabled: boolean } | undefined}
   */
  const search = (list, test, enabled) => {
    for (const item of list) {
      const here = enabled && item.enabled !== false;
      if (test(item)) return { item, enabled: here };
      if (Array.isArray(item.submenu)) {
        const found = search(item.submenu, test, here);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return search(items, (item) => item.id === key, true) ?? search(items, (item) => item.label === key, true);
}

/**
 * The sender of an IPC message, as Electron hands it to handlers: the web contents the test names
 * (`contentsId`, and the sending frame's `frame: { key, url, name }`), else the current window's
 * main frame. `senderId` / `senderUrl` override it with a sender no real window has (a stranger).
 * @param {Record<string, any>} command
 */
function senderOf(command) {
  const named = command['contentsId'] === undefined ? undefined : allContents.get(Number(command['contentsId']));
  if (command['contentsId'] !== undefined && named === undefined)
    throw new Error(`no web contents ${command['contentsId']}`);
  const contents = named ?? currentWindow()?.webContents;
  /** @type {{ key?: string, url?: string, name?: string }} */
  const frameInfo = command['frame'] ?? {};
  if (contents !== undefined && typeof command['mainFrameUrl'] === 'string') contents.url = command['mainFrameUrl'];
  const overridden = command['senderId'] !== undefined || command['senderUrl'] !== undefined;
  if (contents === undefined || overridden) {
    const id = command['senderId'] ?? contents?.id ?? -1;
    const url = command['senderUrl'] ?? contents?.url ?? '';
    const frame = { url, routingId: 1, processId: 1, parent: null, top: null };
    return { sender: { id, mainFrame: frame, isDestroyed: () => false }, senderFrame: frame };
  }
  const senderFrame = contents.frame(frameInfo.key ?? 'main', frameInfo.url ?? contents.url, frameInfo.name);
  return { sender: contents, senderFrame };
}

/** Answers that are IPC payloads go back as they are (structured clone); others as records. */
const RAW_ANSWERS = new Set(['invoke', 'protocol-request']);

/**
 * One command from the test; the answer is sent back with the same `messageId`.
 * @param {Record<string, any>} command
 * @returns {Promise<unknown>}
 */
async function run(command) {
  switch (command['cmd']) {
    case 'ready':
      if (readiness.ready) return false;
      readiness.ready = true;
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
      const { sender, senderFrame } = senderOf(command);
      const handler = invokeHandlers.get(command['channel']);
      // Electron's own words, so a test reads what a renderer would.
      if (handler === undefined) throw new Error(`No handler registered for '${command['channel']}'`);
      const event = {
        type: 'frame',
        sender,
        senderFrame,
        frameId: senderFrame.routingId,
        processId: senderFrame.processId,
      };
      return await handler(event, ...(command['args'] ?? []));
    }
    case 'ipc-send': {
      // ipcRenderer.send: to ipcMain.on listeners, with an event that can reply.
      const { sender, senderFrame } = senderOf(command);
      const event = {
        type: 'frame',
        sender,
        senderFrame,
        frameId: senderFrame.routingId,
        processId: senderFrame.processId,
        returnValue: undefined,
        /** @param {string} channel @param {unknown[]} args */
        reply: (channel, ...args) => /** @type {WebContents} */ (sender).send?.(channel, ...args),
      };
      return ipcMain.emit(command['channel'], event, ...(command['args'] ?? []));
    }
    case 'create-contents': {
      // A web contents no window of main's owns (a page main never opened), announced as Electron does.
      const contents = new WebContents();
      contents.url = String(command['url'] ?? '');
      record('construct', 'webContents.stray', { id: contents.id, url: contents.url });
      app.emit('web-contents-created', electronEvent(), contents);
      return { contentsId: contents.id };
    }
    case 'tray-click': {
      const tray = currentTray();
      if (tray?.menu == null) throw new Error('no tray menu');
      const key = String(command['item'] ?? command['id']);
      const found = findMenuItem(tray.menu.items, key);
      if (found === undefined) throw new Error(`no tray item with the id or label ${JSON.stringify(key)}`);
      const { item } = found;
      // A user cannot click a disabled item, a separator or a submenu's title.
      if (!found.enabled) throw new Error(`tray item ${JSON.stringify(key)} is disabled`);
      if (typeof item.click !== 'function')
        throw new Error(`tray item ${JSON.stringify(key)} does nothing when clicked`);
      if (item.type === 'checkbox') item.checked = item.checked !== true;
      record('event', 'tray.menu-click', { id: item.id ?? null, label: item.label ?? null });
      item.click(item, undefined, {});
      return true;
    }
    case 'tray-event': {
      const tray = currentTray();
      tray?.emit(command['event'], electronEvent());
      return tray !== undefined;
    }
    case 'notification-click': {
      const notification = notifications.get(Number(command['id']));
      if (notification === undefined) throw new Error(`no notification ${command['id']}`);
      notification.emit('click', electronEvent());
      return true;
    }
    case 'contents-event': {
      const window = currentWindow();
      if (window === undefined) throw new Error('no window');
      const event = electronEvent({ url: command['url'] });
      // `input` stands for an input event the system delivered ('input-event'); else the URL.
      window.webContents.emit(command['event'], event, command['input'] ?? command['url']);
      return { prevented: event.defaultPrevented };
    }
    case 'window-open': {
      const handler = currentWindow()?.webContents.windowOpenHandler;
      if (handler == null) throw new Error('no window open handler');
      return handler({
        url: command['url'],
        frameName: '',
        features: '',
        disposition: 'new-window',
        referrer: { url: '', policy: 'strict-origin-when-cross-origin' },
      });
    }
    case 'close-window':
      currentWindow()?.close();
      return true;
    case 'stall-clipboard':
      clipboardStalled = true;
      return true;
    case 'set-clipboard':
      // Someone else copied something: what the app finds when it reads the clipboard next.
      clipboardText = String(command['text'] ?? '');
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
      const tray = currentTray();
      return {
        ready: readiness.ready,
        window:
          window === undefined
            ? null
            : { id: window.id, contentsId: window.webContents.id, url: window.webContents.url },
        tray: tray === undefined ? null : { image: tray.image, tooltip: tray.tooltip, menu: tray.menu?.items ?? [] },
        clipboard: clipboardText,
        channels: [...invokeHandlers.keys()],
      };
    }
    default: {
      const extra = commands.get(command['cmd']);
      if (extra === undefined) throw new Error(`unknown command ${JSON.stringify(command['cmd'])}`);
      return await extra(command);
    }
  }
}

if (typeof process.send === 'function') {
  process.on('message', (/** @type {Record<string, any>} */ message) => {
    const reply = (/** @type {Record<string, unknown>} */ answer) => {
      try {
        process.send?.({ ...answer, messageId: message['messageId'] });
      } catch (error) {
        // An answer that cannot be cloned fails as it would in Electron, instead of killing the fake.
        const reason = error instanceof Error ? error.message : String(error);
        process.send?.({
          ok: false,
          error: `An object could not be cloned (${reason})`,
          messageId: message['messageId'],
        });
      }
    };
    run(message).then(
      (value) => reply({ ok: true, value: RAW_ANSWERS.has(message['cmd']) ? value : safe(value) }),
      (error) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // Like Electron, the fake keeps running until the app quits; an orphaned one ends itself.
  process.on('disconnect', () => finish(0));
}
