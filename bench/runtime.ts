// Runtime generation figures, against the real msb (0.6.18 from the microsandbox devDependency)
// in temporary MSB_HOMEs seeded as the tests seed them: listing cost against msb's own, the cost
// of a listing when nothing changed, how soon a change made outside the app shows, and how many
// msb processes the service starts while nobody looks.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RuntimeService, RuntimeState } from '../electron/core/runtime/api.ts';
import { createRuntimeSandboxes } from '../electron/core/runtime/runtime-sandboxes.ts';
import { createRuntimeService } from '../electron/core/runtime/runtime-service.ts';
import { REAL_MSB, REAL_MSB_MISSING, RuntimeHome } from '../test/fixtures/runtime-home.ts';
import { epochMs, fmt, summarize, type Summary } from './stats.ts';

const run = promisify(execFile);

type Row = { figure: string; value: string; budget: string; met: boolean | null };

function until(service: RuntimeService, predicate: (state: RuntimeState) => boolean): Promise<RuntimeState> {
  return new Promise((resolve) => {
    if (predicate(service.state())) return resolve(service.state());
    const off = service.onChange((state) => {
      if (!predicate(state)) return;
      off();
      resolve(state);
    });
  });
}

const statusOf = (state: RuntimeState, name: string): string | undefined =>
  state.sandboxes.find((sandbox) => sandbox.name === name)?.status;

function fleet(home: RuntimeHome, count: number, running: number): void {
  home.seed(
    Array.from({ length: count }, (_, i) =>
      i < running
        ? { name: `sb-${i}`, status: 'Running', pid: home.ownedProcess().pid }
        : { name: `sb-${i}`, status: i % 3 === 0 ? 'Crashed' : 'Stopped' },
    ),
  );
}

async function listing(runs: number): Promise<{ app: Summary; msb: Summary; unchanged: Summary; started: number }> {
  const home = new RuntimeHome().init();
  try {
    fleet(home, 100, 5);
    const msbPath = REAL_MSB ?? '';
    const env = { ...process.env, MSB_HOME: home.home, NO_COLOR: '1' };
    const sandboxes = createRuntimeSandboxes({ msbPath, home: home.home });
    const app: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved so both see the same machine load.
      let t = performance.now();
      await Promise.all([
        run(msbPath, ['ls', '--format', 'json'], { env }),
        run(msbPath, ['ps', '-a', '--format', 'json'], { env }),
      ]);
      bare.push(performance.now() - t);
      t = performance.now();
      const list = await sandboxes.list();
      app.push(performance.now() - t);
      if (list.length !== 100) throw new Error(`listed ${list.length} sandboxes, not 100`);
    }
    const counting = home.countingMsb();
    const service = createRuntimeService({ msbPath: counting.path, home: home.home, probeAtStart: false });
    try {
      await until(service, (state) => state.sandboxes.length === 100);
      await service.refresh();
      const before = counting.count();
      const unchanged: number[] = [];
      for (let i = 0; i < runs * 5; i++) {
        const t = performance.now();
        await service.refresh();
        unchanged.push(performance.now() - t);
      }
      return {
        app: summarize(app),
        msb: summarize(bare),
        unchanged: summarize(unchanged),
        started: counting.count() - before,
      };
    } finally {
      service.dispose();
    }
  } finally {
    await home.disposeWhenUnused();
  }
}

/**
 * A change made by another process, timed from the moment that process has exited (the change is
 * on disk) until the service shows it: the outside tool's own start-up is not the app's latency,
 * and it runs asynchronously so this process's event loop stays free, as the app's is. A change
 * not shown within MISS_MS counts as missed (the service may never list it by itself).
 */
const MISS_MS = 5_000;

async function outside(runs: number): Promise<{ appear: Summary; stop: Summary; missed: number }> {
  const home = new RuntimeHome().init();
  const service = createRuntimeService({ msbPath: REAL_MSB ?? '', home: home.home, probeAtStart: false });
  const env = { ...process.env, MSB_HOME: home.home, NO_COLOR: '1' };
  let missed = 0;
  const shown = async (seen: Promise<RuntimeState>): Promise<number | null> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), MISS_MS);
    });
    const at = await Promise.race([seen.then(() => epochMs()), late]);
    clearTimeout(timer);
    return at;
  };
  try {
    fleet(home, 20, 0);
    await until(service, (state) => state.sandboxes.length === 20);
    const appear: number[] = [];
    const stop: number[] = [];
    for (let i = 0; i < runs; i++) {
      const name = `outside-${i}`;
      const pid = home.ownedProcess().pid;
      let seen = until(service, (state) => statusOf(state, name) === 'Running');
      await home.seedAsync([{ name, status: 'Running', pid }]);
      let t0 = epochMs();
      let at = await shown(seen);
      // A missed one still shows up Stopped after the next step's write (a listing follows it).
      if (at === null) missed += 1;
      else appear.push(Math.max(0, at - t0));
      seen = until(service, (state) => statusOf(state, name) === 'Stopped');
      await run(REAL_MSB ?? 'msb', ['stop', '--force', name], { env });
      t0 = epochMs();
      at = await shown(seen);
      if (at === null) missed += 1;
      else stop.push(Math.max(0, at - t0));
    }
    return { appear: summarize(appear), stop: summarize(stop), missed };
  } finally {
    service.dispose();
    await home.disposeWhenUnused();
  }
}

