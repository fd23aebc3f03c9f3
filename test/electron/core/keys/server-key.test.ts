import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SERVER_KEY_LENGTH,
  ServerKeyError,
  chooseStartKey,
  customKeyProblem,
  ensureServerKey,
  generateServerKey,
  readServerKey,
  resetServerKey,
  tightenKeyFile,
  validateCustomKey,
  writeServerKey,
} from '../../../../electron/core/keys/server-key.ts';
import { mintToken, verifyToken } from '../../../../electron/core/keys/token.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const posixOnly = it.skipIf(process.platform === 'win32');

let dir: string;
let keyFile: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-server-key-'));
  keyFile = path.join(dir, 'server.key');
});

afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function modeOf(file: string): Promise<number> {
  return (await fsp.stat(file)).mode & 0o777;
}

/** Writes a key file the way the CLI does: plain write, 0644. */
async function writeLikeCli(content: string | Buffer): Promise<void> {
  await fsp.writeFile(keyFile, content);
  await fsp.chmod(keyFile, 0o644);
}

async function inodeOf(file: string): Promise<number> {
  return (await fsp.stat(file)).ino;
}

describe('generateServerKey', () => {
  it('makes 32 characters of [A-Za-z0-9]', () => {
    expect(SERVER_KEY_LENGTH).toBe(32);
    for (let i = 0; i < 100; i += 1) expect(generateServerKey()).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('never repeats itself in 1000 keys', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateServerKey()));
    expect(keys.size).toBe(1000);
  });

  it('draws every character with the same probability (no modulo bias)', () => {
    // 200 000 characters. Uniform: each character 1/62, so the first eight together 8/62 ≈ 0.129
    // (expected 25 806, standard deviation ≈ 150). With `byte % 62` they would be 40/256 ≈ 0.156
    // (expected 31 250): 36 standard deviations away. A bound of ±10 standard deviations cannot
    // fail by chance in practice (p < 1e-22) and still catches that bias many times over.
    const counts = new Map<string, number>();
    let total = 0;
    while (total < 200_000) {
      for (const char of generateServerKey()) {
        counts.set(char, (counts.get(char) ?? 0) + 1);
        total += 1;
      }
    }
    const firstEight = [...ALPHABET.slice(0, 8)].reduce((sum, char) => sum + (counts.get(char) ?? 0), 0);
    const p = 8 / 62;
    const expected = total * p;
    const sd = Math.sqrt(total * p * (1 - p));
    expect(Math.abs(firstEight - expected)).toBeLessThan(10 * sd);

    // And no single character strays more than 8 standard deviations (≈ 450 of ≈ 3226).
    const each = total / 62;
    const eachSd = Math.sqrt(total * (1 / 62) * (61 / 62));
    expect(counts.size).toBe(62);
    for (const count of counts.values()) expect(Math.abs(count - each)).toBeLessThan(8 * eachSd);
  });
});

describe('custom keys', () => {
  const accepted = [
    'k',
    'a key with spaces',
    '  leading and trailing  ',
    'ключ',
    '🔑 key',
    'tab\tinside',
    '-starts-with-dash',
  ];
  it.each(accepted)('accepts %j verbatim', (key) => {
    expect(customKeyProblem(key)).toBeNull();
    expect(validateCustomKey(key)).toBe(key);
  });

  const rejected: [string, RegExp][] = [
    ['', /cannot be empty/],
    [' ', /only blank/],
    ['\t  \t', /only blank/],
    ['\u00a0\u3000', /only blank/],
    ['a\0b', /NUL/],
    ['key\n', /single line/],
    ['ke\ny', /single line/],
    ['key\r', /single line/],
    ['key\r\n', /single line/],
    ['a\u2028b', /single line/],
    ['a\u2029b', /single line/],
    ['a\u0085b', /single line/],
    ['a\uD800b', /unpaired/],
    ['a\uDC00', /unpaired/],
  ];
  it.each(rejected)('rejects %j', (key, message) => {
    expect(customKeyProblem(key)).toMatch(message);
    expect(() => validateCustomKey(key)).toThrow(ServerKeyError);
    expect(() => validateCustomKey(key)).toThrow(message);
  });
});

