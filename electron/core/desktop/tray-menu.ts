/**
 * The tray menu as a pure function of what the app knows: the server's snapshot, the settings,
 * whether microsandbox is installed, the sandboxes. The adapter turns the model into Electron's
 * menu and hands each click's action to tray-actions.ts.
 */
import { availableActions, isLive } from '../../../shared/actions.ts';
import { formatDuration, parseDuration } from '../../../shared/duration.ts';
import { ALL_NAMESPACES, isNamespaceName } from '../../../shared/namespace.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import type { SandboxesView } from '../../../shared/sandboxes.ts';
import { type SetupState, unsupportedPlatform } from '../../../shared/setup.ts';
import { effectiveServerUrl } from '../../../shared/server-url.ts';
import { type ParsedTrayActionOf, TRAY_KEY_PRESETS, type TrayMenuItem } from './tray-items.ts';
import type { RuntimeView } from '../../../shared/runtime.ts';
import { runtimeTrayItems } from './tray-runtime.ts';
import type { ConnectView } from '../../../shared/connect.ts';
import { connectTrayMenu } from './tray-connect.ts';
import { sandboxTrayItems } from './tray-sandboxes.ts';
import { restartLine, statusLine } from './tray-status.ts';
import type { AppUpdateOffer } from '../updates/app-updates.ts';

export * from './tray-items.ts';
export * from './tray-runtime.ts';
export * from './tray-sandboxes.ts';
export * from './tray-status.ts';

/** The most namespaces offered in the key submenu (the window's Keys tab takes any). */
export const MAX_TRAY_NAMESPACES = 15;

export interface TrayMenuInput {
  readonly snapshot: ServerSnapshot;
  readonly settings: Settings;
  readonly platform: NodeJS.Platform;
  readonly startAtLogin: boolean;
  /** What the server runs; none shown without it. Its namespaces are offered for keys. */
  readonly sandboxes?: SandboxesView | null;
  /**
   * Whether microsandbox is installed; nothing is said while it is `unknown`. Required, so no
   * caller forgets it and offers a Start that can only fail.
   */
  readonly setup: SetupState;
  /** Settings changed that the running server does not have yet. */
  readonly restartNeeded?: boolean;
  /** For the restart countdown (ms since the epoch). */
  readonly now?: number;
  /** The generation in use; in the runtime generation the menu shows no server items (tray-runtime.ts). */
  readonly runtime?: RuntimeView | null;
  /** The MCP clients found, for the Connect AI Client submenu (tray-connect.ts); none before the first look. */
  readonly connect?: ConnectView | null;
  /** The app's own update: Restart to Update, or the release page (app-update-wiring.ts). */
  readonly appUpdate?: AppUpdateOffer | null;
}

/**
 * The request a "copy key" action stands for: the settings' default namespace and expiry, with
 * the preset's expiry or the namespace chosen (both checked when the id was read).
 */
export function copyKeyRequest(
  action: ParsedTrayActionOf<'copy-key' | 'copy-key-preset' | 'copy-key-namespace'>,
  settings: Settings,
): { namespace: string; expiresIn: string } {
  switch (action.kind) {
    case 'copy-key':
      return { namespace: settings.defaultNamespace, expiresIn: settings.defaultExpiry };
    case 'copy-key-preset':
      return { namespace: settings.defaultNamespace, expiresIn: action.expiresIn };
    case 'copy-key-namespace':
      return { namespace: action.namespace, expiresIn: settings.defaultExpiry };
  }
}

function describeExpiry(expiresIn: string): string {
  const preset = TRAY_KEY_PRESETS.find((candidate) => candidate.expiresIn === expiresIn.trim());
  if (preset !== undefined) return preset.label;
  try {
    return formatDuration(parseDuration(expiresIn));
  } catch {
    // not a duration this version reads: shown as written
    return expiresIn;
  }
}

function describeNamespace(namespace: string): string {
  return namespace === ALL_NAMESPACES ? 'all namespaces' : `namespace ${namespace}`;
}

function separator(): TrayMenuItem {
  return { type: 'separator' };
}

function note(label: string): TrayMenuItem {
  return { label, enabled: false };
}

/**
 * What the tray says when microsandbox cannot run yet, or null when it can (or is not known yet).
 * With a server running from outside, nothing is "not installed": the app only cannot start one.
 */
