/**
 * The tray's flows of the first run, failures and the standard items, through the whole built
 * app (see driver.ts): what the tray shows and what its items do, natively asked where they ask.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STANDIN_PATH } from '../fixtures/standin-helpers.ts';
import { findMenuEntry, waitFor } from './driver.ts';
import { CRASH_AFTER_MS, tooltipStarts, useAppSuite } from './suite.ts';

const { launch } = useAppSuite('app-harness-tray-flows');

describe('the first run in the tray', () => {
  it(
    'says microsandbox is not installed, offers no Start; Locate msbserver… takes the file chosen natively, and ' +
      'then Start works',
    async () => {
      // No MSBSERVER_EXE and nothing installed (but node on PATH, which the stand-in runs on).
      const app = await launch({ env: { MSBSERVER_EXE: undefined } });
      const first = await app.waitForTray(
        (t) => findMenuEntry(t.menu, 'locate-msbserver') !== undefined,
        'the tray to offer Locate msbserver…',
      );
      expect(first.menu.map((item) => item.label)).toContain('microsandbox is not installed');
      expect(findMenuEntry(first.menu, 'start')?.enabled).toBe(false);
      expect(findMenuEntry(first.menu, 'install')?.label).toBe('Install microsandbox…');

      // Closing the chooser changes nothing and says nothing.
      await app.clickTray('locate-msbserver');
      const closed = await app.waitForDialog({ kind: 'open' });
      expect(closed.options).toMatchObject({ title: 'Choose msbserver' });
      await app.answerDialog(closed.id, { canceled: true });
      // The chooser comes back on the next click, so main is past the closed one by then.
      await app.clickTray('locate-msbserver');
      const chooser = await app.waitForDialog({ kind: 'open' });
      expect(findMenuEntry((await app.tray()).menu, 'locate-msbserver')).toBeDefined();
      expect(app.notifications()).toEqual([]);

      await app.answerDialog(chooser.id, { filePaths: [STANDIN_PATH] });
      const ready = await app.waitForTray(
        (t) => findMenuEntry(t.menu, 'start')?.enabled === true,
        'Start to be offered',
      );
      expect(ready.menu.map((item) => item.label)).not.toContain('microsandbox is not installed');
      expect(findMenuEntry(ready.menu, 'locate-msbserver')).toBeUndefined();

      await app.clickTray('start');
      await app.waitForTray(tooltipStarts('Microsandbox: Running'), 'the tray to say Running');
      await app.clickTray('quit-and-stop');
      await waitFor(() => (app.standins().length === 0 ? true : undefined), 10_000, 'the server to stop');
    },
  );

  it('Install microsandbox… and Settings… open the window on their views', async () => {
    const app = await launch({ msbserver: 'missing' });
    await app.waitForTray((t) => findMenuEntry(t.menu, 'install') !== undefined, 'the tray to offer the install');
    await app.clickTray('open-settings');
    const window = await app.waitForWindow();
    expect(new URL(window.page.url()).hash).toBe('#settings');
    // A window already open is told which view to show.
    await app.clickTray('install');
    await waitFor(
      () =>
        app.app.named('webContents.send').some((entry) => entry.detail['channel'] === 'event:navigate')
          ? true
          : undefined,
      10_000,
      'event:navigate',
    );
  });
});

describe('the standard items', () => {
  it('About shows the versions and the msbserver in use natively; Copy puts them on the clipboard', async () => {
    const app = await launch();
    await app.clickTray('about');
    const about = await app.waitForDialog({ kind: 'message', text: 'Microsandbox Tray' });
    expect(about.options['title']).toBe('About Microsandbox Tray');
    expect(about.options['buttons']).toEqual(['Copy', 'OK']);
    const detail = String(about.options['detail']);
    expect(detail).toContain(`msbserver: ${STANDIN_PATH}`);
    expect(detail).toContain(`Node ${process.versions.node}`);
    expect(detail).toContain(`Microsandbox home: ${app.home}`);
    await app.answerDialog(about.id, { button: 'Copy' });
    await waitFor(
      async () => ((await app.clipboardText()) === detail ? true : undefined),
      10_000,
      'the About text on the clipboard',
    );
  });
});

describe('a crash with automatic restart', () => {
  it('counts down in the tray beside Cancel Automatic Restart, and brings the server back', async () => {
    const app = await launch({
      env: { MSB_STANDIN_CRASH_AFTER_MS: String(CRASH_AFTER_MS) },
      settings: { autoRestart: true },
    });
    await app.clickTray('start');
    await app.waitForTray(tooltipStarts('Microsandbox: Running'), 'the tray to say Running');
    const firstPid = await waitFor(() => app.serverPid() ?? undefined, 10_000, 'server.pid');
    // The countdown is a second long: every menu main gave the tray is recorded, so none is missed.
    const countdown = await waitFor(
      () =>
        app.app
          .named('tray.setContextMenu')
          .find((entry) => JSON.stringify(entry.detail).includes('Restarting automatically in')),
      20_000,
      'a menu with the restart countdown',
    );
    expect(JSON.stringify(countdown.detail)).toContain('Cancel Automatic Restart');
    await waitFor(
      () => {
        const pid = app.serverPid();
        return pid !== null && pid !== firstPid ? pid : undefined;
      },
      20_000,
      'the restarted server',
    );
    await app.waitForTray(tooltipStarts('Microsandbox: Running'), 'the tray to say Running again');
    expect(path.basename((await app.tray()).image)).toBe('tray-running.png');
    await app.clickTray('quit-and-stop');
    await waitFor(() => (app.standins().length === 0 ? true : undefined), 15_000, 'the server to stop');
  });
});
