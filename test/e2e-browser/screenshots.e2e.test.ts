// Light and dark screenshots of every view and every problem state at three window sizes, each
// state made for real (the stand-in fails, crashes, hangs, is missing; the CLI starts one), into
// the git-ignored screenshots/ folder. With MSB_README_IMAGES=1 it also writes the README's two
// images into docs/images/ (they change with every run: uptime, ports, so only when asked).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR } from './harness.ts';
import { button, byTestId, startServer, stateText, useWindowSuite } from './suite.ts';

const SIZES = [
  { width: 360, height: 520 },
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
] as const;
const README_IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const WRITE_README_IMAGES = process.env['MSB_README_IMAGES'] === '1';

const { openWindow, paused } = useWindowSuite();

/** `name` at every size, light and dark; `check` runs at each size before the shots. */
async function shoot(page: Page, name: string, check?: (size: (typeof SIZES)[number]) => Promise<void>): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // No hover look left over from the last click.
  await page.mouse.move(0, 0);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await check?.(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({
        path: path.join(SCREENSHOT_DIR, `${name}-${size.width}x${size.height}-${colorScheme}.png`),
      });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function readmeImage(page: Page, file: string): Promise<void> {
  if (!WRITE_README_IMAGES) return;
  mkdirSync(README_IMAGES, { recursive: true });
  await page.setViewportSize({ width: 800, height: 600 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(README_IMAGES, file) });
}

/** The element's box lies wholly inside the viewport: seen without scrolling. */
async function aboveTheFold(page: Page, testid: string): Promise<boolean> {
  const box = await byTestId(page, testid).boundingBox();
  const viewport = page.viewportSize();
  return (
    box !== null &&
    viewport !== null &&
    box.y >= 0 &&
    box.x >= 0 &&
    box.y + box.height <= viewport.height &&
    box.x + box.width <= viewport.width
  );
}

describe('screenshots of the problem states', () => {
  it('first run, msbrun missing, unsupported', async () => {
    let r = await openWindow({ msbserver: 'missing' });
    await byTestId(r.page, 'setup-command').waitFor();
    await shoot(r.page, 'first-run');
    await readmeImage(r.page, 'window-first-run-light.png');

    r = await openWindow({ env: { MSBRUN_EXE: '/nonexistent/msbrun' } });
    await byTestId(r.page, 'setup-command').waitFor();
    await shoot(r.page, 'msbrun-missing');

    r = await openWindow({ platform: 'win32' });
    await byTestId(r.page, 'setup-problem').waitFor();
    await shoot(r.page, 'unsupported');
  }, 90_000);

  it('failed, with its log lines above the fold at 360x520', async () => {
    const r = await openWindow({ env: { MSB_STANDIN_EXIT_CODE: '3' } });
    await button(r.page, 'Start').click();
    await expect.poll(() => stateText(r.page), { timeout: 20_000 }).toBe('Failed');
    await byTestId(r.page, 'failure-log').waitFor();
    await shoot(r.page, 'failed', async (size) => {
      if (size.width === 360) expect(await aboveTheFold(r.page, 'failure-log')).toBe(true);
    });
  }, 60_000);

  it('timeout', async () => {
    // The shot shows the server's own lines: the stand-in (a Node process) must have started and
    // written them before the timeout ends it, which a loaded machine can take seconds to do.
    const r = await openWindow({ env: { MSB_STANDIN_NEVER_HEALTHY: '1' }, settings: { readinessTimeoutMs: 5_000 } });
    await button(r.page, 'Start').click();
    await expect.poll(() => stateText(r.page), { timeout: 20_000 }).toBe('Failed');
    await byTestId(r.page, 'failure-log').waitFor();
    await shoot(r.page, 'timeout', async (size) => {
      if (size.width === 360) expect(await aboveTheFold(r.page, 'failure-log')).toBe(true);
    });
  }, 60_000);

  it('restarting', async () => {
    const r = await openWindow({
      env: { MSB_STANDIN_CRASH_AFTER_MS: '1500' },
      settings: { autoRestart: true },
      timing: { restartBackoffMs: 120_000 },
    });
    await startServer(r);
    await expect.poll(() => stateText(r.page), { timeout: 20_000 }).toMatch(/^Restarting in/);
    await shoot(r.page, 'restarting');
    await button(r.page, 'Cancel restart').click();
    await expect.poll(() => stateText(r.page)).toBe('Failed');
  }, 60_000);

  it('not answering', async () => {
    const r = await openWindow({ timing: { heartbeatMs: 500 } });
    await startServer(r);
    const pid = r.controller.snapshot().pid;
    if (pid === null) throw new Error('no PID');
    process.kill(pid, 'SIGSTOP');
    paused.add(pid);
    await expect.poll(() => byTestId(r.page, 'status-pill').textContent(), { timeout: 15_000 }).toBe('Not answering');
    await shoot(r.page, 'not-answering');
  }, 60_000);

  it('external, with an empty log', async () => {
    const r = await openWindow();
    await r.cliStart();
    await expect
      .poll(() => byTestId(r.page, 'status-origin').textContent(), { timeout: 20_000 })
      .toBe('Outside the app (msb CLI)');
    await shoot(r.page, 'external-status');
    await r.page.getByRole('tab', { name: 'Logs' }).click();
    await expect.poll(() => byTestId(r.page, 'log-empty').textContent()).toMatch(/started outside the app/);
    await shoot(r.page, 'external-empty-log');
  }, 60_000);
});

describe('screenshots of every view', () => {
  it(
    'running: status, sandboxes, keys with a key, logs, settings with errors; inputs at most 720 px wide at ' +
      '1280x800',
    async () => {
      const r = await openWindow();
      const { page } = r;
      await shoot(page, 'view-status-stopped');
      await startServer(r);
      await expect.poll(() => byTestId(page, 'status-health').textContent(), { timeout: 20_000 }).toBe('Healthy');
      await shoot(page, 'view-status-running');
      await readmeImage(page, 'window-status-light.png');

      await page.getByRole('tab', { name: 'Sandboxes' }).click();
      await shoot(page, 'view-sandboxes');

      await page.getByRole('tab', { name: 'Keys' }).click();
      await shoot(page, 'view-keys');
      await page.getByLabel('Namespace').fill('team-a');
      await button(page, 'Generate').click();
      await byTestId(page, 'token-value').waitFor();
      await button(page, 'Copy token').click();
      await expect.poll(() => button(page, 'Copied — clears in 60 s').count()).toBe(1);
      await shoot(page, 'view-keys-with-key');
      await page.getByLabel('Expires in').fill('0');
      await shoot(page, 'view-keys-invalid');
      await button(page, 'Reset server key').click();
      await shoot(page, 'view-keys-reset-dialog');
      await button(page, 'Cancel').click();

      await page.getByRole('tab', { name: 'Logs' }).click();
      await expect.poll(() => byTestId(page, 'log-lines').textContent(), { timeout: 10_000 }).toMatch(/listening/i);
      await shoot(page, 'view-logs');

      await page.getByRole('tab', { name: 'Settings' }).click();
      await shoot(page, 'view-settings', async (size) => {
        if (size.width !== 1280) return;
        const widths = await page
          .locator('input[type="text"], select')
          .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
        expect(widths.length).toBeGreaterThan(5);
        expect(Math.max(...widths)).toBeLessThanOrEqual(720);
      });
      // A number's unit, beside its input at every size.
      await shoot(page, 'view-settings-units', async () => {
        await page.getByLabel('Start timeout', { exact: true }).scrollIntoViewIfNeeded();
      });
      await page.getByLabel('Host').fill('localhost');
      await page.getByLabel('Port').fill('99999');
      await button(page, 'Save').click();
      await expect
        .poll(() => byTestId(page, 'settings-message').textContent())
        .toBe('Not saved: 2 fields need attention.');
      await shoot(page, 'view-settings-errors');
    },
    120_000,
  );
});
