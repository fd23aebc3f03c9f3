/**
 * The runtime generation for the tray and the window: which generation the setting picks from
 * what was found, the runtime service while that generation is in use, and who is looking (the
 * window on the Sandboxes view, the tray menu open) so metrics are followed only then. Each new
 * view reaches the window (`event:runtime`) and re-renders the tray; lines of the followed log
 * reach the window (`event:runtime-log`).
 */
import { promises as fsp } from 'node:fs';
import type { RuntimeLogView, RuntimeWatchRequest } from '../../../shared/contract.ts';
import { chooseGeneration, RUNTIME_UNKNOWN, type RuntimeView } from '../../../shared/runtime.ts';
import type { GenerationSetting, Settings } from '../../../shared/settings-schema.ts';
import { toDisposable, type Disposable } from '../base/disposable.ts';
import { errorText, silentLogger, type Logger } from '../base/logger.ts';
import type { FoundMicrosandbox, RuntimeService, RuntimeState } from '../runtime/api.ts';
import type { WindowSend } from './feeds.ts';

export interface RuntimeFeedDeps {
  readonly settings: {
    get(): Pick<Settings, 'generation' | 'msbPath'>;
    onChange(listener: (settings: Settings) => void): () => void;
  };
  /** Looks for microsandbox (core's `findMicrosandbox`, bound to this user's env, home and platform). */
  find(settingsPath: string | null): Promise<FoundMicrosandbox>;
  /** The service for the `msb` found (core's `createRuntimeService`), given the feed's `home`. */
  createService(msbPath: string, home: string): RuntimeService;
  /**
   * msb's home (runtime/msb-home.ts): where the service lists from, and where `msb doctor --fix`
   * and `msb self update` run, with or without a service.
   */
  readonly home: string;
  readonly logger?: Logger;
  /** How often to look again after launch (default RESCAN_MS); tests shorten it. */
  readonly rescanMs?: number;
}

/** As the server generation's setup watch: an install made after launch shows within this. */
export const RESCAN_MS = 15_000;

/** The found msb's file as a stamp: `msb self update` or a reinstall changes it. */
async function fileStamp(file: string): Promise<string> {
  return fsp.stat(file, { bigint: true }).then(
    (s) => `${s.mtimeNs}:${s.size}:${s.ino}`,
    () => '-',
  );
}

export interface RuntimeFeed extends Disposable {
  view(): RuntimeView;
  /** Every new view. Returns the unsubscribe. */
  onChange(listener: (view: RuntimeView) => void): () => void;
  onLogLines(listener: (event: RuntimeLogView) => void): () => void;
  /** The service while the runtime generation is in use with an `msb` found; else null. */
  service(): RuntimeService | null;
  /** msb's home: the one the service lists from, and the fix and the update run with. */
  home(): string;
  /** Looks again (at launch, after a setting changed, on the window's request). */
  rescan(): Promise<RuntimeView>;
  /** What the window looks at; null when it closed. */
  watchFromWindow(request: RuntimeWatchRequest | null): void;
  /** The tray menu opened or closed. */
  trayMenuOpen(open: boolean): void;
  dispose(): void;
}

function viewOf(found: FoundMicrosandbox | null, setting: GenerationSetting, state: RuntimeState | null): RuntimeView {
  if (found === null) return { ...RUNTIME_UNKNOWN, setting };
  const runtimeFound = found.generation === 'runtime' && found.msb !== null;
  const generation = chooseGeneration(setting, { runtime: runtimeFound, server: found.msbserver !== null });
  return {
    generation,
    setting,
    msb: found.msb,
    serverFound: found.msbserver !== null,
    notes: found.notes,
    state: generation === 'runtime' ? state : null,
  };
}

