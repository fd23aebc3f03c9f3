// When things go wrong, and when they begin: the window's problem states in real Chromium over
// the real handler table and the msbserver stand-in (see harness.ts).
import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { INSTALL_COMMAND } from '../../shared/setup.ts';
import { STANDIN_PATH } from '../fixtures/standin-helpers.ts';
import type { Rig } from './harness.ts';
import { button, byTestId, startServer, stateText, useWindowSuite } from './suite.ts';

const { openWindow, paused } = useWindowSuite();

/** Pixels between the pill's label and its right padding. */
function pillRoom(page: Page): Promise<number> {
  return page.locator('.pill').evaluate((pill) => {
    const label = pill.querySelector('.pill-label')?.getBoundingClientRect();
    const padding = parseFloat(getComputedStyle(pill).paddingRight);
    return label === undefined ? -1 : pill.getBoundingClientRect().right - padding - label.right;
  });
}

function pidOf(r: Rig): number {
  const text = existsSync(r.paths.pidFile) ? readFileSync(r.paths.pidFile, 'utf8') : '';
  if (!/^[0-9]+$/.test(text)) throw new Error(`no PID in server.pid: ${JSON.stringify(text)}`);
  return Number(text);
}

describe('the first run, without msbserver', () => {
  it(
    'says microsandbox is not installed with Start off; the command is copied by main; a located msbserver turns ' +
      'Start on and starts',
    async () => {
      const r = await openWindow({ msbserver: 'missing' });
      const { page } = r;
      const block = byTestId(page, 'setup-problem');
      await expect.poll(() => block.getByRole('heading').textContent()).toBe('microsandbox is not installed');
      expect(await button(page, 'Start').isDisabled()).toBe(true);
      expect(await byTestId(page, 'setup-command').textContent()).toBe(INSTALL_COMMAND);
      // Said once: no failure card beside it, and the command once on the page.
      expect(await byTestId(page, 'status-failure').isHidden()).toBe(true);
      expect((await page.locator('main').textContent())?.split(INSTALL_COMMAND)).toHaveLength(2);

      await byTestId(page, 'setup-copy-command').click();
      await expect.poll(() => r.readClipboard()).toBe(INSTALL_COMMAND);
      expect(await byTestId(page, 'setup-copy-command').textContent()).toBe('Copied');

      // Cancelled in main's chooser: nothing changes, and the window says so.
      await button(page, 'Locate msbserver…').click();
      await expect
        .poll(() => byTestId(page, 'setup-outcome').textContent())
        .toMatch(/No file was chosen|unchanged|cancel/i);
      expect(await button(page, 'Start').isDisabled()).toBe(true);

      r.chosenFiles.push(STANDIN_PATH);
      await button(page, 'Locate msbserver…').click();
      await expect.poll(() => block.isHidden(), { timeout: 10_000 }).toBe(true);
      expect(r.settings.get().msbserverPath).toBe(STANDIN_PATH);
      expect(await button(page, 'Start').isEnabled()).toBe(true);
      expect(await button(page, 'Start').getAttribute('class')).toContain('primary');
      await startServer(r);
    },
  );

  it('says msbrun is missing beside msbserver, with the command, and still lets the server start', async () => {
    const r = await openWindow({ env: { MSBRUN_EXE: '/nonexistent/msbrun' } });
    const { page } = r;
    await expect
      .poll(() => byTestId(page, 'setup-problem').getByRole('heading').textContent())
      .toBe('msbrun is missing beside msbserver: sandboxes cannot start');
    expect(await byTestId(page, 'setup-command').textContent()).toBe(INSTALL_COMMAND);
    expect(await button(page, 'Start').isEnabled()).toBe(true);
  });

  it(
    'says msbrun is unsafe for a relative $MSBRUN_EXE, ' + 'with why and no install command, and keeps Start off',
    async () => {
      const r = await openWindow({ env: { MSBRUN_EXE: 'bin/msbrun' } });
      const { page } = r;
      await expect
        .poll(() => byTestId(page, 'setup-problem').getByRole('heading').textContent())
        .toBe('msbrun is unsafe: the app will not start the server');
      expect(await byTestId(page, 'setup-message').textContent()).toMatch(
        /^msbrun is unsafe: MSBRUN_EXE is bin\/msbrun/,
      );
      expect(await byTestId(page, 'setup-command').count()).toBe(0);
      expect(await button(page, 'Start').isDisabled()).toBe(true);
    },
  );

  it('on Windows, names the platform and keeps Start off with the WSL 2 way', async () => {
    const r = await openWindow({ platform: 'win32' });
    const { page } = r;
    await expect
      .poll(() => byTestId(page, 'setup-problem').getByRole('heading').textContent())
      .toBe('microsandbox does not run natively on Windows');
    expect(await byTestId(page, 'setup-next').textContent()).toMatch(/WSL 2/);
    expect(await page.locator('body').textContent()).not.toContain('win32');
    expect(await button(page, 'Start').isDisabled()).toBe(true);
  });
});

