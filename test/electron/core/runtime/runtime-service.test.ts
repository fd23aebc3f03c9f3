// The runtime service: acts on listed sandboxes only, one at a time per sandbox, one msb doctor
// at a time, and says what the installed msb can do. When it lists is in runtime-listing.test.ts,
// what it follows in runtime-follows.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeService } from '../../../../electron/core/runtime/runtime-service.ts';
import { REAL_MSB, REAL_MSB_MISSING, RuntimeHome } from '../../../fixtures/runtime-home.ts';
import {
  alive,
  realMsbService,
  standIn,
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

describe.skipIf(REAL_MSB_MISSING !== null)('the runtime service, against the real msb', () => {
  const setup = (options: { liveCheckMs?: number } = {}) => realMsbService(cleanups, options);

  it('stops a sandbox: the test’s process ends and the view shows it stopped', async () => {
    const { home, service } = setup();
    const sleeper = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
    await until(service, (state) => statusOf(state, 'web') === 'Running');
    const exited = new Promise((resolve) => sleeper.once('exit', resolve));
    await service.act('web', 'stop');
    await exited;
    expect(statusOf(service.state(), 'web')).toBe('Stopped');
  });

  it('refuses to remove a running sandbox with msb’s message', async () => {
    const { home, service } = setup();
    const sleeper = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
    await until(service, (state) => statusOf(state, 'web') === 'Running');
    await expect(service.act('web', 'remove')).rejects.toThrow(
      "sandbox still running: cannot remove sandbox 'web': still running",
    );
    expect(alive(sleeper.pid)).toBe(true);
  });

  it(
    'while acts are held (msb being replaced) refuses each with the reason and runs no msb; after release acts ' +
      'again',
    async () => {
      const { home, msb, service } = setup();
      const sleeper = home.ownedProcess();
      home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
      await until(service, (state) => statusOf(state, 'web') === 'Running');
      const before = msb.count();
      const release = service.holdActs('microsandbox is being updated');
      await expect(service.act('web', 'stop')).rejects.toThrow('microsandbox is being updated');
      expect(msb.count()).toBe(before);
      expect(service.actsInFlight().size).toBe(0);
      release();
      release();
      const exited = new Promise((resolve) => sleeper.once('exit', resolve));
      const stopping = service.act('web', 'stop');
      expect([...service.actsInFlight()]).toEqual([['web', 'stop']]);
      await stopping;
      await exited;
      expect(service.actsInFlight().size).toBe(0);
    },
  );

  it('runs nothing for a name that is not in the list', async () => {
    const { msb, service } = setup();
    await service.refresh();
    const before = msb.count();
    await expect(service.act('--all', 'stop')).rejects.toThrow(/no sandbox named/);
    await expect(service.logTail('nosuch', 10)).rejects.toThrow(/no sandbox named/);
    // The unknown names cost at most one listing (to be sure the list is current), never an action.
    expect(readFileSync(path.join(home(msb.path), 'msb-starts'), 'utf8')).not.toMatch(/^\d+ (stop|logs)\b/m);
    expect(msb.count() - before).toBeLessThanOrEqual(2);
  });

  it('has no pause in 0.6.18, and refuses it', async () => {
    const home = new RuntimeHome().init();
    const service = createRuntimeService({ msbPath: REAL_MSB ?? '', home: home.home });
    cleanups.push(
      () => home.disposeWhenUnused(),
      () => service.dispose(),
    );
    home.seed([{ name: 'web', status: 'Stopped' }]);
    await until(service, (state) => state.context !== null && statusOf(state, 'web') === 'Stopped');
    expect(service.state().capabilities.pause).toBe(false);
    expect(service.state().context).toEqual({ kind: 'local', profile: null, apiUrl: null });
    await expect(service.act('web', 'pause')).rejects.toThrow(/cannot pause/);
    const host = await until(service, (state) => state.host !== null);
    expect(host.host?.ok).toBe(false);
  });
});

function home(msbPath: string): string {
  return path.dirname(path.dirname(msbPath));
}

describe.skipIf(process.platform === 'win32')('the runtime service, with a 0.7 stand-in', () => {
  const setup = () => standInService(cleanups);

  it('shows Paused and unknown statuses, the cloud context, and pauses and resumes', async () => {
    const { service, record } = setup();
    const state = await until(service, (s) => s.capabilities.pause && s.context !== null && s.sandboxes.length === 2);
    expect(state.sandboxes.map(({ name, status }) => [name, status])).toEqual([
      ['web', 'Paused'],
      ['odd', 'Hibernating'],
    ]);
    expect(state.context).toEqual({ kind: 'cloud', profile: 'prod', apiUrl: 'https://api.microsandbox.dev' });
    await service.act('web', 'resume');
    await service.act('web', 'pause');
    expect(readFileSync(record, 'utf8')).toBe('resume -- web\npause -- web\n');
  });
});

describe.skipIf(process.platform === 'win32')('the runtime service, asked many times at once', () => {
  it('runs at most one msb doctor at a time however often the host check is asked for', async () => {
    const { dir, msb, home } = standIn(
      cleanups,
      [
        'case "$1" in',
        '  doctor) echo x >> "$MSB_R2_DIR/doctors"; touch "$MSB_R2_DIR/running.$$"; sleep 1;',
        '    rm -f "$MSB_R2_DIR/running.$$";',
        "    printf '   \\342\\234\\223 msb          /x/msb\\n' >&2 ;;",
        "  ls|ps) echo '[]' ;;",
        'esac',
      ].join('\n'),
    );
    const service = createRuntimeService({ msbPath: msb, home, env: { ...process.env, MSB_R2_DIR: dir } });
    cleanups.push(() => service.dispose());
    // The service's own check at start and the window's twenty asks share one run.
    const reports = await Promise.all(Array.from({ length: 20 }, () => service.checkHost()));
    expect(new Set(reports).size).toBe(1);
    expect(readFileSync(path.join(dir, 'doctors'), 'utf8')).toBe('x\n');
  });
});
