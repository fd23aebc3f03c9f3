import { describe, expect, it } from 'vitest';
import { connectRow, connectScreen } from '../../renderer/src/connect-model.ts';
import type { ConnectClientView } from '../../shared/connect.ts';

const cursor: ConnectClientView = {
  id: 'cursor',
  name: 'Cursor',
  found: true,
  connected: false,
  canConnect: true,
  note: null,
};

describe('a client row', () => {
  it('offers Connect to a found client, Disconnect to a connected one, nothing to one not found', () => {
    expect(connectRow(cursor, false, null)).toMatchObject({ state: 'Not connected', action: 'connect', enabled: true });
    expect(connectRow({ ...cursor, connected: true }, false, null)).toMatchObject({
      state: 'Connected',
      action: 'disconnect',
    });
    expect(connectRow({ ...cursor, found: false, canConnect: false }, false, null)).toMatchObject({
      state: 'Not found on this computer',
      action: null,
    });
  });

  it('keeps Disconnect while there is nothing to connect to, and no Connect', () => {
    expect(connectRow({ ...cursor, canConnect: false }, false, null).action).toBeNull();
    expect(connectRow({ ...cursor, canConnect: false, connected: true }, false, null).action).toBe('disconnect');
  });

  it('turns the button off while its action is under way', () => {
    expect(connectRow(cursor, true, null).enabled).toBe(false);
  });
});

describe('the screen', () => {
  it('says what Connect writes for the generation in use, and lists found clients first', () => {
    const screen = connectScreen(
      {
        target: 'server',
        clients: [{ ...cursor, id: 'windsurf', name: 'Windsurf', found: false, canConnect: false }, cursor],
      },
      new Set(),
      new Map([['cursor', { kind: 'done', message: 'Cursor is connected.' }]]),
    );
    expect(screen.intro).toContain('new key');
    expect(screen.rows.map((row) => row.id)).toEqual(['cursor', 'windsurf']);
    expect(screen.rows[0]?.outcome).toEqual({ kind: 'done', message: 'Cursor is connected.' });
  });
});
