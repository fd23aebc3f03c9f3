import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_PID,
  isNotFound,
  parsePid,
  readPidFile,
  removePidFileIf,
  writePidFile,
} from '../../../../electron/core/server/pid-file.ts';

let dir: string;
let pidFile: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-pid-file-'));
  pidFile = path.join(dir, 'server.pid');
});

afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('parsePid', () => {
  it('is pid_t sized', () => {
    expect(MAX_PID).toBe(2_147_483_647);
  });

  it.each([
    ['2', 2],
    ['12345', 12_345],
    ['2147483647', 2_147_483_647],
    ['99', 99],
    ['1000000000', 1_000_000_000],
    // As msb reads it: trim, then a signed 32-bit parse.
    ['+5', 5],
    ['007', 7],
    [' 123', 123],
    ['123 ', 123],
    ['123\n', 123],
    ['123\r\n', 123],
    ['\n123', 123],
    ['\u00a0123\u2003', 123],
  ])('accepts %j as %d', (text, pid) => {
    expect(parsePid(text)).toBe(pid);
  });

  it.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['zero (a process group)', '0'],
    ['minus one (every process of the user)', '-1'],
    ['one (init)', '1'],
    ['a lone zero pair', '00'],
    ['beyond pid_t', '2147483648'],
    ['ten nines', '9999999999'],
    ['minus two (another process group)', '-2'],
    ['below i32', '-2147483649'],
    ['a sign alone', '+'],
    ['two signs', '+-5'],
    ['a sign after a space', '+ 5'],
    ['huge', '99999999999999999999999'],
    ['a newline alone', '\n'],
    ['exponent', '1e3'],
    ['hex', '0x10'],
    ['a decimal point', '12.0'],
    ['fullwidth digits', '\uff11\uff12'],
    ['arabic-indic digits', '\u0661\u0662'],
    ['inner space', '12 34'],
    ['a NUL after the digits', '123\0'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
  ])('rejects %s', (_name, text) => {
    expect(parsePid(text)).toBeNull();
  });
});

