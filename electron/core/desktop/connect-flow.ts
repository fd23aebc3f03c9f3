/**
 * Connect and Disconnect of MCP clients, for the window and the tray alike: which clients are
 * here, the native question first (its words from `mcpConfirmation`), then the entry for the
 * generation in use. A server entry carries a `*` key minted here, in main: it goes into the
 * client's file or onto the clipboard, never to the window or the log.
 */
import { isLive } from '../../../shared/actions.ts';
import {
  CONNECT_CLIENT_IDS,
  type ConnectAction,
  type ConnectClientId,
  type ConnectClientView,
  type ConnectOutcome,
  type ConnectView,
} from '../../../shared/connect.ts';
import { ALL_NAMESPACES } from '../../../shared/namespace.ts';
import type { Generation } from '../../../shared/runtime.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { effectiveServerUrl } from '../../../shared/server-url.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { errorText, type Logger } from '../base/logger.ts';
import { scrubSecrets } from '../base/scrub.ts';
import {
  claudeCodeAddArgs,
  claudeCodeRemoveArgs,
  connectMcpClient,
  disconnectMcpClient,
  findOnPath,
  MCP_CLIENTS,
  mcpClients,
  mcpConfirmation,
  type McpClientId,
  type McpClientInfo,
  type McpEntry,
  type McpOutcome,
  type McpPlace,
  mcpPrecheck,
  msbserverMcpUrl,
  shellCommand,
} from '../connect/index.ts';
import type { MintService } from '../keys/mint-service.ts';
import { readServerKey } from '../keys/server-key.ts';
import { verifyToken } from '../keys/token.ts';
import type { UserQuestion } from './desktop-ports.ts';

/** The window's ids are the core's: a client added to one and not the other fails the type-check. */
const SAME_IDS: Readonly<Record<ConnectClientId, McpClientId>> & Readonly<Record<McpClientId, ConnectClientId>> = {
  'claude-desktop': 'claude-desktop',
  cursor: 'cursor',
  windsurf: 'windsurf',
  vscode: 'vscode',
  'claude-code': 'claude-code',
};

/**
 * How long the key written into a client lasts: the longest a key gets without a question of its
 * own (a shorter one would break the client within days; the Connect question says it lasts a year).
 */
export const MCP_KEY_EXPIRY = '1y';

export interface ConnectFlowDeps {
  readonly place: McpPlace;
  /** The generation in use (runtime-feed); the runtime's entry needs no server. */
  readonly generation: () => Generation;
  readonly server: () => ServerSnapshot;
  readonly settings: () => Settings;
  readonly mint: Pick<MintService, 'mint'>;
  /** Main's clipboard guard: a command with a key is cleared after the configured delay. */
  readonly clipboard: { copy(text: string, secret: boolean): Promise<void> };
  readonly logger: Logger;
  /** The user whose files are trusted besides root's; the app's own by default. */
  readonly uid?: number | null;
  /**
   * The server key file: an entry whose key it no longer signs (Reset Server Key, or the key's
   * year is over) is shown as such. Without it nothing is said.
   */
  readonly keyFile?: string;
  /** Called after the list changed (the tray re-renders). */
  readonly changed?: () => void;
}

/** Asks the user natively; true for yes. A failure to ask rejects (the caller says why). */
export type Ask = (question: UserQuestion) => Promise<boolean>;

export interface ConnectFlow {
  /** The clients as last looked at (none before the first `refresh`), with what Connect would do now. */
  current(): ConnectView;
  /** Looks at the clients' files again. */
  refresh(): Promise<ConnectView>;
  connect(client: ConnectClientId, ask: Ask): Promise<ConnectOutcome>;
  disconnect(client: ConnectClientId, ask: Ask): Promise<ConnectOutcome>;
  /** Claude Code without `claude` on PATH: the command, with a fresh key for a server, onto the clipboard. */
  copyCommand(client: ConnectClientId, action: ConnectAction): Promise<ConnectOutcome>;
}

type Target =
  | { readonly kind: 'runtime' }
  | { readonly kind: 'server'; readonly url: string }
  | { readonly kind: 'none'; readonly why: string };

