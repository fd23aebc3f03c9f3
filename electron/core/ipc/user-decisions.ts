/**
 * What the window may not decide on its own. The window is untrusted (a dependency or an
 * injection could take it over), so a change that could expose the server, run code or outlive
 * the session is either refused outright or needs the user's yes in a native dialog main shows;
 * the window only ever learns the answer. Pure: the handler table (handlers.ts) asks the
 * questions through the `ConfirmPort` and applies the rules.
 *
 * - `msbserverPath` and `msbPath` are never set by the window: they come only from main's own file dialog.
 * - Development mode on a host other computers can reach is refused, whichever is set first.
 * - Turning development mode on, listening on a non-loopback host, and using another namespaces
 *   folder need a yes; so does a key that lasts longer than a year (none lasts over ten).
 * - So does what would outlive the session or weaken a protection: turning on Start at Login,
 *   Start Server on Launch or automatic restart, never clearing the clipboard, trace logging
 *   (msbserver's trace output may hold what its requests carry).
 * - Everything else (ports, another loopback address, timeouts, clipboard delay, …) applies at once.
 */
import path from 'node:path';
import { ALL_NAMESPACES } from '../../../shared/namespace.ts';
import { DEV_MODE_EXPOSURE, exposureRefusal } from '../../../shared/exposure.ts';
import { formatDuration, LONG_KEY_SECONDS } from '../../../shared/duration.ts';
import { isLoopbackHost, type Settings } from '../../../shared/settings-schema.ts';
import type { UserQuestion } from '../desktop/desktop-ports.ts';

export type SettingsDecision =
  | { readonly kind: 'refuse'; readonly message: string }
  | { readonly kind: 'ask'; readonly questions: readonly UserQuestion[] };

export const MSBSERVER_PATH_REFUSED =
  'The msbserver path is chosen only with "Choose…" in Settings, in a file dialog of the app itself; the ' +
  'window cannot set it.';

export const MSB_PATH_REFUSED =
  'The msb path is chosen only with "Choose…" in Settings, in a file dialog of the app itself; the window ' +
  'cannot set it.';

/**
 * The decision on a validated settings patch against the current settings: refused, or the
 * questions to ask first (none: apply it).
 */
export function settingsDecision(current: Settings, patch: Partial<Settings>): SettingsDecision {
  if (Object.hasOwn(patch, 'msbserverPath')) return { kind: 'refuse', message: MSBSERVER_PATH_REFUSED };
  if (Object.hasOwn(patch, 'msbPath')) return { kind: 'refuse', message: MSB_PATH_REFUSED };
  const next: Settings = { ...current, ...patch };
  const refusal = exposureRefusal(next);
  if (refusal !== null) return { kind: 'refuse', message: refusal };
  const questions: UserQuestion[] = [];
  if (next.devMode && !current.devMode) questions.push(devModeQuestion());
  if (next.host !== current.host && !isLoopbackHost(next.host)) questions.push(hostQuestion(next.host, current.host));
  if (next.namespacesPath !== current.namespacesPath && next.namespacesPath !== null) {
    questions.push(namespacesQuestion(next.namespacesPath, current.namespacesPath));
  }
  if (next.startAtLogin && !current.startAtLogin) questions.push(LASTING_QUESTIONS['start-at-login']);
  if (next.startServerOnLaunch && !current.startServerOnLaunch)
    questions.push(LASTING_QUESTIONS['start-server-on-launch']);
  if (next.autoRestart && !current.autoRestart) questions.push(LASTING_QUESTIONS['auto-restart']);
  if (next.clipboardClearSeconds === 0 && current.clipboardClearSeconds !== 0)
    questions.push(LASTING_QUESTIONS['clipboard-kept']);
  if (next.logLevel === 'trace' && current.logLevel !== 'trace') questions.push(LASTING_QUESTIONS['trace-log']);
  return { kind: 'ask', questions };
}

type LastingKind = 'start-at-login' | 'start-server-on-launch' | 'auto-restart' | 'clipboard-kept' | 'trace-log';

/** Switches that outlive the session or weaken a protection: the window asks, the user decides. */
const LASTING_QUESTIONS: Readonly<Record<LastingKind, UserQuestion>> = {
  'start-at-login': {
    kind: 'start-at-login',
    title: 'Start Microsandbox Tray at login?',
    message: 'Microsandbox Tray will start every time you log in.',
    detail:
      'It then runs (and, with Start Server on Launch, starts msbserver) without you opening it. Turn it off ' +
      'in Settings or the tray.',
    confirmLabel: 'Start at Login',
    declined: 'Start at login stays off: it was not confirmed.',
  },
  'start-server-on-launch': {
    kind: 'start-server-on-launch',
    title: 'Start the server whenever the app starts?',
    message: 'msbserver will start each time Microsandbox Tray starts, at login too when Start at Login is on.',
    detail:
      'Whoever holds a key can then run code in sandboxes whenever you are logged in, not only when you start ' +
      'the server.',
    confirmLabel: 'Start the Server on Launch',
    declined: 'The server does not start on launch: it was not confirmed.',
  },
  'auto-restart': {
    kind: 'auto-restart',
    title: 'Restart the server automatically?',
    message: 'When msbserver stops unexpectedly, the app will start it again by itself.',
    detail: 'The server then keeps running after a crash until you stop it yourself.',
    confirmLabel: 'Restart Automatically',
    declined: 'Automatic restart stays off: it was not confirmed.',
  },
  'clipboard-kept': {
    kind: 'clipboard-kept',
    title: 'Keep keys on the clipboard?',
    message: 'A key you copy will stay on the clipboard until something else replaces it.',
    detail:
      'Any program you run, and anything you paste into, can read it there. The app clears it after a delay otherwise.',
    confirmLabel: 'Never Clear the Clipboard',
    declined: 'The clipboard is still cleared after a delay: the change was not confirmed.',
  },
  'trace-log': {
    kind: 'trace-log',
    title: 'Log everything msbserver does (trace)?',
    message: "msbserver's log will hold every detail of what it is asked, after its next start.",
    detail:
      'Trace output can hold what requests carry and grows fast. Use it only to find a fault, and lower it ' +
      'again after.',
    confirmLabel: 'Log at Trace Level',
    declined: 'The log level is unchanged: trace logging was not confirmed.',
  },
};

