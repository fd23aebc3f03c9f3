/**
 * A process's resident memory and CPU time, read the cheapest way each platform offers:
 * Linux `/proc/<pid>/stat` (utime + stime, and the start time that tells a reused PID apart)
 * and `/proc/<pid>/status` (VmRSS, exact whatever the page size); elsewhere one `ps` call.
 */
import { readFileSync } from 'node:fs';

function readProc(pid: number, name: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    // gone, or not ours to read: no figures
    return null;
  }
}

export interface ProcSample {
  readonly rssBytes: number | null;
  /** User + system CPU time in seconds. */
  readonly cpuSeconds: number | null;
  /** Identifies this incarnation of the PID (Linux start ticks; elsewhere null). */
  readonly startToken: string | null;
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux ABI in use. */
const CLOCK_TICKS = 100;

export async function sampleProcess(
  pid: number,
  platform: NodeJS.Platform = process.platform,
): Promise<ProcSample | null> {
  if (platform === 'linux') {
    // /proc files are generated in memory: a synchronous read is cheaper than a thread-pool hop.
    const stat = readProc(pid, 'stat');
    const status = readProc(pid, 'status');
    if (stat === null) return null;
    // Fields after the parenthesised command name: state is index 0, utime 11, stime 12, starttime 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null;
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssKb = status === null ? NaN : Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return {
      rssBytes: Number.isFinite(rssKb) ? rssKb * 1024 : null,
      cpuSeconds: Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLOCK_TICKS : null,
      startToken: fields[19] ?? null,
    };
  }
  if (platform === 'win32') return null;
  try {
    const { execa } = await import('execa');
    const { stdout } = await execa('ps', ['-o', 'rss=,time=', '-p', String(pid)], { timeout: 5_000 });
    const [rss, time] = stdout.trim().split(/\s+/);
    if (rss === undefined || time === undefined) return null;
    return { rssBytes: Number(rss) * 1024, cpuSeconds: parseCpuTime(time), startToken: null };
  } catch {
    // gone, or no ps: no figures rather than a failed listing
    return null;
  }
}

/** `ps -o time` format: `[[dd-]hh:]mm:ss[.cc]`. */
export function parseCpuTime(text: string): number | null {
  const m = /^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (m === null) return null;
  const [, days, hours, minutes, seconds] = m;
  return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes) * 60 + Number(seconds);
}

interface CpuBaseline {
  readonly cpuSeconds: number;
  readonly at: number;
  readonly startToken: string | null;
}

/**
 * CPU percent from two samples of the same process: (Δ CPU time / Δ wall time) × 100, so 100 is
 * one core fully busy. The first look at a process has no baseline and gives null; so does a
 * baseline older than `maxGapMs` (an average over minutes says little about now).
 */
export class CpuMeter {
  readonly #baselines = new Map<number, CpuBaseline>();

  readonly #now: () => number;
  readonly #maxGapMs: number;

  constructor(now: () => number, maxGapMs = 10_000) {
    this.#now = now;
    this.#maxGapMs = maxGapMs;
  }

  percent(pid: number, sample: ProcSample): number | null {
    if (sample.cpuSeconds === null) return null;
    const at = this.#now();
    const previous = this.#baselines.get(pid);
    this.#baselines.set(pid, { cpuSeconds: sample.cpuSeconds, at, startToken: sample.startToken });
    if (previous === undefined || previous.startToken !== sample.startToken) return null;
    const wallSeconds = (at - previous.at) / 1000;
    if (wallSeconds <= 0.05 || at - previous.at > this.#maxGapMs) return null;
    return Math.max(0, ((sample.cpuSeconds - previous.cpuSeconds) / wallSeconds) * 100);
  }

  /** Forget processes not seen in the last listing. */
  retain(pids: ReadonlySet<number>): void {
    for (const pid of this.#baselines.keys()) if (!pids.has(pid)) this.#baselines.delete(pid);
  }
}
