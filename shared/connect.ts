/**
 * The MCP clients the app connects to microsandbox, as the window and the tray see them: no path,
 * no file, no entry (the window never names one), only what a person needs to choose.
 */

/** The clients, in the order tray and window list them (the core's `MCP_CLIENTS` has the same ids). */
export const CONNECT_CLIENT_IDS = ['claude-desktop', 'cursor', 'windsurf', 'vscode', 'claude-code'] as const;
export type ConnectClientId = (typeof CONNECT_CLIENT_IDS)[number];

export function isConnectClientId(value: unknown): value is ConnectClientId {
  return typeof value === 'string' && (CONNECT_CLIENT_IDS as readonly string[]).includes(value);
}

/** One client on this machine. */
export interface ConnectClientView {
  readonly id: ConnectClientId;
  readonly name: string;
  /** The client is set up for this user (its folder exists; for Claude Code, `claude` or its file). */
  readonly found: boolean;
  /** Its configuration holds the app's entry. */
  readonly connected: boolean;
  /** Connect would do something now (microsandbox there to connect to, the client found). */
  readonly canConnect: boolean;
  /** Why Connect is off, or what it will do (copy a command instead of running it); null when nothing to say. */
  readonly note: string | null;
}

export type ConnectAction = 'connect' | 'disconnect';

/** `connect:connect`, `connect:disconnect`, `connect:copy-command`. */
export interface ConnectRequest {
  readonly client: ConnectClientId;
}

export interface ConnectCopyRequest {
  readonly client: ConnectClientId;
  readonly action: ConnectAction;
}

/**
 * What a Connect or Disconnect came to, in words the window shows as they are: done, the user
 * said no in the native question, refused (with why and what to do), or, for Claude Code without
 * `claude` on PATH, the command to run (shown with the key hidden; Copy puts the real one on the
 * clipboard through main).
 */
export type ConnectOutcome =
  | { readonly kind: 'done'; readonly message: string }
  | { readonly kind: 'cancelled'; readonly message: string }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'copy-command'; readonly message: string; readonly command: string };

/** The Connect view's state: the clients and the generation they are connected to. */
export interface ConnectView {
  readonly clients: readonly ConnectClientView[];
  /** What Connect writes now: the runtime's stdio server, msbserver's `/mcp`, or nothing to connect to. */
  readonly target: 'runtime' | 'server' | 'none';
}
