/**
 * What a tray menu item can stand for, and the serialisable item itself. Kept apart from the menu
 * (tray-menu.ts) and its sandboxes part (tray-sandboxes.ts) so that both take them from below.
 */
import { RUNTIME_ACTIONS, type RuntimeActionName } from '../../../shared/runtime.ts';
import { type ConnectAction, type ConnectClientId, isConnectClientId } from '../../../shared/connect.ts';
import { isNamespaceName, isSandboxName } from '../../../shared/namespace.ts';
import type { SandboxRef } from '../../../shared/sandboxes.ts';

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
 * `FixedTrayAction` is made from it; each is a kind of `ParsedTrayAction` of its own, so an item
 * added here without its handler in tray-actions.ts fails the type-check.
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

/**
 * The items that come and go with presets, namespaces, sandboxes, the generation or the MCP
 * clients, by kind: the form of the item's id and what a click on it carries. `TrayAction` is
 * made from it, `parseTrayAction` reads each kind back (a `Record` of them) and tray-actions.ts
 * handles each kind (a `Record` of them too), so a kind added here without its reading or its
 * handler fails the type-check.
 */
interface TrayActionForms {
  /** A key of a preset's expiry, for the default namespace. */
  'copy-key-preset': { id: `copy-key:${TrayKeyPreset}`; expiresIn: TrayKeyPreset };
  /** A key of a namespace other than the default, for the default expiry. */
  'copy-key-namespace': { id: `copy-key-namespace:${string}`; namespace: string };
  /** The Sandboxes submenu, per running sandbox: `sandbox-stop:<namespace>/<name>` (names never hold a `/`). */
  'sandbox-stop': { id: `sandbox-stop:${string}`; ref: SandboxRef };
  'sandbox-log': { id: `sandbox-log:${string}`; ref: SandboxRef };
  'sandboxes-stop-all': { id: 'sandboxes-stop-all' };
  /** The runtime generation's Sandboxes submenu, per sandbox: `runtime-<action>:<name>`. */
  'runtime-sandbox': { id: `runtime-${RuntimeTrayVerb}:${string}`; verb: RuntimeTrayVerb; name: string };
  /** Runs `msb doctor` again. */
  'check-host': { id: 'check-host' };
  /** The Connect AI Client submenu (tray-connect.ts): a click on a client connects or disconnects it. */
  'mcp-client': { id: `mcp-${ConnectAction}:${ConnectClientId}`; action: ConnectAction; client: ConnectClientId };
  /** Opens the window's Connect view. */
  'mcp-open-window': { id: 'mcp-open-window' };
}

/** What a runtime sandbox's item does: an action of `runtimeActions`, its log, or its exec command copied. */
export type RuntimeTrayVerb = RuntimeActionName | 'log' | 'copy-exec';

type FormKind = keyof TrayActionForms;

/** What a menu item does; the adapter hands each click's id to tray-actions.ts. */
export type TrayAction = FixedTrayAction | TrayActionForms[FormKind]['id'];

/** Each kind of item, one per fixed action and one per form. */
export type TrayActionKind = FixedTrayAction | FormKind;

/** A click's id read back: its kind, and what it carries (checked). */
export type ParsedTrayAction =
  | { readonly [K in FixedTrayAction]: { readonly kind: K } }[FixedTrayAction]
  | { readonly [K in FormKind]: { readonly kind: K } & Readonly<Omit<TrayActionForms[K], 'id'>> }[FormKind];

/** The parsed action of one kind. */
export type ParsedTrayActionOf<K extends TrayActionKind> = Extract<ParsedTrayAction, { readonly kind: K }>;

/** What follows `prefix` in `id`, or null when `id` does not start with it or nothing follows. */
function after(id: string, prefix: string): string | null {
  return id.startsWith(prefix) && id.length > prefix.length ? id.slice(prefix.length) : null;
}

function sandboxRefOf(rest: string | null): SandboxRef | null {
  const match = rest === null ? null : /^([^/]+)\/([^/]+)$/.exec(rest);
  if (match === null) return null;
  const [, namespace, name] = match;
  return isNamespaceName(namespace) && isSandboxName(name) ? { namespace, name } : null;
}

const RUNTIME_TRAY_VERBS: readonly RuntimeTrayVerb[] = [...RUNTIME_ACTIONS, 'log', 'copy-exec'];

/** One reader per form; each matches only its own prefix, so at most one accepts an id. */
const FORM_READERS: { readonly [K in FormKind]: (id: string) => ParsedTrayActionOf<K> | null } = {
  'copy-key-preset': (id) => {
    const expiresIn = TRAY_KEY_PRESETS.find((preset) => id === `copy-key:${preset.expiresIn}`)?.expiresIn;
    return expiresIn === undefined ? null : { kind: 'copy-key-preset', expiresIn };
  },
  'copy-key-namespace': (id) => {
    const namespace = after(id, 'copy-key-namespace:');
    return isNamespaceName(namespace) ? { kind: 'copy-key-namespace', namespace } : null;
  },
  'sandbox-stop': (id) => {
    const ref = sandboxRefOf(after(id, 'sandbox-stop:'));
    return ref === null ? null : { kind: 'sandbox-stop', ref };
  },
  'sandbox-log': (id) => {
    const ref = sandboxRefOf(after(id, 'sandbox-log:'));
    return ref === null ? null : { kind: 'sandbox-log', ref };
  },
  'sandboxes-stop-all': (id) => (id === 'sandboxes-stop-all' ? { kind: 'sandboxes-stop-all' } : null),
  'runtime-sandbox': (id) => {
    // A runtime sandbox's name is checked against the current list when the click arrives.
    for (const verb of RUNTIME_TRAY_VERBS) {
      const name = after(id, `runtime-${verb}:`);
      if (name !== null) return { kind: 'runtime-sandbox', verb, name };
    }
    return null;
  },
  'check-host': (id) => (id === 'check-host' ? { kind: 'check-host' } : null),
  'mcp-client': (id) => {
    const match = /^mcp-(connect|disconnect):(.+)$/s.exec(id);
    if (match === null) return null;
    const [, action, client] = match;
    return isConnectClientId(client)
      ? { kind: 'mcp-client', action: action === 'disconnect' ? 'disconnect' : 'connect', client }
      : null;
  },
  'mcp-open-window': (id) => (id === 'mcp-open-window' ? { kind: 'mcp-open-window' } : null),
};

/**
 * The one place a click's id is read. Null for an id the menu never makes (a preset, namespace,
 * sandbox or client it would not offer): such a click must do nothing rather than another item's work.
 */
export function parseTrayAction(id: string): ParsedTrayAction | null {
  if (isFixedTrayAction(id)) return { kind: id };
  for (const read of Object.values(FORM_READERS)) {
    const parsed = read(id);
    if (parsed !== null) return parsed;
  }
  return null;
}

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
