/**
 * The app's own updates, wired: the schedule (`UpdateCheckSchedule`: a minute after launch, then
 * daily, never while `checkForAppUpdates` is off) runs the core's check of the feed; a newer
 * version is downloaded in the background through the updater port (electron-updater in the
 * packaged app, `adapters/app-updater.ts`); tray and About show `appUpdateOffer`; Restart to
 * Update asks `updateRestartPermission` at the click and quits leaving server and sandboxes running.
 */
import {
  type AppUpdateCheck,
  type AppUpdateOffer,
  appUpdateOffer,
  updateRestartPermission,
} from '../updates/app-updates.ts';
import { UpdateCheckSchedule } from '../updates/update-schedule.ts';
import type { ServerState } from '../../../shared/server-status.ts';
import type { RuntimeView } from '../../../shared/runtime.ts';
import type { RuntimeAction } from '../runtime/api.ts';
import type { Clock, Timers } from '../base/clock.ts';
import type { Disposable } from '../base/disposable.ts';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';

/** What the app needs of an updater: electron-updater's `autoUpdater` behind the adapter. */
export interface AppUpdaterPort {
  /** Downloads the newer version in the background; resolves once it is ready to install. */
  download(version: string): Promise<void>;
  /**
   * Quits the app and installs the downloaded version, then starts it again. The quit goes
   * through the app's own quit path, which `prepareQuit` has set to leave the server running.
   */
  install(): void;
}

/**
 * Opens one of the pages main's code fixes in the user's browser. The adapter opens nothing else
 * (`FIXED_PAGES` in electron-ports.ts), so no URL a window or a feed names ever reaches the shell.
 */
export interface ExternalUrlPort {
  openPage(url: string): Promise<void>;
}

/** What a restart would cut short right now. */
export interface RestartState {
  readonly server: ServerState | null;
  readonly sandboxesStarting: number;
  readonly microsandboxUpdating: boolean;
}

export interface AppUpdateWiringOptions {
  readonly isEnabled: () => boolean;
  /** The core's `checkAppUpdate` against the release feed (a test's local server). */
  readonly check: () => Promise<AppUpdateCheck>;
  readonly updater: AppUpdaterPort;
  readonly platform: NodeJS.Platform;
  /**
   * A signed macOS build (able to replace itself); unsigned ones get the release page. A promise
   * when it is asked of `codesign`, which main must not wait for: unsigned until it answers.
   */
  readonly macSigned: boolean | Promise<boolean>;
  readonly releasePageUrl: string;
  readonly restartState: () => RestartState;
  /** Makes the app's next quit leave the server (and so the sandboxes) running. */
  readonly prepareQuit: () => void;
  readonly browser: ExternalUrlPort;
  /** Tray and About render again. */
  readonly onChange: () => void;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly launchedAt?: number;
  readonly logger?: Logger;
}

export type RestartToUpdateOutcome =
  { readonly kind: 'restarting'; readonly version: string } | { readonly kind: 'refused'; readonly reason: string };

export class AppUpdates implements Disposable {
  readonly #options: AppUpdateWiringOptions;
  readonly #logger: Logger;
  readonly #schedule: UpdateCheckSchedule;
  #check: AppUpdateCheck | null = null;
  #downloaded: string | null = null;
  #downloading: string | null = null;
  /** Why the last download failed, until the next check tries again. */
  #downloadFailed: string | null = null;
  #disposed = false;
  #restarting = false;
  #macSigned = false;
  readonly #macSignedKnown: Promise<void>;

