/**
 * The whole app end to end without the Electron binary (see driver.ts): the BUILT main under
 * plain Node, its window a real Chromium page with the built preload and renderer, its tray,
 * notifications and dialogs recorded. Each test is one flow a user goes through, asserted on the
 * window's DOM and on what the tray and notifications show.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOnLinux } from '../support/platform.ts';
import { INSTALL_COMMAND } from '../../shared/setup.ts';
import { msbrunProcessesUnder, STANDIN_PATH } from '../fixtures/standin-helpers.ts';
import { findMenuEntry, waitFor, type AppHarness } from './driver.ts';
import type { TrayState } from './driver.ts';
import { APP_TEST_TIMEOUT_MS, EXIT_TIMEOUT_MS, LAUNCH_TIMEOUT_MS } from '../electron/recording-electron/driver.ts';
import { alive, CRASH_AFTER_MS, startFromTray, text, tooltipStarts, useAppSuite } from './suite.ts';
import { WindowView } from './window-view.ts';

const { launch, survive } = useAppSuite('app-harness-flows');

describe("a flow's budget", () => {
  it('is above its longest step, so a slow step fails with its own name and not a bare timeout', ({ task }) => {
    expect(task.timeout).toBe(APP_TEST_TIMEOUT_MS);
    // The longest single steps: a launch and its tray's first menu; a window opened and drawn
    // (10 + 15 + 15 s, driver.ts); a quit.
    for (const step of [LAUNCH_TIMEOUT_MS + 10_000, 40_000, EXIT_TIMEOUT_MS])
      expect(APP_TEST_TIMEOUT_MS).toBeGreaterThan(step);
  });
});

describe('first run, without msbserver installed', () => {
  it(
    'shows the first-run state at launch, once, ' + 'with where it looked and the install command, and Start off',
    async () => {
      const app = await launch({ msbserver: 'missing' });
      const { page } = await app.openWindowFromTray();
      const view = new WindowView(page);
      await expect.poll(() => text(view.pill), { timeout: 10_000 }).toBe('Stopped');
      await expect.poll(() => text(view.setupTitle), { timeout: 10_000 }).toBe('microsandbox is not installed');
      // Where a fresh machine would have it: ~/.local/bin under the HOME the app was given.
      expect(await view.setupSearched.allTextContents()).toContain(
        path.join(app.userHome, '.local', 'bin', 'msbserver'),
      );
      expect(await text(view.installCommand)).toBe(INSTALL_COMMAND);
      // Not a click that then fails: Start is off until msbserver is there, in the window as in the tray.
      expect(await view.button('Start').isDisabled()).toBe(true);
      expect(await view.failure.isHidden()).toBe(true);
      expect(findMenuEntry((await app.tray()).menu, 'start')?.enabled).toBe(false);
      expect(app.standins()).toEqual([]);
    },
  );
});

describe('what the window may not decide', () => {
  it(
    "takes the msbserver the user picks in main's own file dialog, then starts it; dev mode waits for the native " +
      'yes',
    async () => {
      // No MSBSERVER_EXE and nothing installed: only the path chosen in the dialog can be run.
      const app = await launch({ env: { MSBSERVER_EXE: undefined } });
      const { page } = await app.openWindowFromTray();
      const view = new WindowView(page);
      await page.getByRole('tab', { name: 'Settings' }).click();
      const message = page.getByTestId('settings-message');

      await view.button('Choose msbserver path…').click();
      const chooser = await app.waitForDialog({ kind: 'open' });
      expect(chooser.options).toMatchObject({ title: 'Choose msbserver' });
      expect(chooser.window).toBe((await app.window())?.windowId);
      await app.answerDialog(chooser.id, { filePaths: [STANDIN_PATH] });
      await expect.poll(() => text(message)).toBe('msbserver path saved.');
      expect(await page.getByLabel('msbserver path', { exact: true }).inputValue()).toBe(STANDIN_PATH);

      await page.getByLabel('Development mode (no keys needed)').check();
      await view.button('Save').click();
      const question = await app.waitForDialog({ kind: 'message', text: 'development mode' });
      expect(question.options['buttons']).toEqual(['Cancel', 'Turn On Development Mode']);
      await app.answerDialog(question.id, { button: 'Cancel' });
      await expect.poll(() => text(message)).toBe('Not saved: Development mode stays off: it was not confirmed.');

      await page.getByRole('tab', { name: 'Status' }).click();
      await view.button('Start').click();
      await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Running');
      expect(await page.getByTestId('status-mode').textContent()).toBe('Secure: clients need a key');
      const pid = await waitFor(() => app.serverPid() ?? undefined, 10_000, 'server.pid');
      expect(app.standins()).toContain(pid);
      await view.button('Stop').click();
      await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Stopped');
    },
  );
});

describe('the server from the tray', () => {
  it('Start in the tray turns the open window to Running with the PID from server.pid', async () => {
    const app = await launch();
    const { page } = await app.openWindowFromTray();
    const view = new WindowView(page);
    await expect.poll(() => text(view.pill), { timeout: 10_000 }).toBe('Stopped');
    expect(await text(view.pid)).toBe('—');

    const pid = await startFromTray(app, view);
    expect(app.standins()).toEqual([pid]);
    expect(await text(view.url)).toBe(`http://127.0.0.1:${app.port}`);
    const tray = await app.tray();
    expect(tray.tooltip).toContain(`PID ${pid}`);
    expect(path.basename(tray.image)).toBe('tray-running.png');
    // The window heard it from main (event:status), not only from its own call.
    expect(app.app.named('webContents.send').some((entry) => entry.detail.channel === 'event:status')).toBe(true);

    // And back: Stop in the tray.
    await app.clickTray('stop');
    await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Stopped');
    await waitFor(() => (app.standins().length === 0 ? true : undefined), 10_000, 'the stand-in to exit');
    expect(app.serverPid()).toBeNull();
  });

  it('a crash shows the notification and the failure card with the log', async () => {
    // Long enough after it starts listening for main to see it running, even on a loaded machine.
    const app = await launch({
      env: { MSB_STANDIN_CRASH_AFTER_MS: String(CRASH_AFTER_MS) },
      settings: { autoRestart: false },
    });
    const { page } = await app.openWindowFromTray();
    const view = new WindowView(page);
    await app.clickTray('Start Server');
    await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Running');
    const pid = await waitFor(() => app.serverPid() ?? undefined, 10_000, 'server.pid');

    const note = await app.waitForNotification('Microsandbox server crashed', 20_000);
    expect(note.body).toMatch(/stopped unexpectedly|exit code 101/i);
    await expect.poll(() => text(view.pill), { timeout: 10_000 }).toBe('Failed');
    await view.failure.waitFor({ state: 'visible' });
    expect(await text(view.failureTitle)).toBe('The server could not run');
    expect(await text(view.failureMessage)).toMatch(/stopped unexpectedly/i);
    expect(await text(view.failureLog)).toContain(`stand-in crash after ${CRASH_AFTER_MS} ms`);
    await app.waitForTray(tooltipStarts('Microsandbox: Failed'), 'the tray to say Failed');
    await waitFor(() => (alive(pid) ? undefined : true), 10_000, 'the crashed stand-in to be gone');
  });
});

describe('quitting', () => {
  it('"Quit (Server Keeps Running)" leaves the server running, even when the setting would stop it', async () => {
    const app = await launch({ settings: { stopServerOnQuit: true } });
    const { page } = await app.openWindowFromTray();
    const pid = await startFromTray(app, new WindowView(page));

    const exit = await app.quitFromTray('quit-leave-running');
    expect(exit.code).toBe(0);
    expect(page.isClosed()).toBe(true);
    expect(app.app.named('tray.destroy')).toHaveLength(1);
    expect(alive(pid)).toBe(true);
    expect(app.standins()).toEqual([pid]);
    expect(fs.readFileSync(path.join(app.home, 'server.pid'), 'utf8').trim()).toBe(String(pid));
    survive(pid);
  });

  it('"Quit and Stop Server" stops the server, even when the setting would leave it running', async () => {
    const app = await launch({ settings: { stopServerOnQuit: false } });
    const { page } = await app.openWindowFromTray();
    const pid = await startFromTray(app, new WindowView(page));

    const exit = await app.quitFromTray('quit-and-stop');
    expect(exit.code).toBe(0);
    await waitFor(() => (app.standins().length === 0 ? true : undefined), 10_000, 'the stand-in to exit');
    expect(app.standins()).not.toContain(pid);
    expect(app.serverPid()).toBeNull();
  });
});

/** Starts a sandbox through the running server with a key copied from the tray, as a user's SDK would. */
async function startSandbox(app: AppHarness, namespace: string, sandbox: string): Promise<void> {
  await app.clickTray('copy-key');
  const token = await waitFor(
    async () => {
      const text = await app.clipboardText();
      return text.startsWith('msb_') ? text : undefined;
    },
    10_000,
    'a key on the clipboard',
  );
  const response = await fetch(`http://127.0.0.1:${app.port}/api/v1/rpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'sandbox.start',
      params: { sandbox, namespace, config: { image: 'microsandbox/python' } },
    }),
  });
  expect(response.status, await response.text()).toBe(200);
}

const sandboxesRunning = (count: number) => (tray: TrayState) =>
  tray.menu.some((item) => item.label === `${count} ${count === 1 ? 'sandbox' : 'sandboxes'} running`);

describeOnLinux('sandboxes from the tray', 'finds the msbrun stand-ins through /proc', () => {
  it(
    'the tray says "1 sandbox running"; Stop asks natively: ' + 'Cancel changes nothing, "Stop them too" stops both',
    async () => {
      const app = await launch();
      const { page } = await app.openWindowFromTray();
      const view = new WindowView(page);
      const serverPid = await startFromTray(app, view);
      await startSandbox(app, 'team', 'web');

      const tray = await app.waitForTray(sandboxesRunning(1), 'the tray to list the sandbox');
      expect(tray.tooltip).toMatch(/ · 1 sandbox running$/);
      const entry = findMenuEntry(tray.menu, 'Sandboxes')?.submenu?.find((item) =>
        item.label?.startsWith('web · team'),
      );
      expect(entry?.submenu?.map((item) => [item.id, item.label, item.enabled])).toEqual([
        ['sandbox-stop:team/web', 'Stop', true],
        ['sandbox-log:team/web', 'Show Log', true],
      ]);
      // The window shows it too, pushed.
      await view.tab('Sandboxes').click();
      await expect
        .poll(() => text(page.locator('[data-key="team/web"] [data-testid="sandbox-state"]')), { timeout: 10_000 })
        .toBe('Running');

      // Stop Server: the native question; Cancel keeps everything running.
      await app.clickTray('stop');
      const question = await app.waitForDialog({ kind: 'message', text: 'sandbox' });
      expect(question.options).toMatchObject({
        message: '1 sandbox is running.',
        detail: 'It keeps running after the server stops.',
        buttons: ['Stop them too', 'Leave them running', 'Cancel'],
        cancelId: 2,
      });
      // Asked over the open window, as its sheet.
      expect(question.window).not.toBeNull();
      await app.answerDialog(question.id, { button: 'Cancel' });
      // Again: the question comes back, so main is past the Cancel; it stopped nothing.
      await app.clickTray('stop');
      const again = await app.waitForDialog({ kind: 'message', text: 'sandbox' });
      expect(alive(serverPid)).toBe(true);
      expect(await text(view.pill)).toBe('Running');
      expect((await msbrunProcessesUnder(app.dir)).length).toBeGreaterThan(0);
      expect((await app.tray()).menu.some((item) => item.label === '1 sandbox running')).toBe(true);

      // "Stop them too": the sandbox, then the server.
      await app.answerDialog(again.id, { button: 'Stop them too' });
      await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Stopped');
      await waitFor(
        async () => ((await msbrunProcessesUnder(app.dir)).length === 0 ? true : undefined),
        10_000,
        'the sandbox to end',
      );
      await waitFor(() => (app.standins().length === 0 ? true : undefined), 10_000, 'the server to end');
      await app.waitForTray(
        (t) => !t.menu.some((item) => /\bsandbox/i.test(item.label ?? '')),
        'the tray to list no sandbox',
      );
      await expect
        .poll(() => text(page.locator('[data-key="team/web"] [data-testid="sandbox-state"]')), { timeout: 10_000 })
        .toBe('Stopped');
    },
  );

  it(
    'a sandbox survives a server stopped with "Leave them running", ' + 'and is stopped from the tray without a server',
    async () => {
      const app = await launch();
      await app.clickTray('Start Server');
      await app.waitForTray(tooltipStarts('Microsandbox: Running'), 'the tray to say Running');
      await startSandbox(app, 'team', 'job');
      await app.waitForTray(sandboxesRunning(1), 'the tray to list the sandbox');

      await app.queueDialogAnswer({ button: 'Leave them running' }, { kind: 'message', text: 'sandbox' });
      await app.clickTray('stop');
      await app.waitForTray(
        (t) => t.tooltip === 'Microsandbox: Stopped · 1 sandbox running',
        'the tray to say the sandbox still runs',
        20_000,
      );
      expect(app.standins()).toEqual([]);

      await app.clickTray('sandbox-stop:team/job');
      await app.waitForTray((t) => t.tooltip === 'Microsandbox: Stopped', 'the tray to list no sandbox', 20_000);
      await waitFor(
        async () => ((await msbrunProcessesUnder(app.dir)).length === 0 ? true : undefined),
        10_000,
        'the sandbox to end',
      );
    },
  );

  it('Quit that stops the server asks first: Cancel keeps the app, "Stop them too" quits and stops both', async () => {
    const app = await launch({ settings: { stopServerOnQuit: true } });
    await app.clickTray('Start Server');
    await app.waitForTray(tooltipStarts('Microsandbox: Running'), 'the tray to say Running');
    await startSandbox(app, 'team', 'web');
    await app.waitForTray(sandboxesRunning(1), 'the tray to list the sandbox');

    await app.clickTray('quit-and-stop');
    const question = await app.waitForDialog({ kind: 'message', text: 'sandbox' });
    expect(question.options['title']).toBe('Quit Microsandbox Tray?');
    await app.answerDialog(question.id, { button: 'Cancel' });
    // Still there: a second Quit asks again (main is past the Cancel), the tray answers and the
    // server and sandbox run.
    await app.clickTray('quit-and-stop');
    const again = await app.waitForDialog({ kind: 'message', text: 'sandbox' });
    expect(again.options['title']).toBe('Quit Microsandbox Tray?');
    expect(app.app.running).toBe(true);
    expect((await app.tray()).tooltip).toMatch(/^Microsandbox: Running/);
    expect(app.standins()).toHaveLength(1);

    // "Stop them too" this time: the app quits.
    await app.answerDialog(again.id, { button: 'Stop them too' });
    const exit = await app.app.waitForExit('"Stop them too"');
    expect(exit.code).toBe(0);
    await waitFor(() => (app.standins().length === 0 ? true : undefined), 10_000, 'the server to end');
    await waitFor(
      async () => ((await msbrunProcessesUnder(app.dir)).length === 0 ? true : undefined),
      10_000,
      'the sandbox to end',
    );
    expect(app.dialogs().filter((d) => d.kind === 'message')).toHaveLength(2);
  });
});

describe('who may talk to main', () => {
  it("refuses a page main never opened, even on the app's own URL, and a foreign frame in the window", async () => {
    const app = await launch();
    const window = await app.openWindowFromTray();
    const own = await window.page.evaluate(async () => {
      const bridge = (window as unknown as { msb: { appInfo(): Promise<{ ok: boolean }> } }).msb;
      return bridge.appInfo();
    });
    expect(own).toMatchObject({ ok: true, value: { name: 'Microsandbox Tray', home: app.home } });

    // A second page with the app's preload (as a window.open child would get it), on the app's URL.
    const foreign = await app.openForeignPage(window.url);
    const refused = await foreign.evaluate(async () => {
      const bridge = (window as unknown as { msb: { appInfo(): Promise<unknown> } }).msb;
      return bridge.appInfo();
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });

    // A frame inside the app's window that is not the app's page, sending as a compromised renderer would.
    await window.page.evaluate(() => {
      const frame = document.createElement('iframe');
      frame.name = 'intruder';
      document.body.append(frame);
    });
    const intruder = await waitFor(
      () => window.page.frames().find((frame) => frame.name() === 'intruder'),
      5_000,
      'the iframe',
    );
    await expect(app.ipcFrom(intruder).invoke('app:info')).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden-sender' },
    });
    // The same raw call from the main frame is answered: the refusal is about the frame.
    await expect(app.ipcFrom(window.page.mainFrame()).invoke('app:info')).resolves.toMatchObject({ ok: true });
    await foreign.close();
  });
});
