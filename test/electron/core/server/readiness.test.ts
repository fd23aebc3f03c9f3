// Who really answered a start: wrappers that put the server in a session of its own, fork twice,
// background it or stay in its group, and what the next app run makes of what they left.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { portInUse } from '../../../../electron/core/server/port-check.ts';
import { waitFor } from '../../../support/wait-for.ts';
import {
  useServer,
  harnessPerTest,
  isAlive,
  nextState,
  processesIn,
  waitUntil,
  type Harness,
  SERVER_UP_MS,
} from './lifecycle-harness.ts';
import {
  doubleForkWrapper,
  noExecAround,
  pgidOf,
  ppidOf,
  pythonLookalike,
  setsidBackgroundWrapper,
  setsidWaitingWrapper,
} from './hostile-world.ts';
import { cliStart, daemonWrapper, noExecWrapper } from './world.ts';
import { processLiveness } from '../../../../electron/core/process/process-identity.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';

let h: Harness;
let stateDir: string;

harnessPerTest((made) => {
  h = made;
  stateDir = made.stateDir;
});

const withServer = (executable: string): void => useServer(h, executable);

/** What a user expects after any start: one server of the home and the app naming it, or none at all. */
async function oneTrackedOrNone(c: ReturnType<Harness['controller']>): Promise<string | null> {
  // The start has answered: a server it reports running answered health, so it has bound. What a
  // wrapper leaves behind may take a moment to settle (a waiting wrapper's exit, a group ended):
  // wait for the consistent end, and report what is seen if it never comes.
  await waitUntil(async () => (await trackedOrNoneProblem(c)) === null);
  return trackedOrNoneProblem(c);
}

async function trackedOrNoneProblem(c: ReturnType<Harness['controller']>): Promise<string | null> {
  const live = processesIn(h.home);
  const s = c.snapshot();
  const file = await h.pidFile();
  if (live.length === 0 && s.state !== 'running') return null;
  if (live.length === 1 && s.state === 'running' && s.pid === live[0] && file === String(live[0])) return null;
  // A wrapper that waits for its server is the server's parent: it lives as long as the server.
  const others = live.filter((pid) => pid !== s.pid);
  if (
    s.state === 'running' &&
    s.pid !== null &&
    live.includes(s.pid) &&
    file === String(s.pid) &&
    others.length === 1 &&
    ppidOf(s.pid) === others[0]
  )
    return null;
  return (
    `live ${JSON.stringify(live)} (port ${h.settings.port} in use: ` +
    `${await portInUse('127.0.0.1', h.settings.port)}), state ${s.state} pid ${s.pid} external ${s.external}, ` +
    `server.pid ${JSON.stringify(file)}, error ${s.error?.code ?? '-'}: ${s.error?.message ?? '-'}`
  );
}

describe('a wrapper that puts the server in a session of its own (setsid)', () => {
  it.each([
    ['waits for it, runs node …/main.js', setsidWaitingWrapper, false],
    ['waits for it, runs node …/msbserver', setsidWaitingWrapper, true],
    ['backgrounds it and exits, runs node …/main.js', setsidBackgroundWrapper, false],
    ['backgrounds it and exits, runs node …/msbserver', setsidBackgroundWrapper, true],
  ] as const)('%s — the start ends with one tracked server or none', async (_name, make, named) => {
    withServer(await make(path.join(h.root, 'wrapper'), named));
    const c = h.controller({}, { stateDir });
    const after = await c.start();
    const problem = await oneTrackedOrNone(c);
    expect(problem, `start answered ${after.state} (${after.error?.message ?? ''})`).toBeNull();
    if (c.snapshot().state === 'running') {
      const external = c.snapshot().external;
      await c.stop();
      // A wrapper that waited for the server exits once the server has gone.
      await waitUntil(() => processesIn(h.home).length === 0);
      expect(processesIn(h.home)).toEqual([]);
      // The app started it: it must not call it "started outside the app".
      expect(external, 'the app’s own server labelled external (started outside the app)').toBe(false);
    }
  });
});

