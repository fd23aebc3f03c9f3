import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../electron/core/base/clock.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { createConnectFlow } from '../../../../electron/core/desktop/connect-flow.ts';
import { createConnectHandlers } from '../../../../electron/core/ipc/connect-handlers.ts';
import { HandlerError } from '../../../../electron/core/ipc/handler-error.ts';
import type { UserQuestion } from '../../../../electron/core/desktop/desktop-ports.ts';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';

let home: string;
let asked: UserQuestion[];

beforeEach(async () => {
  home = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-connect-handlers-'));
  await fsp.mkdir(path.join(home, '.cursor'));
  await fsp.writeFile(path.join(home, '.cursor', 'mcp.json'), '{}');
  asked = [];
});

afterEach(async () => {
  await fsp.rm(home, { recursive: true, force: true });
});

function handlersWith(confirmAll: (questions: readonly UserQuestion[]) => Promise<void>) {
  const flow = createConnectFlow({
    place: { userHome: home, platform: 'linux', env: { HOME: home, PATH: '' } },
    generation: () => 'runtime',
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
  return createConnectHandlers({ connect: flow }, confirmAll);
}

describe('the MCP client channels', () => {
  it('answers a no in the native question as cancelled, with nothing written', async () => {
    const handlers = handlersWith((questions) => {
      asked.push(...questions);
      return Promise.reject(new HandlerError('declined', questions[0]?.declined ?? ''));
    });
    expect(await handlers['connect:connect']({ client: 'cursor' })).toEqual({
      kind: 'cancelled',
      message: 'Cursor was not connected: it was not confirmed. Nothing was written.',
    });
    expect(asked.map((question) => question.kind)).toEqual(['mcp-connect']);
    expect(await fsp.readFile(path.join(home, '.cursor', 'mcp.json'), 'utf8')).toBe('{}');
  });

  it('keeps a refused question (asked again too soon) an error', async () => {
    const handlers = handlersWith(() => Promise.reject(new HandlerError('refused', 'click in the window first')));
    await expect(handlers['connect:connect']({ client: 'cursor' })).rejects.toMatchObject({ code: 'refused' });
  });

  it('lists without paths and connects after a yes', async () => {
    const handlers = handlersWith(() => Promise.resolve());
    expect(await handlers['connect:connect']({ client: 'cursor' })).toMatchObject({ kind: 'done' });
    const view = await handlers['connect:list']();
    expect(view.clients.find((client) => client.id === 'cursor')?.connected).toBe(true);
    expect(JSON.stringify(view)).not.toContain(home);
  });

  it('refuses to copy a command for a client that has none', async () => {
    const handlers = handlersWith(() => Promise.resolve());
    await expect(handlers['connect:copy-command']({ client: 'cursor', action: 'connect' })).rejects.toMatchObject({
      code: 'refused',
    });
  });

  it('without the flow, lists nothing and refuses Connect', async () => {
    const handlers = createConnectHandlers({}, () => Promise.resolve());
    expect(await handlers['connect:list']()).toEqual({ clients: [], target: 'none' });
    await expect(Promise.resolve().then(() => handlers['connect:connect']({ client: 'cursor' }))).rejects.toMatchObject(
      {
        code: 'refused',
      },
    );
  });
});
