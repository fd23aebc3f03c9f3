import { appendFileSync, promises as fsp, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogFollower } from '../../../../electron/core/base/log-follower.ts';
import { waitFor } from '../../../support/wait-for.ts';

let dir = '';
let file = '';
const followers: LogFollower[] = [];

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'log-follower-'));
  file = path.join(dir, 'logs', 'msbserver.log');
});

afterEach(async () => {
  for (const follower of followers.splice(0)) follower.dispose();
  await fsp.rm(dir, { recursive: true, force: true });
});

function follow(options: ConstructorParameters<typeof LogFollower>[3] = {}): string[][] {
  const batches: string[][] = [];
  const follower = new LogFollower(file, (lines) => batches.push(lines), undefined, options);
  followers.push(follower);
  follower.start();
  return batches;
}

const until = (condition: () => boolean, ms = 3_000): Promise<void> => waitFor(condition, { timeout: ms });

describe('LogFollower', () => {
  it('hands over only complete lines appended after it started, and a line finished later', async () => {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    writeFileSync(file, 'before the follower\n');
    const batches = follow();
    appendFileSync(file, 'first\nsecond\npart');
    await until(() => batches.flat().includes('second'));
    expect(batches.flat()).toEqual(['first', 'second']);
    appendFileSync(file, 'ial line\n');
    await until(() => batches.flat().includes('partial line'));
    expect(batches.flat()).toEqual(['first', 'second', 'partial line']);
  });

  it('follows a log that does not exist yet, and reads a rotated one from its start', async () => {
    const batches = follow();
    writeFileSync(file, 'created later\n');
    await until(() => batches.flat().includes('created later'));
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new\n');
    await until(() => batches.flat().includes('new'));
    expect(batches.flat()).toEqual(['created later', 'new']);
  });

  it('hands over nothing after dispose', async () => {
    const batches = follow();
    writeFileSync(file, 'seen\n');
    await until(() => batches.flat().includes('seen'));
    // A second follower of the same file is the witness that the append was there to be seen.
    const witness = follow();
    followers[0]?.dispose();
    appendFileSync(file, 'not seen\n');
    await until(() => witness.flat().includes('not seen'));
    expect(batches.flat()).toEqual(['seen']);
  });

  it("creates no folder when told not to (a sandbox log lives in upstream's folder)", async () => {
    // start() makes the folder, if at all, before it returns.
    follow({ createDir: false });
    await expect(fsp.access(path.dirname(file))).rejects.toThrow();
  });

  it('reads only the end of a burst larger than maxReadBytes, its first piece marked as cut', async () => {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
    const batches = follow({ maxReadBytes: 64 });
    const lines = Array.from({ length: 100 }, (_, i) => `line number ${String(i).padStart(3, '0')}`);
    appendFileSync(file, `${lines.join('\n')}\n`);
    await until(() => batches.flat().includes('line number 099'));
    const [first, ...seen] = batches.flat();
    expect(seen.length).toBeLessThan(10);
    // The piece the read began in says how much was skipped; every later line is whole, the last ones, in order.
    expect(first).toMatch(/^\[… \d+ bytes cut\] /);
    expect(lines.slice(-seen.length)).toEqual(seen);
    appendFileSync(file, 'after the burst\n');
    await until(() => batches.flat().includes('after the burst'));
  });
});

describe('LogFollower, bounded', () => {
  it('cuts a line that never ends to what can be shown, and skips a burst larger than a tail', async () => {
    const { MAX_LINE_CHARS, MAX_TAIL_BYTES } = await import('../../../../electron/core/base/log-tail.ts');
    await fsp.mkdir(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
    let reads = 0;
    const batches = follow({
      open: (name) => {
        reads += 1;
        return fsp.open(name, 'r');
      },
    });
    // A line written in pieces without a newline, far longer than a line may be.
    for (let i = 0; i < 10; i++) appendFileSync(file, '='.repeat(MAX_LINE_CHARS));
    // The unfinished line has been read (at least in part) before its end arrives.
    await until(() => reads > 0);
    appendFileSync(file, 'end\nnext\n');
    await until(() => batches.flat().includes('next'));
    const [cut, next] = batches.flat();
    expect(next).toBe('next');
    expect(cut).toBe(`${'='.repeat(MAX_LINE_CHARS)} [… ${9 * MAX_LINE_CHARS + 3} more characters cut]`);

    batches.length = 0;
    appendFileSync(file, `${'='.repeat(MAX_TAIL_BYTES * 2)}\nafter the burst\n`);
    await until(() => batches.flat().includes('after the burst'));
    const lines = batches.flat();
    expect(lines.join('\n').length).toBeLessThan(MAX_TAIL_BYTES);
    expect(lines[0]).toMatch(/^\[… \d+ bytes cut\] =+ \[… \d+ more characters cut\]$/);
  });

  it('never hands over part of a key that straddles the cut of a line still unfinished when read', async () => {
    const key = 'Zx8v2QmT4nLp0aRs6uWy1bCd3eFg5hJk';
    await fsp.mkdir(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
    const batches = follow();
    // 26 of the key's 32 characters fall before the 4 KiB cut; the line ends only later.
    const prefix = `${'y'.repeat(4069)} `;
    appendFileSync(file, `marker\n${prefix}${key} and more after it`);
    // The marker arrives in the same read as the unfinished line: that line is then held as unfinished.
    await until(() => batches.flat().includes('marker'));
    appendFileSync(file, ' until the end\n');
    await until(() => batches.flat().length === 2);
    const line = batches.flat()[1] ?? '';
    expect(line.startsWith(prefix)).toBe(true);
    expect(line).not.toContain(key.slice(0, 6));
    expect(line).toMatch(/more characters cut\]$/);
  });
});
