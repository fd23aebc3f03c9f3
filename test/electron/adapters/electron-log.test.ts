import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_LOG_NAME, createAppLogger } from '../../../electron/adapters/electron-log.ts';
import { waitFor } from '../../support/wait-for.ts';

let dir = '';
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'app-logger-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function logText(): Promise<string> {
  const file = path.join(dir, APP_LOG_NAME);
  let text = '';
  await waitFor(
    async () => {
      text = await fsp.readFile(file, 'utf8').catch(() => ''); // not written yet: keep waiting
      return text.includes('last line');
    },
    { timeout: 3_000, what: `the last line in ${file}`, detail: () => text },
  );
  return text;
}

describe('the app logger (electron-log, no Electron needed)', () => {
  it('writes main.log in the given folder; debug lines only when asked for', async () => {
    const logger = createAppLogger(dir);
    logger.debug('a debug line');
    logger.warn('a warning', { code: 'EACCES' });
    logger.error('last line');
    const text = await logText();
    expect(text).toContain('[warn]');
    expect(text).toContain("a warning { code: 'EACCES' }");
    expect(text).toContain('[error] last line');
    expect(text).not.toContain('a debug line');
  });
});