describe('wrappers that stay in the group', () => {
  it('a wrapper that forks twice (subshell + background): tracked, named in server.pid, stopped', async () => {
    withServer(await doubleForkWrapper(path.join(h.root, 'wrapper')));
    const c = h.controller({}, { stateDir });
    const running = await c.start();
    expect(running.state).toBe('running');
    expect(await oneTrackedOrNone(c)).toBeNull();
    await c.stop();
    expect(processesIn(h.home)).toEqual([]);
    expect(await h.pidFile()).toBeNull();
  });

  it(
    'Stop while a backgrounding wrapper’s server is still booting ends that server too',
    { timeout: 60_000 },
    async () => {
      withServer(await daemonWrapper(path.join(h.root, 'wrapper')));
      h.env = { ...h.env, MSB_STANDIN_READY_DELAY_MS: '600000' };
      h.settings = { ...h.settings, readinessTimeoutMs: 60_000 };
      const c = h.controller({}, { stateDir });
      const starting = c.start();
      // The wrapper has exited and its server (in the wrapper's group) is booting.
      expect(
        await waitUntil(
          () =>
            c.snapshot().state === 'starting' &&
            c.snapshot().pid !== null &&
            processesIn(h.home).length === 1 &&
            !isAlive(c.snapshot().pid ?? 0),
          SERVER_UP_MS,
        ),
      ).toBe(true);
      const server = processesIn(h.home)[0];
      const stopped = await c.stop();
      await starting;
      expect(stopped.state).toBe('stopped');
      // Ended, but not the app's child: gone once its new parent has reaped it.
      expect(
        await waitUntil(() => !isAlive(server ?? 0)),
        `server ${server} (group ${pgidOf(server ?? 0)}) still runs after Stop`,
      ).toBe(true);
    },
  );

  // The server binds at once and never answers health, so the app always quits while its start
  // still waits, and no other process can take the port meanwhile. (It used to bind 1.5 s late: in
  // a full parallel suite another test could take the port freePort had just released, the server
  // then exited on its bind error and the next run found nothing to recognise.)
  it('quitting during a backgrounding wrapper’s start, the next app run recognises (or ends) that server', async () => {
    withServer(await daemonWrapper(path.join(h.root, 'wrapper')));
    h.env = { ...h.env, MSB_STANDIN_NEVER_HEALTHY: '1' };
    const first = h.controller({}, { stateDir });
    const starting = first.start();
    expect(
      await waitUntil(
        async () =>
          first.snapshot().pid !== null &&
          !isAlive(first.snapshot().pid ?? 0) &&
          processesIn(h.home).length === 1 &&
          (await portInUse('127.0.0.1', h.settings.port)),
        SERVER_UP_MS,
      ),
    ).toBe(true);
    await first.dispose(); // the app quits: "its server is detached and is left to come up"
    expect((await starting).state, 'the start gave way to the quit').toBe('starting');
    const [server] = processesIn(h.home);

    const second = h.controller({}, { stateDir });
    await second.ready;
    const problem =
      `second run: ${second.snapshot().state} pid ${second.snapshot().pid}, server.pid ` +
      `${JSON.stringify(await h.pidFile())}, live ${JSON.stringify(processesIn(h.home))}`;
    const recognised = second.snapshot().state === 'running' && second.snapshot().pid === server;
    const again = await second.start();
    await second.stop();
    expect(recognised, problem).toBe(true);
    expect(again.error?.code, again.error?.message).toBeUndefined();
  });
});

