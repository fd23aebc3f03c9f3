import { availableActions, isLive } from '../../../shared/actions.ts';
import { formatDuration, parseDuration } from '../../../shared/duration.ts';
import { exposureOf, hostOfUrl } from '../../../shared/exposure.ts';
import { isLoopbackHost } from '../../../shared/settings-schema.ts';
import { ALL_NAMESPACES } from '../../../shared/namespace.ts';
import type { ServerSnapshot, ServerState } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { effectiveServerUrl } from '../server/server-url.ts';

/** The expiry presets of the "Copy new API key" submenu, in menu order. */
export const TRAY_KEY_PRESETS = [
  { expiresIn: '1h', label: '1 hour' },
  { expiresIn: '24h', label: '24 hours' },
  { expiresIn: '7d', label: '7 days' },
  { expiresIn: '30d', label: '30 days' },
  { expiresIn: '1y', label: '1 year' },
] as const;

export type TrayKeyPreset = (typeof TRAY_KEY_PRESETS)[number]['expiresIn'];

/** What a menu item does; the adapter maps each id to a call. */
export type TrayAction =
  | 'start'
  | 'stop'
  | 'restart'
  | 'copy-key'
  | `copy-key:${TrayKeyPreset}`
  | 'copy-url'
  | 'open-window'
  | 'open-log'
  | 'toggle-start-at-login'
  | 'quit';

/** Every action, for adapters that switch over them and for tests that check reachability. */
export const TRAY_ACTIONS: readonly TrayAction[] = Object.freeze([
  'start',
  'stop',
  'restart',
  'copy-key',
  ...TRAY_KEY_PRESETS.map((preset) => `copy-key:${preset.expiresIn}` as const),
  'copy-url',
  'open-window',
  'open-log',
  'toggle-start-at-login',
  'quit',
]);

/** A serialisable menu model; the adapter turns it into `Menu.buildFromTemplate` input. */
export interface TrayMenuItem {
  id?: TrayAction;
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox' | 'submenu';
  enabled?: boolean;
  checked?: boolean;
  submenu?: TrayMenuItem[];
}

export interface TrayMenuInput {
  readonly snapshot: ServerSnapshot;
  readonly settings: Settings;
  readonly platform: NodeJS.Platform;
  readonly startAtLogin: boolean;
}

/**
 * The request a "copy key" action stands for: the settings' default namespace, and the preset's
 * expiry or the settings' default one. Null for any other action.
 */
export function copyKeyRequest(action: TrayAction, settings: Settings): { namespace: string; expiresIn: string } | null {
  if (action === 'copy-key') return { namespace: settings.defaultNamespace, expiresIn: settings.defaultExpiry };
  if (action.startsWith('copy-key:')) {
    return { namespace: settings.defaultNamespace, expiresIn: action.slice('copy-key:'.length) };
  }
  return null;
}

const SHORT_REASON = 60;

