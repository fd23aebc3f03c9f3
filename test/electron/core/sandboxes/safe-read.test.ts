import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { tailSandboxLog } from '../../../../electron/core/sandboxes/logs.ts';
import { sandboxDbPath, sandboxLogPath } from '../../../../electron/core/sandboxes/sandbox-paths.ts';
import {
  readSandboxFile,
  readSandboxFileSync,
  SandboxFileError,
} from '../../../../electron/core/sandboxes/safe-read.ts';
import { readSandboxDb } from '../../../../electron/core/sandboxes/sandbox-db.ts';

const posixOnly = describe.skipIf(process.platform === 'win32');

let root: string;
let secret: string;
beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'safe-read-'));
  secret = path.join(root, 'id_ed25519');
  await fsp.writeFile(secret, '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n');
});
afterEach(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

const fifo = (file: string): void => {
  execFileSync('mkfifo', [file]);
};

posixOnly('reading a sandbox file', () => {
  it('reads a regular file, synchronously or not', async () => {
    const file = path.join(root, 'Sandboxfile');
    await fsp.writeFile(file, 'sandboxes: {}\n');
    expect(readSandboxFileSync(file, 1024).toString('utf8')).toBe('sandboxes: {}\n');
    expect((await readSandboxFile(file, 1024)).toString('utf8')).toBe('sandboxes: {}\n');
  });

  it('refuses a symbolic link, even to a readable regular file', async () => {
    const link = path.join(root, 'Sandboxfile');
    await fsp.symlink(secret, link);
    expect(() => readSandboxFileSync(link, 1024)).toThrow(SandboxFileError);
    await expect(readSandboxFile(link, 1024)).rejects.toThrow(/symbolic link/);
  });

  it('refuses a FIFO without waiting for a writer, and a folder', async () => {
    const pipe = path.join(root, 'portal.ports');
    fifo(pipe);
    expect(() => readSandboxFileSync(pipe, 1024)).toThrow(/not a regular file/);
    await expect(readSandboxFile(pipe, 1024)).rejects.toThrow(/not a regular file/);
    expect(() => readSandboxFileSync(root, 1024)).toThrow(/not a regular file/);
  });

  it('refuses a file larger than the cap, and lets a missing one say ENOENT', async () => {
    const big = path.join(root, 'big');
    await fsp.writeFile(big, Buffer.alloc(2048));
    expect(() => readSandboxFileSync(big, 1024)).toThrow(/larger than 1024 bytes/);
    let code: unknown;
    try {
      readSandboxFileSync(path.join(root, 'missing'), 1024);
    } catch (error) {
      code = (error as NodeJS.ErrnoException).code;
    }
    expect(code).toBe('ENOENT');
  });

  it('shows nothing of a sandbox log that links to a private key', async () => {
    const log = sandboxLogPath(root, 'team', 'web');
    await fsp.mkdir(path.dirname(log), { recursive: true });
    await fsp.symlink(secret, log);
    const tail = await tailSandboxLog({ namespacesDir: root, namespace: 'team', name: 'web' });
    expect(tail.lines).toEqual([]);
    expect(JSON.stringify(tail)).not.toContain('PRIVATE KEY');
  });

  it('does not block on a FIFO in place of sandbox.db or a log', async () => {
    const db = sandboxDbPath(root, 'team');
    await fsp.mkdir(path.dirname(db), { recursive: true });
    fifo(db);
    const read = await readSandboxDb(db, { logger: silentLogger, attempts: 1 });
    expect(read.kind).toBe('broken');
    const log = sandboxLogPath(root, 'team', 'web');
    await fsp.mkdir(path.dirname(log), { recursive: true });
    fifo(log);
    expect((await tailSandboxLog({ namespacesDir: root, namespace: 'team', name: 'web' })).lines).toEqual([]);
  });
});