describe('a failed start', () => {
  it(
    'after the readiness timeout says the app stopped msbserver, and goes to the timeout field (seconds) to ' +
      'raise it',
    async () => {
      const r = await openWindow({ env: { MSB_STANDIN_NEVER_HEALTHY: '1' }, settings: { readinessTimeoutMs: 1_000 } });
      const { page } = r;
      await button(page, 'Start').click();
      await expect.poll(() => stateText(page), { timeout: 20_000 }).toBe('Failed');
      const failure = byTestId(page, 'status-failure');
      expect(await failure.getByRole('heading').textContent()).toBe('The server did not answer in time');
      expect(await byTestId(page, 'failure-message').textContent()).toMatch(
        /stopped msbserver after 1 s without a health answer/,
      );
      expect(await failure.textContent()).not.toContain('SIGKILL');
      // Start is the one action; Restart would do the same and stays off.
      expect(await page.locator('main button.primary').allTextContents()).toEqual(['Start']);
      expect(await button(page, 'Restart').isDisabled()).toBe(true);

      await button(page, 'Raise the start timeout').click();
      const field = page.getByLabel('Start timeout', { exact: true });
      await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
      // The unit is shown beside the input and read with it, not written into the label.
      const unit = page.locator('#setting-readinessTimeoutMs-unit');
      expect(await unit.textContent()).toBe('seconds');
      expect(await field.getAttribute('aria-describedby')).toMatch(/^setting-readinessTimeoutMs-unit /);
      const [fieldBox, unitBox] = await Promise.all([field.boundingBox(), unit.boundingBox()]);
      expect(unitBox!.x).toBeGreaterThanOrEqual(fieldBox!.x + fieldBox!.width);
      expect(Math.abs(unitBox!.y + unitBox!.height / 2 - (fieldBox!.y + fieldBox!.height / 2))).toBeLessThan(4);
      expect(await field.getAttribute('placeholder')).toBe('Default: 15');
      expect(await field.inputValue()).toBe('1');
      await field.fill('0');
      await button(page, 'Save').click();
      await expect
        .poll(() => byTestId(page, 'settings-message').textContent())
        .toBe('Not saved: 1 field needs attention.');
      expect(await byTestId(page, 'error-readinessTimeoutMs').textContent()).toMatch(/seconds from 1 to 120/);
      await field.fill('30');
      await button(page, 'Save').click();
      await expect.poll(() => byTestId(page, 'settings-message').textContent()).toMatch(/^Saved/);
      expect(r.settings.get().readinessTimeoutMs).toBe(30_000);
    },
  );
});

describe('Stop during a start', () => {
  it('is enabled while starting, as in the tray, and ends the start', async () => {
    const r = await openWindow({ env: { MSB_STANDIN_READY_DELAY_MS: '8000' } });
    const { page } = r;
    await button(page, 'Start').click();
    await expect.poll(() => stateText(page), { timeout: 10_000 }).toBe('Starting…');
    expect(await button(page, 'Stop').isEnabled()).toBe(true);
    expect(await button(page, 'Start').isDisabled()).toBe(true);
    expect(await pillRoom(page)).toBeGreaterThanOrEqual(8);
    await button(page, 'Stop').click();
    await expect.poll(() => stateText(page), { timeout: 10_000 }).toBe('Stopped');
    expect(r.controller.snapshot().state).toBe('stopped');
    expect(existsSync(r.paths.pidFile)).toBe(false);
    await page.waitForTimeout(300);
    expect(await byTestId(page, 'action-error').textContent()).toBe('');
    expect(await stateText(page)).toBe('Stopped');
  }, 30_000);
});

