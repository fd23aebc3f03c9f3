// Debian's Chromium for the browser tests (test/e2e-browser, test/app-harness): where it is, how
// it is launched, and the one clear failure when it is missing. Playwright never downloads a browser.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

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

/** Throws (so the suite fails, never skips) when Chromium is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the browser end-to-end tests need Debian's Chromium. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (CI installs it too).',
    );
  }
}

export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
