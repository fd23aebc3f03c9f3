/**
 * The recording electron follows Electron's API by hand; this file holds it to Electron's own
 * declarations, so that an Electron upgrade that renames, removes or retypes a member main uses
 * fails `tsc -b` instead of letting the whole-app tests pass against an API that no longer is.
 *
 * For every member in `Used` (what main calls, reads or constructs), the stand-in's member must be
 * assignable to Electron's: a method accepts every argument list Electron's accepts (parameters
 * checked contravariantly, each overload), and returns what Electron's returns; a constructor and
 * a static likewise; a property holds a value Electron's type allows. Where Electron names one of
 * its own classes the stand-in has (`Swaps`), the stand-in's class stands for it, so the stand-in
 * may take and return its own images, menus, windows. follows-electron.test-d.ts shows each kind of
 * change failing the check.
 */
import type * as Electron from 'electron';
import type * as fake from './electron.js';
import * as harness from '../../app-harness/electron.js';

/** Electron's declarations of the APIs main uses, by one name each (statics and instances apart). */
export interface Real {
  app: Electron.App;
  dock: NonNullable<Electron.App['dock']>;
  BrowserWindow: typeof Electron.BrowserWindow;
  browserWindow: Electron.BrowserWindow;
  webContents: Electron.WebContents;
  session: typeof Electron.session;
  defaultSession: Electron.Session;
  webRequest: Electron.WebRequest;
  Menu: typeof Electron.Menu;
  menu: Electron.Menu;
  Tray: typeof Electron.Tray;
  tray: Electron.Tray;
  nativeImage: typeof Electron.nativeImage;
  image: Electron.NativeImage;
  Notification: typeof Electron.Notification;
  notification: Electron.Notification;
  clipboard: Electron.Clipboard;
  shell: Electron.Shell;
  dialog: Electron.Dialog;
  protocol: Electron.Protocol;
  ipcMain: Electron.IpcMain;
}

/**
 * The one list of what main (electron/**, not core/) uses of each, `new` for a constructor: every
 * member main reads or calls that electron.d.ts declares on these (found once with the type
 * checker over main's files; the data main reads from options, answers and events is not listed).
 * A member main starts to use goes here, and the stand-in must then have it as Electron does.
 */
export interface Used {
  app:
    | 'isPackaged'
    | 'dock'
    | 'getVersion'
    | 'getAppPath'
    | 'getPath'
    | 'setPath'
    | 'getLoginItemSettings'
    | 'setLoginItemSettings'
    | 'requestSingleInstanceLock'
    | 'whenReady'
    | 'focus'
    | 'quit'
    | 'exit'
    | 'on';
  dock: 'hide';
  BrowserWindow: 'new';
  browserWindow:
    | 'webContents'
    | 'isDestroyed'
    | 'isMinimized'
    | 'restore'
    | 'removeMenu'
    | 'loadURL'
    | 'show'
    | 'focus'
    | 'close'
    | 'on'
    | 'once';
  webContents: 'id' | 'isDestroyed' | 'send' | 'setWindowOpenHandler' | 'on';
  session: 'defaultSession';
  defaultSession: 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'webRequest';
  webRequest: 'onHeadersReceived';
  Menu: 'buildFromTemplate' | 'setApplicationMenu';
  menu: 'on';
  Tray: 'new';
  tray: 'setImage' | 'setToolTip' | 'setContextMenu' | 'destroy' | 'on';
  nativeImage: 'createFromPath';
  image: 'isEmpty' | 'setTemplateImage';
  Notification: 'new' | 'isSupported';
  notification: 'show';
  clipboard: 'readText' | 'writeText';
  shell: 'showItemInFolder' | 'openPath' | 'openExternal';
  dialog: 'showMessageBox' | 'showOpenDialog' | 'showErrorBox';
  protocol: 'registerSchemesAsPrivileged' | 'handle' | 'unhandle';
  ipcMain: 'handle' | 'removeHandler';
}

