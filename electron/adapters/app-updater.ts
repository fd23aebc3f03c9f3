/**
 * electron-updater's `autoUpdater` behind the core's `AppUpdaterPort`, and nothing else: the
 * schedule, what to offer and whether a restart may happen are core decisions
 * (`core/desktop/app-update-wiring.ts`). The feed is the GitHub provider that electron-builder's
 * `publish` wrote into the packaged app's `app-update.yml`.
 *
 * electron-updater is loaded only when the packaged app first downloads, so an unpackaged run
 * (development, the app harness) never loads it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { type AppUpdaterPort, isDeveloperIdSigned } from '../core/desktop/app-update-wiring.ts';
import { errorText, type Logger } from '../core/base/logger.ts';
import type { AppUpdater } from 'electron-updater';

type AutoUpdater = AppUpdater;

export function electronAppUpdater(logger: Logger): AppUpdaterPort {
  let loaded: Promise<AutoUpdater> | null = null;
  let updater: AutoUpdater | null = null;
  const load = (): Promise<AutoUpdater> =>
    (loaded ??= import('electron-updater').then((module) => {
      // A CommonJS package: its exports arrive as the default export.
      const found = (module as { default?: { autoUpdater?: AutoUpdater } }).default?.autoUpdater ?? module.autoUpdater;
      found.logger = logger;
      found.autoDownload = true;
      // Installed only through Restart to Update, which the core permits first, never on a plain quit.
      found.autoInstallOnAppQuit = false;
      found.allowDowngrade = false;
      updater = found;
      return found;
    }));
  return {
    async download(version) {
      const autoUpdater = await load();
      const result = await autoUpdater.checkForUpdates();
      if (result?.isUpdateAvailable !== true || result.downloadPromise == null)
        throw new Error(`electron-updater found no update to download (the feed said ${version}).`);
      await result.downloadPromise;
    },
    install() {
      if (updater === null) throw new Error('No update was downloaded.');
      // Silent, and the app starts again once installed: the restart the user chose.
      updater.quitAndInstall(true, true);
    },
  };
}

/**
 * An unpackaged run (development, the app harness) cannot replace itself: the check is the real
 * one against the feed, the download is skipped, and the install is only the quit, through the
 * same path a packaged update takes.
 */
export function unpackagedAppUpdater(quit: () => void, logger: Logger): AppUpdaterPort {
  return {
    download(version) {
      logger.info(`App update ${version}: an unpackaged app downloads nothing.`);
      return Promise.resolve();
    },
    install() {
      logger.info('App update: an unpackaged app installs nothing; quitting as an update would.');
      quit();
    },
  };
}

/**
 * A Developer ID signed macOS build, asked of `codesign` for the running app bundle. Asynchronous:
 * main never waits on another program.
 */
export function macBuildIsSigned(executable: string, logger: Logger): Promise<boolean> {
  // …/Microsandbox Tray.app/Contents/MacOS/Microsandbox Tray → the .app
  const bundle = path.resolve(executable, '..', '..', '..');
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/codesign',
      ['-dv', '--verbose=2', bundle],
      { encoding: 'utf8', timeout: 10_000 },
      (error, stdout, stderr) => {
        // `codesign -dv` describes the signature on stderr and exits non-zero for an unsigned app.
        if (error !== null && stderr === '')
          logger.warn(`codesign could not say how the app is signed: ${errorText(error)}`);
        resolve(isDeveloperIdSigned(`${stdout}\n${stderr}`));
      },
    );
  });
}