describe('what a wrapper leaves in its group when the app did not spawn the leader this run', () => {
  it(
    'after an app restart, `msb server stop` on a no-exec wrapper: ' + 'the real server does not run on untracked',
    async () => {
      withServer(await noExecWrapper(path.join(h.root, 'wrapper')));
      const first = h.controller({}, { stateDir });
      const running = await first.start();
      expect(running.state).toBe('running');
      await first.dispose();

      const second = h.controller({ livenessMs: 100 }, { stateDir });
      await second.ready;
      expect(second.snapshot()).toMatchObject({ state: 'running', pid: running.pid, external: false });
      // msb server stop: SIGTERM to the PID in server.pid (the wrapper shell), then the file goes.
      process.kill(running.pid ?? 0, 'SIGTERM');
      await fsp.rm(h.paths.pidFile, { force: true });
      await nextState(second, 'stopped');
      const cleared = await waitUntil(() => processesIn(h.home).length === 0);
      expect(
        cleared,
        `left running untracked: ${JSON.stringify(processesIn(h.home))}, port in use ` +
          `${await portInUse('127.0.0.1', h.settings.port)}`,
      ).toBe(true);
    },
  );

  it(
    'a CLI-started no-exec wrapper adopted by the app, ' + 'then `msb server stop`: no server runs on untracked',
    async () => {
      const wrapper = await noExecWrapper(path.join(h.root, 'wrapper'));
      const cli = await cliStart({ home: h.home, port: h.settings.port, executable: wrapper });
      await waitFor(async () => portInUse('127.0.0.1', h.settings.port), {
        timeout: SERVER_UP_MS,
        what: 'the CLI-started server on its port',
      });
      const c = h.controller({ livenessMs: 100 });
      await c.ready;
      expect(c.snapshot()).toMatchObject({ state: 'running', pid: cli.pid, external: true });
      process.kill(cli.pid ?? 0, 'SIGTERM');
      await fsp.rm(h.paths.pidFile, { force: true });
      await nextState(c, 'stopped');
      // Either the app ends what the wrapper left, or it keeps tracking it; never "stopped" with a live server.
      const settled = await waitUntil(() => processesIn(h.home).length === 0 || c.snapshot().state === 'running');
      expect(settled, `state ${c.snapshot().state}, live ${JSON.stringify(processesIn(h.home))}`).toBe(true);
    },
  );

  it('a server that moves to a process group of its own after starting is still ended by Stop', async () => {
    const lookalike = await pythonLookalike(path.join(h.root, 'py'));
    withServer(await noExecAround(path.join(h.root, 'py'), lookalike));
    h.env = { ...h.env, LOOKALIKE_SETPGID_AFTER_MS: '1500' };
    const c = h.controller({}, { stateDir });
    const running = await c.start();
    expect(running.state).toBe('running');
    const server = processesIn(h.home).find((pid) => pid !== running.pid) ?? 0;
    expect(await waitUntil(() => pgidOf(server) === server)).toBe(true);
    const stopped = await c.stop();
    expect(stopped.state).toBe('stopped');
    await waitUntil(() => !isAlive(server));
    expect(
      isAlive(server),
      `the Python server ${server} (now group ${pgidOf(server)}) survived Stop; port in use ` +
        `${await portInUse('127.0.0.1', h.settings.port)}`,
    ).toBe(false);
  });

  it('the Python look-alike that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    withServer(await pythonLookalike(path.join(h.root, 'py')));
    h.env = { ...h.env, LOOKALIKE_IGNORE_TERM: '1' };
    const c = h.controller({ stopGraceMs: 500 }, { stateDir });
    const running = await c.start();
    expect(running.state).toBe('running');
    const t0 = Date.now();
    expect((await c.stop()).state).toBe('stopped');
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(processesIn(h.home)).toEqual([]);
  });
});

// `msb server start` takes no lock. Raced against the app's start over many
// rounds, the end is always exactly one live msbserver for the home, server.pid naming it, and the
// app tracking it; Stop then leaves nothing.
describe('the CLI racing the app’s start', () => {
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
          });
          if (!settled) {
            problems.push(
              `round ${round} (CLI after ${offset} ms): live ${JSON.stringify(processesIn(h.home))}, state ` +
                `${c.snapshot().state} pid ${c.snapshot().pid}, server.pid ${JSON.stringify(await h.pidFile())}, ` +
                `error ${c.snapshot().error?.message ?? '-'}`,
            );
          }
          const stopped = await c.stop();
          await c.dispose();
          const empty = await waitUntil(() => processesIn(h.home).length === 0);
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
});