/** The stand-in, by the same names. */
export interface StandIn {
  app: typeof fake.app;
  dock: typeof fake.app.dock;
  BrowserWindow: typeof fake.BrowserWindow;
  browserWindow: fake.BrowserWindow;
  webContents: fake.WebContents;
  session: typeof fake.session;
  defaultSession: typeof fake.session.defaultSession;
  webRequest: typeof fake.session.defaultSession.webRequest;
  Menu: typeof fake.Menu;
  menu: FakeMenu;
  Tray: typeof fake.Tray;
  tray: fake.Tray;
  nativeImage: typeof fake.nativeImage;
  image: FakeImage;
  Notification: typeof fake.Notification;
  notification: fake.Notification;
  clipboard: typeof fake.clipboard;
  shell: typeof fake.shell;
  dialog: typeof fake.dialog;
  protocol: typeof fake.protocol;
  ipcMain: typeof fake.ipcMain;
}

type FakeImage = ReturnType<typeof fake.nativeImage.createFromPath>;
type FakeMenu = ReturnType<typeof fake.Menu.buildFromTemplate>;

/**
 * Electron's classes and objects the stand-in has its own of; main only ever hands a window where
 * Electron says a BaseWindow.
 */
type Swaps =
  | [Electron.App, typeof fake.app]
  | [Electron.Dock, typeof fake.app.dock]
  | [Electron.BaseWindow, fake.BrowserWindow]
  | [Electron.BrowserWindow, fake.BrowserWindow]
  | [Electron.WebContents, fake.WebContents]
  | [Electron.Session, typeof fake.session.defaultSession]
  | [Electron.WebRequest, typeof fake.session.defaultSession.webRequest]
  | [Electron.Menu, FakeMenu]
  | [Electron.Tray, fake.Tray]
  | [Electron.NativeImage, FakeImage]
  | [Electron.Notification, fake.Notification];

type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type SwapExact<T, S = Swaps> = S extends [infer E, infer F] ? (Same<T, E> extends true ? F : never) : never;
/** `T` with Electron's classes replaced by the stand-in's, member of a union by member, into promises and callbacks. */
type Swap<T> = T extends unknown
  ? [SwapExact<T>] extends [never]
    ? T extends (...args: infer A) => infer R
      ? (...args: SwapArgs<A>) => Swap<R>
      : T extends Promise<infer U>
        ? Promise<Swap<U>>
        : T
    : SwapExact<T>
  : never;
type SwapArgs<A extends unknown[]> = { [I in keyof A]: Swap<A[I]> };

/**
 * A method's overloads as one type of call signatures (not methods, whose parameters TypeScript
 * compares both ways; not an intersection, under which it lets a primitive pass for an object of
 * optional fields): up to four, the last four of more (only `on`, whose listeners the stand-in
 * takes all). With fewer, the pattern repeats the first, which checks it twice.
 */
type Overloads<T> = T extends {
  (...args: infer A1): infer R1;
  (...args: infer A2): infer R2;
  (...args: infer A3): infer R3;
  (...args: infer A4): infer R4;
}
  ? {
      (...args: SwapArgs<A1>): Swap<R1>;
      (...args: SwapArgs<A2>): Swap<R2>;
      (...args: SwapArgs<A3>): Swap<R3>;
      (...args: SwapArgs<A4>): Swap<R4>;
    }
  : never;
type Constructor<T> = T extends abstract new (...args: infer A) => infer R
  ? new (...args: SwapArgs<A>) => Swap<R>
  : never;
type Member<T> = T extends (...args: never) => unknown ? Overloads<T> : Swap<T>;

/** A member Electron no longer has: nothing the stand-in has is assignable to it. */
interface Gone {
  readonly 'Electron has no such member': never;
}

/**
 * What the stand-in must be for main's uses of Electron's `R` (`Real`; a test gives it a retyped
 * one): each `N`'s members, and the constructors apart (see `Overloads` for why not intersected).
 */
export type Follow<R extends Record<keyof Used, unknown>> = {
  members: { [N in keyof Used]: { [K in Exclude<Used[N], 'new'>]: K extends keyof R[N] ? Member<R[N][K]> : Gone } };
  constructors: { [N in keyof Used as 'new' extends Used[N] ? N : never]: Constructor<R[N]> };
};
/** The stand-in as `Follow` sees it. */
export interface Checked {
  members: StandIn;
  constructors: StandIn;
}

declare const standIn: Checked;
standIn satisfies Follow<Real>;

// The app harness re-exports the same module: its default export is the same object.
harness.default satisfies typeof fake.default;

// Every name the stand-in exports as `electron`'s is one Electron exports.
export const defaultNamesAreElectrons: Exclude<keyof typeof fake.default, keyof typeof Electron> extends never
  ? true
  : false = true;