describe('readPidFile', () => {
  it('reports a missing file', async () => {
    expect(await readPidFile(pidFile)).toEqual({ kind: 'missing' });
  });

  it('reports a missing directory as a missing file', async () => {
    expect(await readPidFile(path.join(dir, 'no-such-dir', 'server.pid'))).toEqual({ kind: 'missing' });
  });

  it('reads the bare decimal msb writes', async () => {
    await fsp.writeFile(pidFile, '4242');
    expect(await readPidFile(pidFile)).toEqual({ kind: 'pid', pid: 4242, raw: '4242' });
  });

  it.each(['4242\n', ' 4242 ', '+4242'])('reads %j as msb does: PID 4242', async (raw) => {
    await fsp.writeFile(pidFile, raw);
    expect(await readPidFile(pidFile)).toEqual({ kind: 'pid', pid: 4242, raw });
  });

  it.each(['', 'garbage', '0', '-1', '1', '2147483648', '42 42'])(
    'calls %j invalid and keeps the raw text',
    async (raw) => {
      await fsp.writeFile(pidFile, raw);
      expect(await readPidFile(pidFile)).toEqual({ kind: 'invalid', raw });
    },
  );

  it('throws errors other than a missing file (a directory in its place)', async () => {
    await fsp.mkdir(pidFile);
    await expect(readPidFile(pidFile)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

describe('writePidFile', () => {
  it('writes exactly the decimal PID with no newline', async () => {
    await writePidFile(pidFile, 31_337);
    expect(await fsp.readFile(pidFile, 'utf8')).toBe('31337');
    expect(await readPidFile(pidFile)).toEqual({ kind: 'pid', pid: 31_337, raw: '31337' });
  });

  it('writes the largest pid_t', async () => {
    await writePidFile(pidFile, MAX_PID);
    expect(await fsp.readFile(pidFile, 'utf8')).toBe('2147483647');
  });

  it('replaces an existing file atomically: a new inode, no temporary files left', async () => {
    await fsp.writeFile(pidFile, '1111');
    const before = (await fsp.stat(pidFile)).ino;
    await writePidFile(pidFile, 2222);
    expect(await fsp.readFile(pidFile, 'utf8')).toBe('2222');
    expect((await fsp.stat(pidFile)).ino).not.toBe(before);
    expect(await fsp.readdir(dir)).toEqual(['server.pid']);
  });

  it('leaves no temporary files after many writes', async () => {
    for (let pid = 100; pid < 120; pid += 1) await writePidFile(pidFile, pid);
    expect(await fsp.readFile(pidFile, 'utf8')).toBe('119');
    expect(await fsp.readdir(dir)).toEqual(['server.pid']);
  });

  it('writes a file others can read (0644), as msb does', async () => {
    await writePidFile(pidFile, 4242);
    expect((await fsp.stat(pidFile)).mode & 0o777).toBe(0o644);
  });

  it.each([0, 1, -1, Number.NaN, 1.5, MAX_PID + 1, Number.POSITIVE_INFINITY, -4242])('refuses %d', async (pid) => {
    await expect(writePidFile(pidFile, pid)).rejects.toBeInstanceOf(RangeError);
    await expect(fsp.access(pidFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('leaves an existing file alone when it refuses', async () => {
    await fsp.writeFile(pidFile, '4242');
    await expect(writePidFile(pidFile, 0)).rejects.toBeInstanceOf(RangeError);
    expect(await fsp.readFile(pidFile, 'utf8')).toBe('4242');
  });
});

describe('removePidFileIf', () => {
  it('removes the file while it still holds the expected PID', async () => {
    await writePidFile(pidFile, 4242);
    expect(await removePidFileIf(pidFile, 4242)).toBe(true);
    expect(await readPidFile(pidFile)).toEqual({ kind: 'missing' });
  });

  it('leaves a file rewritten by another starter', async () => {
    await writePidFile(pidFile, 4242);
    // Another starter replaced it in the meantime.
    await writePidFile(pidFile, 5353);
    expect(await removePidFileIf(pidFile, 4242)).toBe(false);
    expect(await fsp.readFile(pidFile, 'utf8')).toBe('5353');
  });

  it('answers false for a missing file', async () => {
    expect(await removePidFileIf(pidFile, 4242)).toBe(false);
    expect(await removePidFileIf(pidFile, 'garbage')).toBe(false);
  });

  it('does not take a number for an invalid file that spells it differently', async () => {
    await fsp.writeFile(pidFile, '4242x');
    expect(await removePidFileIf(pidFile, 4242)).toBe(false);
    expect(await fsp.readFile(pidFile, 'utf8')).toBe('4242x');
  });

  it('takes a number for a file msb reads as that PID (trailing newline)', async () => {
    await fsp.writeFile(pidFile, '4242\n');
    expect(await removePidFileIf(pidFile, 4242)).toBe(true);
    expect(await readPidFile(pidFile)).toEqual({ kind: 'missing' });
  });

  it('removes an invalid file by its exact raw content', async () => {
    await fsp.writeFile(pidFile, 'garbage\n');
    expect(await removePidFileIf(pidFile, 'garbage')).toBe(false);
    expect(await removePidFileIf(pidFile, 'garbage\n')).toBe(true);
    expect(await readPidFile(pidFile)).toEqual({ kind: 'missing' });
  });

  it('removes a valid file by its raw string too', async () => {
    await writePidFile(pidFile, 4242);
    expect(await removePidFileIf(pidFile, '4243')).toBe(false);
    expect(await removePidFileIf(pidFile, '4242')).toBe(true);
    expect(await readPidFile(pidFile)).toEqual({ kind: 'missing' });
  });

  it('removes an empty file by the empty string, and only that', async () => {
    await fsp.writeFile(pidFile, '');
    expect(await removePidFileIf(pidFile, ' ')).toBe(false);
    expect(await removePidFileIf(pidFile, '')).toBe(true);
    expect(await readPidFile(pidFile)).toEqual({ kind: 'missing' });
  });

  it('leaves a raw-string file rewritten with a valid PID by another starter', async () => {
    await fsp.writeFile(pidFile, 'garbage');
    await writePidFile(pidFile, 5353);
    expect(await removePidFileIf(pidFile, 'garbage')).toBe(false);
    expect(await fsp.readFile(pidFile, 'utf8')).toBe('5353');
  });

  it('only one of two concurrent removers removes the file', async () => {
    await writePidFile(pidFile, 4242);
    const results = await Promise.all([removePidFileIf(pidFile, 4242), removePidFileIf(pidFile, 4242)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readPidFile(pidFile)).toEqual({ kind: 'missing' });
  });
});

describe('isNotFound', () => {
  it('recognises ENOENT errors only', async () => {
    const missing = await fsp.readFile(path.join(dir, 'nope')).catch((error: unknown) => error);
    expect(isNotFound(missing)).toBe(true);
    expect(isNotFound(new Error('ENOENT'))).toBe(false);
    expect(isNotFound({ code: 'ENOENT' })).toBe(false);
    expect(isNotFound(null)).toBe(false);
  });
});
