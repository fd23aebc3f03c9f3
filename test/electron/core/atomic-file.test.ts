import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../electron/core/atomic-file.ts';
import type { AtomicWriteOps } from '../../../electron/core/atomic-file.ts';

let dir: string;
let target: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-atomic-'));
  target = path.join(dir, 'server.key');
});

afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function modeOf(file: string): Promise<number> {
  return (await fsp.stat(file)).mode & 0o777;
}

async function withUmask<T>(mask: number, run: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await run();
  } finally {
    process.umask(previous);
  }
}

/** The old file, as bytes, with its mode and inode, to show a failed write left it alone. */
async function snapshot(file: string): Promise<{ bytes: Buffer; mode: number; ino: number }> {
  const stat = await fsp.stat(file);
  return { bytes: await fsp.readFile(file), mode: stat.mode & 0o777, ino: stat.ino };
}

/** An `open` that hands out real handles with some methods replaced, and records every handle. */
function openWith(overrides: Partial<Record<'writeFile' | 'sync' | 'chmod', () => Promise<void>>>): {
  open: AtomicWriteOps['open'];
  opened: FileHandle[];
  closed: () => number;
} {
  const opened: FileHandle[] = [];
  let closed = 0;
  const open: AtomicWriteOps['open'] = async (...args) => {
    const handle = await fsp.open(...args);
    opened.push(handle);
    Object.assign(handle, overrides);
    const realClose = handle.close.bind(handle);
    handle.close = async () => {
      closed += 1;
      await realClose();
    };
    return handle;
  };
  return { open, opened, closed: () => closed };
}

