/**
 * follows-electron.ts fails `tsc -b` when Electron's declarations change under what main uses:
 * each case retypes one member of `Real` as an upgrade might and expects the check to fail
 * (`@ts-expect-error` fails the build if it does not); each has a control, the same retyping
 * with Electron's own type, that must pass, so an expected error is the check's and not a typo's.
 * `tsc -b` (`npm run typecheck`) runs this file; vitest does not.
 */
import type * as Electron from 'electron';
import type { Checked, Follow, Real } from './follows-electron.ts';

/** A class's constructor without its statics (which `Omit` drops with them); nothing for an object. */
type Construct<T> = T extends abstract new (...args: infer A) => infer R ? new (...args: A) => R : unknown;
/** `Real` with `N`'s member `K` declared as `V`. */
type Retyped<N extends keyof Real, K extends keyof Real[N], V> = Omit<Real, N> & {
  [P in N]: Construct<Real[N]> & Omit<Real[N], K> & { [Q in K]: V };
};
/** `Real` without `N`'s member `K`: renamed or removed. */
type Without<N extends keyof Real, K extends keyof Real[N]> = Omit<Real, N> & { [P in N]: Omit<Real[N], K> };
/** `Real` with a class `N` constructed by `C` (and its statics as they are). */
type Reconstructed<N extends keyof Real, C> = Omit<Real, N> & { [P in N]: C & Omit<Real[N], 'prototype'> };

declare const standIn: Checked;

// Electron 45, as it is declared, passes.
standIn satisfies Follow<Real>;

// A parameter's type changes.
standIn satisfies Follow<Retyped<'tray', 'setToolTip', (toolTip: string) => void>>;
// @ts-expect-error setToolTip takes a number: the stand-in's takes a string.
standIn satisfies Follow<Retyped<'tray', 'setToolTip', (toolTip: number) => void>>;

// A parameter is widened: main may pass what the stand-in would not take.
standIn satisfies Follow<Retyped<'shell', 'openPath', (path: string) => Promise<string>>>;
// @ts-expect-error openPath takes a URL too.
standIn satisfies Follow<Retyped<'shell', 'openPath', (path: string | URL) => Promise<string>>>;

// A return type changes.
standIn satisfies Follow<Retyped<'clipboard', 'readText', () => Promise<string>>>;
// @ts-expect-error readText answers synchronously again.
standIn satisfies Follow<Retyped<'clipboard', 'readText', () => string>>;

// One overload of several changes its return type.
type ShowMessageBox = Electron.Dialog['showMessageBox'];
type Options = Electron.MessageBoxOptions;
standIn satisfies Follow<Retyped<'dialog', 'showMessageBox', ShowMessageBox>>;
// @ts-expect-error showMessageBox(window, options) resolves with the button's index.
standIn satisfies Follow<
  Retyped<
    'dialog',
    'showMessageBox',
    {
      (window: Electron.BaseWindow, options: Options): Promise<number>;
      (options: Options): Promise<Electron.MessageBoxReturnValue>;
    }
  >
>;

// An Electron class in a signature is the stand-in's own class.
standIn satisfies Follow<Retyped<'tray', 'setImage', (image: Electron.NativeImage | string) => void>>;
// @ts-expect-error setImage takes an image's description, which the stand-in's does not.
standIn satisfies Follow<Retyped<'tray', 'setImage', (image: { path: string; scale: number }) => void>>;

// A callback main hands in gets a different argument.
type OpenHandler = (details: Electron.HandlerDetails) => Electron.WindowOpenHandlerResponse;
type ChangedDetails = Electron.HandlerDetails & { opener: Electron.WebFrameMain };
standIn satisfies Follow<Retyped<'webContents', 'setWindowOpenHandler', (handler: OpenHandler) => void>>;
// @ts-expect-error the open handler is told the opener too, which the stand-in does not give.
standIn satisfies Follow<
  Retyped<
    'webContents',
    'setWindowOpenHandler',
    (handler: (details: ChangedDetails) => Electron.WindowOpenHandlerResponse) => void
  >
>;

// A property's type changes.
standIn satisfies Follow<Retyped<'app', 'isPackaged', boolean>>;
// @ts-expect-error isPackaged becomes a method.
standIn satisfies Follow<Retyped<'app', 'isPackaged', () => boolean>>;

// A static changes.
standIn satisfies Follow<Retyped<'Notification', 'isSupported', () => boolean>>;
// @ts-expect-error isSupported answers with a promise.
standIn satisfies Follow<Retyped<'Notification', 'isSupported', () => Promise<boolean>>>;

// A constructor changes.
type NewNotification = new (options?: Electron.NotificationConstructorOptions) => Electron.Notification;
standIn satisfies Follow<Reconstructed<'Notification', NewNotification>>;
// @ts-expect-error new Notification(title, options).
standIn satisfies Follow<
  Reconstructed<
    'Notification',
    new (title: string, options?: Electron.NotificationConstructorOptions) => Electron.Notification
  >
>;

// A member is renamed or removed.
standIn satisfies Follow<Without<'tray', 'setTitle'>>;
// @ts-expect-error Tray.setContextMenu is gone.
standIn satisfies Follow<Without<'tray', 'setContextMenu'>>;