function devModeQuestion(): UserQuestion {
  return {
    kind: 'dev-mode',
    title: 'Turn on development mode?',
    message: 'In development mode msbserver asks for no key.',
    detail:
      `The server is then ${DEV_MODE_EXPOSURE}: any of them can start sandboxes and run code in them, ` +
      'with the folders a sandbox is allowed to mount. Use it only while you develop, and turn it off when you ' +
      'are done.',
    confirmLabel: 'Turn On Development Mode',
    declined: 'Development mode stays off: it was not confirmed.',
  };
}

function hostQuestion(host: string, previous: string): UserQuestion {
  const everywhere = host === '0.0.0.0' || host === '::';
  return {
    kind: 'exposed-host',
    title: 'Make the server reachable from other computers?',
    message: everywhere
      ? `msbserver will listen on ${host}: every network this computer is on can reach it.`
      : `msbserver will listen on ${host}, which other computers can reach.`,
    detail:
      'They still need a key, but keys and everything the server answers travel unencrypted (plain HTTP), so ' +
      'anyone on ' +
      'those networks can read them. Keep 127.0.0.1 unless another computer must use this server.',
    confirmLabel: `Listen on ${host}`,
    declined: `The host stays ${previous}: the change was not confirmed.`,
  };
}

/** The longest path a question shows whole. */
const MAX_SHOWN_PATH = 120;

/**
 * A path as a native question shows it: normalised (no `.`, doubled or trailing separators), its
 * middle elided when long, so both where it starts and the folder itself stay in view.
 */
export function shownPath(value: string): string {
  const normal = path.normalize(value);
  const clean = normal.length > 1 && normal.endsWith(path.sep) ? normal.slice(0, -1) : normal;
  if (clean.length <= MAX_SHOWN_PATH) return clean;
  const half = Math.floor((MAX_SHOWN_PATH - 1) / 2);
  return `${clean.slice(0, half)}…${clean.slice(clean.length - half)}`;
}

function namespacesQuestion(folder: string, previous: string | null): UserQuestion {
  return {
    kind: 'namespaces-folder',
    title: 'Use another namespaces folder?',
    message: `msbserver will keep its sandboxes in this folder:\n${shownPath(folder)}`,
    detail:
      "It reads each namespace's Sandboxfile there and runs what it says, with the folders it mounts: anyone " +
      'who can write ' +
      'to that folder can change what your sandboxes run. Choose a folder only you can write to. Sandboxes in ' +
      'the current ' +
      'folder are no longer listed, and the msb CLI keeps using <home>/namespaces.',
    confirmLabel: 'Use This Folder',
    declined: `The namespaces folder stays ${previous ?? 'the default'}: the change was not confirmed.`,
  };
}

/** The question a key of this lifetime needs, or null for one of a year or less. */
export function longKeyQuestion(seconds: number, namespace: string | undefined): UserQuestion | null {
  if (seconds <= LONG_KEY_SECONDS) return null;
  const lifetime = formatDuration(seconds);
  const where = (namespace ?? ALL_NAMESPACES) === ALL_NAMESPACES ? 'every namespace' : `namespace “${namespace ?? ''}”`;
  return {
    kind: 'long-key',
    title: `Make a key that lasts ${lifetime}?`,
    message: `The new key would work for ${lifetime}, in ${where}.`,
    detail:
      'Whoever holds it can run code in your sandboxes for that long, unless you reset the server key (which ' +
      'ends every key). ' +
      'A key that expires sooner does less harm if it leaks.',
    confirmLabel: 'Make the Key',
    declined: 'No key was made: the long expiry was not confirmed.',
  };
}

/** Before `msb doctor --fix` on Windows, which turns a Windows feature on with administrator rights. */
export function doctorFixQuestion(): UserQuestion {
  return {
    kind: 'doctor-fix',
    title: 'Let msb fix this computer?',
    message: '`msb doctor --fix` turns on the Windows Hypervisor Platform. Windows will ask for administrator rights.',
    detail:
      'It changes a Windows feature for every user of this computer, and Windows may need a restart afterwards. ' +
      'Nothing runs unless you also say yes to the administrator prompt.',
    confirmLabel: 'Fix with Administrator Rights',
    declined: 'Nothing was changed: the fix was not confirmed.',
  };
}

/** `msb self update` runs a program that replaces msb itself: the user says yes natively first. */
export function microsandboxUpdateQuestion(installed: string, latest: string): UserQuestion {
  return {
    kind: 'microsandbox-update',
    title: 'Update microsandbox?',
    message: `msb self update replaces microsandbox ${installed} with ${latest}, downloaded from its GitHub releases.`,
    detail:
      'Running sandboxes keep running. If microsandbox was installed with Homebrew or npm, update it there instead.',
    confirmLabel: 'Update microsandbox',
    declined: 'microsandbox was not updated: the update was not confirmed.',
  };
}
