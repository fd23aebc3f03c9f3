// The Chromium the browser tests (test/e2e-browser, test/app-harness) and the window benchmark
// drive through playwright-core: where it is, how it is launched, and the one clear failure when
// it is missing. Playwright never downloads a browser, so the tests use the one on the machine.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Names a browser binary that wins over every place `chromiumCandidates` lists. */
export const CHROMIUM_PATH_VARIABLE = 'CHROMIUM_PATH';

/**
 * Where a Chromium-based browser usually is on `platform`, most likely first: Debian's package on
 * Linux (on Ubuntu `chromium-browser` is a snap wrapper, still a working binary), the app bundles
 * in /Applications on macOS, the per-machine installs on Windows.
 */
export function chromiumCandidates(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (platform === 'darwin') {
    return [
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
  }
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'], env['PROGRAMFILES(X86)'], env['LOCALAPPDATA']].filter(
      (root): root is string => root !== undefined && root !== '',
    );
    return roots.flatMap((root) => [
      path.win32.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      path.win32.join(root, 'Chromium', 'Application', 'chrome.exe'),
      path.win32.join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
    ]);
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
}

export interface ChromiumLookup {
  /** The binary to launch, or null when none was found. */
  path: string | null;
  /** Every place looked at, in order, for the message when nothing was found. */
  tried: string[];
}

/**
 * `$CHROMIUM_PATH` when set (then only it: a wrong path is an error, not a reason to take another
 * browser), else the first of `chromiumCandidates` that exists.
 */
export function findChromium(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = existsSync,
): ChromiumLookup {
  const chosen = env[CHROMIUM_PATH_VARIABLE];
  if (chosen !== undefined && chosen !== '') return { path: exists(chosen) ? chosen : null, tried: [chosen] };
  const tried = chromiumCandidates(platform, env);
  return { path: tried.find((file) => exists(file)) ?? null, tried };
}

/** Headless and quiet: no GPU, no QUIC, nothing that phones home. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/** The browser binary; throws (so the suite fails, never skips) when none is installed. */
export function requireChromium(): string {
  const found = findChromium();
  if (found.path !== null) return found.path;
  throw new Error(
    `No Chromium found (looked at ${found.tried.join(', ')}): the browser tests need one. ` +
      'On Debian `apt-get install -y chromium`; on macOS install Google Chrome or Chromium; ' +
      `or set ${CHROMIUM_PATH_VARIABLE} to the browser's binary.`,
  );
}

export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: requireChromium(), headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
