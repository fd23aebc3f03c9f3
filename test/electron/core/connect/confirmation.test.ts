import { describe, expect, it } from 'vitest';
import { mcpConfirmation, shownAppEntry } from '../../../../electron/core/connect/index.ts';

const KEY = 'msb_eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';

describe('mcpConfirmation', () => {
  it('names the file, shows the entry with the key hidden and says the key is a secret on disk', () => {
    const text = mcpConfirmation({
      action: 'connect',
      client: 'cursor',
      configPath: '/home/ada/.cursor/mcp.json',
      entry: { kind: 'server', url: 'http://127.0.0.1:5555/mcp', key: KEY },
    });
    expect(text.message).toBe('Connect Cursor to microsandbox?');
    expect(text.detail).toContain('/home/ada/.cursor/mcp.json');
    expect(text.detail).toContain('"url": "http://127.0.0.1:5555/mcp"');
    expect(text.detail).toContain('Bearer msb_[key hidden]');
    expect(text.detail).toContain('secret on disk');
    expect(JSON.stringify(text)).not.toContain(KEY);
  });

  it('shows the command for Claude Code, key hidden', () => {
    const text = mcpConfirmation({
      action: 'connect',
      client: 'claude-code',
      configPath: '/home/ada/.claude.json',
      entry: { kind: 'server', url: 'http://127.0.0.1:5555/mcp', key: KEY },
    });
    expect(text.detail).toContain(
      "claude mcp add --scope user --transport http microsandbox http://127.0.0.1:5555/mcp --header 'Authorization: Bearer msb_[key hidden]'",
    );
    expect(JSON.stringify(text)).not.toContain(KEY);
  });

  it('has no secret warning for the runtime entry, and names the file on disconnect', () => {
    const connect = mcpConfirmation({
      action: 'connect',
      client: 'vscode',
      configPath: '/c/mcp.json',
      entry: { kind: 'runtime' },
    });
    expect(connect.detail).toContain('"type": "stdio"');
    expect(connect.detail).not.toContain('secret');
    const disconnect = mcpConfirmation({ action: 'disconnect', client: 'windsurf', configPath: '/w/mcp_config.json' });
    expect(disconnect.detail).toContain('/w/mcp_config.json');
    expect(disconnect.confirmLabel).toBe('Disconnect');
  });

  it('shows the entry there now, key hidden, and says to cancel if the user wrote it', () => {
    const existing = shownAppEntry({ url: 'http://127.0.0.1:5555/mcp', headers: { Authorization: `Bearer ${KEY}` } });
    const disconnect = mcpConfirmation({ action: 'disconnect', client: 'cursor', configPath: '/c/mcp.json', existing });
    const connect = mcpConfirmation({
      action: 'connect',
      client: 'cursor',
      configPath: '/c/mcp.json',
      entry: { kind: 'runtime' },
      existing,
    });
    for (const text of [disconnect, connect]) {
      expect(text.detail).toContain('"Authorization": "Bearer msb_[key hidden]"');
      expect(text.detail).toContain('If you wrote it yourself');
      expect(JSON.stringify(text)).not.toContain(KEY);
    }
    expect(connect.detail).toContain('replaces');
  });

  it('hides a key wherever the entry there now holds one', () => {
    const shown = shownAppEntry({
      command: 'npx',
      args: ['-y', 'microsandbox-mcp', `--key=${KEY}`],
      env: { NOTE: KEY },
    });
    expect(shown).not.toContain(KEY.slice(4));
  });
});
