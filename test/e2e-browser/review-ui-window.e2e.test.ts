// Outside review of the window (issue 14), in real Chromium against the real handlers.
import { describe, expect, it } from 'vitest';
import { button, byTestId, stateText, useWindowSuite } from './suite.ts';

const { openWindow } = useWindowSuite();

describe('review-ui: the window', () => {
  it('a server the CLI started while the app finds no msbserver: Restart is not offered (it would end the server and start nothing)', async () => {
    const r = await openWindow({ msbserver: 'missing' });
    const { page } = r;
    await r.cliStart();
    await expect.poll(() => stateText(page), { timeout: 20_000 }).toBe('Running');
    await expect
      .poll(() => byTestId(page, 'setup-problem').getByRole('heading').textContent())
      .toBe('The app cannot find msbserver');
    // Stop stays: it needs no msbserver to run.
    expect(await button(page, 'Stop').isEnabled()).toBe(true);
    // What a Restart does now: after the question, the user's server is gone and nothing runs.
    expect(await button(page, 'Restart').isDisabled()).toBe(true);
  });

  it('a view shortcut pressed while the reset dialog is open leaves the dialog modal (or closed), never open without its backdrop', async () => {
    const r = await openWindow();
    const { page } = r;
    await page.getByRole('tab', { name: 'Keys' }).click();
    await button(page, 'Reset server key').click();
    const dialog = page.locator('dialog.confirm');
    expect(await dialog.evaluate((d: HTMLDialogElement) => d.matches(':modal'))).toBe(true);
    await page.keyboard.press('Control+1');
    const stillModal = await dialog.evaluate((d: HTMLDialogElement) => d.matches(':modal'));
    // The shortcut waited for the answer: nothing else to see (the page behind is inert).
    if (stillModal) return;
    await page.getByRole('tab', { name: 'Keys' }).click();
    // Either the shortcut waited for the dialog, or leaving the view closed it: open and not modal
    // is a dialog with no backdrop and no focus trap over a live form.
    const { open, modal } = await dialog.evaluate((d: HTMLDialogElement) => ({
      open: d.open,
      modal: d.matches(':modal'),
    }));
    expect(open && !modal).toBe(false);
  });

  it("main's navigation (the tray's Settings…) while the reset dialog is open does not leave it open without being modal", async () => {
    const r = await openWindow();
    const { page } = r;
    await page.getByRole('tab', { name: 'Keys' }).click();
    await button(page, 'Reset server key').click();
    const dialog = page.locator('dialog.confirm');
    r.emit('event:navigate', { view: 'settings' });
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toBe('Settings');
    await page.getByRole('tab', { name: 'Keys' }).click();
    const { open, modal } = await dialog.evaluate((d: HTMLDialogElement) => ({
      open: d.open,
      modal: d.matches(':modal'),
    }));
    expect(open && !modal).toBe(false);
  });
});
