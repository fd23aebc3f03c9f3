// The runtime feed as the app runs it looks again after launch: a user who installs microsandbox
// 0.6 from the first-run window, removes the old msb the upgrade-trap note names, or runs
// `msb self update`, sees it within the rescan period (15 s, as the server generation's setup watch).
// Every msb it runs, and `msb doctor --fix`, is given the one home msb itself would use.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppRuntimeFeed, fixHostWith } from '../../../../electron/core/desktop/runtime-wiring.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../../shared/settings-schema.ts';
import { removeWhenUnused } from '../../../support/remove-when-unused.ts';
import { waitFor } from '../../../support/wait-for.ts';

const STANDIN = fileURLToPath(new URL('../../../fixtures/msb-standin', import.meta.url));

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A user home folder of its own, removed once no msb given `msbHome` runs any more. */
function tempUserHome(msbHome = (home: string) => path.join(home, '.microsandbox')): string {
  const userHome = mkdtempSync(path.join(os.tmpdir(), 'r2-rescan-'));
  chmodSync(userHome, 0o755);
  cleanups.push(() => removeWhenUnused(userHome, msbHome(userHome)));
  return userHome;
}

/**
 * Installs the stand-in msb at `file` through a wrapper that notes each run given a home (the
 * search's own `--version` runs get none) as "<MSB_HOME> <arguments>" in `record`. Written
 * aside and renamed, so a search never runs a half-written file.
 */
function installRecordingMsb(file: string, record: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const script = `#!/bin/sh\n[ -z "$MSB_HOME" ] || echo "$MSB_HOME $*" >> '${record}'\nexec '${STANDIN}' "$@"\n`;
  writeFileSync(`${file}.new`, script, { mode: 0o755 });
  renameSync(`${file}.new`, file);
}

const recorded = (record: string): string[] =>
  existsSync(record)
    ? readFileSync(record, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];

const settingsOf = (settings: Settings) => ({ get: () => settings, onChange: () => () => undefined });

describe.skipIf(process.platform === 'win32')('the runtime feed as the app runs it', () => {
  it('notices microsandbox installed after launch, as the server generation does', { timeout: 40_000 }, async () => {
    const userHome = tempUserHome();
    const feed = createAppRuntimeFeed({
      settings: settingsOf({ ...DEFAULT_SETTINGS }),
      env: { PATH: '' },
      userHome,
      platform: 'linux',
    });
    cleanups.push(() => feed.dispose());
    expect((await feed.rescan()).generation).not.toBe('runtime');
    // The installer puts msb in ~/.microsandbox/bin.
    const bin = path.join(userHome, '.microsandbox', 'bin');
    const record = path.join(userHome, 'msb-runs');
    installRecordingMsb(path.join(bin, 'msb'), record);
    await waitFor(() => feed.view().generation === 'runtime', { timeout: 20_000, what: 'the rescan to find msb' });
    expect(feed.view().msb?.path).toBe(path.join(bin, 'msb'));
    // The service's msb runs are given this user's home folder, where msb was found, never the
    // tester's own.
    await waitFor(() => recorded(record).length > 0, { what: 'the service to run msb' });
    const homes = new Set(recorded(record).map((line) => line.split(' ')[0]));
    expect(homes).toEqual(new Set([path.join(userHome, '.microsandbox')]));
  });

  it("runs doctor --fix in the feed's msb home even with no service, never the tester's own", async () => {
    const userHome = tempUserHome();
    const record = path.join(userHome, 'msb-runs');
    installRecordingMsb(path.join(userHome, '.microsandbox', 'bin', 'msb'), record);
    const env = { PATH: '' };
    // The server generation chosen: msb is found, but no runtime service is made.
    const feed = createAppRuntimeFeed({
      settings: settingsOf({ ...DEFAULT_SETTINGS, generation: 'server' }),
      env,
      userHome,
      platform: 'linux',
    });
    cleanups.push(() => feed.dispose());
    expect((await feed.rescan()).msb?.path).toBe(path.join(userHome, '.microsandbox', 'bin', 'msb'));
    expect(feed.service()).toBeNull();
    // The search's `msb --version` too is given the home (no service ran anything else).
    expect(recorded(record)).toContain(`${path.join(userHome, '.microsandbox')} --version`);
    await fixHostWith(feed, env);
    expect(recorded(record)).toContain(`${path.join(userHome, '.microsandbox')} doctor --fix`);
    expect(new Set(recorded(record).map((line) => line.split(' ')[0]))).toEqual(
      new Set([path.join(userHome, '.microsandbox')]),
    );
  });

  it('uses MSB_HOME for msb and its fix: finds msb in its bin, lists and runs doctor --fix there', async () => {
    const msbHome = mkdtempSync(path.join(os.tmpdir(), 'r2-msb-home-'));
    chmodSync(msbHome, 0o755);
    cleanups.push(() => removeWhenUnused(msbHome, msbHome));
    const userHome = tempUserHome();
    const record = path.join(msbHome, 'msb-runs');
    installRecordingMsb(path.join(msbHome, 'bin', 'msb'), record);
    const env = { PATH: '', MSB_HOME: msbHome };
    const feed = createAppRuntimeFeed({
      settings: settingsOf({ ...DEFAULT_SETTINGS }),
      env,
      userHome,
      platform: 'linux',
    });
    cleanups.push(() => feed.dispose());
    expect((await feed.rescan()).msb?.path).toBe(path.join(msbHome, 'bin', 'msb'));
    await waitFor(() => recorded(record).length > 0, { what: 'the service to run msb' });
    await fixHostWith(feed, env);
    expect(recorded(record)).toContain(`${msbHome} doctor --fix`);
    expect(new Set(recorded(record).map((line) => line.split(' ')[0]))).toEqual(new Set([msbHome]));
  });
});
