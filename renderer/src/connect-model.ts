/**
 * The Connect view as data: one row per MCP client, what it says and which button it offers,
 * from the list main sends (no path in it) and the last outcome per client.
 */
import type { ConnectClientId, ConnectClientView, ConnectOutcome, ConnectView } from '../../shared/connect.ts';

export interface ConnectRow {
  readonly id: ConnectClientId;
  readonly name: string;
  /** `Connected`, `Not connected`, or `Not found on this computer`. */
  readonly state: string;
  /** The one button the row offers, or null (a client not found, nothing to connect to). */
  readonly action: 'connect' | 'disconnect' | null;
  /** False while a Connect or Disconnect of this client is under way. */
  readonly enabled: boolean;
  readonly note: string | null;
  readonly outcome: ConnectOutcome | null;
}

export interface ConnectScreen {
  readonly intro: string;
  readonly rows: readonly ConnectRow[];
}

const INTRO: Readonly<Record<ConnectView['target'], string>> = {
  runtime:
    'Connect adds microsandbox to an AI client as an MCP server: the client then starts microsandbox-mcp with ' +
    'npx and runs code in sandboxes on this computer.',
  server:
    'Connect adds this server to an AI client as an MCP server, with a new key in the client’s own file: ' +
    'anyone who can read that file can use the server until the key expires.',
  none:
    'Nothing to connect a client to yet: install microsandbox or start the server. A client connected before can ' +
    'still be disconnected.',
};

export function connectRow(client: ConnectClientView, busy: boolean, outcome: ConnectOutcome | null): ConnectRow {
  const state = !client.found ? 'Not found on this computer' : client.connected ? 'Connected' : 'Not connected';
  const action = client.connected ? 'disconnect' : client.canConnect ? 'connect' : null;
  return { id: client.id, name: client.name, state, action, enabled: !busy, note: client.note, outcome };
}

export function connectScreen(
  view: ConnectView,
  busy: ReadonlySet<ConnectClientId>,
  outcomes: ReadonlyMap<ConnectClientId, ConnectOutcome>,
): ConnectScreen {
  // Found clients first: they are the ones a person can act on.
  const ordered = [...view.clients.filter((client) => client.found), ...view.clients.filter((client) => !client.found)];
  return {
    intro: INTRO[view.target],
    rows: ordered.map((client) => connectRow(client, busy.has(client.id), outcomes.get(client.id) ?? null)),
  };
}
