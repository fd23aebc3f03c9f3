/**
 * Updates through the whole built app (see driver.ts): the app's own against a local feed
 * (`MICROSANDBOX_TRAY_UPDATE_FEED`, honoured only unpackaged, where the "install" is the quit an
 * update makes), and microsandbox's through a local releases API
 * (`MICROSANDBOX_TRAY_RELEASES_API`) and the `msb self update` stand-in, which fails halfway once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { serveRoutes } from '../electron/core/updates/local-server.ts';
import { removeWhenUnused } from '../support/remove-when-unused.ts';
import { findMenuEntry } from './driver.ts';
import { text, useAppSuite } from './suite.ts';
import { WindowView } from './window-view.ts';

const { launch, survive } = useAppSuite('app-harness-updates');

const UPDATE_STANDIN = fileURLToPath(new URL('../fixtures/msb-update-standin/msb', import.meta.url));
const RELEASE_PATH = '/repos/superradcompany/microsandbox/releases/latest';

/** `latest-linux*.yml` as electron-builder writes it, for a version far ahead of the harness's. */
const FEED = [
  'version: 9.9.9',
  'files:',
  '  - url: Microsandbox-Tray-9.9.9.AppImage',
  '    sha512: 3q2+7w==',
  '    size: 1234',
  'path: Microsandbox-Tray-9.9.9.AppImage',
  'sha512: 3q2+7w==',
].join('\n');

const closers: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function servers() {
  const feed = await serveRoutes({
    '/latest-linux.yml': { body: FEED },
    '/latest-linux-arm64.yml': { body: FEED },
    '/latest-mac.yml': { body: FEED },
  });
  const releases = await serveRoutes({
    [RELEASE_PATH]: { type: 'application/json', body: JSON.stringify({ tag_name: 'v0.7.2' }) },
  });
  closers.push(feed.close, releases.close);
  return {
    feed,
    releases,
    env: { MICROSANDBOX_TRAY_UPDATE_FEED: feed.url, MICROSANDBOX_TRAY_RELEASES_API: releases.url },
  };
}

/** A private MSB_HOME with an `msb` in it that runs the stand-in with this Node (main's PATH may have none). */
function msbHome(): { home: string; msb: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tray-update-home-'));
  // Removed once the app given it (and the msb it ran there) ended, after the suite's afterEach.
  onTestFinished(() => removeWhenUnused(home, home));
  const bin = path.join(home, 'bin');
  fs.mkdirSync(bin, { mode: 0o700 });
  const msb = path.join(bin, 'msb');
  fs.writeFileSync(msb, `#!/bin/sh\nexec '${process.execPath}' '${UPDATE_STANDIN}' "$@"\n`, { mode: 0o700 });
  return { home, msb };
}

describe("the app's own update", () => {
  it(
    'offers Restart to Update once downloaded, holds it during a server start, and the restart leaves the server ' +
      'running',
    async () => {
      const { env, feed } = await servers();
      const app = await launch({ env: { ...env, MSB_STANDIN_READY_DELAY_MS: '3000' } });
      const ready = await app.waitForTray(
        (tray) => findMenuEntry(tray.menu, 'restart-to-update') !== undefined,
        'Restart to Update in the tray',
      );
      expect(findMenuEntry(ready.menu, 'restart-to-update')).toMatchObject({
        label: 'Restart to Update (9.9.9)',
        enabled: true,
      });
      expect(feed.requests.length).toBeGreaterThan(0);

      // During the start (the stand-in answers its health only after 3 s) the restart waits.
      await app.clickTray('Start Server');
      const starting = await app.waitForTray(
        (tray) => findMenuEntry(tray.menu, 'restart-to-update')?.enabled === false,
        'Restart to Update to be held during the start',
      );
      expect(findMenuEntry(starting.menu, 'The server is starting. Restart to Update waits.')).toBeDefined();

      const { page } = await app.openWindowFromTray();
      const view = new WindowView(page);
      await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Running');
      const pid = app.serverPid();
      expect(pid).not.toBeNull();
      await app.waitForTray(
        (tray) => findMenuEntry(tray.menu, 'restart-to-update')?.enabled === true,
        'Restart to Update once the server runs',
      );
      await app.clickTray('restart-to-update');
      const exit = await app.app.waitForExit('Restart to Update');
      expect(exit.code).toBe(0);
      // An update restart never stops the server (nor, so, its sandboxes).
      expect(app.standins()).toEqual([pid]);
      survive(pid!);
    },
  );

  it('with both switches off asks neither the feed nor the releases API', async () => {
    const { env, feed, releases } = await servers();
    const { home, msb } = msbHome();
    const app = await launch({
      env: { ...env, MSB_HOME: home },
      msbserver: 'missing',
      settings: {
        checkForAppUpdates: false,
        checkForMicrosandboxUpdates: false,
        generation: 'runtime',
        msbPath: msb,
      },
    });
    const { page } = await app.openWindowFromTray();
    // The window's Status asked main for microsandbox's update state: with the switch on, this
    // is when the latest release would have been asked for.
    await expect
      .poll(() => text(page.getByTestId('msb-update-note')), { timeout: 15_000 })
      .toMatch(/Checking for microsandbox updates is off/);
    expect(findMenuEntry((await app.tray()).menu, 'restart-to-update')).toBeUndefined();
    expect(releases.requests).toEqual([]);
    expect(feed.requests).toEqual([]);
  });
});

describe('Update microsandbox', () => {
  it(
    'asks natively, shows msb self update’s lines live and its result; ' + 'a failure halfway, then a success',
    async () => {
      const { env } = await servers();
      const { home, msb } = msbHome();
      fs.writeFileSync(path.join(home, '.standin-fail-once'), '');
      const app = await launch({
        env: { ...env, MSB_HOME: home },
        msbserver: 'missing',
        settings: { checkForAppUpdates: false, generation: 'runtime', msbPath: msb },
      });
      const { page } = await app.openWindowFromTray();
      const versions = page.getByTestId('msb-update-versions');
      await expect.poll(() => text(versions), { timeout: 15_000 }).toBe('Installed: 0.6.18 · Latest release: 0.7.2');

      const result = page.getByTestId('msb-update-result');
      const output = page.getByTestId('msb-update-output');
      await page.getByTestId('msb-update').click();
      const question = await app.waitForDialog({ kind: 'message', text: 'msb self update' });
      expect(question.options['message']).toContain('0.6.18 with 0.7.2');
      await app.answerDialog(question.id, { button: 'Update microsandbox' });
      await expect.poll(() => text(result), { timeout: 15_000 }).toMatch(/msb self update failed \(exit code 1\)/);
      expect(await text(output)).toContain('error: failed to download release asset: connection reset by peer');
      expect(await text(versions)).toBe('Installed: 0.6.18 · Latest release: 0.7.2');

      await page.getByTestId('msb-update').click();
      const again = await app.waitForDialog({ kind: 'message', text: 'msb self update' });
      await app.answerDialog(again.id, { button: 'Update microsandbox' });
      await expect.poll(() => text(result), { timeout: 15_000 }).toBe('microsandbox was updated from 0.6.18 to 0.7.2.');
      expect(await text(output)).toContain('✓ Updated microsandbox 0.6.18 → 0.7.2');
      await expect
        .poll(() => text(versions), { timeout: 15_000 })
        .toBe('Installed: 0.7.2 · Latest release: 0.7.2 (up to date)');
    },
  );
});
