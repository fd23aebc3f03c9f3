/** MCP clients: which are here, Connect and Disconnect, and the confirmation main shows first. */
export * from './clients.ts';
export * from './entries.ts';
export * from './config-file.ts';
export * from './mcp-clients.ts';
export * from './confirmation.ts';
export { runningClientPids } from './running.ts';
