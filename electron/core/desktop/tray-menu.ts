import { availableActions, isLive } from '../../../shared/actions.ts';
import { formatDuration, parseDuration } from '../../../shared/duration.ts';
import { exposureOf, hostOfUrl } from '../../../shared/exposure.ts';
import { isLoopbackHost } from '../../../shared/settings-schema.ts';
import { ALL_NAMESPACES } from '../../../shared/namespace.ts';
import type { ServerSnapshot, ServerState } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { formatBytes, isNamespaceName, isSandboxName, runningSandboxes, runningSummary, sandboxActions } from '../../../shared/sandboxes.ts';
import type { SandboxesView, SandboxRef } from '../../../shared/sandboxes.ts';
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
  | 'quit'
  | SandboxTrayAction;

/**
 * What the Sandboxes submenu does: per running sandbox `sandbox-stop:<namespace>/<name>` and
 * `sandbox-log:<namespace>/<name>` (names never hold a `/`), and Stop All. These come and go with
 * the sandboxes, so they are not in `TRAY_ACTIONS`.
 */
export type SandboxTrayAction = `sandbox-stop:${string}` | `sandbox-log:${string}` | 'sandboxes-stop-all';

/** Every action that is always in the menu, for adapters and for tests that check reachability. */
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
  /** What the server runs; none shown without it. */
  readonly sandboxes?: SandboxesView | null;
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

/** The tray tooltip: the app's name, the status line and how many sandboxes run. */
export function trayTooltip(snapshot: ServerSnapshot, sandboxes: SandboxesView | null = null): string {
  const external = snapshot.external && snapshot.state === 'running' ? ' (started outside the app)' : '';
  const summary = runningSummary(runningSandboxes(sandboxes).length);
  return `Microsandbox: ${statusLine(snapshot)}${external}${summary === null ? '' : ` · ${summary}`}`;
}

/** The most sandboxes listed in the submenu; the window lists them all. */
export const MAX_TRAY_SANDBOXES = 20;

/**
 * What the tray shows of the sandboxes: a status line (`3 sandboxes running`) and a submenu with
 * each running one (name · namespace · memory), each with Stop and Show Log, and Stop All.
 * Nothing at all while none runs.
 */
export function sandboxTrayItems(view: SandboxesView | null): { readonly summary: TrayMenuItem | null; readonly submenu: TrayMenuItem | null } {
  const running = runningSandboxes(view);
  const summary = runningSummary(running.length);
  if (summary === null) return { summary: null, submenu: null };
  const items: TrayMenuItem[] = running.slice(0, MAX_TRAY_SANDBOXES).map((sandbox) => {
    const can = sandboxActions(sandbox);
    const key = `${sandbox.namespace}/${sandbox.name}`;
    const memory = sandbox.memoryBytes === null ? '' : ` · ${formatBytes(sandbox.memoryBytes)}`;
    return {
      label: `${sandbox.name} · ${sandbox.namespace}${memory}`,
      type: 'submenu',
      enabled: true,
      submenu: [
        { id: `sandbox-stop:${key}`, label: 'Stop', enabled: can.stop },
        { id: `sandbox-log:${key}`, label: 'Show Log', enabled: can.log },
      ],
    };
  });
  if (running.length > MAX_TRAY_SANDBOXES) items.push({ label: `${running.length - MAX_TRAY_SANDBOXES} more in the window`, enabled: false });
  items.push(separator(), { id: 'sandboxes-stop-all', label: 'Stop All Sandboxes', enabled: true });
  return { summary: { label: summary, enabled: false }, submenu: { label: 'Sandboxes', type: 'submenu', enabled: true, submenu: items } };
}

/** The sandbox a `sandbox-stop:` or `sandbox-log:` action is for; null for any other action or a bad name. */
export function sandboxActionOf(action: TrayAction): { readonly kind: 'stop' | 'log'; readonly ref: SandboxRef } | null {
  const match = /^sandbox-(stop|log):([^/]+)\/([^/]+)$/.exec(action);
  if (match === null) return null;
  const [, kind, namespace, name] = match;
  if (!isNamespaceName(namespace) || !isSandboxName(name)) return null;
  return { kind: kind === 'stop' ? 'stop' : 'log', ref: { namespace, name } };
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

  const sandboxes = sandboxTrayItems(input.sandboxes ?? null);
  const items: TrayMenuItem[] = [{ label: statusLine(snapshot), enabled: false }];
  if (snapshot.external && live) items.push({ label: 'Started outside the app', enabled: false });
  if (sandboxes.summary !== null) items.push(sandboxes.summary);
  if (!serverSupported) items.push({ label: 'msbserver does not run natively on Windows', enabled: false });
  items.push(separator());

  items.push(
    { id: 'start', label: 'Start Server', enabled: can.start },
    { id: 'stop', label: 'Stop Server', enabled: can.stop },
    { id: 'restart', label: 'Restart Server', enabled: can.restart },
  );
  if (sandboxes.submenu !== null) items.push(sandboxes.submenu);
  items.push(separator());

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
