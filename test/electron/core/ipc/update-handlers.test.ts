import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MicrosandboxUpdates } from '../../../../electron/core/desktop/microsandbox-update-feed.ts';
import { HandlerError } from '../../../../electron/core/ipc/handler-error.ts';
import { createUpdateHandlers } from '../../../../electron/core/ipc/update-handlers.ts';
import type { UserQuestion } from '../../../../electron/core/desktop/desktop-ports.ts';
import {
  MicrosandboxReleaseSource,
  RUNTIME_INSTALL_URL,
} from '../../../../electron/core/updates/microsandbox-updates.ts';
import { RUNTIME_UNKNOWN, type RuntimeView } from '../../../../shared/runtime.ts';
import { serveRoutes } from '../updates/local-server.ts';
import { removeWhenUnused } from '../../../support/remove-when-unused.ts';

const STANDIN = fileURLToPath(new URL('../../../fixtures/msb-update-standin/msb', import.meta.url));
const RELEASE_PATH = '/repos/superradcompany/microsandbox/releases/latest';

const closers: (() => Promise<void>)[] = [];
let home: string;
beforeEach(async () => {
  home = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-update-handlers-'));
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  // A `msb self update` dispose left to finish may still write the home (MSB_HOME).
  await removeWhenUnused(home, home);
});

async function handlers(latest: string, answer: boolean) {
  const server = await serveRoutes({
    [RELEASE_PATH]: { type: 'application/json', body: JSON.stringify({ tag_name: `v${latest}` }) },
  });
  closers.push(server.close);
  const view: RuntimeView = {
    ...RUNTIME_UNKNOWN,
    generation: 'runtime',
    msb: { path: STANDIN, version: 'msb 0.6.18' },
  };
  const service = new MicrosandboxUpdates({
    runtime: { view: () => view, rescan: () => Promise.resolve(view), service: () => null, home: () => home },
    checksOn: () => true,
    source: new MicrosandboxReleaseSource({ baseUrl: server.url }),
    env: { PATH: path.dirname(process.execPath), MSB_HOME: home },
    send: () => undefined,
  });
  const asked: UserQuestion[] = [];
  const opened: string[] = [];
  const table = createUpdateHandlers(
    { microsandboxUpdates: service, browser: { openPage: (url) => Promise.resolve(void opened.push(url)) } },
    (questions) => {
      asked.push(...questions);
      return answer ? Promise.resolve() : Promise.reject(new HandlerError('declined', questions[0]?.declined ?? ''));
    },
  );
  return { table, asked, opened };
}

const installed = (): Promise<string> =>
  fsp.readFile(path.join(home, '.standin-version'), 'utf8').catch(() => 'untouched');

describe('the update handlers', () => {
  it('Update microsandbox asks natively first, naming both versions; a no runs nothing', async () => {
    const { table, asked } = await handlers('0.7.2', false);
    await expect(table['updates:update-microsandbox']()).rejects.toMatchObject({ code: 'declined' });
    expect(asked).toMatchObject([{ kind: 'microsandbox-update', title: 'Update microsandbox?' }]);
    expect(asked[0]?.message).toContain('0.6.18 with 0.7.2');
    expect(await installed()).toBe('untouched');
  });

  it('a yes runs msb self update and answers its result', async () => {
    const { table } = await handlers('0.7.2', true);
    const view = await table['updates:update-microsandbox']();
    expect(view.run?.result).toEqual({ kind: 'updated', from: '0.6.18', to: '0.7.2' });
    expect(await installed()).toBe('0.7.2');
  });

  it('two asks at once make one question and one run; the other is refused', async () => {
    const { table, asked } = await handlers('0.7.2', true);
    const [first, second] = await Promise.allSettled([
      table['updates:update-microsandbox'](),
      table['updates:update-microsandbox'](),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { run: { result: { kind: 'updated' } } } });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'refused' } });
    expect(asked).toHaveLength(1);
  });

  it('refuses without asking when the latest release is not newer (never a downgrade)', async () => {
    const { table, asked } = await handlers('0.6.1', true);
    await expect(table['updates:update-microsandbox']()).rejects.toMatchObject({ code: 'refused' });
    expect(asked).toEqual([]);
    expect(await installed()).toBe('untouched');
  });

  it('opens only the fixed install page of the runtime generation', async () => {
    const { table, opened } = await handlers('0.7.2', true);
    await table['updates:open-runtime-install']();
    expect(opened).toEqual([RUNTIME_INSTALL_URL]);
  });
});
