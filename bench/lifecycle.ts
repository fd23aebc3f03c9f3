// Lifecycle figures, measured against the msbserver stand-in on a temporary home.
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Controller } from '../electron/core/index.ts';
import type { ServerState } from '../shared/server-status.ts';
import { createHarness, type Harness } from '../test/electron/core/server/lifecycle-harness.ts';
import { freePort, STANDIN_PATH } from '../test/fixtures/standin-helpers.ts';
import { bundleCore } from './cold-start.ts';
import { epochMs, summarize, type Summary } from './stats.ts';

const run = promisify(execFile);

/** Resolves with the epoch time of the first snapshot in `state` (the listener runs synchronously on emit). */
function timeOfState(controller: Controller, state: ServerState, external?: boolean): Promise<number> {
  return new Promise((resolve) => {
    const off = controller.onChange((s) => {
      if (s.state !== state || (external !== undefined && s.external !== external)) return;
      const at = epochMs();
      off();
      resolve(at);
    });
  });
}

/**
 * The stand-in dies by the default action of SIGTERM, so the moment the controller sends it is
 * the moment the server exits (to within the kernel's delivery); recording the call needs no
 * change to the code under measurement.
 */
function recordSigterms(): { take(pid: number): number | undefined; restore(): void } {
  const original = process.kill.bind(process);
  const sent = new Map<number, number>();
  process.kill = (pid: number, signal?: string | number) => {
    // A stop signals the server's process group (-pid); it leads its group, so that is its PID.
    if (signal === 'SIGTERM' && !sent.has(Math.abs(pid))) sent.set(Math.abs(pid), epochMs());
    return original(pid, signal);
  };
  return {
    take: (pid) => {
      const at = sent.get(pid);
      sent.delete(pid);
      return at;
    },
    restore: () => {
      process.kill = original;
    },
  };
}

export interface LifecycleFigures {
  startOverhead: Summary;
  stopOverhead: Summary;
  externalStart: Summary;
  externalStop: Summary;
}

export async function measureLifecycle(runs: number): Promise<LifecycleFigures> {
  const h = await createHarness();
  const start: number[] = [];
  const stop: number[] = [];
  const externalStart: number[] = [];
  const externalStop: number[] = [];
  const sigterms = recordSigterms();
  try {
    const c = h.controller();
    await c.ready;
    for (let i = 0; i < runs; i++) {
      const running = timeOfState(c, 'running', false);
      const started = await c.start();
      if (started.state !== 'running') throw new Error(`start failed: ${started.error?.message ?? started.state}`);
      const record = await h.record();
      start.push((await running) - record.listeningAt);

      const stopped = timeOfState(c, 'stopped');
      await c.stop();
      const sent = sigterms.take(started.pid ?? 0);
      if (sent === undefined) throw new Error('no SIGTERM was recorded');
      stop.push((await stopped) - sent);
    }

    for (let i = 0; i < runs; i++) {
      const noticed = timeOfState(c, 'running', true);
      const child = await cliStartTimed(h);
      externalStart.push((await noticed) - child.pidWrittenAt);

      const gone = timeOfState(c, 'stopped');
      const at = epochMs();
      child.kill();
      await fsp.unlink(h.paths.pidFile);
      externalStop.push((await gone) - at);
      await waitFor(() => h.liveServers().length === 0);
    }
  } finally {
    sigterms.restore();
    await h.cleanup();
  }
  return {
    startOverhead: summarize(start),
    stopOverhead: summarize(stop),
    externalStart: summarize(externalStart),
    externalStop: summarize(externalStop),
  };
}

/** `msb server start`: spawn, then write server.pid; the clock starts when the file is written. */
async function cliStartTimed(h: Harness): Promise<{ pidWrittenAt: number; kill(): void }> {
  const child = await h.cliStart();
  const pidWrittenAt = epochMs();
  return { pidWrittenAt, kill: () => child.kill('SIGTERM') };
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface IdleFigures {
  /** CPU time over wall time, in percent of one core. */
  readonly ownServerPercent: number;
  readonly adoptedServerPercent: number;
  /**
   * The same process before it runs anything, with only the monitor's two timers (2 s and 15 s)
   * ticking and doing nothing: what the machine charges for the wake-ups alone.
   */
  readonly timersFloorPercent: number;
  readonly seconds: number;
}

/**
 * CPU the core spends with a running server and nobody touching anything, measured in a fresh
 * plain Node process running the bundled core (bench/idle-probe.mjs), so that neither the other
 * benchmarks' garbage nor a TypeScript loader is counted.
 */
export async function measureIdle(seconds: number): Promise<IdleFigures> {
  const outDir = fileURLToPath(new URL('../out/bench-core/', import.meta.url));
  const coreFile = await bundleCore(outDir);
  const { stdout } = await run(process.execPath, [fileURLToPath(new URL('./idle-probe.mjs', import.meta.url))], {
    env: {
      ...process.env,
      CORE_FILE: coreFile,
      STANDIN: STANDIN_PATH,
      IDLE_SECONDS: String(seconds),
      PORT: String(await freePort()),
    },
    timeout: (seconds * 3 + 120) * 1_000,
  });
  return JSON.parse(stdout) as IdleFigures;
}
