// Run by bench/lifecycle.ts in a fresh plain Node process (no TypeScript loader, whose own thread
// would be counted): the bundled core with a running stand-in, and nothing touching it. Prints
// the CPU it used as JSON.
// @ts-check
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const { CORE_FILE, STANDIN, IDLE_SECONDS, SETTLE_SECONDS, PORT } = process.env;
/** @type {any} */
const core = await import(String(CORE_FILE));
const seconds = Number(IDLE_SECONDS ?? 30);
const settle = Number(SETTLE_SECONDS ?? 15);
const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-bench-idle-'));
const settings = { ...core.DEFAULT_SETTINGS, port: Number(PORT) };
const options = {
  home: path.join(dir, 'home'),
  logDir: path.join(dir, 'logs'),
  settings: () => settings,
  env: { PATH: process.env.PATH, MSBSERVER_EXE: STANDIN },
  scrubber: new core.SecretScrubber(core.homePaths(path.join(dir, 'home')).keyFile, core.silentLogger),
};

/** @param {number} span */
async function cpuPercentOver(span) {
  // V8 collects garbage a few seconds after activity stops (its memory reducer): a one-off, not idle cost.
  await new Promise((resolve) => setTimeout(resolve, settle * 1_000));
  const before = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, span * 1_000));
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1_000 / (performance.now() - t0)) * 100;
}

try {
  // The machine's floor: empty timers at the monitor's cadence (liveness 2 s, heartbeat 15 s).
  const ticks = [setInterval(() => {}, 2_000), setInterval(() => {}, 15_000)];
  const timersFloorPercent = await cpuPercentOver(seconds);
  for (const tick of ticks) clearInterval(tick);
  const own = core.createController(options);
  if ((await own.start()).state !== 'running') throw new Error('the stand-in did not start');
  const ownServerPercent = await cpuPercentOver(seconds);
  await own.dispose();
  const adopted = core.createController(options);
  await adopted.ready;
  if (adopted.snapshot().state !== 'running') throw new Error('the server was not adopted');
  const adoptedServerPercent = await cpuPercentOver(seconds);
  await adopted.dispose({ stopServer: true });
  process.stdout.write(JSON.stringify({ ownServerPercent, adoptedServerPercent, timersFloorPercent, seconds }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
