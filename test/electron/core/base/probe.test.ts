import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../../electron/core/base/logger.ts';
import { probe } from '../../../../electron/core/base/probe.ts';

function recordingLogger(): Logger & { debugs: string[] } {
  const debugs: string[] = [];
  const none = (): undefined => undefined;
  return { debugs, debug: (message) => void debugs.push(message), info: none, warn: none, error: none };
}

describe('probe', () => {
  let home: string;
  beforeEach(async () => {
    home = await fsp.mkdtemp(path.join(os.tmpdir(), 'probe-'));
  });
  afterEach(async () => {
    await fsp.rm(home, { recursive: true, force: true });
  });

  it('answers what the look found', async () => {
    await fsp.writeFile(path.join(home, 'file'), 'twelve bytes');
    expect((await probe(fsp.stat(path.join(home, 'file'))))?.size).toBe(12);
  });

  it('reads a missing path as null and logs nothing, since absent is the answer it exists for', async () => {
    const logger = recordingLogger();
    expect(await probe(fsp.stat(path.join(home, 'missing')), { logger, what: 'the missing file' })).toBeNull();
    expect(await probe(fsp.stat(path.join(home, 'missing', 'below')), { logger, what: 'below' })).toBeNull();
    expect(logger.debugs).toEqual([]);
  });

  it('reads a failure that is more than absent as null and logs it at debug level', async () => {
    const logger = recordingLogger();
    // A symbolic link to itself fails with ELOOP: a fault in the world, not an absence.
    await fsp.symlink('loop', path.join(home, 'loop'));
    expect(await probe(fsp.stat(path.join(home, 'loop')), { logger, what: 'the looping link' })).toBeNull();
    expect(logger.debugs).toHaveLength(1);
    expect(logger.debugs[0]).toMatch(/^Could not see the looping link: .*ELOOP/);
  });

  it('reads a rejection without an errno code as null and logs it', async () => {
    const logger = recordingLogger();
    expect(await probe(Promise.reject(new Error('the body broke')), { logger, what: 'the body' })).toBeNull();
    expect(logger.debugs).toEqual(['Could not see the body: the body broke']);
  });
});