export function createConnectFlow(deps: ConnectFlowDeps): ConnectFlow {
  const target = (): Target => {
    const generation = deps.generation();
    if (generation === 'runtime') return { kind: 'runtime' };
    const snapshot = deps.server();
    if (isLive(snapshot) && snapshot.state === 'running')
      return { kind: 'server', url: msbserverMcpUrl(effectiveServerUrl(snapshot, deps.settings())) };
    return {
      kind: 'none',
      why:
        generation === 'server'
          ? 'Start the server first: a client connects to the running msbserver, with a key it accepts.'
          : 'Install microsandbox first: there is nothing to connect a client to yet.',
    };
  };

  const claudeOnPath = async (): Promise<boolean> => (await findOnPath('claude', deps.place)) !== null;

  /** What the files said when last looked at; the target is taken fresh each time. */
  let seen: {
    readonly clients: readonly McpClientInfo[];
    readonly claude: boolean;
    /** Clients whose entry holds keys the server key no longer accepts. */
    readonly stale: ReadonlySet<McpClientId>;
  } = { clients: [], claude: false, stale: new Set() };

  const staleClients = async (clients: readonly McpClientInfo[]): Promise<Set<McpClientId>> => {
    const stale = new Set<McpClientId>();
    if (deps.keyFile === undefined) return stale;
    const serverKey = await readServerKey(deps.keyFile).catch((error: unknown) => {
      deps.logger.debug(`The server key could not be read to check the MCP clients' keys: ${errorText(error)}`);
      return null;
    });
    // No key (none made yet, or unreadable): nothing can be said about the clients' keys.
    if (serverKey === null) return stale;
    for (const client of clients) {
      if (!client.connected || client.keys.length === 0) continue;
      const verdicts = await Promise.all(client.keys.map((key) => verifyToken(key, serverKey)));
      if (verdicts.every((verdict) => !verdict.valid)) stale.add(client.id);
    }
    return stale;
  };

  const current = (): ConnectView => {
    if (seen.clients.length === 0) return { clients: [], target: 'none' };
    const now = target();
    const clients = CONNECT_CLIENT_IDS.map((id): ConnectClientView => {
      const info = seen.clients.find((candidate) => candidate.id === SAME_IDS[id]);
      const isFound = info?.found ?? false;
      const name = MCP_CLIENTS[SAME_IDS[id]].name;
      let note: string | null = null;
      if (!isFound) note = `${name} is not set up for this user.`;
      else if (seen.stale.has(SAME_IDS[id]))
        note =
          `Its key no longer works (the server key was reset, or the key's year is over): Connect again for a ` +
          `new one.`;
      else if (now.kind === 'none') note = now.why;
      else if (id === 'claude-code' && !seen.claude)
        note = '`claude` is not on PATH: the app gives you the command to run instead.';
      return {
        id,
        name,
        found: isFound,
        connected: info?.connected ?? false,
        canConnect: isFound && now.kind !== 'none',
        note,
      };
    });
    return { clients, target: now.kind };
  };

  const refresh = async (): Promise<ConnectView> => {
    const before = JSON.stringify(current());
    const clients = await mcpClients(deps.place);
    seen = { clients, claude: await claudeOnPath(), stale: await staleClients(clients) };
    const now = current();
    // Only a change re-renders the tray: a look taken as its menu opens must not rebuild it for nothing.
    if (JSON.stringify(now) !== before) deps.changed?.();
    return now;
  };

  const place = { ...deps.place, logger: deps.logger, ...(deps.uid === undefined ? {} : { uid: deps.uid }) };

  /** The entry as the question shows it: the key is hidden there, so none is made yet. */
  const shownEntry = (now: Target): McpEntry =>
    now.kind === 'server' ? { kind: 'server', url: now.url, key: 'msb_' } : { kind: 'runtime' };

  /** The entry to write, with a fresh `*` key for a server; a refusal in words otherwise. */
  const realEntry = async (asked: Target): Promise<McpEntry | string> => {
    const now = target();
    if (now.kind === 'none') return now.why;
    if (now.kind !== asked.kind || (now.kind === 'server' && asked.kind === 'server' && now.url !== asked.url))
      return (
        'microsandbox changed while you were asked (the server started, stopped or moved); nothing was written. ' +
        'Try again.'
      );
    if (now.kind === 'runtime') return { kind: 'runtime' };
    try {
      const minted = await deps.mint.mint({ namespace: ALL_NAMESPACES, expiresIn: MCP_KEY_EXPIRY });
      if (minted.check.result === 'refused')
        return (
          `The running server does not accept the keys the app makes (${minted.check.message}); nothing was ` +
          `written.`
        );
      return { kind: 'server', url: now.url, key: minted.token };
    } catch (error) {
      return `No key could be made for the client, so nothing was written: ${errorText(error)}`;
    }
  };

  const done = async (outcome: ConnectOutcome): Promise<ConnectOutcome> => {
    await refresh().catch((error: unknown) =>
      deps.logger.warn(`The MCP clients could not be looked at again: ${errorText(error)}`),
    );
    return outcome;
  };

  const refused = (message: string): ConnectOutcome => ({ kind: 'refused', message: scrubSecrets(message, null) });

  /**
   * What can be refused before the question is (a file the app would not write, the user's own
   * "microsandbox" server, Claude Desktop running): a yes that then writes nothing would only
   * waste the user's time. The write checks again, on the file as it is then.
   */
  const beforeAsking = async (
    id: McpClientId,
  ): Promise<ConnectOutcome | { readonly existing: string | null; readonly shownPath: string }> => {
    try {
      const checked = await mcpPrecheck({ ...place, client: id });
      return checked.kind === 'refused'
        ? refused(checked.message)
        : { existing: checked.existing, shownPath: checked.shownPath };
    } catch (error) {
      return refused(`${MCP_CLIENTS[id].name}'s file could not be read: ${errorText(error)}`);
    }
  };

  const copyCommandOutcome = (client: ConnectClientId, action: ConnectAction, now: Target): ConnectOutcome => {
    const name = MCP_CLIENTS[SAME_IDS[client]].name;
    const args = action === 'connect' ? claudeCodeAddArgs(shownEntry(now), { maskKey: true }) : claudeCodeRemoveArgs();
    return {
      kind: 'copy-command',
      message:
        `\`claude\` is not on PATH, so the app cannot run it. Copy the command and run it in a terminal to ` +
        `${action} ${name}${action === 'connect' && now.kind === 'server' ? ' (the copy holds a new key)' : ''}.`,
      command: shellCommand('claude', args),
    };
  };

  const described = (client: ConnectClientId, action: ConnectAction, outcome: McpOutcome): ConnectOutcome => {
    const name = MCP_CLIENTS[SAME_IDS[client]].name;
    switch (outcome.kind) {
      case 'written':
      case 'ran':
        return {
          kind: 'done',
          message:
            action === 'connect'
              ? `${name} is connected to microsandbox. Restart ${name} (or reload its MCP servers) to use it.`
              : `${name} is no longer connected to microsandbox.`,
        };
      case 'unchanged':
        return {
          kind: 'done',
          message: action === 'connect' ? `${name} was already connected.` : `${name} was not connected.`,
        };
      case 'copy-command':
        // `claude` went from PATH while the user was asked: nothing ran.
        return copyCommandOutcome(client, action, target());
      case 'refused':
        return refused(outcome.message);
    }
  };

  const connect = async (client: ConnectClientId, ask: Ask): Promise<ConnectOutcome> => {
    const id = SAME_IDS[client];
    const spec = MCP_CLIENTS[id];
    const asked = target();
    if (asked.kind === 'none') return refused(asked.why);
    if (spec.viaCli && !(await claudeOnPath())) return copyCommandOutcome(client, 'connect', asked);
    const early = await beforeAsking(id);
    if ('kind' in early) return early;
    const confirmation = mcpConfirmation({
      action: 'connect',
      client: id,
      configPath: early.shownPath,
      entry: shownEntry(asked),
      existing: early.existing,
    });
    const lasts = asked.kind === 'server' ? '\n\nThe key lasts one year.' : '';
    const question: UserQuestion = {
      kind: 'mcp-connect',
      ...confirmation,
      detail: `${confirmation.detail}${lasts}`,
      declined: `${spec.name} was not connected: it was not confirmed. Nothing was written.`,
    };
    if (!(await ask(question))) return { kind: 'cancelled', message: question.declined };
    const entry = await realEntry(asked);
    if (typeof entry === 'string') return done(refused(entry));
    const outcome = await connectMcpClient({ ...place, client: id, entry });
    return done(described(client, 'connect', outcome));
  };

  const disconnect = async (client: ConnectClientId, ask: Ask): Promise<ConnectOutcome> => {
    const id = SAME_IDS[client];
    const spec = MCP_CLIENTS[id];
    if (spec.viaCli && !(await claudeOnPath())) return copyCommandOutcome(client, 'disconnect', target());
    const early = await beforeAsking(id);
    if ('kind' in early) return early;
    if (early.existing === null) return done({ kind: 'done', message: `${spec.name} was not connected.` });
    const confirmation = mcpConfirmation({
      action: 'disconnect',
      client: id,
      configPath: early.shownPath,
      existing: early.existing,
    });
    const question: UserQuestion = {
      kind: 'mcp-disconnect',
      ...confirmation,
      declined: `${spec.name} stays connected: it was not confirmed. Nothing was changed.`,
    };
    if (!(await ask(question))) return { kind: 'cancelled', message: question.declined };
    return done(described(client, 'disconnect', await disconnectMcpClient({ ...place, client: id })));
  };

  const copyCommand = async (client: ConnectClientId, action: ConnectAction): Promise<ConnectOutcome> => {
    const id = SAME_IDS[client];
    if (!MCP_CLIENTS[id].viaCli) return refused(`${MCP_CLIENTS[id].name} is connected with Connect, not a command.`);
    // An empty PATH: the core then only builds the command and never runs `claude` itself, even
    // one that appeared on PATH since; this path copies, it does not change anything.
    const noPath = { ...place, env: { ...deps.place.env, PATH: '', Path: '' } };
    let outcome: McpOutcome;
    if (action === 'disconnect') {
      outcome = await disconnectMcpClient({ ...noPath, client: id });
    } else {
      const now = target();
      if (now.kind === 'none') return refused(now.why);
      const entry = await realEntry(now);
      if (typeof entry === 'string') return refused(entry);
      outcome = await connectMcpClient({ ...noPath, client: id, entry });
    }
    if (outcome.kind === 'unchanged') return described(client, action, outcome);
    if (outcome.kind !== 'copy-command')
      return refused(outcome.kind === 'refused' ? outcome.message : 'Nothing to copy.');
    await deps.clipboard.copy(outcome.command, outcome.command.includes('Bearer msb_'));
    const holdsKey = outcome.command.includes('Bearer msb_') ? ' (it holds a key, and is cleared after a while)' : '';
    return {
      kind: 'done',
      message: `The command is on the clipboard${holdsKey}: paste it into a terminal and run it.`,
    };
  };

  return { current, refresh, connect, disconnect, copyCommand };
}
