// The runtime service's long msb runs (runtime-follows.ts): metrics only while interest is held,
// ended on release and on dispose; one sandbox log, scrubbed, followed as it grows.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RuntimeLogLine } from '../../../../electron/core/runtime/api.ts';
import { REAL_MSB_MISSING } from '../../../fixtures/runtime-home.ts';
import {
  alive,
  realMsbService,
  standInService,
  statusOf,
  until,
  type Cleanups,
  runCleanups,
} from './service-helpers.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  await runCleanups(cleanups);
});

describe.skipIf(REAL_MSB_MISSING !== null)('following a log, against the real msb', () => {
  const setup = () => realMsbService(cleanups);

  it('follows a sandbox’s log: the tail, then lines written later', async () => {
    const { home, service } = setup();
    const sleeper = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
    home.writeExecLog('web', [{ s: 'stdout', d: 'first\n', t: '2026-01-01T00:00:00.000Z' }]);
    await until(service, (state) => statusOf(state, 'web') === 'Running');
    const seen: RuntimeLogLine[] = [];
    service.onLogLines((name, lines) => {
      if (name === 'web') seen.push(...lines);
    });
    service.followLog('web');
    await vi.waitFor(() => expect(seen.map((line) => line.text)).toContain('first\n'), { timeout: 10_000 });
    appendFileSync(
      path.join(home.home, 'sandboxes', 'web', 'logs', 'exec.log'),
      `${JSON.stringify({
        d: 'later msb_secret.abc.def\n',
        e: null,
        id: 2,
        s: 'stderr',
        t: '2026-01-01T00:00:05.000Z',
      })}\n`,
    );
    await vi.waitFor(() => expect(seen.map((line) => line.text)).toContain('later msb_[token hidden]\n'), {
      timeout: 10_000,
    });
    service.followLog(null);
  });
});

describe.skipIf(process.platform === 'win32')('following metrics, with a 0.7 stand-in', () => {
  const setup = () => standInService(cleanups);

  it('follows metrics only while interest is held, and ends the stream on release', async () => {
    const { service, pidFile } = setup();
    await until(service, (s) => s.sandboxes.length === 2);
    const release = service.watchMetrics();
    const state = await until(service, (s) => s.metrics['web'] !== undefined);
    expect(state.metrics['web']).toEqual({
      name: 'web',
      cpuPercent: 12.5,
      memoryBytes: 104857600,
      memoryLimitBytes: 1073741824,
      diskReadBytes: 4096,
      diskWriteBytes: 8192,
      netRxBytes: 100,
      netTxBytes: 200,
      uptimeSecs: 42,
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    release();
    release();
    expect(service.state().metrics).toEqual({});
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000 });
  });

  it('ends the metrics stream on dispose', async () => {
    const { service, pidFile } = setup();
    service.watchMetrics();
    await vi.waitFor(() => expect(existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '').toBe(true), {
      timeout: 10_000,
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    service.dispose();
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000 });
  });
});
