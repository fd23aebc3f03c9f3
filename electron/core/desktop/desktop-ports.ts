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

/**
 * Who sent an IPC request: the sender's webContents id, the URL of the frame that sent it, and
 * whether that frame is the contents' main frame (an iframe in the window is not the window).
 */
export interface SenderInfo {
  readonly id: number;
  readonly url: string;
  readonly isMainFrame: boolean;
}

/** Start at login: an XDG autostart entry on Linux, Electron's login item API elsewhere. */
export interface StartAtLoginPort {
  isEnabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
}

/** A question main asks the user in a native dialog; the window never answers it. */
export interface Question {
  readonly title: string;
  /** One sentence: what will happen. */
  readonly message: string;
  /** The consequence in plain words. */
  readonly detail?: string;
}

/** Which consequence a question is about, so a repeat of the same change is recognised. */
export type QuestionKind =
  | 'dev-mode'
  | 'exposed-host'
  | 'namespaces-folder'
  | 'long-key'
  | 'force-stop'
  | 'remove-sandbox'
  | 'doctor-fix'
  | 'start-at-login'
  | 'start-server-on-launch'
  | 'auto-restart'
  | 'clipboard-kept'
  | 'trace-log'
  | 'mcp-connect'
  | 'mcp-disconnect'
  | 'microsandbox-update';

/** A question with what the caller is told on a no: the window's and the tray's alike. */
export interface UserQuestion extends Question {
  readonly kind: QuestionKind;
  readonly confirmLabel: string;
  /** What the window is told when the user says no. */
  readonly declined: string;
}

/** Yes or no, natively: `confirmLabel` (default "Continue") or Cancel. */
export interface ConfirmPort {
  confirm(question: Question & { readonly confirmLabel?: string }): Promise<boolean>;
}

/** One of several answers, natively; resolves to the index of the button chosen (Cancel included). */
export interface ChoicePort {
  choose(
    question: Question & {
      readonly buttons: readonly string[];
      readonly cancelIndex: number;
      readonly defaultIndex?: number;
    },
  ): Promise<number>;
}

/** A native open dialog for one file; null when the user cancelled. */
export interface FileChooserPort {
  chooseFile(options: {
    readonly title: string;
    readonly defaultPath?: string;
    readonly buttonLabel?: string;
  }): Promise<string | null>;
}