describe('readServerKey', () => {
  it('returns null when there is no key file', async () => {
    expect(await readServerKey(keyFile)).toBeNull();
  });

  it('reads the file verbatim, without trimming', async () => {
    await writeLikeCli('  spaced key \n');
    expect(await readServerKey(keyFile)).toBe('  spaced key \n');
  });

  it('keeps a leading byte-order mark, which msb also keeps', async () => {
    await writeLikeCli('\uFEFFkey');
    expect(await readServerKey(keyFile)).toBe('\uFEFFkey');
  });

  it('refuses a file that is not UTF-8 instead of guessing its bytes', async () => {
    await writeLikeCli(Buffer.from([0x6b, 0xff, 0x79]));
    await expect(readServerKey(keyFile)).rejects.toThrow(ServerKeyError);
    await expect(readServerKey(keyFile)).rejects.toThrow(/not valid UTF-8/);
  });

  it('names a folder in place of the key file and the way to fix it, instead of a bare EISDIR', async () => {
    await fsp.mkdir(keyFile);
    const refused = readServerKey(keyFile);
    await expect(refused).rejects.toThrow(ServerKeyError);
    await expect(readServerKey(keyFile)).rejects.toThrow(`${keyFile} is a folder`);
    await expect(readServerKey(keyFile)).rejects.toThrow(`rmdir ${keyFile}`);
    // Nothing was changed: the folder is the user's to remove.
    expect((await fsp.stat(keyFile)).isDirectory()).toBe(true);
  });

  posixOnly('passes on errors other than a missing file, for root too (a name too long to open)', async () => {
    const tooLong = path.join(dir, 'k'.repeat(300), 'server.key');
    await expect(readServerKey(tooLong)).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
  });

  it(
    'passes on a file it may not read',
    {
      // root reads a file whatever its mode: there is no error to pass on then.
      skip: process.platform === 'win32' || process.getuid?.() === 0,
      meta: { needs: 'needs a user other than root on a POSIX system (root reads a 0000 file)' },
    },
    async () => {
      await writeLikeCli('key');
      await fsp.chmod(keyFile, 0o000);
      await expect(readServerKey(keyFile)).rejects.toMatchObject({ code: 'EACCES' });
    },
  );
});