export function setupLine(setup: SetupState, platform: string, serverRuns = false): string | null {
  // The same rule that keeps Start off (availableActions), so the line and the item agree.
  const unsupported = unsupportedPlatform(setup, platform);
  if (unsupported !== null) return `msbserver does not run natively on ${unsupported}`;
  switch (setup.kind) {
    case 'unsupported':
      return null; // said above
    case 'missing':
      if (serverRuns) return 'The app finds no msbserver to start itself';
      return setup.locate.reason === undefined || setup.locate.reason === 'missing'
        ? 'microsandbox is not installed'
        : 'The msbserver set cannot be used';
    case 'msbrun-unsafe':
      // The file and why are too long for a menu: the window's Status has them, with the fix.
      return 'msbrun is unsafe: the app will not start the server (see the window)';
    case 'ready':
      return setup.msbrun.found ? null : 'msbrun is missing beside msbserver: sandboxes cannot start';
    case 'unknown':
      return null;
  }
}

/** One "Copy New API Key" submenu: the default, each expiry preset, each namespace that exists. */
function keyMenu(settings: Settings, devMode: boolean, sandboxes: SandboxesView | null): TrayMenuItem {
  const items: TrayMenuItem[] = [];
  if (devMode) items.push(note('Not needed: the server runs in dev mode'), separator());
  items.push(
    {
      id: 'copy-key',
      label: `${describeNamespace(settings.defaultNamespace)}, ${describeExpiry(settings.defaultExpiry)}`.replace(
        /^./,
        (c) => c.toUpperCase(),
      ),
      enabled: true,
    },
    separator(),
    note(`Expiring in, for ${describeNamespace(settings.defaultNamespace)}:`),
    ...TRAY_KEY_PRESETS.map((preset) => ({
      id: `copy-key:${preset.expiresIn}` as const,
      label: preset.label,
      enabled: true,
    })),
  );
  const namespaces = (sandboxes?.namespaces ?? [])
    .map((namespace) => namespace.name)
    .filter((name) => name !== settings.defaultNamespace && isNamespaceName(name));
  if (namespaces.length > 0) {
    items.push(separator(), note(`For a namespace, ${describeExpiry(settings.defaultExpiry)}:`));
    for (const name of namespaces.slice(0, MAX_TRAY_NAMESPACES))
      items.push({ id: `copy-key-namespace:${name}`, label: name, enabled: true });
    if (namespaces.length > MAX_TRAY_NAMESPACES)
      items.push(note(`${namespaces.length - MAX_TRAY_NAMESPACES} more in the window's Keys tab`));
  }
  return { label: 'Copy New API Key', type: 'submenu', enabled: true, submenu: items };
}

/** The app's own update, above About; nothing while there is none to offer. */
export function appUpdateItems(offer: AppUpdateOffer | null | undefined): TrayMenuItem[] {
  if (offer === undefined || offer === null) return [];
  switch (offer.kind) {
    case 'restart-to-update':
      return [{ id: 'restart-to-update', label: `Restart to Update (${offer.version})`, enabled: true }];
    case 'restart-later':
      // Shown, but off: a restart now would cut a start or stop short; the reason says which.
      return [
        { id: 'restart-to-update', label: `Restart to Update (${offer.version})`, enabled: false },
        note(`${offer.reason} Restart to Update waits.`),
      ];
    case 'release-page':
      return [{ id: 'open-update-page', label: `Update Available (${offer.version})…`, enabled: true }];
    case 'downloading':
      return [note(`Downloading update ${offer.version}…`)];
    case 'none':
    case 'quiet':
      return [];
  }
}

/** The menu's end: window, settings, login, About and Quit (which never stops a server by surprise). */
function tail(
  platform: NodeJS.Platform,
  startAtLogin: boolean,
  live: boolean,
  serverItems: boolean,
  update: readonly TrayMenuItem[] = [],
): TrayMenuItem[] {
  const items: TrayMenuItem[] = [
    { id: 'open-window', label: platform === 'darwin' ? 'Open Microsandbox Tray' : 'Open Window', enabled: true },
  ];
  if (serverItems) items.push({ id: 'open-log', label: 'Show Server Log in Folder', enabled: true });
  items.push(
    { id: 'open-settings', label: 'Settings…', enabled: true },
    separator(),
    { id: 'toggle-start-at-login', label: 'Start at Login', type: 'checkbox', checked: startAtLogin, enabled: true },
    ...update,
    { id: 'about', label: 'About Microsandbox Tray', enabled: true },
    separator(),
  );
  const quit = platform === 'darwin' ? 'Quit Microsandbox Tray' : 'Quit';
  if (live) {
    // Quitting never stops a server by surprise, nor leaves one running without saying so.
    items.push(
      { id: 'quit-leave-running', label: `${quit} (Server Keeps Running)`, enabled: true },
      { id: 'quit-and-stop', label: `${quit} and Stop Server`, enabled: true },
    );
  } else {
    items.push({ id: 'quit', label: quit, enabled: true });
  }
  return items;
}