async function idle(seconds: number): Promise<{ running: number; none: number }> {
  const busy = new Home(10);
  const quiet = new Home(0);
  try {
    await Promise.all([busy.settle(), quiet.settle()]);
    const before = [busy.counting.count(), quiet.counting.count()] as const;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const perMinute = (now: number, then: number): number => ((now - then) * 60) / seconds;
    return { running: perMinute(busy.counting.count(), before[0]), none: perMinute(quiet.counting.count(), before[1]) };
  } finally {
    await Promise.all([busy.dispose(), quiet.dispose()]);
  }
}

class Home {
  readonly home = new RuntimeHome().init();
  readonly counting = this.home.countingMsb();
  readonly service: RuntimeService;
  readonly #count: number;
  constructor(running: number) {
    this.#count = running + 10;
    fleet(this.home, this.#count, running);
    this.service = createRuntimeService({ msbPath: this.counting.path, home: this.home.home });
  }
  async settle(): Promise<void> {
    await until(
      this.service,
      (state) => state.sandboxes.length === this.#count && state.host !== null && state.context !== null,
    );
    await this.service.refresh();
  }
  async dispose(): Promise<void> {
    this.service.dispose();
    await this.home.disposeWhenUnused();
  }
}

export async function runtimeRows(runs: number, idleSeconds: number): Promise<Row[]> {
  if (REAL_MSB_MISSING !== null) {
    return [{ figure: 'runtime generation (real msb)', value: `skipped: ${REAL_MSB_MISSING}`, budget: '—', met: null }];
  }
  const list = await listing(runs);
  const moved = await outside(Math.min(runs, 20));
  const quiet = await idle(idleSeconds);
  const ratio = list.app.median / list.msb.median;
  const median = (figure: string, s: Summary, budget: number): Row => ({
    figure,
    value: `median ${fmt(s.median)} ms, p95 ${fmt(s.p95)} ms (n=${s.runs})`,
    budget: `median ≤ ${budget} ms`,
    met: s.median <= budget,
  });
  return [
    {
      figure: 'runtime: list 100 sandboxes, cold (ls + ps -a, parsed), against `msb ls` + `msb ps -a` alone',
      value: `median ${fmt(list.app.median)} ms vs ${fmt(list.msb.median)} ms: ${fmt(ratio, 2)} × (n=${list.app.runs})`,
      budget: '≤ 1.3 ×',
      met: ratio <= 1.3,
    },
    {
      figure: 'runtime: the same, no file changed since',
      value:
        `median ${fmt(list.unchanged.median, 3)} ms, p95 ${fmt(list.unchanged.p95, 3)} ms, ${list.started} msb ` +
        `started (n=${list.unchanged.runs})`,
      budget: 'no msb started, ≤ 2 ms',
      met: list.started === 0 && list.unchanged.median <= 2,
    },
    median(
      'runtime: a sandbox appearing outside the app (sqlite3 exited), until the service shows it',
      moved.appear,
      300,
    ),
    median(
      'runtime: a sandbox stopped outside the app (`msb stop` exited), until the service shows it',
      moved.stop,
      300,
    ),
    {
      figure: `runtime: outside changes not shown within ${MISS_MS / 1000} s`,
      value: `${moved.missed} of ${2 * Math.min(runs, 20)}`,
      budget: '0',
      met: moved.missed === 0,
    },
    {
      figure: `runtime: msb processes started per minute, 10 running, nobody looking (over ${idleSeconds} s)`,
      value: fmt(quiet.running, 2),
      budget: '≤ 2',
      met: quiet.running <= 2,
    },
    {
      figure: `runtime: the same with none running (over ${idleSeconds} s)`,
      value: fmt(quiet.none, 2),
      budget: '0',
      met: quiet.none === 0,
    },
  ];
}

// `tsx bench/runtime.ts` alone prints just these figures.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runtimeRows(
    Number(process.env['BENCH_RUNS'] ?? 40),
    Number(process.env['BENCH_RUNTIME_IDLE_SECONDS'] ?? 60),
  );
  process.stdout.write(
    rows
      .map((r) => `| ${r.figure} | ${r.value} | ${r.budget} | ${r.met === null ? '—' : r.met ? 'yes' : 'NO'} |`)
      .join('\n') + '\n',
  );
}