/** The first sentence of a failure message, cut to fit a menu line. */
export function shortReason(message: string): string {
  const text = message.trim().replace(/\s+/g, ' ');
  if (text === '') return 'unknown reason';
  const sentence = /^(.+?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
  const trimmed = sentence.replace(/[.!]$/, '');
  return trimmed.length > SHORT_REASON ? `${trimmed.slice(0, SHORT_REASON - 1)}…` : trimmed;
}

function address(snapshot: ServerSnapshot): string | null {
  if (snapshot.url === null) return null;
  return snapshot.url.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

const STATE_WORDS: Readonly<Record<ServerState, string>> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  running: 'Running',
  stopping: 'Stopping…',
  failed: 'Failed',
};

/**
 * The disabled first line of the menu: state, PID and address, and in plain words who can use a
 * running server when that is more than this computer's clients with a key (dev mode: every
 * program and every web page; a host others reach: other computers).
 */
export function statusLine(snapshot: ServerSnapshot): string {
  if (snapshot.state === 'failed') {
    return `Failed: ${shortReason(snapshot.error?.message ?? '')}`;
  }
  let head = STATE_WORDS[snapshot.state];
  if (snapshot.state === 'running') {
    const host = hostOfUrl(snapshot.url);
    if (snapshot.devMode === true) head += ` (dev mode: ${exposureOf(true, host) ?? ''})`;
    else if (host !== null && !isLoopbackHost(host)) head += ' (reachable from other computers)';
    if (snapshot.healthy === false) head += ' (not responding)';
  }
  const parts = [head];
  if (snapshot.state !== 'stopped') {
    if (snapshot.pid !== null) parts.push(`PID ${snapshot.pid}`);
    const where = address(snapshot);
    if (where !== null) parts.push(where);
  }
  return parts.join(' · ');
}

/** The tray tooltip: the app's name and the status line. */
export function trayTooltip(snapshot: ServerSnapshot): string {
  const external = snapshot.external && snapshot.state === 'running' ? ' (started outside the app)' : '';
  return `Microsandbox: ${statusLine(snapshot)}${external}`;
}

type IconState = 'stopped' | 'transition' | 'running' | 'unhealthy' | 'failed';

function iconState(state: ServerState, healthy: boolean | null): IconState {
  switch (state) {
    case 'starting':
    case 'stopping':
      return 'transition';
    case 'running':
      // Running but not answering its health check: a look of its own, not the running one.
      return healthy === false ? 'unhealthy' : 'running';
    default:
      return state;
  }
}

/**
 * The tray image for a state: a template image (black and alpha; `@2x` found beside it by
 * Electron) on macOS, a coloured PNG elsewhere.
 */
export function trayIconName(state: ServerState, platform: NodeJS.Platform, healthy: boolean | null = null): string {
  const visual = iconState(state, healthy);
  if (platform === 'darwin') return `tray${visual.charAt(0).toUpperCase()}${visual.slice(1)}Template.png`;
  return `tray-${visual}.png`;
}

function describeExpiry(expiresIn: string): string {
  const preset = TRAY_KEY_PRESETS.find((candidate) => candidate.expiresIn === expiresIn.trim());
  if (preset !== undefined) return preset.label;
  try {
    return formatDuration(parseDuration(expiresIn));
  } catch {
    return expiresIn;
  }
}

function describeNamespace(namespace: string): string {
  return namespace === ALL_NAMESPACES ? 'all namespaces' : `namespace ${namespace}`;
}

function separator(): TrayMenuItem {
  return { type: 'separator' };
}

/** The whole tray menu, as a pure function of the snapshot and settings. Every action is in it. */
export function buildTrayMenu(input: TrayMenuInput): TrayMenuItem[] {
  const { snapshot, settings, platform, startAtLogin } = input;
  const serverSupported = platform !== 'win32';
  const live = isLive(snapshot);
  const can = availableActions(snapshot, serverSupported);
  // While a server is up its own mode decides; otherwise the mode the next start will use.
  const devMode = live ? snapshot.devMode === true : settings.devMode;

  const items: TrayMenuItem[] = [{ label: statusLine(snapshot), enabled: false }];
  if (snapshot.external && live) items.push({ label: 'Started outside the app', enabled: false });
  if (!serverSupported) items.push({ label: 'msbserver does not run natively on Windows', enabled: false });
  items.push(separator());

  items.push(
    { id: 'start', label: 'Start Server', enabled: can.start },
    { id: 'stop', label: 'Stop Server', enabled: can.stop },
    { id: 'restart', label: 'Restart Server', enabled: can.restart },
    separator(),
  );

  const keySuffix = devMode ? ' (not needed in dev mode)' : '';
  items.push(
    {
      id: 'copy-key',
      label: `Copy New API Key (${describeNamespace(settings.defaultNamespace)}, ${describeExpiry(settings.defaultExpiry)})${keySuffix}`,
      enabled: true,
    },
    {
      label: `Copy New API Key Expiring In${keySuffix}`,
      type: 'submenu',
      enabled: true,
      submenu: TRAY_KEY_PRESETS.map((preset) => ({
        id: `copy-key:${preset.expiresIn}` as const,
        label: preset.label,
        enabled: true,
      })),
    },
    { id: 'copy-url', label: `Copy Server URL (${effectiveServerUrl(snapshot, settings)})`, enabled: true },
    separator(),
    { id: 'open-window', label: platform === 'darwin' ? 'Open Microsandbox Tray…' : 'Open Window…', enabled: true },
    { id: 'open-log', label: 'Open Server Log', enabled: true },
    separator(),
    { id: 'toggle-start-at-login', label: 'Start at Login', type: 'checkbox', checked: startAtLogin, enabled: true },
    { id: 'quit', label: platform === 'darwin' ? 'Quit Microsandbox Tray' : 'Quit', enabled: true },
  );
  return items;
}
