// The outside world (5): `msb server start` takes no lock. Raced against the app's start over many
// rounds, the end is always exactly one live msbserver for the home, server.pid naming it, and the
// app tracking it; Stop then leaves nothing.
import { promises as fsp } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processLiveness } from '../../../../electron/core/process/process-identity.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import { cleanupChecked, createHarness, processesIn, waitUntil, type Harness } from './lifecycle-harness.ts';
import { cliStart } from './world.ts';

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(() => cleanupChecked(h));

/**
 * What `msb server start` does: a live PID in server.pid means "already running"; else spawn and
 * record. Split at the gap the race lives in: the check passed, the spawn has not happened yet.
 */
async function msbCheck(): Promise<boolean> {
  const text = await fsp.readFile(h.paths.pidFile, 'utf8').catch(() => null);
  const pid = text === null ? NaN : Number(text.trim());
  return !(Number.isInteger(pid) && pid > 1 && (await processLiveness(pid)) === 'alive');
}

const ROUNDS = 20;

describe('the CLI racing the app’s start', () => {
  it(
    `ends with exactly one tracked server named in server.pid, in each of ${ROUNDS} rounds`,
    { timeout: 120_000 },
    async () => {
      const problems: string[] = [];
      const spawned: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const c = h.controller({ livenessMs: 100 });
        await c.ready;
        // The CLI's check passes before the app starts; its spawn comes before, with, or after the
        // app's, so that either server may win the port and either PID file may be written last.
        const offset = (round * 7) % 60;
        expect(await msbCheck()).toBe(true);
        const appStart = c.start();
        await new Promise((resolve) => setTimeout(resolve, offset));
        const cli = await cliStart({ home: h.home, port: h.settings.port, executable: STANDIN_PATH });
        spawned.push(cli.pid ?? 0);
        await appStart;
        const settled = await waitUntil(async () => {
          const live = processesIn(h.home);
          const snapshot = c.snapshot();
          return (
            live.length === 1 &&
            snapshot.state === 'running' &&
            snapshot.pid === live[0] &&
            (await h.pidFile())?.trim() === String(live[0])
          );
        }, 8_000);
        if (!settled) {
          problems.push(
            `round ${round} (CLI after ${offset} ms): live ${JSON.stringify(processesIn(h.home))}, state ${c.snapshot().state} pid ${c.snapshot().pid}, server.pid ${JSON.stringify(await h.pidFile())}, error ${c.snapshot().error?.message ?? '-'}`,
          );
        }
        const stopped = await c.stop();
        await c.dispose();
        const empty = await waitUntil(() => processesIn(h.home).length === 0, 5_000);
        if (stopped.state !== 'stopped' || !empty)
          problems.push(`round ${round}: stop left ${JSON.stringify(processesIn(h.home))} (${stopped.state})`);
        for (const pid of processesIn(h.home)) process.kill(pid, 'SIGKILL');
        await fsp.rm(h.paths.pidFile, { force: true });
      }
      expect(problems).toEqual([]);
      expect(spawned).toHaveLength(ROUNDS); // every round had two starters
    },
  );
});
