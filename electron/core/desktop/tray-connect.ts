/**
 * The tray's "Connect AI Client" submenu: the MCP clients found on this computer, a check on each
 * connected one; a click connects or disconnects it through the same path as the window (the
 * native question first, connect-flow.ts).
 */
import type { ConnectView } from '../../../shared/connect.ts';
import type { TrayMenuItem } from './tray-items.ts';

export const CONNECT_SUBMENU_LABEL = 'Connect AI Client';

/** The submenu, or null before the clients were looked at. */
export function connectTrayMenu(view: ConnectView | null | undefined): TrayMenuItem | null {
  if (view === null || view === undefined || view.clients.length === 0) return null;
  const found = view.clients.filter((client) => client.found);
  const items: TrayMenuItem[] = [];
  if (found.length === 0) items.push({ label: 'No AI client found on this computer', enabled: false });
  else if (view.target === 'none')
    items.push({ label: 'Nothing to connect to: start microsandbox first', enabled: false }, { type: 'separator' });
  for (const client of found)
    items.push({
      id: `${client.connected ? 'mcp-disconnect' : 'mcp-connect'}:${client.id}`,
      label: client.name,
      type: 'checkbox',
      checked: client.connected,
      // A connected client can always be disconnected; Connect needs something to connect to.
      enabled: client.connected || client.canConnect,
    });
  items.push({ type: 'separator' }, { id: 'mcp-open-window', label: 'Show in Window…', enabled: true });
  return { label: CONNECT_SUBMENU_LABEL, type: 'submenu', enabled: true, submenu: items };
}
