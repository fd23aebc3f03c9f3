// `npm run bench`: measures the figures of docs/performance.md and prints them as a table.
// It reports; it never fails because a budget is missed (exit code 1 only if a measurement broke).
import os from 'node:os';
import { measureColdStart } from './cold-start.ts';
import { measureKeygen } from './keygen.ts';
import { measureIdle, measureLifecycle } from './lifecycle.ts';
import { measureWindow } from './window.ts';
import { sandboxesRows } from './sandboxes.ts';
import { runtimeRows } from './runtime.ts';
import { fmt, type Summary } from './stats.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 40);
const IDLE_SECONDS = Number(process.env['BENCH_IDLE_SECONDS'] ?? 30);

interface Row {
  figure: string;
  value: string;
  budget: string;
  /** null where there is no budget to meet. */
  met: boolean | null;
}

function medianRow(figure: string, s: Summary, budgetMs: number): Row {
  return {
    figure,
    value: `median ${fmt(s.median)} ms, p95 ${fmt(s.p95)} ms (n=${s.runs})`,
    budget: `median ≤ ${budgetMs} ms`,
    met: s.median <= budgetMs,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const note = (text: string): void => void process.stderr.write(`${text}\n`);

  note(`lifecycle: ${RUNS} starts and stops, ${RUNS} external starts and stops…`);
  const life = await measureLifecycle(RUNS);
  rows.push(medianRow('start overhead (running − stand-in accepting)', life.startOverhead, 15));
  rows.push(medianRow('stop overhead (stopped − server exit)', life.stopOverhead, 15));
  rows.push(medianRow('external start noticed (PID file → running, external)', life.externalStart, 200));
  rows.push(medianRow('external stop noticed (kill + PID file removal → stopped)', life.externalStop, 200));

  note(`idle: ${IDLE_SECONDS} s with a server the app started, ${IDLE_SECONDS} s with an adopted one…`);
  const idle = await measureIdle(IDLE_SECONDS);
  rows.push({
    figure: `idle floor: the same process with only empty timers at the monitor's cadence (over ${idle.seconds} s)`,
    value: `${fmt(idle.timersFloorPercent, 3)} % of one core`,
    budget: '—',
    met: null,
  });
  for (const [label, value] of [
    ['idle cost, own server', idle.ownServerPercent],
    ['idle cost, adopted server', idle.adoptedServerPercent],
  ] as const) {
    rows.push({
      figure: `${label} (CPU / wall over ${idle.seconds} s)`,
      value: `${fmt(value, 3)} % of one core`,
      budget: '≤ 0.1 %',
      met: value <= 0.1,
    });
  }

  note(`keygen: ${RUNS * 25} mints through the handler table, server stopped and running…`);
  const keys = await measureKeygen(RUNS * 25);
  rows.push({
    figure: 'first key after launch (loads jose, imports the HMAC key)',
    value: `${fmt(keys.firstMs)} ms`,
    budget: '—',
    met: null,
  });
  for (const [label, s] of [
    ['key through the handler table, no server', keys.serverStopped],
    ['key through the handler table, server running (incl. key check)', keys.serverRunning],
  ] as const) {
    rows.push({
      figure: label,
      value: `p99 ${fmt(s.p99, 2)} ms, median ${fmt(s.median, 2)} ms (n=${s.runs})`,
      budget: 'p99 ≤ 2 ms',
      met: s.p99 <= 2,
    });
  }

  note(`cold start: ${RUNS} fresh processes…`);
  rows.push(medianRow('core cold start (import → first snapshot)', await measureColdStart(RUNS), 100));

  note(`window: bundle sizes and ${RUNS} loads in Chromium…`);
  const win = await measureWindow(RUNS);
  rows.push({
    figure: 'window JavaScript (gzip)',
    value: `${fmt(win.jsGzipBytes / 1024)} KB`,
    budget: '≤ 30 KB',
    met: win.jsGzipBytes <= 30 * 1024,
  });
  rows.push({
    figure: 'window CSS (gzip)',
    value: `${fmt(win.cssGzipBytes / 1024)} KB`,
    budget: '≤ 10 KB',
    met: win.cssGzipBytes <= 10 * 1024,
  });
  rows.push(medianRow('window: navigation → first status shown (Chromium)', win.firstStatus, 300));

  note(`sandboxes: listings of 100 × 10, idle with 10 running (${IDLE_SECONDS} s each), outside starts and stops…`);
  rows.push(...(await sandboxesRows(RUNS, IDLE_SECONDS)));

  const runtimeIdle = Number(process.env['BENCH_RUNTIME_IDLE_SECONDS'] ?? 60);
  note(`runtime generation (real msb): listings of 100, outside changes, ${runtimeIdle} s idle with 10 and 0 running…`);
  rows.push(...(await runtimeRows(RUNS, runtimeIdle)));

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `\nMicrosandbox Tray benchmarks — ${new Date().toISOString()}\n` +
      `${os.type()} ${os.release()} ${os.arch()}, ${os.cpus().length} × ${cpu}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n\n` +
      `| figure | measured | budget | met |\n|---|---|---|---|\n` +
      rows
        .map((r) => `| ${r.figure} | ${r.value} | ${r.budget} | ${r.met === null ? '—' : r.met ? 'yes' : 'NO'} |`)
        .join('\n') +
      '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
