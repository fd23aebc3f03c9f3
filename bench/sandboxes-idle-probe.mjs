// Run by bench/sandboxes.ts in a fresh plain Node process (no TypeScript loader): the bundled
// sandboxes core watching a namespaces folder with running sandboxes, and nothing else going
// on. Prints the CPU it used, without and with metrics interest, as JSON.
// @ts-check
const { CORE_FILE, NAMESPACES, IDLE_SECONDS, SETTLE_SECONDS } = process.env;
/** @type {any} */
const core = await import(String(CORE_FILE));
const seconds = Number(IDLE_SECONDS ?? 30);
const settle = Number(SETTLE_SECONDS ?? 10);

/** @param {number} span */
async function cpuPercentOver(span) {
  await new Promise((resolve) => setTimeout(resolve, settle * 1_000));
  const before = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, span * 1_000));
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1_000 / (performance.now() - t0)) * 100;
}

// For reference: the same process doing nothing yet (a VM's timer ticks and V8's own work show here).
const baselinePercent = await cpuPercentOver(seconds);
const monitor = new core.SandboxMonitor({ namespacesDir: NAMESPACES });
const view = await monitor.start();
const running = view.namespaces
  .flatMap((/** @type {any} */ n) => n.sandboxes)
  .filter((/** @type {any} */ s) => s.state === 'running').length;
const closedPercent = await cpuPercentOver(seconds);
const release = monitor.watchMetrics();
const interestPercent = await cpuPercentOver(seconds);
release();
monitor.dispose();
process.stdout.write(JSON.stringify({ running, baselinePercent, closedPercent, interestPercent, seconds }));