export function createRuntimeFeed(deps: RuntimeFeedDeps): RuntimeFeed {
  const logger = deps.logger ?? silentLogger;
  const listeners = new Set<(view: RuntimeView) => void>();
  const logListeners = new Set<(event: RuntimeLogView) => void>();
  let found: FoundMicrosandbox | null = null;
  let service: RuntimeService | null = null;
  let servicePath: string | null = null;
  let offService: (() => void)[] = [];
  let current: RuntimeView = { ...RUNTIME_UNKNOWN, setting: deps.settings.get().generation };
  let windowWatch: RuntimeWatchRequest | null = null;
  let trayOpen = false;
  let releaseMetrics: (() => void) | null = null;
  let disposed = false;
  let scan = 0;

  const emit = (): void => {
    current = viewOf(found, deps.settings.get().generation, service?.state() ?? null);
    for (const listener of [...listeners]) {
      try {
        listener(current);
      } catch (error) {
        logger.error(`A runtime view listener failed: ${errorText(error)}`);
      }
    }
  };

  /** Metrics are followed while anyone looks, and only then (the stream ends when nobody does). */
  const applyInterest = (): void => {
    const wanted = service !== null && (trayOpen || windowWatch?.visible === true);
    if (wanted && releaseMetrics === null && service !== null) releaseMetrics = service.watchMetrics();
    else if (!wanted && releaseMetrics !== null) {
      releaseMetrics();
      releaseMetrics = null;
    }
    service?.followLog(windowWatch?.log ?? null);
  };

  const dropService = (): void => {
    if (releaseMetrics !== null) {
      releaseMetrics();
      releaseMetrics = null;
    }
    for (const off of offService) off();
    offService = [];
    service?.dispose();
    service = null;
    servicePath = null;
  };

  const useFound = (next: FoundMicrosandbox): void => {
    found = next;
    const view = viewOf(next, deps.settings.get().generation, null);
    const wantedPath = view.generation === 'runtime' && next.generation === 'runtime' ? (next.msb?.path ?? null) : null;
    if (wantedPath !== servicePath) {
      dropService();
      if (wantedPath !== null) {
        const made = deps.createService(wantedPath, deps.home);
        service = made;
        servicePath = wantedPath;
        offService = [
          made.onChange(() => emit()),
          made.onLogLines((name, lines) => {
            for (const listener of [...logListeners]) {
              try {
                listener({ name, lines });
              } catch (error) {
                logger.error(`A runtime log listener failed: ${errorText(error)}`);
              }
            }
          }),
        ];
        // The first listing and host check; their states arrive through onChange.
        made
          .refresh()
          .catch((error: unknown) => logger.warn(`Listing the runtime's sandboxes failed: ${errorText(error)}`));
        made.checkHost().catch((error: unknown) => logger.warn(`msb doctor failed: ${errorText(error)}`));
      }
    }
    applyInterest();
    emit();
  };

  /** The stamp of the runtime msb found by the last scan; null when none was. */
  let foundStamp: string | null = null;
  const rescan = async (): Promise<RuntimeView> => {
    const mine = ++scan;
    const next = await deps.find(deps.settings.get().msbPath);
    const stamp = next.generation === 'runtime' && next.msb !== null ? await fileStamp(next.msb.path) : null;
    // A later scan (a setting changed meanwhile) wins; this one's answer is old.
    if (!disposed && mine === scan) {
      foundStamp = stamp;
      useFound(next);
    }
    return current;
  };

  /**
   * Looks again while no runtime msb is found (an install, or the upgrade trap fixed, after
   * launch), and when the found one's file changed (`msb self update`). With one found, only its
   * file is looked at, so a quiet app starts no process for this.
   */
  let looking = false;
  const lookAgain = async (): Promise<void> => {
    if (looking || disposed || found === null) return;
    looking = true;
    try {
      const msb = found.generation === 'runtime' ? found.msb : null;
      if (msb === null || (await fileStamp(msb.path)) !== foundStamp) await rescan();
    } finally {
      looking = false;
    }
  };
  const lookAgainLogged = (): void => {
    lookAgain().catch((error: unknown) => logger.warn(`Looking for microsandbox again failed: ${errorText(error)}`));
  };
  const rescanTimer = setInterval(lookAgainLogged, deps.rescanMs ?? RESCAN_MS);
  rescanTimer.unref();

  let lastSettings = deps.settings.get();
  const offSettings = deps.settings.onChange((settings) => {
    const changed = settings.generation !== lastSettings.generation || settings.msbPath !== lastSettings.msbPath;
    lastSettings = settings;
    if (!changed) return;
    rescan().catch((error: unknown) => logger.warn(`Looking for microsandbox again failed: ${errorText(error)}`));
  });

  return {
    view: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onLogLines(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    service: () => service,
    home: () => deps.home,
    rescan,
    watchFromWindow(request) {
      windowWatch = request;
      applyInterest();
    },
    trayMenuOpen(open) {
      trayOpen = open;
      if (open) lookAgainLogged();
      applyInterest();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      clearInterval(rescanTimer);
      offSettings();
      dropService();
      listeners.clear();
      logListeners.clear();
    },
  };
}

/** Each new runtime view to the window and the tray; the followed log's lines to the window. */
export function feedRuntime(deps: {
  readonly runtime: Pick<RuntimeFeed, 'onChange' | 'onLogLines'>;
  readonly send: WindowSend;
  readonly renderTray: () => void;
}): Disposable {
  const offView = deps.runtime.onChange((view) => {
    deps.send('event:runtime', view);
    deps.renderTray();
  });
  const offLog = deps.runtime.onLogLines((event) => deps.send('event:runtime-log', event));
  return toDisposable(() => {
    offView();
    offLog();
  });
}
