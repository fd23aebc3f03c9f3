import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tailLines } from '../../../../electron/core/base/log-tail.ts';
import {
  DEFAULT_LOG_ROTATE_BYTES,
  SERVER_LOG_NAME,
  openServerLog,
  serverLogPath,
} from '../../../../electron/core/server/server-log.ts';
import { waitForExit } from '../../../fixtures/standin-helpers.ts';

let dir: string;
let logFile: string;
const handles: FileHandle[] = [];

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-server-log-'));
  logFile = path.join(dir, 'logs', SERVER_LOG_NAME);
});

afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close().catch(() => undefined);
  await fsp.rm(dir, { recursive: true, force: true });
});

async function open(
  file: string,
  header: string,
  rotateBytes?: number,
): Promise<{ handle: FileHandle; offset: number }> {
  const opened = await openServerLog(file, header, rotateBytes);
  handles.push(opened.handle);
  return opened;
}

async function writeLog(text: string | Buffer, file = logFile): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, text);
}

describe('serverLogPath', () => {
  it('puts msbserver.log in the log folder', () => {
    expect(SERVER_LOG_NAME).toBe('msbserver.log');
    expect(serverLogPath('/var/log/tray')).toBe(path.join('/var/log/tray', 'msbserver.log'));
  });
});

describe('openServerLog', () => {
  it('creates the folder and a 0600 file holding the header, and returns the offset after it', async () => {
    const { offset } = await open(logFile, '--- run 1');
    expect(await fsp.readFile(logFile, 'utf8')).toBe('--- run 1\n');
    expect(offset).toBe(Buffer.byteLength('--- run 1\n'));
    expect((await fsp.stat(logFile)).mode & 0o777).toBe(0o600);
  });

  it('keeps the 0600 mode whatever the umask', async () => {
    const previous = process.umask(0);
    try {
      await open(logFile, 'h');
    } finally {
      process.umask(previous);
    }
    expect((await fsp.stat(logFile)).mode & 0o777).toBe(0o600);
  });

  it('appends to an existing log and counts the offset in bytes', async () => {
    await writeLog('earlier run ✓\n');
    const header = '--- run 2 ✓ ünïcødé';
    const { offset } = await open(logFile, header);
    expect(await fsp.readFile(logFile, 'utf8')).toBe(`earlier run ✓\n${header}\n`);
    expect(offset).toBe(Buffer.byteLength(`earlier run ✓\n${header}\n`));
  });

  it('tightens an existing, looser log file to 0600', async () => {
    await writeLog('earlier run\n');
    await fsp.chmod(logFile, 0o644);
    await open(logFile, '--- run 2');
    expect((await fsp.stat(logFile)).mode & 0o777).toBe(0o600);
  });

  it('gives a descriptor a child can write its output to, after the offset', async () => {
    const { handle, offset } = await open(logFile, '--- start');
    const child = spawn('sh', ['-c', 'echo out; echo err >&2'], { stdio: ['ignore', handle.fd, handle.fd] });
    expect(await waitForExit(child)).toEqual({ code: 0, signal: null });
    await handle.close();
    const text = await fsp.readFile(logFile, 'utf8');
    expect(text.slice(0, offset)).toBe('--- start\n');
    expect(text.slice(offset).split('\n').sort()).toEqual(['', 'err', 'out']);
    expect(await tailLines(logFile, 10, offset)).toEqual(expect.arrayContaining(['out', 'err']));
  });

  it('rotates a log larger than rotateBytes to .1 and starts fresh', async () => {
    const old = 'x'.repeat(101);
    await writeLog(old);
    const { offset } = await open(logFile, 'fresh', 100);
    expect(await fsp.readFile(`${logFile}.1`, 'utf8')).toBe(old);
    expect(await fsp.readFile(logFile, 'utf8')).toBe('fresh\n');
    expect(offset).toBe(6);
    expect((await fsp.stat(logFile)).mode & 0o777).toBe(0o600);
  });

  it('replaces an older .1 when it rotates', async () => {
    await writeLog('oldest generation', `${logFile}.1`);
    await writeLog('y'.repeat(200));
    await open(logFile, 'fresh', 100);
    expect(await fsp.readFile(`${logFile}.1`, 'utf8')).toBe('y'.repeat(200));
    expect((await fsp.readdir(path.dirname(logFile))).sort()).toEqual([SERVER_LOG_NAME, `${SERVER_LOG_NAME}.1`]);
  });

  it('does not rotate a log of exactly rotateBytes', async () => {
    await writeLog('z'.repeat(100));
    const { offset } = await open(logFile, 'h', 100);
    expect(await fsp.readFile(logFile, 'utf8')).toBe(`${'z'.repeat(100)}h\n`);
    expect(offset).toBe(102);
    await expect(fsp.access(`${logFile}.1`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rotates at 5 MiB by default', async () => {
    expect(DEFAULT_LOG_ROTATE_BYTES).toBe(5 * 1024 * 1024);
    await writeLog(Buffer.alloc(DEFAULT_LOG_ROTATE_BYTES + 1, 0x61));
    await open(logFile, 'h');
    expect((await fsp.stat(`${logFile}.1`)).size).toBe(DEFAULT_LOG_ROTATE_BYTES + 1);
    expect(await fsp.readFile(logFile, 'utf8')).toBe('h\n');
  });
});

describe('tailLines of a log openServerLog opened', () => {
  it('with fromOffset, returns only lines after the offset', async () => {
    await writeLog('old 1\nold 2\n');
    const { handle, offset } = await open(logFile, '--- this run');
    await handle.write('new 1\nnew 2\n');
    expect(await tailLines(logFile, 10, offset)).toEqual(['new 1', 'new 2']);
    expect(await tailLines(logFile, 1, offset)).toEqual(['new 2']);
    expect(await tailLines(logFile, 10)).toEqual(['old 1', 'old 2', '--- this run', 'new 1', 'new 2']);
  });

  it('with fromOffset at or past the end, returns []', async () => {
    const { offset } = await open(logFile, '--- this run');
    expect(await tailLines(logFile, 10, offset)).toEqual([]);
    expect(await tailLines(logFile, 10, offset + 100)).toEqual([]);
  });

  it('with fromOffset, stops at the offset even for long output', async () => {
    await writeLog('old\n'.repeat(50_000));
    const { handle, offset } = await open(logFile, '--- this run');
    const lines = Array.from({ length: 30_000 }, (_, i) => `new ${i}`);
    await handle.write(`${lines.join('\n')}\n`);
    expect(await tailLines(logFile, 100_000, offset)).toEqual(lines);
  });
});