describe('writeServerKey', () => {
  posixOnly('writes the key owner-only and without a newline, even over a 0644 file', async () => {
    await writeLikeCli('old');
    await writeServerKey(keyFile, 'new-key');
    expect(await fsp.readFile(keyFile, 'utf8')).toBe('new-key');
    expect(await modeOf(keyFile)).toBe(0o600);
  });

  it('creates the home directory when it does not exist yet', async () => {
    const nested = path.join(dir, 'home', 'server.key');
    await writeServerKey(nested, 'abc');
    expect(await fsp.readFile(nested, 'utf8')).toBe('abc');
  });

  it('refuses an invalid key and leaves the file alone', async () => {
    await writeLikeCli('old');
    await expect(writeServerKey(keyFile, 'two\nlines')).rejects.toThrow(ServerKeyError);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe('old');
  });

  it('leaves the old key byte-identical and no temporary file when the rename fails', async () => {
    await writeLikeCli('old key\n');
    const before = await fsp.readFile(keyFile);
    const rename = (): Promise<void> => Promise.reject(Object.assign(new Error('EXDEV: injected'), { code: 'EXDEV' }));
    await expect(writeServerKey(keyFile, 'new', { ops: { rename } })).rejects.toThrow(/injected/);
    expect((await fsp.readFile(keyFile)).equals(before)).toBe(true);
    expect(await fsp.readdir(dir)).toEqual(['server.key']);
  });

  it('leaves the old key byte-identical and no temporary file when writing fails', async () => {
    await writeLikeCli('old key');
    const before = await fsp.readFile(keyFile);
    const open = async (...args: Parameters<typeof fsp.open>): Promise<FileHandle> => {
      const handle = await fsp.open(...args);
      return new Proxy(handle, {
        get(target, property) {
          if (property === 'writeFile') return () => Promise.reject(new Error('ENOSPC: injected'));
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    await expect(writeServerKey(keyFile, 'new', { ops: { open } })).rejects.toThrow(/ENOSPC: injected/);
    expect((await fsp.readFile(keyFile)).equals(before)).toBe(true);
    expect(await fsp.readdir(dir)).toEqual(['server.key']);
  });
});

describe('tightenKeyFile', () => {
  posixOnly('takes group and other permissions away and says so', async () => {
    await writeLikeCli('k');
    expect(await tightenKeyFile(keyFile)).toBe(true);
    expect(await modeOf(keyFile)).toBe(0o600);
    expect(await tightenKeyFile(keyFile)).toBe(false);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe('k');
  });

  posixOnly('leaves an owner-only file as it is', async () => {
    await fsp.writeFile(keyFile, 'k');
    await fsp.chmod(keyFile, 0o400);
    expect(await tightenKeyFile(keyFile)).toBe(false);
    expect(await modeOf(keyFile)).toBe(0o400);
  });
});

describe('tightenKeyFile on what is not a file', () => {
  posixOnly('leaves a folder in place of the key file as it is', async () => {
    await fsp.mkdir(keyFile, { mode: 0o755 });
    await fsp.chmod(keyFile, 0o755);
    expect(await tightenKeyFile(keyFile)).toBe(false);
    expect(await modeOf(keyFile)).toBe(0o755);
  });
});

describe('ensureServerKey', () => {
  posixOnly('creates a key when there is none', async () => {
    const { key, created } = await ensureServerKey(keyFile);
    expect(created).toBe(true);
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(key);
    expect(await modeOf(keyFile)).toBe(0o600);
  });

  posixOnly('keeps an existing key verbatim and tightens its file', async () => {
    await writeLikeCli('cli key\n');
    expect(await ensureServerKey(keyFile)).toEqual({ key: 'cli key\n', created: false });
    expect(await fsp.readFile(keyFile, 'utf8')).toBe('cli key\n');
    expect(await modeOf(keyFile)).toBe(0o600);
  });

  it('replaces an empty key file, whose empty secret anyone could sign with', async () => {
    await writeLikeCli('');
    const { key, created } = await ensureServerKey(keyFile);
    expect(created).toBe(true);
    expect(key).toHaveLength(32);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(key);
  });
});

describe('a key file that holds only whitespace', () => {
  // msb 0.2.6 reads server.key verbatim and passes it on, so a lone newline would be a one-byte
  // secret anyone can sign with: treated as an empty key, it is replaced by a fresh one.
  const blanks = ['\n', '\r\n', ' ', '\t \n', '\u00a0', '\uFEFF\n'];

  it.each(blanks)('ensureServerKey replaces %j with a fresh key', async (blank) => {
    await writeLikeCli(blank);
    const { key, created } = await ensureServerKey(keyFile);
    expect(created).toBe(true);
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(key);
  });

  it.each(blanks)('chooseStartKey replaces %j with a fresh key', async (blank) => {
    await writeLikeCli(blank);
    const key = await chooseStartKey(keyFile, {});
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(key);
  });

  it('keeps a real key that ends in whitespace verbatim, as msb signs with it', async () => {
    await writeLikeCli(' cli key \n');
    expect(await ensureServerKey(keyFile)).toEqual({ key: ' cli key \n', created: false });
    expect(await chooseStartKey(keyFile, {})).toBe(' cli key \n');
  });
});

describe('creating the first key concurrently', () => {
  it('gives every concurrent ensureServerKey and chooseStartKey the same key, the one in the file', async () => {
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => ensureServerKey(keyFile).then((r) => r.key)),
      ...Array.from({ length: 4 }, () => chooseStartKey(keyFile, {})),
    ]);
    const onDisk = await fsp.readFile(keyFile, 'utf8');
    expect(new Set(results)).toEqual(new Set([onDisk]));
    expect(onDisk).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await fsp.readdir(dir)).filter((name) => name !== path.basename(keyFile))).toEqual([]);
  });
});

