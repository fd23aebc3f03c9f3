import { describe, expect, it } from 'vitest';
import { editServers, MCP_CLIENTS } from '../../../../electron/core/connect/index.ts';

const VALUE = { command: 'npx', args: ['-y', 'microsandbox-mcp'] };

describe('editServers', () => {
  it('replaces an entry where it stands and keeps CRLF line endings', () => {
    const before = '{\r\n  "mcpServers": {\r\n    "microsandbox": { "command": "old" },\r\n    "b": 2\r\n  }\r\n}\r\n';
    const after = editServers(MCP_CLIENTS.cursor, before, 'microsandbox', VALUE);
    expect(after).toBe(
      '{\r\n  "mcpServers": {\r\n    "microsandbox": {\r\n      "command": "npx",\r\n      "args": ' +
        '[\r\n        "-y",\r\n        "microsandbox-mcp"\r\n      ]\r\n    },\r\n    "b": 2\r\n  }\r\n}\r\n',
    );
  });

  it('removes an entry with its lines, and the comma before it when it was last', () => {
    const before = '{\n  "mcpServers": {\n    "a": 1,\n    "microsandbox": {\n      "command": "npx"\n    }\n  }\n}\n';
    expect(editServers(MCP_CLIENTS.cursor, before, 'microsandbox', undefined)).toBe(
      '{\n  "mcpServers": {\n    "a": 1\n  }\n}\n',
    );
  });

  it('adds the servers key to a file without one, after the other fields', () => {
    expect(editServers(MCP_CLIENTS.vscode, '{\n  "inputs": []\n}\n', 'microsandbox', VALUE)).toBe(
      '{\n  "inputs": [],\n  "servers": {\n    "microsandbox": {\n      "command": "npx",\n      "args": ' +
        '[\n        "-y",\n        "microsandbox-mcp"\n      ]\n    }\n  }\n}\n',
    );
  });

  it('writes a new file as two-space JSON ending in a newline', () => {
    expect(editServers(MCP_CLIENTS.windsurf, null, 'microsandbox', { serverUrl: 'u' })).toBe(
      '{\n  "mcpServers": {\n    "microsandbox": {\n      "serverUrl": "u"\n    }\n  }\n}\n',
    );
  });
});
