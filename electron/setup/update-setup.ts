/**
 * main's updates part: the app's own (electron-updater
 * in the packaged app; an unpackaged run checks only the feed MICROSANDBOX_TRAY_UPDATE_FEED names,
 * at once, and installs nothing: its "install" is the quit an update makes) and microsandbox's
 * (GitHub's releases API, or MICROSANDBOX_TRAY_RELEASES_API in an unpackaged run). The decisions
 * are the core's (`core/desktop/app-update-wiring.ts`, `core/desktop/microsandbox-update-feed.ts`).
 */
import { app } from 'electron';
import { APP_RELEASE_PAGE_URL, APP_UPDATE_FEED_URL } from '../../shared/app-release.ts';
import type { MicrosandboxUpdateView } from '../../shared/microsandbox-update.ts';
import { electronAppUpdater, macBuildIsSigned, unpackagedAppUpdater } from '../adapters/app-updater.ts';
import { externalUrlPort } from '../adapters/electron-ports.ts';
import { DisposableStore, toDisposable, type Disposable } from '../core/base/disposable.ts';
import type { Logger } from '../core/base/logger.ts';
import { AppUpdates, startingSandboxes } from '../core/desktop/app-update-wiring.ts';
import { MicrosandboxUpdates } from '../core/desktop/microsandbox-update-feed.ts';
import type { RuntimeFeed } from '../core/desktop/runtime-feed.ts';
import type { ServerState } from '../../shared/server-status.ts';
import type { SettingsStore } from '../core/settings.ts';
import { checkAppUpdate, FIRST_UPDATE_CHECK_DELAY_MS } from '../core/updates/app-updates.ts';
import { MicrosandboxReleaseSource } from '../core/updates/microsandbox-updates.ts';

export interface UpdateSetupDeps {
  readonly settings: Pick<SettingsStore, 'get' | 'onChange'>;
  readonly runtime: RuntimeFeed;
  readonly serverState: () => ServerState;
  /** Makes the app's next quit leave the server (and so the sandboxes) running. */
  readonly leaveServerOnQuit: () => void;
  /** Quits leaving the server running: an unpackaged run's stand-in for installing. */
  readonly quitLeavingServer: () => void;
  readonly sendMicrosandboxUpdate: (view: MicrosandboxUpdateView) => void;
  /** Tray and About render again. */
  readonly changed: () => void;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

export interface Updates extends Disposable {
  readonly app: AppUpdates;
  readonly microsandbox: MicrosandboxUpdates;
}

export function setupUpdates(deps: UpdateSetupDeps): Updates {
  const { settings, runtime, platform, logger } = deps;
  const owned = new DisposableStore(logger);
  const releasesApi = app.isPackaged ? undefined : process.env['MICROSANDBOX_TRAY_RELEASES_API'];
  const microsandbox = new MicrosandboxUpdates({
    runtime,
    checksOn: () => settings.get().checkForMicrosandboxUpdates,
    source: new MicrosandboxReleaseSource(releasesApi === undefined ? {} : { baseUrl: releasesApi }),
    env: process.env,
    send: deps.sendMicrosandboxUpdate,
    logger,
  });

  const devFeed = app.isPackaged ? undefined : process.env['MICROSANDBOX_TRAY_UPDATE_FEED'];
  const feed = app.isPackaged ? APP_UPDATE_FEED_URL : devFeed;
  const appUpdates = new AppUpdates({
    isEnabled: () => feed !== undefined && feed !== '' && settings.get().checkForAppUpdates,
    check: () =>
      checkAppUpdate({ feedBaseUrl: feed ?? '', currentVersion: app.getVersion(), platform, arch: process.arch }),
    updater: app.isPackaged ? electronAppUpdater(logger) : unpackagedAppUpdater(deps.quitLeavingServer, logger),
    platform,
    macSigned: platform === 'darwin' && app.isPackaged && macBuildIsSigned(process.execPath, logger),
    releasePageUrl: APP_RELEASE_PAGE_URL,
    restartState: () => ({
      server: deps.serverState(),
      sandboxesStarting: startingSandboxes(runtime.view(), runtime.service()?.actsInFlight()),
      microsandboxUpdating: microsandbox.updating,
    }),
    prepareQuit: deps.leaveServerOnQuit,
    browser: externalUrlPort,
    onChange: deps.changed,
    logger,
    ...(devFeed === undefined ? {} : { launchedAt: Date.now() - FIRST_UPDATE_CHECK_DELAY_MS }),
  });
  owned.add(appUpdates);
  owned.add(microsandbox);
  owned.add(toDisposable(settings.onChange(() => appUpdates.settingsChanged())));
  return { app: appUpdates, microsandbox, dispose: () => owned.dispose() };
}
