// When the runtime service lists (runtime-listing.ts): on the home's file events, never for msb's
// own writes, once more for a write that landed while a listing ran, and a slow look while
// something runs.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeService } from '../../../../electron/core/runtime/runtime-service.ts';
import { REAL_MSB_MISSING, RuntimeHome } from '../../../fixtures/runtime-home.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { realMsbService, standIn, statusOf, until, type Cleanups, runCleanups } from './service-helpers.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  await runCleanups(cleanups);
});

describe.skipIf(REAL_MSB_MISSING !== null)('listing, against the real msb', () => {
  const setup = (options: { liveCheckMs?: number } = {}) => realMsbService(cleanups, options);

  it('shows a sandbox created outside the app without being asked', async () => {
    const { home, service } = setup();
    await until(service, (state) => state.listedAt !== null);
    home.seed([{ name: 'outside', status: 'Stopped' }]);
    const state = await until(service, (s) => statusOf(s, 'outside') === 'Stopped');
    expect(state.error).toBeNull();
  });

  it('starts no msb when nothing in the home changed since the last listing', async () => {
    const { home, msb, service } = setup();
    home.seed([{ name: 'idle', status: 'Stopped' }]);
    await service.refresh();
    await until(service, (state) => statusOf(state, 'idle') === 'Stopped');
    // Settle: the listings the start and the seed caused are done when one more refresh lists nothing new.
    await service.refresh();
    const before = msb.count();
    const state = await service.refresh();
    expect(msb.count()).toBe(before);
    expect(statusOf(state, 'idle')).toBe('Stopped');
  });

  it('turns a Running sandbox whose process died into Crashed on the slow check', async () => {
    const { home, service } = setup({ liveCheckMs: 200 });
    const sleeper = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
    await until(service, (state) => statusOf(state, 'web') === 'Running');
    const gone = new Promise((resolve) => sleeper.once('exit', resolve));
    sleeper.kill('SIGKILL');
    await gone;
    await until(service, (state) => statusOf(state, 'web') === 'Crashed');
  });
});

describe.skipIf(REAL_MSB_MISSING !== null)('a listing that keeps failing, against the real msb', () => {
  // Every msb run writes db/msb.db-wal, a failed `msb ls` included: the service must not take that
  // write for news, or it lists, fails and writes again for as long as the fault lasts.
  it('starts no more msb while nothing in the home changes', { timeout: 30_000 }, async () => {
    const runtimeHome = new RuntimeHome().init();
    // A status this msb does not know, as a newer msb sharing the home would write.
    runtimeHome.seed([{ name: 'odd', status: 'Hibernating' }]);
    const msb = runtimeHome.countingMsb();
    const service = createRuntimeService({ msbPath: msb.path, home: runtimeHome.home, probeAtStart: false });
    cleanups.push(
      () => runtimeHome.disposeWhenUnused(),
      () => service.dispose(),
    );
    await until(service, (state) => state.error !== null);
    const before = msb.count();
    // The loop ran 26 msb in 3 s. Now: the retry after 2 s (ls and ps) and at most one listing for
    // a write that landed as the first one ended; the next retry is 4 s later still. An msb started
    // 3 s or more after the first retry's is that next retry: the quiet window has passed.
    const sinceRetry = () => {
      const times = msb.startTimes().slice(before);
      return times.map((at) => at - (times[0] ?? at));
    };
    await waitFor(() => sinceRetry().some((ms) => ms >= 3_000), { timeout: 20_000, what: 'the second retry' });
    expect(sinceRetry().filter((ms) => ms < 3_000).length).toBeLessThanOrEqual(4);
  });
});

describe.skipIf(process.platform === 'win32')('listing while another client writes', () => {
  it("reads a change that landed while its own listing ran, which msb's own write would hide", async () => {
    // Every msb run writes the WAL, as the real one does; this one's `ls` also lets a sandbox
    // arrive (another client's write) after it has read the list, and prints the old list.
    const { dir, msb, home } = standIn(
      cleanups,
      [
        'mkdir -p "$MSB_HOME/db"; printf x >> "$MSB_HOME/db/msb.db-wal"',
        'list="$MSB_R2_DIR/list"; [ -f "$list" ] || echo \'[]\' > "$list"',
        'case "$1" in',
        '  ls) old=$(cat "$list")',
        '    if [ -f "$MSB_R2_DIR/arriving" ]; then mv "$MSB_R2_DIR/arriving" "$list"; printf y >> ' +
          '"$MSB_HOME/db/msb.db-wal"; fi',
        '    echo "$old" ;;',
        "  ps) echo '[]' ;;",
        "  --version) echo 'msb 0.6.18' ;;",
        'esac',
      ].join('\n'),
    );
    const service = createRuntimeService({
      msbPath: msb,
      home,
      probeAtStart: false,
      env: { ...process.env, MSB_R2_DIR: dir },
    });
    cleanups.push(() => service.dispose());
    expect((await service.refresh()).sandboxes).toEqual([]);
    const web = { created_at: '2026-12-07T01:59:02+00:00', image: 'alpine', name: 'web', status: 'Stopped' };
    writeFileSync(path.join(dir, 'arriving'), JSON.stringify([web]));
    appendFileSync(path.join(home, 'db', 'msb.db-wal'), 'z'); // the other client's first write
    const state = await until(service, (s) => s.sandboxes.some((sandbox) => sandbox.name === 'web'));
    expect(statusOf(state, 'web')).toBe('Stopped');
  });
});
