/**
 * One suite of window tests in real Chromium (see harness.ts): the renderer served and Chromium
 * launched once, one window (rig) at a time, and after each test a check that the page had no
 * script error, console error or CSP violation, and that the rig left nothing running.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createRig, launchChromium, requireChromium, SCREENSHOT_DIR, serveRenderer } from './harness.ts';
import type { Rig, RigOptions, Site } from './harness.ts';

export interface WindowSuite {
  /** A new window on a rig of its own; the one before (if any) is checked and let go first. */
  readonly openWindow: (options?: RigOptions) => Promise<Rig>;
  /** A stand-in the test paused (SIGSTOP): let go (SIGCONT) before the rig stops it. */
  readonly paused: Set<number>;
}

/** Registers the suite's hooks; call once at the top of a test file. */
export function useWindowSuite(): WindowSuite {
  let site: Site | undefined;
  let browser: Browser | undefined;
  let rig: Rig | null = null;
  const paused = new Set<number>();

  const release = async (): Promise<void> => {
    for (const pid of paused) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch (error) {
        // Gone already: nothing is left to let go.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    paused.clear();
    const current = rig;
    rig = null;
    const problems = [...(current?.problems ?? [])];
    await current?.dispose();
    expect(problems).toEqual([]);
  };

  beforeAll(async () => {
    requireChromium();
    site = await serveRenderer();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  afterEach(release);

  return {
    paused,
    openWindow: async (options = {}) => {
      if (browser === undefined || site === undefined) throw new Error('the suite did not set up');
      await release();
      rig = await createRig(browser, site, options);
      await rig.open();
      return rig;
    },
  };
}

export const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
export const byTestId = (page: Page, id: string) => page.getByTestId(id);
export const stateText = (page: Page) => byTestId(page, 'status-state').textContent();

export async function startServer(r: Rig): Promise<void> {
  await button(r.page, 'Start').click();
  await expect.poll(() => stateText(r.page), { timeout: 20_000 }).toBe('Running');
}

/** The page as it is now, light and dark, into the git-ignored screenshots folder. */
export async function shootLightDark(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${colorScheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
