import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capLine, MAX_LINE_CHARS, stripTerminalCodes, tailLines } from '../../../../electron/core/base/log-tail.ts';

let dir: string;
let logFile: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-log-tail-'));
  logFile = path.join(dir, 'logs', 'some.log');
});

afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function writeLog(text: string | Buffer, file = logFile): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, text);
}

describe('tailLines', () => {
  it('returns the last N lines, oldest first', async () => {
    await writeLog('one\ntwo\nthree\nfour\n');
    expect(await tailLines(logFile, 2)).toEqual(['three', 'four']);
    expect(await tailLines(logFile, 1)).toEqual(['four']);
  });

  it('returns every line when N is larger than the file', async () => {
    await writeLog('one\ntwo\n');
    expect(await tailLines(logFile, 100)).toEqual(['one', 'two']);
  });

  it('keeps a last line without a newline and adds no trailing empty line', async () => {
    await writeLog('one\ntwo');
    expect(await tailLines(logFile, 5)).toEqual(['one', 'two']);
    await writeLog('one\ntwo\n');
    expect(await tailLines(logFile, 5)).toEqual(['one', 'two']);
  });

  it('keeps empty lines inside the text', async () => {
    await writeLog('one\n\n\ntwo\n');
    expect(await tailLines(logFile, 3)).toEqual(['', '', 'two']);
  });

  it('returns [] for an empty or missing file, or for N <= 0', async () => {
    expect(await tailLines(logFile, 10)).toEqual([]);
    await writeLog('');
    expect(await tailLines(logFile, 10)).toEqual([]);
    await writeLog('one\n');
    expect(await tailLines(logFile, 0)).toEqual([]);
    expect(await tailLines(logFile, -3)).toEqual([]);
  });

  it('splits CRLF lines without leaving carriage returns', async () => {
    await writeLog('one\r\ntwo\r\nthree\r\n');
    expect(await tailLines(logFile, 2)).toEqual(['two', 'three']);
  });

  it('reads lines longer than the 64 KiB chunk, and shows each cut to MAX_LINE_CHARS, marked', async () => {
    // Not token characters: those are cut by other rules (see capLine's edges below).
    const long = '='.repeat(200 * 1024);
    await writeLog(`first\n${long}\nshort\n`);
    const shown = `${'='.repeat(MAX_LINE_CHARS)} [… ${200 * 1024 - MAX_LINE_CHARS} more characters cut]`;
    expect(await tailLines(logFile, 2)).toEqual([shown, 'short']);
    expect(await tailLines(logFile, 3)).toEqual(['first', shown, 'short']);
  });

  it('reads at most MAX_TAIL_BYTES of a line without an end (64 MiB from a runaway server)', async () => {
    await fsp.mkdir(path.dirname(logFile), { recursive: true });
    const handle = await fsp.open(logFile, 'w');
    const mib = Buffer.alloc(1024 * 1024, 0x3d); // '='
    for (let i = 0; i < 64; i++) await handle.write(mib);
    await handle.close();
    const [line, ...rest] = await tailLines(logFile, 200);
    expect(rest).toEqual([]);
    expect(line?.length).toBeLessThan(MAX_LINE_CHARS + 100);
    expect(line).toMatch(/^\[… \d+ bytes cut\] =+ \[… \d+ more characters cut\]$/);
  });

  it('returns the last N of many lines spread over several chunks', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    await writeLog(`${lines.join('\n')}\n`);
    expect(await tailLines(logFile, 5000)).toEqual(lines.slice(-5000));
    expect(await tailLines(logFile, 30_000)).toEqual(lines);
  });

  it('keeps multi-byte characters whole across a chunk boundary', async () => {
    // 30 000 three-byte ✓ then "x\n": 90 002 bytes, so the 64 KiB boundary falls inside a ✓.
    const line = `${'✓'.repeat(30_000)}x`;
    await writeLog(`before\n${line}\n`);
    const size = (await fsp.stat(logFile)).size;
    expect((size - 64 * 1024 - Buffer.byteLength('before\n')) % 3).not.toBe(0);
    const shown = `${'✓'.repeat(MAX_LINE_CHARS)} [… ${line.length - MAX_LINE_CHARS} more characters cut]`;
    expect(await tailLines(logFile, 1)).toEqual([shown]);
    expect(await tailLines(logFile, 2)).toEqual(['before', shown]);
  });

  it('keeps multi-byte characters whole wherever the boundary falls', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${i} ✓ ünïcødé 🙂 ${'é'.repeat(i % 7)}`);
    await writeLog(`${lines.join('\n')}\n`);
    expect(await tailLines(logFile, 2500)).toEqual(lines.slice(-2500));
  });

  it('strips terminal colour codes', async () => {
    await writeLog('\u001b[2m2024-01-01T00:00:00Z\u001b[0m \u001b[32m INFO\u001b[0m msbserver: ready\n');
    expect(await tailLines(logFile, 1)).toEqual(['2024-01-01T00:00:00Z  INFO msbserver: ready']);
  });
});

describe('stripTerminalCodes', () => {
  it.each([
    ['\u001b[31mred\u001b[0m', 'red'],
    ['\u001b[1;38;5;208mbold orange\u001b[m', 'bold orange'],
    ['\u001b[38;2;10;20;30mtrue colour\u001b[39m', 'true colour'],
    ['\u001b[2K\u001b[1Gprogress', 'progress'],
    ['\u001b[?25lhidden cursor\u001b[?25h', 'hidden cursor'],
    ['\u001b]0;window title\u0007text', 'text'],
    ['\u001b]8;;https://example.com\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['plain text, [brackets] and ]0; kept', 'plain text, [brackets] and ]0; kept'],
    ['✓ Server listening on 127.0.0.1:5555', '✓ Server listening on 127.0.0.1:5555'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(stripTerminalCodes(input)).toBe(expected);
  });
});

describe('capLine never shows part of a key or a token at a cut', () => {
  const TOKEN =
    'msb_eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAwMDAsIm5hbWVzcGFjZSI6IioifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
  const KEY = 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';

  it('drops what is left of a token or key the start of a tail cut into', () => {
    for (const secret of [TOKEN, KEY]) {
      for (const at of [1, 10, secret.length - 3]) {
        const shown = capLine(`${secret.slice(at)} served "GET /api"`, { cutBefore: 100 });
        expect(shown).toBe(`[… ${100 + secret.length - at} bytes cut]  served "GET /api"`);
      }
    }
  });

  it('drops the part of a token or key the line cap cut into, and keeps the rest of the line', () => {
    for (const secret of [TOKEN, KEY]) {
      const before = `{"msg":"${'='.repeat(MAX_LINE_CHARS - 20)}","key":"`;
      const shown = capLine(`${before}${secret}"}`);
      expect(shown.startsWith(before)).toBe(true);
      expect(shown).not.toMatch(/"key":"[A-Za-z0-9]/);
      expect(shown).toMatch(/ \[… \d+ more characters cut\]$/);
    }
  });

  it('shows a runaway run of one character cut, not hidden: no key or token is that long', () => {
    const shown = capLine('A'.repeat(MAX_LINE_CHARS * 3), { cutBefore: 10 });
    expect(shown).toMatch(/^\[… 10 bytes cut\] A{4096} \[… 8192 more characters cut\]$/);
  });

  it('keeps a long minified JSON line readable: only the run at the cut goes', () => {
    const json = JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ id: i, name: `sandbox-${i}` })));
    const shown = capLine(json);
    expect(shown.length).toBeGreaterThan(MAX_LINE_CHARS - 40);
  });
});
