// The outside world (10, 11): a server that writes one 64 MiB line without a newline cannot
// flood the window, a failure or an event; msbrun missing beside msbserver is said before it matters.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, MAX_TAIL_BYTES } from '../../../../electron/core/server/server-log.ts';
import { cleanupChecked, createHarness, nextState, type Harness } from './lifecycle-harness.ts';
import { floodingWrapper, loneWrapper } from './world.ts';

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(() => cleanupChecked(h));

describe('bounded log lines', () => {
  it('caps a 64 MiB line in the log tail and in the failure the window is sent', { timeout: 60_000 }, async () => {
    h.env = {
      ...h.env,
      MSBSERVER_EXE: await floodingWrapper(path.join(h.root, 'flood'), 64 * 1024 * 1024),
      MSB_STANDIN_CRASH_AFTER_MS: '500',
    };
    const c = h.controller();
    const running = await c.start();
    expect(running.state).toBe('running');
    const tail = await c.logTail(1000);
    expect(tail.join('\n').length).toBeLessThanOrEqual(MAX_TAIL_BYTES);
    const flood = tail.find((line) => line.includes('AAAA'));
    expect(flood).toMatch(/ \[… \d+ more characters cut\]$/);
    expect(flood?.length).toBeLessThan(MAX_LINE_CHARS + 100);

    const failed = await nextState(c, 'failed', 15_000);
    expect(failed.error?.code).toBe('crashed');
    const payload = JSON.stringify(failed);
    expect(payload.length).toBeLessThan(64 * 1024);
    expect(failed.error?.logTail.some((line) => line.includes('more characters cut'))).toBe(true);
  });
});

describe('msbrun', () => {
  it('is found beside the stand-in: no warning', async () => {
    const c = h.controller();
    const running = await c.start();
    expect(running.warnings.filter((w) => w.includes('msbrun'))).toEqual([]);
    await c.stop();
  });

  it('missing beside msbserver: the start goes on, and says sandboxes could not start and where it looked', async () => {
    const wrapper = await loneWrapper(path.join(h.root, 'lone'));
    h.env = { ...h.env, MSBSERVER_EXE: wrapper };
    const c = h.controller();
    const running = await c.start();
    expect(running.state).toBe('running');
    const warning = running.warnings.find((w) => w.includes('msbrun'));
    expect(warning).toContain('sandboxes could not start');
    expect(warning).toContain(path.join(h.root, 'lone', 'msbrun'));
    await c.stop();
  });
});
