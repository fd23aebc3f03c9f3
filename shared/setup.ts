/**
 * Whether microsandbox is there to run: what the first-run state of the window and the tray is
 * made from, looked at when the app launches and again whenever it may have changed.
 */

/** Where msbserver was looked for and found, or why none can be run. */
export type LocateResult =
  | { readonly found: true; readonly path: string; readonly source: LocateSource; readonly searched: readonly string[] }
  | {
      readonly found: false;
      readonly searched: readonly string[];
      readonly problem: string;
      readonly hint: string;
      /** Why: nothing there, not an executable file, or one others could change (so it is not run). */
      readonly reason?: 'missing' | 'not-executable' | 'unsafe';
    };

export type LocateSource = 'environment' | 'settings' | 'beside-msb' | 'local-bin';

export interface MsbrunState {
  readonly found: boolean;
  readonly searched: readonly string[];
}

export type SetupState =
  /** Not looked yet (the app has just started). */
  | { readonly kind: 'unknown' }
  /** msbserver cannot run on this platform (Windows outside WSL 2). */
  | { readonly kind: 'unsupported'; readonly platformName: string }
  /** No msbserver where the app looks, or the one set is not usable. */
  | { readonly kind: 'missing'; readonly locate: Extract<LocateResult, { found: false }> }
  /**
   * msbserver found, but the msbrun it would run for every sandbox could be changed by others (or
   * is a relative `$MSBRUN_EXE`): the app does not start the server with it.
   */
  | { readonly kind: 'msbrun-unsafe'; readonly msbserver: string; readonly msbrun: MsbrunUnsafe }
  /** msbserver found; `msbrun` tells whether sandboxes can start. */
  | { readonly kind: 'ready'; readonly msbserver: string; readonly msbrun: MsbrunState };

export interface MsbrunUnsafe {
  readonly searched: readonly string[];
  /** Which file or folder, and why (with its fix when it has one of its own). */
  readonly problem: string;
}

export const SETUP_UNKNOWN: SetupState = Object.freeze({ kind: 'unknown' });

/** What the start's refusal, the window and the tray call an unsafe msbrun. */
export function msbrunUnsafeText(problem: string): string {
  return `msbrun is unsafe: ${problem}`;
}

export const MSBRUN_UNSAFE_WHY =
  'msbserver runs msbrun for every sandbox, with your rights, so the app does not start the server with it.';

export const MSBRUN_UNSAFE_FIX = 'Fix the file or folder as said, or reinstall microsandbox.';

/** The command the installer page gives; the window shows it and main copies it. */
export const INSTALL_COMMAND = 'curl -sSL https://get.microsandbox.dev | sh';

/**
 * Whether msbserver runs on this platform: natively on Linux and macOS, never on Windows (only
 * inside WSL 2, which is another machine as far as the app is concerned).
 */
export function serverRunsOn(platform: string): boolean {
  return platform !== 'win32';
}

/**
 * The platform's name when msbserver cannot run here, or null when it can. The setup look says so
 * once it has run; before it (or in a window that has not heard yet) the platform alone decides,
 * and a platform not known yet blocks nothing.
 */
export function unsupportedPlatform(setup: SetupState, platform: string | null): string | null {
  if (setup.kind === 'unsupported') return setup.platformName;
  return platform !== null && !serverRunsOn(platform) ? platformName(platform) : null;
}

/** The platform's name as people say it. */
export function platformName(platform: string): string {
  switch (platform) {
    case 'darwin':
      return 'macOS';
    case 'win32':
      return 'Windows';
    case 'linux':
      return 'Linux';
    default:
      return platform;
  }
}