describe('an automatic restart after a crash', () => {
  it('counts down with Cancel instead of Failed with Start on; Cancel keeps it stopped', async () => {
    const backoffMs = 6_000;
    const r = await openWindow({
      env: { MSB_STANDIN_CRASH_AFTER_MS: '2000' },
      settings: { autoRestart: true },
      timing: { restartBackoffMs: backoffMs },
    });
    const { page } = r;
    await startServer(r);
    await expect.poll(() => stateText(page), { timeout: 20_000 }).toMatch(/^Restarting in [0-9] s$/);
    const first = Number(/([0-9]) s$/.exec((await stateText(page)) ?? '')?.[1]);
    await expect
      .poll(async () => Number(/([0-9]) s$/.exec((await stateText(page)) ?? '')?.[1]), { timeout: 5_000 })
      .toBeLessThan(first);
    expect(await byTestId(page, 'status-pill').textContent()).toBe('Restarting…');
    expect(await button(page, 'Start').isDisabled()).toBe(true);
    expect(await byTestId(page, 'failure-log').textContent()).toContain('stand-in crash after 2000 ms');
    const due = r.controller.snapshot().restartAt;
    expect(due).not.toBeNull();

    await button(page, 'Cancel restart').click();
    await expect.poll(() => stateText(page)).toBe('Failed');
    expect(r.controller.snapshot().restartAt).toBeNull();
    expect(await button(page, 'Start').isEnabled()).toBe(true);
    // Past the time it was due, nothing started.
    await page.waitForTimeout(Math.max(0, (due ?? 0) - Date.now()) + 1_000);
    expect(r.controller.snapshot().state).toBe('failed');
    expect(existsSync(r.paths.pidFile)).toBe(false);
  }, 60_000);
});

describe('a hung server', () => {
  it('looks hung, not running, with Restart as the next step, and looks running again once it answers', async () => {
    const r = await openWindow({ timing: { heartbeatMs: 500 } });
    const { page } = r;
    await startServer(r);
    const pid = pidOf(r);
    process.kill(pid, 'SIGSTOP');
    paused.add(pid);
    await expect.poll(() => byTestId(page, 'status-pill').textContent(), { timeout: 15_000 }).toBe('Not answering');
    expect(await page.locator('.pill').getAttribute('data-tone')).toBe('hung');
    expect(await byTestId(page, 'status-failure').getByRole('heading').textContent()).toBe(
      'The server is not answering',
    );
    expect(await page.locator('main button.primary').allTextContents()).toEqual(['Restart']);
    // The pill fits its longest label with room to spare.
    expect(await pillRoom(page)).toBeGreaterThanOrEqual(8);
    process.kill(pid, 'SIGCONT');
    paused.delete(pid);
    await expect.poll(() => byTestId(page, 'status-pill').textContent(), { timeout: 15_000 }).toBe('Running');
    expect(await byTestId(page, 'status-failure').isHidden()).toBe(true);
  }, 60_000);
});

describe('the keyboard and main', () => {
  it('Ctrl+1…5 select the views, and main can ask for one (the tray’s Settings…)', async () => {
    const r = await openWindow();
    const { page } = r;
    const selected = () => page.locator('[role="tab"][aria-selected="true"]').textContent();
    await page.keyboard.press('Control+3');
    expect(await selected()).toBe('Keys');
    // From inside a field too.
    await page.getByLabel('Namespace').focus();
    await page.keyboard.press('Control+5');
    expect(await selected()).toBe('Settings');
    await page.keyboard.press('Control+1');
    expect(await selected()).toBe('Status');
    r.emit('event:navigate', { view: 'logs' });
    await expect.poll(selected).toBe('Logs');
  });
});

describe('the layout', () => {
  it('gives a hovered tab no grey box, keeps Reveal/Hide one width, and the token one height', async () => {
    const r = await openWindow();
    const { page } = r;
    const keysTab = page.getByRole('tab', { name: 'Keys' });
    await keysTab.hover();
    expect(await keysTab.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
    await keysTab.click();
    await button(page, 'Generate').click();
    await byTestId(page, 'token-value').waitFor();
    const measure = () =>
      page.evaluate(() => {
        const reveal = [...document.querySelectorAll('button')].find(
          (b) => b.textContent === 'Reveal' || b.textContent === 'Hide',
        );
        const token = document.querySelector('[data-testid="token-value"]');
        const next = document.querySelector('.copy-grid');
        return {
          reveal: reveal?.getBoundingClientRect().width,
          token: token?.getBoundingClientRect().height,
          below: next?.getBoundingClientRect().top,
        };
      });
    const masked = await measure();
    await button(page, 'Reveal').click();
    expect(await measure()).toEqual(masked);
    await button(page, 'Hide').click();
    expect(await measure()).toEqual(masked);
  });
});
