// The runtime feed as the app runs it looks again after launch: a user who installs microsandbox
// 0.6 from the first-run window, removes the old msb the upgrade-trap note names, or runs
// `msb self update`, sees it within the rescan period (15 s, as the server generation's setup watch).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppRuntimeFeed } from '../../../../electron/core/desktop/runtime-wiring.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../../shared/settings-schema.ts';
import { waitFor } from '../../../support/wait-for.ts';

const STANDIN = fileURLToPath(new URL('../../../fixtures/msb-standin', import.meta.url));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

describe.skipIf(process.platform === 'win32')('the runtime feed as the app runs it', () => {
  it('notices microsandbox installed after launch, as the server generation does', { timeout: 25_000 }, async () => {
    const userHome = mkdtempSync(path.join(os.tmpdir(), 'r2-rescan-'));
    chmodSync(userHome, 0o755);
    cleanups.push(() => rmSync(userHome, { recursive: true, force: true }));
    const settings: Settings = { ...DEFAULT_SETTINGS };
    const feed = createAppRuntimeFeed({
      settings: { get: () => settings, onChange: () => () => undefined },
      env: { PATH: '' },
      userHome,
      platform: 'linux',
    });
    cleanups.push(() => feed.dispose());
    expect((await feed.rescan()).generation).not.toBe('runtime');
    // The installer puts msb in ~/.microsandbox/bin.
    const bin = path.join(userHome, '.microsandbox', 'bin');
    mkdirSync(bin, { recursive: true, mode: 0o755 });
    // The stand-in, through a wrapper that notes the home each msb run is given.
    const homes = path.join(userHome, 'msb-homes');
    writeFileSync(path.join(bin, 'msb'), `#!/bin/sh\necho "$MSB_HOME" >> '${homes}'\nexec '${STANDIN}' "$@"\n`, {
      mode: 0o755,
    });
    await new Promise<void>((resolve) => {
      if (feed.view().generation === 'runtime') return resolve();
      feed.onChange((view) => {
        if (view.generation === 'runtime') resolve();
      });
    });
    expect(feed.view().msb?.path).toBe(path.join(bin, 'msb'));
    // The service's msb runs are given this user's home folder, where msb was found, never the
    // tester's own (the search's own runs get no MSB_HOME: empty lines).
    const given = () =>
      existsSync(homes)
        ? readFileSync(homes, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
        : [];
    await waitFor(() => given().length > 0, { what: 'the service to run msb' });
    expect(new Set(given())).toEqual(new Set([path.join(userHome, '.microsandbox')]));
  });
});
