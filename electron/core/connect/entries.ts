/**
 * The entry the app writes into a client's configuration, in that client's format, and how the
 * app recognises an entry it wrote. The name and every value come from the app, never from the
 * window. Shapes: msbserver 0.2.x's `/mcp` endpoint and its `Authorization: Bearer msb_…`
 * header (https://github.com/microsandbox/microsandbox, the server crate) and each client's documentation.
 */
import { isPlainObject } from '../../../shared/plain-object.ts';
import { scrubSecrets } from '../base/scrub.ts';
import type { McpClientId } from './clients.ts';

/** The name of the app's entry in every client's server list. */
export const MCP_ENTRY_NAME = 'microsandbox';

/** The runtime generation's MCP server, run by the client itself from npm. */
export const RUNTIME_MCP_COMMAND = Object.freeze({ command: 'npx', args: Object.freeze(['-y', 'microsandbox-mcp']) });

/**
 * What the app connects a client to: the runtime generation's stdio server, or msbserver's
 * Streamable HTTP endpoint with a `*` key (a scoped key fails MCP tool calls upstream).
 */
export type McpEntry =
  { readonly kind: 'runtime' } | { readonly kind: 'server'; readonly url: string; readonly key: string };

/** The environment variable that carries the header for mcp-remote (keeps the space out of argv). */
const AUTH_ENV = 'MSB_AUTH_HEADER';
const MASK = 'msb_[key hidden]';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The entry's value as the client's file holds it; `maskKey` for showing it in a confirmation. */
export function mcpEntryValue(client: McpClientId, entry: McpEntry, options: { maskKey?: boolean } = {}): JsonValue {
  if (entry.kind === 'runtime') {
    const stdio = { command: RUNTIME_MCP_COMMAND.command, args: [...RUNTIME_MCP_COMMAND.args] };
    return client === 'vscode' || client === 'claude-code' ? { type: 'stdio', ...stdio } : stdio;
  }
  const key = options.maskKey === true ? MASK : entry.key;
  const headers = { Authorization: `Bearer ${key}` };
  switch (client) {
    case 'claude-desktop':
      // Claude Desktop's file takes only stdio servers (a url entry is skipped as invalid), so
      // mcp-remote bridges it to the HTTP endpoint; it reads ${VAR} in its arguments from env.
      return {
        command: 'npx',
        args: [
          '-y',
          'mcp-remote',
          entry.url,
          ...(entry.url.startsWith('http:') ? ['--allow-http'] : []),
          '--header',
          `Authorization:\${${AUTH_ENV}}`,
        ],
        env: { [AUTH_ENV]: `Bearer ${key}` },
      };
    case 'cursor':
      return { url: entry.url, headers };
    case 'windsurf':
      return { serverUrl: entry.url, headers };
    case 'vscode':
    case 'claude-code':
      return { type: 'http', url: entry.url, headers };
  }
}

/**
 * True for an entry this app writes (in any client's format, for any URL or key): only such an
 * entry is replaced on Connect or removed on Disconnect. Anything else under the same name is the
 * user's own and is left alone.
 */
export function isAppEntry(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const args = Array.isArray(value['args']) ? value['args'].filter((arg) => typeof arg === 'string') : [];
  if (value['command'] === 'npx' && args.includes('microsandbox-mcp')) return true;
  if (value['command'] === 'npx' && args.includes('mcp-remote')) {
    const env = isPlainObject(value['env']) ? value['env'] : {};
    const auth = env[AUTH_ENV];
    return args.some(isMcpUrl) && typeof auth === 'string' && auth.startsWith('Bearer msb_');
  }
  const url = value['url'] ?? value['serverUrl'];
  const headers = isPlainObject(value['headers']) ? value['headers'] : {};
  const auth = headers['Authorization'];
  return isMcpUrl(url) && typeof auth === 'string' && auth.startsWith('Bearer msb_');
}

/** The keys an entry of the app's holds (none for the runtime entry). */
export function appEntryKeys(value: unknown): string[] {
  if (!isAppEntry(value) || !isPlainObject(value)) return [];
  const env = isPlainObject(value['env']) ? value['env'] : {};
  const headers = isPlainObject(value['headers']) ? value['headers'] : {};
  return [env[AUTH_ENV], headers['Authorization']]
    .filter((auth): auth is string => typeof auth === 'string' && auth.startsWith('Bearer msb_'))
    .map((auth) => auth.slice('Bearer '.length));
}

/** An entry of the app's as a question shows it: its JSON, every key in it hidden. */
export function shownAppEntry(value: unknown): string {
  let text = JSON.stringify(value, null, 2);
  for (const key of appEntryKeys(value)) text = text.split(key).join(MASK);
  // A user's entry of the app's shape may hold a key anywhere (an argument, another variable).
  return scrubSecrets(text, null);
}

function isMcpUrl(value: unknown): boolean {
  return typeof value === 'string' && /^https?:\/\/[^/\s]+\/mcp$/.test(value);
}

/**
 * msbserver's MCP endpoint for a server URL such as `http://127.0.0.1:5555`. A server listening on
 * every address (`0.0.0.0`, `::`) is reached through loopback: the client runs on this computer,
 * and "connect to 0.0.0.0" fails on Windows and is refused by some HTTP clients.
 */
export function msbserverMcpUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  else if (url.hostname === '[::]') url.hostname = '[::1]';
  return `${url.origin}/mcp`;
}

/** The `claude mcp add` arguments for Claude Code (user scope: every project). */
export function claudeCodeAddArgs(entry: McpEntry, options: { maskKey?: boolean } = {}): string[] {
  if (entry.kind === 'runtime')
    return [
      'mcp',
      'add',
      '--scope',
      'user',
      MCP_ENTRY_NAME,
      '--',
      RUNTIME_MCP_COMMAND.command,
      ...RUNTIME_MCP_COMMAND.args,
    ];
  const key = options.maskKey === true ? MASK : entry.key;
  return [
    'mcp',
    'add',
    '--scope',
    'user',
    '--transport',
    'http',
    MCP_ENTRY_NAME,
    entry.url,
    '--header',
    `Authorization: Bearer ${key}`,
  ];
}

export function claudeCodeRemoveArgs(): string[] {
  return ['mcp', 'remove', '--scope', 'user', MCP_ENTRY_NAME];
}

/** A command line a person can paste into a POSIX shell or PowerShell (single quotes in both). */
export function shellCommand(program: string, args: readonly string[]): string {
  return [program, ...args]
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
