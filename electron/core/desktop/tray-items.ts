/**
 * What a tray menu item can stand for, and the serialisable item itself. Kept apart from the menu
 * (tray-menu.ts) and its sandboxes part (tray-sandboxes.ts) so that both take them from below.
 */
import type { RuntimeActionName } from '../../../shared/runtime.ts';
import type { ConnectClientId } from '../../../shared/connect.ts';

/** The expiry presets of the "Copy New API Key" submenu, in menu order. */
export const TRAY_KEY_PRESETS = [
  { expiresIn: '1h', label: '1 hour' },
  { expiresIn: '24h', label: '24 hours' },
  { expiresIn: '7d', label: '7 days' },
  { expiresIn: '30d', label: '30 days' },
  { expiresIn: '1y', label: '1 year' },
] as const;

export type TrayKeyPreset = (typeof TRAY_KEY_PRESETS)[number]['expiresIn'];

/**
 * The one list of the items that do not come and go with presets, namespaces or sandboxes.
 * `FixedTrayAction` is made from it and tray-actions.ts keeps a `Record` of it, so an item added
 * here without what it does fails the type-check.
 */
export const TRAY_ACTIONS = Object.freeze([
  'start',
  'stop',
  'restart',
  'cancel-restart',
  'install',
  'locate-msbserver',
  'copy-key',
  'copy-url',
  'open-window',
  'open-settings',
  'open-log',
  'toggle-start-at-login',
  'about',
  'restart-to-update',
  'open-update-page',
  'quit',
  'quit-and-stop',
  'quit-leave-running',
] as const);

export type FixedTrayAction = (typeof TRAY_ACTIONS)[number];

/** A key of a preset's expiry, or of a namespace other than the default, for the default expiry. */
export type CopyKeyTrayAction = `copy-key:${TrayKeyPreset}` | `copy-key-namespace:${string}`;

/**
 * What the Sandboxes submenu does: per running sandbox `sandbox-stop:<namespace>/<name>` and
 * `sandbox-log:<namespace>/<name>` (names never hold a `/`), and Stop All.
 */
export type SandboxTrayAction = `sandbox-stop:${string}` | `sandbox-log:${string}` | 'sandboxes-stop-all';

/**
 * What the runtime generation's Sandboxes submenu does, per sandbox: `runtime-<action>:<name>`,
 * `runtime-log:<name>` and `runtime-copy-exec:<name>`; `check-host` runs `msb doctor` again. They come
 * and go with the sandboxes or only in the runtime generation, so they are not in `TRAY_ACTIONS`.
 */
export type RuntimeTrayAction =
  `runtime-${RuntimeActionName}:${string}` | `runtime-log:${string}` | `runtime-copy-exec:${string}` | 'check-host';

/**
 * The Connect AI Client submenu (tray-connect.ts), there only once the clients were looked at: a
 * click on a client connects or disconnects it; `mcp-open-window` opens the window's Connect view.
 */
export type ConnectTrayAction =
  `mcp-connect:${ConnectClientId}` | `mcp-disconnect:${ConnectClientId}` | 'mcp-open-window';

/** What a menu item does; the adapter hands each click's id to tray-actions.ts. */
export type TrayAction =
  FixedTrayAction | CopyKeyTrayAction | SandboxTrayAction | RuntimeTrayAction | ConnectTrayAction;

/** A serialisable menu model; the adapter turns it into `Menu.buildFromTemplate` input. */
export interface TrayMenuItem {
  id?: TrayAction;
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox' | 'submenu';
  enabled?: boolean;
  checked?: boolean;
  submenu?: TrayMenuItem[];
}

export function isFixedTrayAction(action: string): action is FixedTrayAction {
  return (TRAY_ACTIONS as readonly string[]).includes(action);
}
