/**
 * The words of the native question main asks before Connect or Disconnect: the file (or the
 * command), the entry with the key hidden, and, for a server entry, that the key becomes a
 * secret on disk in another program's file.
 */
import { MCP_CLIENTS, type McpClientId } from './clients.ts';
import {
  claudeCodeAddArgs,
  claudeCodeRemoveArgs,
  MCP_ENTRY_NAME,
  type McpEntry,
  mcpEntryValue,
  shellCommand,
} from './entries.ts';

export interface McpConfirmation {
  readonly title: string;
  readonly message: string;
  readonly detail: string;
  readonly confirmLabel: string;
}

export function mcpConfirmation(
  input:
    | {
        readonly action: 'connect';
        readonly client: McpClientId;
        readonly configPath: string;
        readonly entry: McpEntry;
        /** The entry of the app's shape there now (`shownAppEntry`): Connect replaces it. */
        readonly existing?: string | null;
      }
    | {
        readonly action: 'disconnect';
        readonly client: McpClientId;
        readonly configPath: string;
        /** The entry of the app's shape there now (`shownAppEntry`): Disconnect removes it. */
        readonly existing?: string | null;
      },
): McpConfirmation {
  const spec = MCP_CLIENTS[input.client];
  if (input.action === 'disconnect') {
    const where = spec.viaCli
      ? `by running:\n${shellCommand('claude', claudeCodeRemoveArgs())}`
      : `from:\n${input.configPath}`;
    return {
      title: `Disconnect ${spec.name}`,
      message: `Remove microsandbox from ${spec.name}?`,
      detail:
        `The app removes only its "${MCP_ENTRY_NAME}" entry ${where}${theirs(input.existing)}\n\nA backup of the ` +
        `file is kept beside it.`,
      confirmLabel: 'Disconnect',
    };
  }
  const shown = spec.viaCli
    ? `The app runs:\n${shellCommand('claude', claudeCodeAddArgs(input.entry, { maskKey: true }))}`
    : `The app adds this entry to ${input.configPath} (other entries are kept; a backup is kept beside ` +
      `it):\n"${MCP_ENTRY_NAME}": ` +
      `${JSON.stringify(mcpEntryValue(input.client, input.entry, { maskKey: true }), null, 2)}`;
  const replaced =
    input.existing === undefined || input.existing === null
      ? ''
      : `\n\nIt replaces the "${MCP_ENTRY_NAME}" entry there ` +
        `now${spec.viaCli ? '' : ' (the backup keeps no key of it)'}:${theirs(input.existing)}`;
  const secret =
    input.entry.kind === 'server'
      ? `\n\nThe entry holds an API key for this server. Written into ${spec.name}'s ` +
        `${spec.viaCli ? 'configuration (~/.claude.json)' : 'file'}, it is a secret on disk: anyone who can read ` +
        `that file can use this server until the key expires. The file is made readable by you only.`
      : '';
  return {
    title: `Connect ${spec.name}`,
    message: `Connect ${spec.name} to microsandbox?`,
    detail: `${shown}${replaced}${secret}`,
    confirmLabel: 'Connect',
  };
}

/**
 * The entry there now: one the app writes looks like one a person copies from microsandbox's
 * documentation, and nothing in it tells them apart, so the question shows it and leaves it to them.
 */
function theirs(existing: string | null | undefined): string {
  if (existing === undefined || existing === null) return '';
  return (
    `\n"${MCP_ENTRY_NAME}": ${existing}\nIf you wrote it yourself, choose Cancel: the app would take it for its ` +
    `own.`
  );
}
