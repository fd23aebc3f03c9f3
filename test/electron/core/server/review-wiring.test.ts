// Outside review, claim 2 as the shipped app has it: main.ts builds the controller. The record
// that recognises the app's own server after a restart lives in `stateDir`; without it there is
// no record at all.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createController } from '../../../../electron/core/server/controller.ts';
import { cleanupChecked, createHarness, isAlive, processesIn, waitUntil, type Harness } from './lifecycle-harness.ts';
import { renamedExecWrapper } from './world.ts';

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(() => cleanupChecked(h));

describe('review: the controller as main.ts creates it', () => {
  it('main.ts gives the controller a stateDir (else the record of claim 2 is never written)', async () => {
    const main = await fsp.readFile(fileURLToPath(new URL('../../../../electron/main.ts', import.meta.url)), 'utf8');
    const call = /createController\(\{[^}]*\}\)/.exec(main)?.[0] ?? '';
    expect(call, 'the createController call in electron/main.ts').toContain('stateDir');
  });

  it('built like main.ts (no stateDir), the app recognises its own `.msbserver-wrapped` server after a restart and does not delete server.pid', async () => {
    h.env = { ...h.env, MSBSERVER_EXE: await renamedExecWrapper(path.join(h.root, 'wrapper')) };
    // Exactly the options main.ts passes (home, logDir, settings, platform, logger), plus env/userHome for the test world.
    const make = () =>
      createController({
        home: h.home,
        logDir: h.logDir,
        settings: () => h.settings,
        env: h.env,
        userHome: h.root,
        platform: process.platform,
      });
    const first = make();
    const running = await first.start();
    expect(running.state).toBe('running');
    await first.dispose();

    const second = make();
    await second.ready;
    const seen = { state: second.snapshot().state, pid: second.snapshot().pid, pidFile: await h.pidFile() };
    const stop = await second.stop();
    const stillAlive = isAlive(running.pid ?? 0);
    await second.dispose();
    if (stillAlive) process.kill(running.pid ?? 0, 'SIGKILL');
    await waitUntil(() => processesIn(h.home).length === 0, 3_000);
    expect(
      seen,
      `after the restart (server ${running.pid}); Stop answered ${stop.state}, server alive after Stop: ${stillAlive}`,
    ).toEqual({
      state: 'running',
      pid: running.pid,
      pidFile: String(running.pid),
    });
    expect(stillAlive).toBe(false);
  });
});
