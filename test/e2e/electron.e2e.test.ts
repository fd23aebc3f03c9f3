/**
 * End to end in real Electron, driven by Playwright's `_electron`: the window opens, the
 * msbserver stand-in is started and stopped through the UI, and a new key reaches the clipboard.
 *
 * Needs the Electron binary, which cannot be downloaded on the development machines: the suite
 * is skipped there with one line saying so, and runs in the GitHub Actions workflow (under
 * xvfb-run on Linux). The binary is detected from node_modules/electron/path.txt and dist/ —
 * never by importing `electron`, which would try to download it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from 'playwright-core';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/standin-helpers.ts';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ELECTRON_PACKAGE = path.join(ROOT, 'node_modules', 'electron');
const STANDIN = path.join(ROOT, 'test', 'fixtures', 'msbserver');

/** The Electron executable, when it is installed (what `require('electron')` would return). */
function electronBinary(): string | null {
  let relative: string;
  try {
    relative = fs.readFileSync(path.join(ELECTRON_PACKAGE, 'path.txt'), 'utf8').trim();
  } catch {
    // no path.txt: the binary is not installed, and the suite says so
    return null;
  }
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const executable =
    override !== undefined && override !== ''
      ? path.join(override, relative)
      : path.join(ELECTRON_PACKAGE, 'dist', relative);
  return fs.existsSync(executable) ? executable : null;
}

const BINARY = electronBinary();
// msbserver does not run on Windows; the app says so instead, which the unit tests cover.
const SERVER_SUPPORTED = process.platform !== 'win32';

if (BINARY === null && process.env['REQUIRE_ELECTRON_E2E'] === '1') {
  // The CI job that installed Electron must not pass by skipping everything.
  throw new Error('REQUIRE_ELECTRON_E2E=1 but the Electron binary is not installed (node_modules/electron/dist).');
}
if (BINARY === null) {
  console.warn(
    'SKIP electron e2e: Electron binary not installed (node_modules/electron/dist missing); runs in the GitHub ' +
      'Actions workflow',
  );
}

describe(
  'Microsandbox Tray in Electron',
  {
    skip: BINARY === null,
    meta: { needs: 'needs the Electron binary (node_modules/electron/dist), which the GitHub workflows install' },
  },
  () => {
    let profile = '';
    let home = '';
    let app: ElectronApplication | null = null;
    let page: Page;

    beforeAll(async () => {
      // The app runs from the repository (package.json "main": out/main/main.js).
      execFileSync(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
        {
          cwd: ROOT,
          stdio: 'pipe',
        },
      );
      profile = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tray-e2e-'));
      home = path.join(profile, 'home');
      fs.mkdirSync(path.join(profile, 'userData'), { recursive: true });
      const port = await freePort();
      fs.writeFileSync(
        path.join(profile, 'userData', 'settings.json'),
        JSON.stringify({ port, clipboardClearSeconds: 0 }),
      );

      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
      delete env['ELECTRON_RENDERER_URL'];
      delete env['ELECTRON_RUN_AS_NODE'];
      Object.assign(env, {
        MICROSANDBOX_TRAY_PROFILE: profile,
        MICROSANDBOX_HOME: home,
        MSBSERVER_EXE: STANDIN,
        // Start at login on Linux uses the XDG autostart folder: never the real one.
        XDG_CONFIG_HOME: path.join(profile, 'config'),
      });

      app = await electron.launch({ executablePath: BINARY ?? '', args: [ROOT], cwd: ROOT, env, timeout: 60_000 });
      // The app starts in the tray; a second launch opens the window, and so does this event.
      await app.evaluate(({ app: electronApp }) => {
        electronApp.emit('second-instance');
      });
      page = await app.firstWindow({ timeout: 30_000 });
      await page.waitForLoadState('domcontentloaded');
    }, 120_000);

    afterAll(async () => {
      await app?.close().catch(() => undefined);
      // A server left behind by a failed step: stop it by the PID it wrote.
      try {
        const pid = Number(fs.readFileSync(path.join(home, 'server.pid'), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 1) process.kill(pid, 'SIGKILL');
      } catch {
        // none
      }
      if (profile !== '') fs.rmSync(profile, { recursive: true, force: true });
    }, 60_000);

    const status = () => page.getByRole('status');

    it('opens the window on the app page, sandboxed, with the server stopped', async () => {
      // The app's own scheme, never file:// (where CSP 'self' would match every local file).
      expect(page.url()).toBe('app://microsandbox-tray/index.html');
      await status().filter({ hasText: 'Stopped' }).waitFor({ timeout: 15_000 });
      // Sandboxed and isolated: the page sees window.msb and nothing of Node.
      const globals = await page.evaluate(() => ({
        msb: typeof (window as unknown as { msb?: unknown }).msb,
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(globals).toEqual({ msb: 'object', require: 'undefined', process: 'undefined' });
      // And it reads no local file: neither the scheme (only the build's files) nor file:// answers it.
      const reads = await page.evaluate(
        async (keyFile) => {
          const attempt = async (url: string): Promise<string> => {
            try {
              const response = await fetch(url);
              return response.ok ? 'read' : `status ${response.status}`;
            } catch {
              // the refusal is what the test looks for
              return 'blocked';
            }
          };
          return [
            await attempt(`file://${keyFile}`),
            await attempt('file:///etc/hostname'),
            await attempt('app://microsandbox-tray/../../etc/hostname'),
          ];
        },
        path.join(home, 'server.key'),
      );
      expect(reads.every((result) => result !== 'read')).toBe(true);
    });

    it.skipIf(!SERVER_SUPPORTED)('starts the stand-in server from the window', async () => {
      await page.getByRole('button', { name: 'Start', exact: true }).click();
      await status().filter({ hasText: 'Running' }).waitFor({ timeout: 30_000 });
      expect(fs.existsSync(path.join(home, 'server.pid'))).toBe(true);
    });

    it('generates a key and copies it to the clipboard', async () => {
      await page.getByRole('tab', { name: 'Keys' }).click();
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      const copy = page.getByRole('button', { name: 'Copy token' });
      await copy.waitFor({ timeout: 15_000 });
      await copy.click();
      const deadline = Date.now() + 5_000;
      let copied = '';
      while (Date.now() < deadline) {
        copied = await app!.evaluate(({ clipboard }) => clipboard.readText());
        if (copied.startsWith('msb_')) break;
        await page.waitForTimeout(100);
      }
      expect(copied).toMatch(/^msb_[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it.skipIf(!SERVER_SUPPORTED)('stops the server from the window', async () => {
      await page.getByRole('tab', { name: 'Status' }).click();
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await status().filter({ hasText: 'Stopped' }).waitFor({ timeout: 30_000 });
      expect(fs.existsSync(path.join(home, 'server.pid'))).toBe(false);
    });
  },
);
