/**
 * The MCP clients the app can connect to microsandbox, and where each keeps its configuration.
 * Paths and formats come from the clients' own documentation (see docs/architecture.md, "MCP
 * clients"); each OS layout is computed here, so tests can lay out any of them in a temporary home.
 */
import path from 'node:path';

export type McpClientId = 'claude-desktop' | 'cursor' | 'windsurf' | 'vscode' | 'claude-code';

/** How a client's file names its servers: the key that holds them and the shape of one entry. */
export type McpFormat = 'claude-desktop' | 'cursor' | 'windsurf' | 'vscode' | 'claude-code';

export interface McpClientSpec {
  readonly id: McpClientId;
  readonly name: string;
  /** The top-level key holding the servers. */
  readonly serversKey: 'mcpServers' | 'servers';
  /** VS Code's file allows comments and trailing commas; the others are plain JSON. */
  readonly jsonc: boolean;
  /**
   * A running client that keeps the file in memory and writes it back, undoing an edit made
   * meanwhile: the app refuses while it runs and says to quit it first.
   */
  readonly overwritesWhileRunning: boolean;
  /** Claude Code is changed through its own CLI (`claude mcp add`), which owns its file. */
  readonly viaCli: boolean;
}

export const MCP_CLIENTS: Readonly<Record<McpClientId, McpClientSpec>> = Object.freeze({
  'claude-desktop': {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    serversKey: 'mcpServers',
    jsonc: false,
    overwritesWhileRunning: true,
    viaCli: false,
  },
  cursor: {
    id: 'cursor',
    name: 'Cursor',
    serversKey: 'mcpServers',
    jsonc: false,
    overwritesWhileRunning: false,
    viaCli: false,
  },
  windsurf: {
    id: 'windsurf',
    name: 'Windsurf',
    serversKey: 'mcpServers',
    jsonc: false,
    overwritesWhileRunning: false,
    viaCli: false,
  },
  vscode: {
    id: 'vscode',
    name: 'VS Code',
    serversKey: 'servers',
    jsonc: true,
    overwritesWhileRunning: false,
    viaCli: false,
  },
  'claude-code': {
    id: 'claude-code',
    name: 'Claude Code',
    serversKey: 'mcpServers',
    jsonc: false,
    overwritesWhileRunning: false,
    viaCli: true,
  },
});

export const MCP_CLIENT_IDS: readonly McpClientId[] = Object.freeze(Object.keys(MCP_CLIENTS) as McpClientId[]);

export function isMcpClientId(value: unknown): value is McpClientId {
  return typeof value === 'string' && Object.hasOwn(MCP_CLIENTS, value);
}

export interface McpPlace {
  readonly userHome: string;
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
}

/** Where the client keeps its MCP configuration on this OS (the file may not exist yet). */
export function mcpConfigPath(client: McpClientId, { userHome, platform, env }: McpPlace): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const appData = (): string => env['APPDATA'] ?? p.join(userHome, 'AppData', 'Roaming');
  // Linux apps built on Electron follow XDG: $XDG_CONFIG_HOME, else ~/.config.
  const xdgConfig = (): string => {
    const value = env['XDG_CONFIG_HOME'];
    return value !== undefined && p.isAbsolute(value) ? value : p.join(userHome, '.config');
  };
  const appSupport = (): string => p.join(userHome, 'Library', 'Application Support');
  const userData = (): string =>
    platform === 'win32' ? appData() : platform === 'darwin' ? appSupport() : xdgConfig();
  switch (client) {
    case 'claude-desktop':
      return p.join(userData(), 'Claude', 'claude_desktop_config.json');
    case 'cursor':
      return p.join(userHome, '.cursor', 'mcp.json');
    case 'windsurf':
      return p.join(userHome, '.codeium', 'windsurf', 'mcp_config.json');
    case 'vscode':
      return p.join(userData(), 'Code', 'User', 'mcp.json');
    case 'claude-code':
      // User-scope servers live in ~/.claude.json; the app only reads it and lets `claude` write it.
      return p.join(userHome, '.claude.json');
  }
}
