import { describe, expect, it } from 'vitest';
import {
  parseTrayAction,
  TRAY_ACTIONS,
  TRAY_KEY_PRESETS,
  type ParsedTrayAction,
  type TrayAction,
  type TrayActionKind,
} from '../../../../electron/core/desktop/tray-items.ts';

/** One id of each kind and what it reads back as; a `Record`, so a new kind needs its case here. */
const ONE_OF_EACH_KIND: Readonly<Record<TrayActionKind, { id: TrayAction; parsed: ParsedTrayAction }>> = {
  ...(Object.fromEntries(TRAY_ACTIONS.map((action) => [action, { id: action, parsed: { kind: action } }])) as Record<
    (typeof TRAY_ACTIONS)[number],
    { id: TrayAction; parsed: ParsedTrayAction }
  >),
  'copy-key-preset': { id: 'copy-key:7d', parsed: { kind: 'copy-key-preset', expiresIn: '7d' } },
  'copy-key-namespace': { id: 'copy-key-namespace:alpha', parsed: { kind: 'copy-key-namespace', namespace: 'alpha' } },
  'sandbox-stop': {
    id: 'sandbox-stop:team/web',
    parsed: { kind: 'sandbox-stop', ref: { namespace: 'team', name: 'web' } },
  },
  'sandbox-log': { id: 'sandbox-log:a-1/b_2', parsed: { kind: 'sandbox-log', ref: { namespace: 'a-1', name: 'b_2' } } },
  'sandboxes-stop-all': { id: 'sandboxes-stop-all', parsed: { kind: 'sandboxes-stop-all' } },
  'runtime-sandbox': { id: 'runtime-stop:web', parsed: { kind: 'runtime-sandbox', verb: 'stop', name: 'web' } },
  'check-host': { id: 'check-host', parsed: { kind: 'check-host' } },
  'mcp-client': { id: 'mcp-connect:cursor', parsed: { kind: 'mcp-client', action: 'connect', client: 'cursor' } },
  'mcp-open-window': { id: 'mcp-open-window', parsed: { kind: 'mcp-open-window' } },
};

describe('parseTrayAction', () => {
  it('reads one id of every kind back as that kind', () => {
    for (const [kind, { id, parsed }] of Object.entries(ONE_OF_EACH_KIND)) {
      expect(parseTrayAction(id), id).toEqual(parsed);
      expect(parsed.kind).toBe(kind);
    }
  });

  it('reads every expiry preset of the key submenu', () => {
    for (const { expiresIn } of TRAY_KEY_PRESETS)
      expect(parseTrayAction(`copy-key:${expiresIn}`)).toEqual({ kind: 'copy-key-preset', expiresIn });
  });

  it('reads the sandbox back, refusing anything that is not a sandbox name', () => {
    for (const bad of [
      'sandbox-stop:team',
      'sandbox-stop:../x',
      'sandbox-stop:team/../x',
      'sandbox-stop:/etc/passwd',
      'sandbox-log:a/b/c',
      'sandbox-stop:-a/b',
    ]) {
      expect(parseTrayAction(bad), bad).toBeNull();
    }
  });

  it('reads a runtime item and its whole name, colons included', () => {
    expect(parseTrayAction('runtime-copy-exec:a:b')).toEqual({
      kind: 'runtime-sandbox',
      verb: 'copy-exec',
      name: 'a:b',
    });
    expect(parseTrayAction('runtime-log:x')).toEqual({ kind: 'runtime-sandbox', verb: 'log', name: 'x' });
    expect(parseTrayAction('runtime-remove:x')).toEqual({ kind: 'runtime-sandbox', verb: 'remove', name: 'x' });
    expect(parseTrayAction('runtime-delete:web')).toBeNull();
    expect(parseTrayAction('runtime-stop:')).toBeNull();
  });

  it('reads back only MCP clients of the fixed list', () => {
    expect(parseTrayAction('mcp-disconnect:vscode')).toEqual({
      kind: 'mcp-client',
      action: 'disconnect',
      client: 'vscode',
    });
    expect(parseTrayAction('mcp-connect:../../etc')).toBeNull();
    expect(parseTrayAction('mcp-open-window:cursor')).toBeNull();
  });

  it('refuses an expiry that is not a preset and a namespace the server would refuse', () => {
    for (const bad of [
      'copy-key:2h',
      'copy-key:',
      'copy-key-namespace:*bad',
      'copy-key-namespace:../x',
      'copy-key-namespace:',
    ])
      expect(parseTrayAction(bad), bad).toBeNull();
  });

  it('is null for an id the menu never makes, never another kind', () => {
    for (const bad of [
      '',
      'nonsense',
      'Start',
      'start ',
      'quit:stop',
      'check-host:x',
      'sandboxes-stop-all:',
      'copy-keys',
    ])
      expect(parseTrayAction(bad), bad).toBeNull();
  });
});