/**
 * The runtime generation's menu: what `msb` shows, no server items, except that a 0.2 server
 * still running in the home is shown and can be stopped.
 */
function runtimeMenu(input: TrayMenuInput, runtime: RuntimeView): TrayMenuItem[] {
  const { snapshot, platform, startAtLogin } = input;
  const live = isLive(snapshot);
  const shown = runtimeTrayItems(runtime);
  const items: TrayMenuItem[] = [...shown.lines];
  if (live) items.push(note(`microsandbox 0.2 server: ${statusLine(snapshot)}`));
  items.push(separator());
  if (runtime.msb === null) items.push({ id: 'install', label: 'Install microsandbox…', enabled: true });
  else items.push({ id: 'check-host', label: 'Check This Computer Again', enabled: true });
  if (live)
    items.push({
      id: 'stop',
      label: 'Stop 0.2 Server',
      enabled: availableActions(snapshot, input.setup, platform).stop,
    });
  if (shown.submenu !== null) items.push(shown.submenu);
  const connect = connectTrayMenu(input.connect);
  if (connect !== null) items.push(separator(), connect);
  items.push(separator(), ...tail(platform, startAtLogin, live, false, appUpdateItems(input.appUpdate)));
  return items;
}

/** The whole tray menu. Every action of `TRAY_ACTIONS` and every key preset that applies is in it. */
export function buildTrayMenu(input: TrayMenuInput): TrayMenuItem[] {
  if (input.runtime?.generation === 'runtime') return runtimeMenu(input, input.runtime);
  const { snapshot, settings, platform, startAtLogin } = input;
  const { setup } = input;
  const live = isLive(snapshot);
  const can = availableActions(snapshot, setup, platform);
  // No msbserver to run: Start would only fail; the menu offers the way to get one instead.
  const installable = setup.kind === 'missing' && !live;
  // While a server is up its own mode decides; otherwise the mode the next start will use.
  const devMode = live ? snapshot.devMode === true : settings.devMode;
  const sandboxes = sandboxTrayItems(input.sandboxes ?? null);

  const items: TrayMenuItem[] = [note(statusLine(snapshot))];
  if (snapshot.external && live) items.push(note('Started outside the app'));
  if (sandboxes.summary !== null) items.push(sandboxes.summary);
  const problem = setupLine(setup, platform, live);
  if (problem !== null) items.push(note(problem));
  const restart = restartLine(snapshot, input.now ?? Date.now());
  if (restart !== null)
    items.push(note(restart), { id: 'cancel-restart', label: 'Cancel Automatic Restart', enabled: true });
  if (input.restartNeeded === true && snapshot.state === 'running')
    items.push(note('Settings changed: restart the server to use them'));
  // Each warning is a sentence or two with its fix: too long for a menu, so the window has them.
  const warnings = snapshot.warnings.length;
  if (warnings > 0)
    items.push(note(`${warnings === 1 ? 'One thing' : `${warnings} things`} to look at: see the window`));
  items.push(separator());

  if (installable || (setup.kind === 'ready' && !setup.msbrun.found))
    items.push({ id: 'install', label: 'Install microsandbox…', enabled: true });
  // Also beside a server run from outside: the app can then start and restart one itself.
  if (setup.kind === 'missing') items.push({ id: 'locate-msbserver', label: 'Locate msbserver…', enabled: true });
  items.push(
    { id: 'start', label: 'Start Server', enabled: can.start },
    { id: 'stop', label: 'Stop Server', enabled: can.stop },
    // Without an msbserver to run, availableActions offers neither Start nor Restart.
    { id: 'restart', label: 'Restart Server', enabled: can.restart },
  );
  if (sandboxes.submenu !== null) items.push(sandboxes.submenu);
  items.push(separator());

  items.push(keyMenu(settings, devMode, input.sandboxes ?? null), {
    id: 'copy-url',
    label: `Copy Server URL (${effectiveServerUrl(snapshot, settings)})`,
    enabled: true,
  });
  const connect = connectTrayMenu(input.connect);
  if (connect !== null) items.push(connect);
  items.push(separator(), ...tail(platform, startAtLogin, live, true, appUpdateItems(input.appUpdate)));
  return items;
}