describe('writeFileAtomic', () => {
  it('writes the content with the exact mode and leaves nothing else', async () => {
    await writeFileAtomic(target, 'secret', { mode: 0o600 });
    expect(await fsp.readFile(target, 'utf8')).toBe('secret');
    expect(await modeOf(target)).toBe(0o600);
    expect(await fsp.readdir(dir)).toEqual(['server.key']);
  });

  it('defaults to 0644', async () => {
    await withUmask(0o077, () => writeFileAtomic(target, 'x'));
    expect(await modeOf(target)).toBe(0o644);
  });

  it.each([
    [0o600, 0o000],
    [0o600, 0o022],
    [0o600, 0o077],
    [0o644, 0o077],
    [0o640, 0o027],
    [0o400, 0o022],
  ])('gives mode %o exactly under umask %o', async (mode, mask) => {
    await withUmask(mask, () => writeFileAtomic(target, 'x', { mode }));
    expect(await modeOf(target)).toBe(mode);
  });

  it('tightens the mode when it replaces a looser file', async () => {
    await fsp.writeFile(target, 'old');
    await fsp.chmod(target, 0o666);
    await writeFileAtomic(target, 'new', { mode: 0o600 });
    expect(await modeOf(target)).toBe(0o600);
    expect(await fsp.readFile(target, 'utf8')).toBe('new');
  });

  it('writes UTF-8 exactly, without adding a newline', async () => {
    await writeFileAtomic(target, 'ünïcødé ✓ 🙂\n\r\0end');
    expect(await fsp.readFile(target)).toEqual(Buffer.from('ünïcødé ✓ 🙂\n\r\0end', 'utf8'));
  });

  it('writes an empty file', async () => {
    await writeFileAtomic(target, '');
    expect((await fsp.stat(target)).size).toBe(0);
  });

  it('replaces by rename: a new inode, and an open reader keeps the old content', async () => {
    await fsp.writeFile(target, 'old content');
    const before = await fsp.stat(target);
    const reader = await fsp.open(target, 'r');
    try {
      await writeFileAtomic(target, 'new');
      expect((await fsp.stat(target)).ino).not.toBe(before.ino);
      expect(await reader.readFile('utf8')).toBe('old content');
    } finally {
      await reader.close();
    }
    expect(await fsp.readFile(target, 'utf8')).toBe('new');
  });

  it('replaces a symlink rather than writing through it', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    await fsp.writeFile(elsewhere, 'untouched');
    await fsp.symlink(elsewhere, target);
    await writeFileAtomic(target, 'new');
    expect((await fsp.lstat(target)).isSymbolicLink()).toBe(false);
    expect(await fsp.readFile(target, 'utf8')).toBe('new');
    expect(await fsp.readFile(elsewhere, 'utf8')).toBe('untouched');
  });

  it('lets readers see only the old or the new content while it replaces a file', async () => {
    const a = 'a'.repeat(1024 * 1024);
    const b = 'b'.repeat(512 * 1024);
    await fsp.writeFile(target, a);
    let writing = true;
    const seen = new Set<string>();
    const reads = (async () => {
      let count = 0;
      while (writing || count < 10) {
        const text = await fsp.readFile(target, 'utf8');
        seen.add(text === a ? 'a' : text === b ? 'b' : `partial (${text.length} chars)`);
        count += 1;
      }
      return count;
    })();
    for (let i = 0; i < 40; i += 1) await writeFileAtomic(target, i % 2 === 0 ? b : a);
    writing = false;
    expect(await reads).toBeGreaterThanOrEqual(10);
    expect([...seen].filter((s) => s !== 'a' && s !== 'b')).toEqual([]);
    expect(await fsp.readFile(target, 'utf8')).toBe(a);
    expect(await fsp.readdir(dir)).toEqual(['server.key']);
  });

  it('lets concurrent writers each replace the file whole, leaving no temporary files', async () => {
    const contents = Array.from({ length: 10 }, (_, i) => String(i).repeat(10_000));
    await Promise.all(contents.map((content) => writeFileAtomic(target, content)));
    expect(contents).toContain(await fsp.readFile(target, 'utf8'));
    expect(await fsp.readdir(dir)).toEqual(['server.key']);
  });

  it('fails for a missing directory without creating anything', async () => {
    const missing = path.join(dir, 'no-such-dir', 'file');
    await expect(writeFileAtomic(missing, 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  describe('on an injected failure, leaves the old file byte-identical and no temporary files', () => {
    const old = Buffer.from('old key\n\u00ff', 'utf8');

    beforeEach(async () => {
      await fsp.writeFile(target, old);
      await fsp.chmod(target, 0o640);
    });

    async function expectUntouched(before: { bytes: Buffer; mode: number; ino: number }): Promise<void> {
      expect(await snapshot(target)).toEqual(before);
      expect(await fsp.readdir(dir)).toEqual(['server.key']);
    }

    it('open throws', async () => {
      const before = await snapshot(target);
      const error = new Error('EMFILE: too many open files');
      await expect(writeFileAtomic(target, 'new', { ops: { open: () => Promise.reject(error) } })).rejects.toBe(error);
      await expectUntouched(before);
    });

    it('rename throws', async () => {
      const before = await snapshot(target);
      const error = new Error('EXDEV: rename failed');
      const renamed: string[] = [];
      await expect(
        writeFileAtomic(target, 'new', {
          ops: {
            rename: (from) => {
              renamed.push(String(from));
              return Promise.reject(error);
            },
          },
        }),
      ).rejects.toBe(error);
      await expectUntouched(before);
      // The temporary file existed beside the target until it was cleaned up.
      expect(renamed).toHaveLength(1);
      expect(path.dirname(renamed[0] ?? '')).toBe(dir);
      expect(path.basename(renamed[0] ?? '')).toMatch(/^\.server\.key\..+\.tmp$/);
    });

    it('the handle’s writeFile throws (and the handle is closed)', async () => {
      const before = await snapshot(target);
      const error = new Error('ENOSPC: no space left on device');
      const { open, opened, closed } = openWith({ writeFile: () => Promise.reject(error) });
      await expect(writeFileAtomic(target, 'new', { ops: { open } })).rejects.toBe(error);
      await expectUntouched(before);
      expect(opened).toHaveLength(1);
      expect(closed()).toBe(1);
    });

    it('the handle’s sync throws', async () => {
      const before = await snapshot(target);
      const error = new Error('EIO: i/o error');
      const { open, closed } = openWith({ sync: () => Promise.reject(error) });
      await expect(writeFileAtomic(target, 'new', { ops: { open } })).rejects.toBe(error);
      await expectUntouched(before);
      expect(closed()).toBe(1);
    });

    it('the handle’s chmod throws', async () => {
      const before = await snapshot(target);
      const error = new Error('EPERM: chmod failed');
      const { open, closed } = openWith({ chmod: () => Promise.reject(error) });
      await expect(writeFileAtomic(target, 'new', { ops: { open } })).rejects.toBe(error);
      await expectUntouched(before);
      expect(closed()).toBe(1);
    });

    it('rename throws and the cleanup unlink throws too: the original error wins', async () => {
      const before = await snapshot(target);
      const error = new Error('rename failed');
      let unlinked = '';
      await expect(
        writeFileAtomic(target, 'new', {
          ops: {
            rename: () => Promise.reject(error),
            unlink: async (file) => {
              unlinked = String(file);
              await fsp.unlink(file);
              throw new Error('unlink failed');
            },
          },
        }),
      ).rejects.toBe(error);
      expect(unlinked).not.toBe('');
      await expectUntouched(before);
    });
  });

  it('does not unlink anything after a successful write', async () => {
    const unlinked: string[] = [];
    await writeFileAtomic(target, 'new', {
      ops: {
        unlink: async (file) => {
          unlinked.push(String(file));
          await fsp.unlink(file);
        },
      },
    });
    expect(unlinked).toEqual([]);
    expect(await fsp.readFile(target, 'utf8')).toBe('new');
  });
});
