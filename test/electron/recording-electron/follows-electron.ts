/**
 * The recording electron follows Electron's API by hand; this file holds it to Electron's own
 * declarations, so that an Electron upgrade that renames, removes or retypes a member the stand-in
 * has fails `tsc -b` instead of letting the whole-app tests pass against an API that no longer is.
 * Each export is checked member by member: a member Electron has must be assignable to Electron's;
 * a member Electron does not have must be named as the stand-in's own (`Own`).
 */
import type * as Electron from 'electron';
import * as fake from './electron.js';
import * as harness from '../../app-harness/electron.js';

/**
 * `Fake`'s members held to Electron's `Real` ones; those in `Own` are the stand-in's own. A method
 * must need no more arguments than Electron's takes (the stand-in types its parameters with its own
 * classes, and what it returns is a smaller stand-in). A value must be one Electron's type allows; an object is held member by member.
 */
type Follows<Fake, Real, Own extends PropertyKey = never> = {
  [K in keyof Fake]: K extends Own ? Fake[K] : K extends keyof Real ? Like<Fake[K], Real[K]> : never;
};
type Like<F, R> = R extends (...args: infer A) => unknown
  ? (...args: { [I in keyof A]: never }) => unknown
  : F extends object
    ? R extends object
      ? Follows<F, R>
      : R
    : R;

type Emitter = 'toRecord' | 'label';
/** Members holding the stand-in's other classes, which are held to Electron on their own below. */
type Linked = 'webContents' | 'mainFrame' | 'parent' | 'framesInSubtree' | 'frames' | 'top';

// The singletons and namespaces main imports.
fake.app satisfies Follows<typeof fake.app, Electron.App, Emitter | 'loginItem'>;
fake.nativeImage satisfies Follows<typeof fake.nativeImage, typeof Electron.nativeImage>;
fake.Menu satisfies Follows<typeof fake.Menu, typeof Electron.Menu>;
fake.session satisfies Follows<typeof fake.session, typeof Electron.session>;
fake.ipcMain satisfies Follows<typeof fake.ipcMain, Electron.IpcMain, Emitter>;
fake.clipboard satisfies Follows<typeof fake.clipboard, Electron.Clipboard>;
fake.shell satisfies Follows<typeof fake.shell, Electron.Shell>;
fake.nativeTheme satisfies Follows<typeof fake.nativeTheme, Electron.NativeTheme, Emitter>;
fake.screen satisfies Follows<typeof fake.screen, Electron.Screen, Emitter>;
fake.powerMonitor satisfies Follows<typeof fake.powerMonitor, Electron.PowerMonitor, Emitter>;
fake.contextBridge satisfies Follows<typeof fake.contextBridge, Electron.ContextBridge>;
fake.ipcRenderer satisfies Follows<typeof fake.ipcRenderer, Electron.IpcRenderer, Emitter>;
fake.dialog satisfies Follows<typeof fake.dialog, Electron.Dialog>;
fake.protocol satisfies Follows<typeof fake.protocol, Electron.Protocol>;
fake.net satisfies Follows<typeof fake.net, Electron.Net>;

// The classes' instances. A notification's `id` is the stand-in's own number, for the test to click
// exactly that one (Electron's is a string main never reads).
declare const tray: fake.Tray;
tray satisfies Follows<fake.Tray, Electron.Tray, Emitter | 'image' | 'menu' | 'tooltip' | 'destroyed'>;
declare const menuItem: fake.MenuItem;
menuItem satisfies Follows<fake.MenuItem, Electron.MenuItem>;
declare const notification: fake.Notification;
notification satisfies Follows<fake.Notification, Electron.Notification, Emitter | 'options' | 'id'>;
declare const window: fake.BrowserWindow;
window satisfies Follows<
  fake.BrowserWindow,
  Electron.BrowserWindow,
  Emitter | Linked | 'destroyed' | 'options' | 'visible' | 'readyShown'
>;
declare const contents: fake.WebContents;
contents satisfies Follows<
  fake.WebContents,
  Electron.WebContents,
  Emitter | Linked | 'destroyed' | 'url' | 'windowOpenHandler' | 'subFrames' | 'frame'
>;
declare const frame: fake.WebFrameMain;
frame satisfies Follows<fake.WebFrameMain, Electron.WebFrameMain, Linked | 'toRecord' | 'contents' | 'frameUrl'>;

// The app harness re-exports the same module: its default export is the same object.
harness.default satisfies typeof fake.default;

// Every name the stand-in exports as `electron`'s is one Electron exports.
export const defaultNamesAreElectrons: Exclude<keyof typeof fake.default, keyof typeof Electron> extends never
  ? true
  : false = true;
