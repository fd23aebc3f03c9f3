import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HIDDEN_KEY } from '../../../../electron/core/base/scrub.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';

const KEY = 'Zx8v2QmT4nLp0aRs6uWy1bCd3eFg5hJk';

describe('SecretScrubber', () => {
  it('follows server.key when it changes', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'scrub-'));
    try {
      const keyFile = path.join(dir, 'server.key');
      const scrubber = new SecretScrubber(keyFile, silentLogger);
      expect(await scrubber.scrub(`x ${KEY}`)).toBe(`x ${KEY}`);
      await fsp.writeFile(keyFile, KEY);
      expect(await scrubber.scrubLines([`x ${KEY}`, 'y'])).toEqual([`x ${HIDDEN_KEY}`, 'y']);
      await fsp.writeFile(keyFile, 'AnotherKey0123456789abcdefghijkl');
      expect(await scrubber.scrub('AnotherKey0123456789abcdefghijkl')).toBe(HIDDEN_KEY);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
