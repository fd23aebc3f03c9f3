/**
 * The small pieces of Electron that core code needs, taken as arguments so that everything in
 * `electron/core` runs under plain Node. The adapters pass Electron's objects (or thin wrappers);
 * tests pass in-memory ones.
 */

/** Electron 45's `clipboard`: both calls are asynchronous. */
export interface ClipboardPort {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

/** The two calls of Electron's `shell` the app uses. */
export interface ShellPort {
  showItemInFolder(path: string): void;
  /** Resolves to an error message, or '' on success (Electron's convention). */
  openPath(path: string): Promise<string>;
}

export interface Notification {
  readonly title: string;
  readonly body: string;
}

export interface NotifierPort {
  notify(notification: Notification): void;
}

/** Who sent an IPC request: the sender's webContents id and the URL of the frame that sent it. */
export interface SenderInfo {
  readonly id: number;
  readonly url: string;
}

/** Start at login: an XDG autostart entry on Linux, Electron's login item API elsewhere. */
export interface StartAtLoginPort {
  isEnabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
}
