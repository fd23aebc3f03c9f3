import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../electron/core/base/clock.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { createConnectFlow, type ConnectFlow } from '../../../../electron/core/desktop/connect-flow.ts';
import type { Question } from '../../../../electron/core/desktop/desktop-ports.ts';
import { createTrayActions, type TrayActionDeps } from '../../../../electron/core/desktop/tray-actions.ts';
import { connectTrayMenu } from '../../../../electron/core/desktop/tray-connect.ts';
import type { ConnectView } from '../../../../shared/connect.ts';
import type { ViewName } from '../../../../shared/contract.ts';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import type { Generation } from '../../../../shared/runtime.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';

const VIEW: ConnectView = {
  target: 'runtime',
  clients: [
    { id: 'claude-desktop', name: 'Claude Desktop', found: false, connected: false, canConnect: false, note: null },
    { id: 'cursor', name: 'Cursor', found: true, connected: true, canConnect: true, note: null },
    { id: 'windsurf', name: 'Windsurf', found: true, connected: false, canConnect: true, note: null },
  ],
};

describe('the Connect AI Client submenu', () => {
  it('lists the clients found, a check on each connected one', () => {
    expect(connectTrayMenu(VIEW)).toEqual({
      label: 'Connect AI Client',
      type: 'submenu',
      enabled: true,
      submenu: [
        { id: 'mcp-disconnect:cursor', label: 'Cursor', type: 'checkbox', checked: true, enabled: true },
        { id: 'mcp-connect:windsurf', label: 'Windsurf', type: 'checkbox', checked: false, enabled: true },
        { type: 'separator' },
        { id: 'mcp-open-window', label: 'Show in Window…', enabled: true },
      ],
    });
  });

  it('is not there before the clients were looked at', () => {
    expect(connectTrayMenu(null)).toBeNull();
    expect(connectTrayMenu({ clients: [], target: 'runtime' })).toBeNull();
  });

  it('with nothing to connect to, offers only Disconnect and says why', () => {
    const menu = connectTrayMenu({
      ...VIEW,
      target: 'none',
      clients: VIEW.clients.map((client) => ({ ...client, canConnect: false })),
    });
    expect(menu?.submenu?.[0]).toEqual({ label: 'Nothing to connect to: start microsandbox first', enabled: false });
    expect(menu?.submenu?.filter((item) => item.type === 'checkbox').map((item) => item.enabled)).toEqual([
      true,
      false,
    ]);
  });
});

describe('a click in the submenu', () => {
  let home: string;
  let generation: Generation;
  let flow: ConnectFlow;
  let asked: Question[];
  let answer: boolean;
  let notified: { title: string; body: string }[];
  let opened: (ViewName | undefined)[];
  let click: ReturnType<typeof createTrayActions>;

  beforeEach(async () => {
    home = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-connect-'));
    await fsp.mkdir(path.join(home, '.cursor'));
    await fsp.writeFile(path.join(home, '.cursor', 'mcp.json'), '{"mcpServers":{"other":{"command":"x"}}}');
    generation = 'runtime';
    asked = [];
    answer = true;
    notified = [];
    opened = [];
    flow = createConnectFlow({
      place: { userHome: home, platform: 'linux', env: { HOME: home, PATH: '' } },
      generation: () => generation,
      server: () => INITIAL_SNAPSHOT,
      settings: () => DEFAULT_SETTINGS,
      mint: createMintService({
        keyFile: path.join(home, 'server.key'),
        snapshot: () => INITIAL_SNAPSHOT,
        settings: () => DEFAULT_SETTINGS,
        clock: systemClock,
      }),
      clipboard: { copy: () => Promise.resolve() },
      logger: silentLogger,
    });
    // Only what a Connect click reaches is real here; the rest would throw if it were used.
    const unused = new Proxy(
      {},
      {
        get: () => {
          throw new Error('not used by a Connect click');
        },
      },
    );
    click = createTrayActions({
      ...(unused as TrayActionDeps),
      logger: silentLogger,
      notifier: { notify: (notice) => void notified.push(notice) },
      openWindow: (view) => void opened.push(view),
      confirm: {
        confirm: (question) => {
          asked.push(question);
          return Promise.resolve(answer);
        },
      },
      connect: flow,
    });
  });

  afterEach(async () => {
    await fsp.rm(home, { recursive: true, force: true });
  });

  const servers = async (): Promise<Record<string, unknown>> =>
    (
      JSON.parse(await fsp.readFile(path.join(home, '.cursor', 'mcp.json'), 'utf8')) as {
        mcpServers: Record<string, unknown>;
      }
    ).mcpServers;

  it('connects after the native yes and says so', async () => {
    await click('mcp-connect:cursor');
    expect(asked.map((question) => question.title)).toEqual(['Connect Cursor']);
    expect(Object.keys(await servers())).toEqual(['other', 'microsandbox']);
    expect(notified).toEqual([{ title: 'Connected', body: expect.stringContaining('Cursor is connected') as unknown }]);
    await click('mcp-disconnect:cursor');
    expect(Object.keys(await servers())).toEqual(['other']);
  });

  it('writes nothing after the native no, and tells nothing', async () => {
    answer = false;
    await click('mcp-connect:cursor');
    expect(Object.keys(await servers())).toEqual(['other']);
    expect(notified).toEqual([]);
  });

  it('tells a refusal in a notification', async () => {
    generation = 'server';
    await click('mcp-connect:cursor');
    expect(asked).toEqual([]);
    expect(notified).toEqual([
      { title: 'Not connected', body: expect.stringContaining('Start the server first') as unknown },
    ]);
  });

  it('opens the window for the command when claude is not on PATH', async () => {
    await click('mcp-connect:claude-code');
    expect(opened).toEqual(['connect']);
    await click('mcp-open-window');
    expect(opened).toEqual(['connect', 'connect']);
  });
});
