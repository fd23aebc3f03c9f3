/**
 * One suite of whole-app flows (see driver.ts): the app built once, Chromium launched once, and
 * after each test a check that it left no server, sandbox or page error behind.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Browser } from 'playwright-core';
import { killMsbrunUnder, msbrunProcessesUnder } from '../fixtures/standin-helpers.ts';
import { AppHarness, buildApp, launchHarnessChromium, removeBuild, waitFor } from './driver.ts';
import type { AppBuild, HarnessOptions, TrayState } from './driver.ts';
import { textOf, type WindowView } from './window-view.ts';
import { useAppTestBudget } from '../electron/recording-electron/driver.ts';

export interface AppSuite {
  readonly launch: (options?: Omit<HarnessOptions, 'browser' | 'build'>) => Promise<AppHarness>;
  /** A server the test leaves running on purpose (a quit without stopping); killed after the test. */
  readonly survive: (pid: number) => void;
}

/** Registers the suite's hooks and the flows' budget; call once at the top of a test file. */
export function useAppSuite(name: string): AppSuite {
  useAppTestBudget();
  let build: AppBuild | undefined;
  let browser: Browser | undefined;
  let harness: AppHarness | null = null;
  /** Servers a test left running on purpose (quit without stopping), killed in cleanup. */
  const survivors = new Set<number>();

  beforeAll(async () => {
    // Fails (never skips) without Chromium, saying how to install it.
    browser = await launchHarnessChromium();
    build = buildApp(name);
  });

  afterAll(async () => {
    await browser?.close();
    removeBuild(build);
  });

  afterEach(async () => {
    const current = harness;
    harness = null;
    for (const pid of survivors) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    // Killed is not yet gone: wait, so the check below sees only what the test left by mistake.
    if (current !== null && survivors.size > 0) {
      await waitFor(
        () => (current.standins().some((pid) => survivors.has(pid)) ? undefined : true),
        10_000,
        'the killed servers to be gone',
      );
    }
    survivors.clear();
    if (current === null) return;
    // Sandboxes a test stopped end a moment later; what is still there then was left behind.
    await waitFor(
      async () => ((await msbrunProcessesUnder(current.dir)).length === 0 ? true : undefined),
      5_000,
      'stopped sandboxes to end',
    ).catch(() => undefined);
    const leftSandboxes = await killMsbrunUnder(current.dir);
    const left = await current.dispose();
    expect(left, 'stand-in processes left running after the test').toEqual([]);
    expect(leftSandboxes, 'msbrun processes left running after the test').toEqual([]);
    expect(current.problems, 'page errors, console errors or unhandled rejections in main').toEqual([]);
  });

  return {
    launch: async (options = {}) => {
      if (browser === undefined || build === undefined) throw new Error('the suite did not set up');
      harness = await AppHarness.launch({ browser, build, ...options });
      return harness;
    },
    survive: (pid) => {
      survivors.add(pid);
    },
  };
}

export const text = textOf;
export const CRASH_AFTER_MS = 3_000;
export const tooltipStarts = (prefix: string) => (tray: TrayState) => tray.tooltip.startsWith(prefix);

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts the server from the tray and waits for the window and the tray to say Running. */
export async function startFromTray(app: AppHarness, view: WindowView): Promise<number> {
  await app.clickTray('Start Server');
  await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Running');
  const pid = await waitFor(() => app.serverPid() ?? undefined, 10_000, 'server.pid');
  await expect.poll(() => text(view.pid), { timeout: 10_000 }).toBe(String(pid));
  await app.waitForTray(tooltipStarts('Microsandbox: Running'), 'the tray to say Running');
  return pid;
}