describe('resetServerKey', () => {
  posixOnly('writes a fresh key, owner-only, over a 0644 file', async () => {
    await writeLikeCli('old');
    const key = await resetServerKey(keyFile);
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(key);
    expect(await modeOf(keyFile)).toBe(0o600);
  });
});

describe('chooseStartKey (msb server start, secure mode)', () => {
  posixOnly('a custom key wins and overwrites server.key', async () => {
    await writeLikeCli('existing');
    expect(await chooseStartKey(keyFile, { customKey: ' custom ' })).toBe(' custom ');
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(' custom ');
    expect(await modeOf(keyFile)).toBe(0o600);
  });

  it('a custom key wins over a reset too', async () => {
    await writeLikeCli('existing');
    expect(await chooseStartKey(keyFile, { customKey: 'custom', resetKey: true })).toBe('custom');
    expect(await fsp.readFile(keyFile, 'utf8')).toBe('custom');
  });

  posixOnly('a custom key equal to the file does not rewrite it, only tightens it', async () => {
    await writeLikeCli('same');
    const inode = await inodeOf(keyFile);
    expect(await chooseStartKey(keyFile, { customKey: 'same' })).toBe('same');
    expect(await inodeOf(keyFile)).toBe(inode);
    expect(await modeOf(keyFile)).toBe(0o600);
  });

  it('a custom key is written when there is no key file yet', async () => {
    expect(await chooseStartKey(keyFile, { customKey: 'custom' })).toBe('custom');
    expect(await fsp.readFile(keyFile, 'utf8')).toBe('custom');
  });

  it('an invalid custom key is refused and the file is left alone', async () => {
    await writeLikeCli('existing');
    await expect(chooseStartKey(keyFile, { customKey: '' })).rejects.toThrow(/cannot be empty/);
    await expect(chooseStartKey(keyFile, { customKey: 'a\nb' })).rejects.toThrow(ServerKeyError);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe('existing');
  });

  posixOnly('the existing key is kept verbatim, newline included, without rewriting the file', async () => {
    await writeLikeCli('cli key\n');
    const inode = await inodeOf(keyFile);
    expect(await chooseStartKey(keyFile, {})).toBe('cli key\n');
    expect(await chooseStartKey(keyFile, { resetKey: false })).toBe('cli key\n');
    expect(await fsp.readFile(keyFile, 'utf8')).toBe('cli key\n');
    expect(await inodeOf(keyFile)).toBe(inode);
    expect(await modeOf(keyFile)).toBe(0o600);
  });

  posixOnly('a reset replaces the existing key with a fresh one', async () => {
    await writeLikeCli('existing');
    const key = await chooseStartKey(keyFile, { resetKey: true });
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(key);
    expect(await modeOf(keyFile)).toBe(0o600);
  });

  posixOnly('with no key file a fresh key is generated and written', async () => {
    const key = await chooseStartKey(keyFile, {});
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(key);
    expect(await modeOf(keyFile)).toBe(0o600);
  });

  it('an empty key file is replaced by a fresh key', async () => {
    await writeLikeCli('');
    const key = await chooseStartKey(keyFile, {});
    expect(key).toHaveLength(32);
    expect(await fsp.readFile(keyFile, 'utf8')).toBe(key);
  });
});

describe('a key file that ends in a newline', () => {
  it('signs with the newline included, as msb does', async () => {
    await writeLikeCli('secret\n');
    const key = await readServerKey(keyFile);
    expect(key).toBe('secret\n');
    const { token } = await mintToken({ key: key ?? '' });
    expect(await verifyToken(token, 'secret')).toMatchObject({ valid: false });
    expect(await verifyToken(token, 'secret\n')).toMatchObject({ valid: true });
  });
});
