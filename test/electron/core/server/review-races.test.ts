// Outside review, claims 5, 9, 10, 12: two app instances on one home plus the CLI, Stop racing a
// crash, restart racing `msb server stop`, quitting mid-stop, the CLI starting while the app
// stops.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processLiveness } from '../../../../electron/core/process/process-identity.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import type { Controller } from '../../../../electron/core/server/controller.ts';
import { cleanupChecked, createHarness, isAlive, processesIn, waitUntil, type Harness } from './lifecycle-harness.ts';
import { sleep } from './review-world.ts';
import { cliStart, renamedExecWrapper } from './world.ts';

let h: Harness;
let stateDir: string;

beforeEach(async () => {
  h = await createHarness();
  stateDir = path.join(h.root, 'app-data');
});

afterEach(() => cleanupChecked(h));

/** `msb server start` as msb does it: nothing if server.pid names a live process. */
async function msbStart(): Promise<number | null> {
  const text = await fsp.readFile(h.paths.pidFile, 'utf8').catch(() => null);
  const pid = text === null ? NaN : Number(text.trim());
  if (Number.isInteger(pid) && pid > 1 && (await processLiveness(pid)) === 'alive') return null;
  await fsp.rm(h.paths.pidFile, { force: true });
  const child = await cliStart({ home: h.home, port: h.settings.port, executable: STANDIN_PATH });
  return child.pid ?? null;
}

/** `msb server stop`: SIGTERM to the PID in server.pid, then the file goes at once. */
async function msbStop(): Promise<void> {
  const text = await fsp.readFile(h.paths.pidFile, 'utf8').catch(() => null);
  if (text === null) return;
  try {
    process.kill(Number(text.trim()), 'SIGTERM');
  } catch {
    // stale
  }
  await fsp.rm(h.paths.pidFile, { force: true });
}

/** One live server, every controller tracking it, server.pid naming it — or none and nobody running. */
async function consistent(controllers: Controller[]): Promise<string | null> {
  const live = processesIn(h.home);
  const file = await h.pidFile();
  const states = controllers.map((c) => `${c.snapshot().state}:${c.snapshot().pid}`);
  const ok =
    (live.length === 0 && controllers.every((c) => c.snapshot().state !== 'running')) ||
    (live.length === 1 &&
      file === String(live[0]) &&
      controllers.every((c) => c.snapshot().state === 'running' && c.snapshot().pid === live[0]));
  return ok
    ? null
    : `live ${JSON.stringify(live)}, server.pid ${JSON.stringify(file)}, controllers ${states.join(' ')}`;
}

describe('review: two app instances on one home, and the CLI', () => {
  it('instance B stops the server instance A spawned: A says stopped, no auto-restart, no crash; B does not call it external', async () => {
    h.settings = { ...h.settings, autoRestart: true };
    const a = h.controller({ livenessMs: 100 }, { stateDir });
    const b = h.controller({ livenessMs: 100 }, { stateDir });
    await Promise.all([a.ready, b.ready]);
    const running = await a.start();
    await b.refresh();
    const seenByB = { ...b.snapshot() };
    expect(seenByB).toMatchObject({ state: 'running', pid: running.pid });
    expect((await b.stop()).state).toBe('stopped');
    await sleep(2_500); // longer than the first auto-restart delay
    expect(a.snapshot().state).toBe('stopped');
    expect(h.states(a)).not.toContain('failed');
    expect(processesIn(h.home)).toEqual([]);
    // B saw server.pid before A wrote its record, judged by name, and the label stuck.
    expect(seenByB.external, 'B labels the server the app (instance A) started as started outside the app').toBe(false);
  });

  it('while instance A starts a `.msbserver-wrapped` server, instance B never deletes the server.pid naming it', async () => {
    h.env = { ...h.env, MSBSERVER_EXE: await renamedExecWrapper(path.join(h.root, 'wrapper')) };
    const a = h.controller({ livenessMs: 100 }, { stateDir });
    const b = h.controller({ livenessMs: 100 }, { stateDir });
    await Promise.all([a.ready, b.ready]);
    let written = false;
    let vanished = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const text = await h.pidFile();
        if (text !== null) written = true;
        else if (written) vanished++;
        await sleep(1);
      }
    })();
    const running = await a.start();
    await sleep(1_000);
    watching = false;
    await watcher;
    const bState = `${b.snapshot().state}:${b.snapshot().pid}`;
    await a.stop();
    expect(running.state).toBe('running');
    expect(vanished, `server.pid was missing in ${vanished} samples after A wrote it; B is ${bState}`).toBe(0);
  });

  it('A, B and the CLI all start at once: one server, both instances track it, server.pid names it; A stops it and B sees that', async () => {
    const a = h.controller({ livenessMs: 100 }, { stateDir });
    const b = h.controller({ livenessMs: 100 }, { stateDir });
    await Promise.all([a.ready, b.ready]);
    await Promise.all([a.start(), b.start(), sleep(5).then(msbStart)]);
    const settled = await waitUntil(
      async () => (await consistent([a, b])) === null && processesIn(h.home).length === 1,
      8_000,
    );
    expect(settled, (await consistent([a, b])) ?? '').toBe(true);
    await a.stop();
    expect(await waitUntil(() => b.snapshot().state === 'stopped', 5_000)).toBe(true);
    expect(processesIn(h.home)).toEqual([]);
  });

  it('the CLI starts while the app stops, in 30 rounds: the end is consistent', { timeout: 120_000 }, async () => {
    const problems: string[] = [];
    for (let round = 0; round < 30; round++) {
      const c = h.controller({ livenessMs: 100 }, { stateDir });
      await c.start();
      const stopping = c.stop();
      await sleep((round * 3) % 20);
      await msbStart();
      await stopping;
      await waitUntil(async () => (await consistent([c])) === null, 4_000);
      const problem = await consistent([c]);
      if (problem !== null) problems.push(`round ${round}: ${problem}`);
      await c.stop();
      await c.dispose();
      for (const pid of processesIn(h.home)) process.kill(pid, 'SIGKILL');
      await waitUntil(() => processesIn(h.home).length === 0, 3_000);
      await fsp.rm(h.paths.pidFile, { force: true });
    }
    expect(problems).toEqual([]);
  });
});

