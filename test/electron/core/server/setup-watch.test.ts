import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTimers, type IntervalTimers, type TimerHandle } from '../../../../electron/core/base/clock.ts';
import { SetupWatch } from '../../../../electron/core/server/setup-watch.ts';
import type { SetupCheckOptions } from '../../../../electron/core/server/setup-check.ts';
import type { SetupState } from '../../../../shared/setup.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import { waitFor } from '../../../support/wait-for.ts';

let dir = '';
const watches: SetupWatch[] = [];
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'setup-watch-'));
});
afterEach(async () => {
  for (const watch of watches.splice(0)) watch.dispose();
  await fsp.rm(dir, { recursive: true, force: true });
});

function watch(
  options: () => SetupCheckOptions,
  extra: { recheckMs?: number; check?: (o: SetupCheckOptions) => Promise<SetupState>; timers?: IntervalTimers } = {},
): SetupWatch {
  const w = new SetupWatch({ options, ...extra });
  watches.push(w);
  return w;
}

/** Intervals kept by hand: a test fires them itself and sees which are still scheduled. */
function manualIntervals(): { timers: IntervalTimers; live: () => number; tick: () => void } {
  const live = new Map<TimerHandle, () => void>();
  const timers: IntervalTimers = {
    ...defaultTimers,
    setInterval(callback) {
      // A real handle that never fires by itself (the longest delay a timer takes), unref'd.
      const h = defaultTimers.setInterval(() => undefined, 2 ** 31 - 1);
      h.unref();
      live.set(h, callback);
      return h;
    },
    clearInterval(h) {
      defaultTimers.clearInterval(h);
      live.delete(h);
    },
  };
  return { timers, live: () => live.size, tick: () => [...live.values()].forEach((callback) => callback()) };
}

const until = (check: () => boolean, ms = 5_000): Promise<void> => waitFor(check, { timeout: ms });

describe('SetupWatch', () => {
  it('starts unknown, then says what a look found, and tells listeners only of changes', async () => {
    let settingsPath: string | null = null;
    const w = watch(() => ({ env: { PATH: '' }, settingsPath, platform: 'linux', userHome: dir }), { recheckMs: 0 });
    const heard: string[] = [];
    w.onChange((state) => heard.push(state.kind));
    expect(w.current().kind).toBe('unknown');
    expect((await w.refresh()).kind).toBe('missing');
    await w.refresh();
    expect(heard).toEqual(['missing']);
    // The msbserver chosen in Settings is what the next look reads.
    settingsPath = STANDIN_PATH;
    expect(await w.refresh()).toMatchObject({ kind: 'ready', msbserver: STANDIN_PATH, msbrun: { found: true } });
    expect(heard).toEqual(['missing', 'ready']);
  });

  it('looks again by itself while msbserver is missing, so an install made in a terminal shows', async () => {
    const bin = path.join(dir, '.local', 'bin');
    await fsp.chmod(dir, 0o755);
    const w = watch(() => ({ env: { PATH: '' }, settingsPath: null, platform: 'linux', userHome: dir }), {
      recheckMs: 20,
    });
    expect((await w.refresh()).kind).toBe('missing');
    await fsp.mkdir(bin, { recursive: true });
    await fsp.copyFile(STANDIN_PATH, path.join(bin, 'msbserver'));
    await fsp.chmod(path.join(bin, 'msbserver'), 0o755);
    await until(() => w.current().kind === 'ready');
    // msbrun is not beside this copy: still something missing, still looked at.
    expect(w.current()).toMatchObject({ kind: 'ready', msbrun: { found: false } });
  });

  it('looks again by itself while msbrun is unsafe, so a chmod made in a terminal shows', async () => {
    const bin = path.join(dir, '.local', 'bin');
    await fsp.mkdir(bin, { recursive: true });
    await fsp.chmod(dir, 0o755);
    await fsp.writeFile(path.join(bin, 'msbserver'), '#!/bin/sh\n', { mode: 0o755 });
    await fsp.writeFile(path.join(bin, 'msbrun'), '#!/bin/sh\n');
    await fsp.chmod(path.join(bin, 'msbrun'), 0o777);
    const w = watch(() => ({ env: { PATH: '' }, settingsPath: null, platform: 'linux', userHome: dir }), {
      recheckMs: 20,
    });
    expect((await w.refresh()).kind).toBe('msbrun-unsafe');
    await fsp.chmod(path.join(bin, 'msbrun'), 0o755);
    await until(() => w.current().kind === 'ready');
    expect(w.current()).toMatchObject({ kind: 'ready', msbrun: { found: true } });
  });

  it('never looks by itself once everything is there', async () => {
    let looks = 0;
    const missing: SetupState = {
      kind: 'missing',
      locate: { found: false, searched: [], problem: 'p', hint: 'h' },
    };
    const ready: SetupState = { kind: 'ready', msbserver: '/x/msbserver', msbrun: { found: true, searched: [] } };
    let answer: SetupState = missing;
    const clock = manualIntervals();
    const w = watch(() => ({ env: {}, settingsPath: null, platform: 'linux', userHome: dir }), {
      recheckMs: 10,
      check: () => Promise.resolve(((looks += 1), answer)),
      timers: clock.timers,
    });
    await w.refresh();
    expect(clock.live(), 'a recheck is scheduled while msbserver is missing').toBe(1);
    answer = ready;
    clock.tick();
    await until(() => w.current().kind === 'ready');
    // Nothing is left scheduled that could look again.
    expect(clock.live()).toBe(0);
    expect(looks).toBe(2);
  });

  it('shares one look between overlapping asks and makes one more with what changed meanwhile', async () => {
    let looks = 0;
    let release: () => void = () => undefined;
    const w = watch(() => ({ env: {}, settingsPath: null, platform: 'linux', userHome: dir }), {
      recheckMs: 0,
      check: () => {
        looks += 1;
        return new Promise(
          (resolve) =>
            (release = () =>
              resolve({
                kind: 'missing',
                locate: { found: false, searched: [String(looks)], problem: 'p', hint: 'h' },
              })),
        );
      },
    });
    const first = w.refresh();
    const second = w.refresh();
    release();
    expect(await first).toBe(await second);
    await until(() => looks === 2);
    release();
    const second2 = (): SetupState => w.current();
    await until(() => {
      const now = second2();
      return now.kind === 'missing' && now.locate.searched[0] === '2';
    });
  });

  it('keeps the last answer when a look fails', async () => {
    let fail = false;
    const w = watch(() => ({ env: {}, settingsPath: null, platform: 'win32', userHome: dir }), {
      recheckMs: 0,
      check: (o) =>
        fail ? Promise.reject(new Error('EIO')) : Promise.resolve({ kind: 'unsupported', platformName: o.platform }),
    });
    await w.refresh();
    fail = true;
    expect(await w.refresh()).toEqual({ kind: 'unsupported', platformName: 'win32' });
  });
});
