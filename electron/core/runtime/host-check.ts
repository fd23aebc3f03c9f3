/**
 * `msb doctor` as a report: its `✓` / `!` / `✗` lines become checks, and the `warn:` / `error:`
 * blocks after them, in the same order, give each problem its headline and its `→` fixes. It
 * prints text only (no JSON), on stderr, and exits 1 when a check fails, so both streams are read
 * and the exit code is not an error.
 */
import type { CheckHostOptions, HostCheck, HostCheckState, HostReport } from './api.ts';
import { MsbCommandError, runMsb, stripAnsi } from './msb-runner.ts';

const MARKS: Readonly<Record<string, HostCheckState>> = { '✓': 'ok', '!': 'warn', '✗': 'fail' };
const CHECK_LINE = /^\s*([✓!✗])\s+(.+?)(?:\s{2,}(.*))?$/;
const BLOCK_START = /^(warn|error):\s*(.*)$/;
const FIX_LINE = /^\s*→\s*(.*)$/;

interface Block {
  readonly state: HostCheckState;
  readonly headline: string;
  readonly fixes: string[];
}

/** The report in `output`; throws when it holds no check at all (not a doctor this app can read). */
export function parseDoctor(output: string): HostReport {
  const lines: { name: string; state: HostCheckState; detail: string }[] = [];
  const blocks: Block[] = [];
  for (const raw of stripAnsi(output).split(/\r?\n/)) {
    const check = CHECK_LINE.exec(raw);
    if (check !== null) {
      const [, mark = '', name = '', detail = ''] = check;
      const state = MARKS[mark];
      if (state !== undefined) lines.push({ name: name.trim(), state, detail: detail.trim() });
      continue;
    }
    const start = BLOCK_START.exec(raw.trim());
    if (start !== null) {
      blocks.push({ state: start[1] === 'warn' ? 'warn' : 'fail', headline: (start[2] ?? '').trim(), fixes: [] });
      continue;
    }
    const fix = FIX_LINE.exec(raw);
    const block = blocks.at(-1);
    if (fix !== null && block !== undefined) block.fixes.push((fix[1] ?? '').trim());
  }
  if (lines.length === 0) throw new Error('msb doctor printed no checks this app can read.');
  // Blocks follow the problem lines in order: the n-th `warn:` belongs to the n-th `!`, the n-th
  // `error:` to the n-th `✗`.
  const pending: Record<'warn' | 'fail', Block[]> = {
    warn: blocks.filter((block) => block.state === 'warn'),
    fail: blocks.filter((block) => block.state === 'fail'),
  };
  const checks: HostCheck[] = lines.map((line) => {
    const block = line.state === 'ok' ? undefined : pending[line.state].shift();
    return {
      name: line.name,
      state: line.state,
      detail: block !== undefined && block.headline !== '' ? block.headline : line.detail,
      fixes: block?.fixes ?? [],
    };
  });
  // A block with no line of its own (a newer doctor) is still a problem the user should see.
  for (const block of [...pending.warn, ...pending.fail])
    checks.push({ name: block.headline, state: block.state, detail: block.headline, fixes: block.fixes });
  return { ok: checks.every((check) => check.state !== 'fail'), checks };
}

/** Runs `msb doctor` and reads its report. Rejects when msb hangs, cannot run or prints no checks. */
export async function checkHost(options: CheckHostOptions & { readonly timeoutMs?: number }): Promise<HostReport> {
  const result = await runMsb(options, ['doctor'], {
    allowFailure: true,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  try {
    return parseDoctor(`${result.stdout}\n${result.stderr}`);
  } catch (error) {
    throw new MsbCommandError('msb doctor', 'output', error instanceof Error ? error.message : String(error));
  }
}

/** How long `msb doctor --fix` may take: it waits for the user at Windows' elevation prompt. */
export const HOST_FIX_TIMEOUT_MS = 5 * 60_000;

/**
 * `msb doctor --fix` (Windows: enables the Hypervisor Platform, asking for administrator rights).
 * Main runs it only after the user confirmed natively that it asks for those rights; the report
 * after it is the answer.
 */
export async function fixHost(options: CheckHostOptions): Promise<HostReport> {
  const result = await runMsb(options, ['doctor', '--fix'], { allowFailure: true, timeoutMs: HOST_FIX_TIMEOUT_MS });
  try {
    return parseDoctor(`${result.stdout}\n${result.stderr}`);
  } catch (error) {
    throw new MsbCommandError('msb doctor --fix', 'output', error instanceof Error ? error.message : String(error));
  }
}