describe('review: Stop, restart and quit racing the world', () => {
  it('Stop racing a crash, auto-restart on: stopped, nothing left, no restart afterwards', async () => {
    h.settings = { ...h.settings, autoRestart: true };
    h.env = { ...h.env, MSB_STANDIN_CRASH_AFTER_MS: '400' };
    const c = h.controller({ restartBackoffMs: 200 }, { stateDir });
    const running = await c.start();
    expect(running.state).toBe('running');
    const listening = (await h.record()).listeningAt;
    await sleep(Math.max(0, listening + 395 - (performance.timeOrigin + performance.now())));
    const stopped = await c.stop();
    await sleep(1_500);
    expect(stopped.state === 'stopped' || stopped.state === 'failed').toBe(true);
    expect(c.snapshot().state).not.toBe('running');
    expect(processesIn(h.home)).toEqual([]);
  });

  it(
    'Stop pressed in instance A while instance B starts the server: A gives way, and the server B brings up is stopped, nothing left',
    { timeout: 40_000 },
    async () => {
      // A sees B's server at once (B's record is in the shared data folder) and adopts it; a stop of
      // it must wait for B's start to let go of the home's lock, then stops it. Stop never leaves a
      // server the user asked to stop.
      h.env = { ...h.env, MSB_STANDIN_READY_DELAY_MS: '600000' };
      h.settings = { ...h.settings, readinessTimeoutMs: 3_000 };
      const a = h.controller({}, { stateDir });
      const b = h.controller({}, { stateDir });
      await Promise.all([a.ready, b.ready]);
      const bStarting = b.start();
      expect(await waitUntil(() => b.snapshot().pid !== null, 5_000)).toBe(true);
      const aStarting = a.start();
      await sleep(200);
      const stopped = await a.stop();
      await Promise.all([aStarting, bStarting]);
      expect(stopped.state).toBe('stopped');
      expect(await waitUntil(() => processesIn(h.home).length === 0, 5_000)).toBe(true);
      await b.stop();
    },
  );

  it('restart racing `msb server stop`: one server afterwards, tracked and named', async () => {
    const c = h.controller({ livenessMs: 100 }, { stateDir });
    await c.start();
    const restarting = c.restart();
    await msbStop();
    const after = await restarting;
    await waitUntil(async () => (await consistent([c])) === null, 4_000);
    expect(await consistent([c]), `restart answered ${after.state} ${after.error?.message ?? ''}`).toBeNull();
    expect(c.snapshot().state).toBe('running');
    await c.stop();
  });

  it('quitting with stopServer while a stop waits out a server that ignores SIGTERM: nothing left', async () => {
    h.env = { ...h.env, MSB_STANDIN_IGNORE_SIGTERM: '1' };
    const c = h.controller({ stopGraceMs: 1_000 }, { stateDir });
    const running = await c.start();
    const stopping = c.stop();
    await sleep(50);
    await c.dispose({ stopServer: true });
    await stopping;
    expect(isAlive(running.pid ?? 0)).toBe(false);
    expect(await h.pidFile()).toBeNull();
  });

  it('quitting without stopServer mid-stop: the stop still finishes, nothing left', async () => {
    const c = h.controller({}, { stateDir });
    const running = await c.start();
    const stopping = c.stop();
    await c.dispose();
    await stopping;
    expect(isAlive(running.pid ?? 0)).toBe(false);
  });
});
