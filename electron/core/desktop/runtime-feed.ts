/**
 * The runtime generation for the tray and the window: which generation the setting picks from
 * what was found, the runtime service while that generation is in use, and who is looking (the
 * window on the Sandboxes view, the tray menu open) so metrics are followed only then. Each new
 * view reaches the window (`event:runtime`) and re-renders the tray; lines of the followed log
 * reach the window (`event:runtime-log`).
 */
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
  /** The service for the `msb` found (core's `createRuntimeService`). */
  createService(msbPath: string): RuntimeService;
  readonly logger?: Logger;
}

export interface RuntimeFeed extends Disposable {
  view(): RuntimeView;
  /** Every new view. Returns the unsubscribe. */
  onChange(listener: (view: RuntimeView) => void): () => void;
  onLogLines(listener: (event: RuntimeLogView) => void): () => void;
  /** The service while the runtime generation is in use with an `msb` found; else null. */
  service(): RuntimeService | null;
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
        const made = deps.createService(wantedPath);
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

  const rescan = async (): Promise<RuntimeView> => {
    const mine = ++scan;
    const next = await deps.find(deps.settings.get().msbPath);
    // A later scan (a setting changed meanwhile) wins; this one's answer is old.
    if (!disposed && mine === scan) useFound(next);
    return current;
  };

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
    rescan,
    watchFromWindow(request) {
      windowWatch = request;
      applyInterest();
    },
    trayMenuOpen(open) {
      trayOpen = open;
      applyInterest();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
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