  constructor(options: AppUpdateWiringOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#macSignedKnown = Promise.resolve(options.macSigned).then(
      (signed) => {
        this.#macSigned = signed;
      },
      (error: unknown) =>
        this.#logger.warn(`Whether this build is signed is unknown, so unsigned: ${errorText(error)}`),
    );
    this.#schedule = new UpdateCheckSchedule({
      isEnabled: options.isEnabled,
      check: () => this.checkNow(),
      logger: this.#logger,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.timers === undefined ? {} : { timers: options.timers }),
      ...(options.launchedAt === undefined ? {} : { launchedAt: options.launchedAt }),
    });
  }

  /** What tray and About offer now: the restart's permission is asked as they render. */
  offer(): AppUpdateOffer {
    const check = this.#check;
    // Not "downloading" for ever after a failure: quiet until the next check tries again.
    if (this.#downloadFailed !== null && this.#downloading === null)
      return { kind: 'quiet', message: this.#downloadFailed };
    return appUpdateOffer({
      check,
      downloaded: check?.kind === 'available' && this.#downloaded === check.version,
      platform: this.#options.platform,
      macSigned: this.#macSigned,
      releasePageUrl: this.#options.releasePageUrl,
      restart: updateRestartPermission(this.#options.restartState()),
    });
  }

  /** The switch changed: off cancels the next check, on arms it. */
  settingsChanged(): void {
    this.#schedule.refresh();
  }

  /** One check, and the download of what it found; never throws, a failure stays quiet. */
  async checkNow(): Promise<void> {
    if (this.#disposed || !this.#options.isEnabled()) return;
    const check = await this.#options.check();
    await this.#macSignedKnown;
    if (this.#disposed) return;
    this.#check = check;
    if (check.kind === 'unknown') this.#logger.info(`App update check: ${check.message}`);
    else this.#logger.info(`App update check: ${check.kind} ${check.version}`);
    this.#options.onChange();
    if (check.kind !== 'available') return;
    // An unsigned macOS build cannot install what it downloads: the release page is offered instead.
    if (this.#options.platform === 'darwin' && !this.#macSigned) return;
    if (this.#downloaded === check.version || this.#downloading === check.version) return;
    this.#downloading = check.version;
    this.#downloadFailed = null;
    try {
      await this.#options.updater.download(check.version);
      if (this.#disposed) return;
      this.#downloaded = check.version;
      this.#logger.info(`App update ${check.version} downloaded; Restart to Update is offered.`);
      this.#options.onChange();
    } catch (error) {
      this.#downloadFailed = `Downloading app update ${check.version} failed: ${errorText(error)}`;
      this.#logger.warn(this.#downloadFailed);
      this.#options.onChange();
    } finally {
      this.#downloading = null;
    }
  }

  /**
   * Restart to Update, asked again at the click: the menu may have been drawn before a start
   * began. The quit it makes leaves the server and the sandboxes running.
   */
  restartToUpdate(): RestartToUpdateOutcome {
    // A second click while the first quit runs would call the installer twice.
    if (this.#restarting) return { kind: 'refused', reason: 'The app is restarting to update already.' };
    const offer = this.offer();
    if (offer.kind === 'restart-later') return { kind: 'refused', reason: offer.reason };
    if (offer.kind !== 'restart-to-update') return { kind: 'refused', reason: 'No downloaded update to install.' };
    this.#logger.info(`Restarting to install app update ${offer.version}; the server and sandboxes keep running.`);
    this.#restarting = true;
    this.#options.prepareQuit();
    try {
      this.#options.updater.install();
    } catch (error) {
      // Not restarting after all: a later click may try again.
      this.#restarting = false;
      throw error;
    }
    return { kind: 'restarting', version: offer.version };
  }

  /** Unsigned macOS builds: the release page, a URL fixed in main, in the user's browser. */
  async openReleasePage(): Promise<void> {
    const offer = this.offer();
    if (offer.kind !== 'release-page') return;
    await this.#options.browser.openPage(offer.url);
  }

  dispose(): void {
    this.#disposed = true;
    this.#schedule.dispose();
  }
}

/** Acts that start a sandbox: msb lists a local one as Starting (if at all) only once it runs. */
const STARTING_ACTS: ReadonlySet<RuntimeAction> = new Set(['start', 'restart', 'resume']);

/**
 * Runtime sandboxes starting now: those msb lists as Starting, and those the app is starting
 * (the runtime service's acts in flight). A restart or an `msb self update` would cut them short.
 */
export function startingSandboxes(
  view: RuntimeView,
  actsInFlight: ReadonlyMap<string, RuntimeAction> = new Map(),
): number {
  const listed = view.state?.sandboxes.filter((sandbox) => sandbox.status === 'Starting') ?? [];
  const listedNames = new Set(listed.map((sandbox) => sandbox.name));
  let starting = listed.length;
  for (const [name, act] of actsInFlight) if (STARTING_ACTS.has(act) && !listedNames.has(name)) starting += 1;
  return starting;
}

/**
 * Whether `codesign -dv --verbose=2` describes a Developer ID signature: only such a build can
 * replace itself (Squirrel.Mac checks the new one against it); an ad-hoc signed one cannot.
 */
export function isDeveloperIdSigned(codesignOutput: string): boolean {
  return /^Authority=Developer ID Application: /m.test(codesignOutput);
}
