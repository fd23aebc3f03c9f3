import { describe, expect, it, vi } from 'vitest';
import { createRuntimeFeed } from '../../../../electron/core/desktop/runtime-feed.ts';
import type {
  FoundMicrosandbox,
  HostReport,
  RuntimeLogLine,
  RuntimeAction,
  RuntimeService,
  RuntimeState,
} from '../../../../electron/core/runtime/api.ts';
import type { RuntimeLogView } from '../../../../shared/contract.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../../shared/settings-schema.ts';

const STATE: RuntimeState = {
  sandboxes: [{ name: 'web', status: 'Running', image: 'alpine', createdAt: 1, cpus: 1, memoryMib: 512, ports: [] }],
  metrics: {},
  host: null,
  context: { kind: 'local', profile: null, apiUrl: null },
  capabilities: { pause: false },
  error: null,
  listedAt: 1,
};

/** A service in memory that records the feed's calls; `emit` plays a new state or log lines. */
class RecordingService implements RuntimeService {
  // In memory: no msb runs, so its home is never read or written.
  readonly home: string;
  calls: string[] = [];
  metricsHeld = 0;
  disposed = false;
  #state = STATE;
  #listeners = new Set<(state: RuntimeState) => void>();
  #logListeners = new Set<(name: string, lines: readonly RuntimeLogLine[]) => void>();
  readonly path: string;
  constructor(path: string, home: string) {
    this.path = path;
    this.home = home;
  }
  state(): RuntimeState {
    return this.#state;
  }
  onChange(listener: (state: RuntimeState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  emit(state: RuntimeState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }
  emitLog(name: string, lines: RuntimeLogLine[]): void {
    for (const listener of this.#logListeners) listener(name, lines);
  }
  refresh(): Promise<RuntimeState> {
    this.calls.push('refresh');
    return Promise.resolve(this.#state);
  }
  checkHost(): Promise<HostReport> {
    this.calls.push('checkHost');
    return Promise.resolve({ ok: true, checks: [] });
  }
  watchMetrics(): () => void {
    this.metricsHeld += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.metricsHeld -= 1;
    };
  }
  followLog(name: string | null): void {
    this.calls.push(`followLog:${name ?? 'none'}`);
  }
  onLogLines(listener: (name: string, lines: readonly RuntimeLogLine[]) => void): () => void {
    this.#logListeners.add(listener);
    return () => this.#logListeners.delete(listener);
  }
  logTail(): Promise<RuntimeLogLine[]> {
    return Promise.resolve([]);
  }
  act(): Promise<void> {
    return Promise.resolve();
  }
  actsInFlight(): ReadonlyMap<string, RuntimeAction> {
    return new Map();
  }
  holdActs(): () => void {
    return () => undefined;
  }
  dispose(): void {
    this.disposed = true;
  }
}

const RUNTIME: FoundMicrosandbox = {
  generation: 'runtime',
  msb: { path: '/home/me/.microsandbox/bin/msb', version: '0.6.18' },
  msbserver: null,
  notes: [],
};
const SERVER: FoundMicrosandbox = {
  generation: 'server',
  msb: { path: '/home/me/.local/bin/msb', version: '0.2.6' },
  msbserver: { path: '/home/me/.local/bin/msbserver' },
  notes: [],
};

function world(found: FoundMicrosandbox, initial: Partial<Settings> = {}) {
  let settings: Settings = { ...DEFAULT_SETTINGS, ...initial };
  const listeners = new Set<(settings: Settings) => void>();
  const services: RecordingService[] = [];
  const finds: (string | null)[] = [];
  const feed = createRuntimeFeed({
    settings: {
      get: () => settings,
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    find: (settingsPath) => {
      finds.push(settingsPath);
      return Promise.resolve(found);
    },
    createService: (msbPath, home) => {
      const service = new RecordingService(msbPath, home);
      services.push(service);
      return service;
    },
    home: '/nonexistent/msb-home',
  });
  const setSettings = (patch: Partial<Settings>): void => {
    settings = { ...settings, ...patch };
    for (const listener of listeners) listener(settings);
  };
  return { feed, services, finds, setSettings };
}

describe('the runtime feed', () => {
  it('drives the runtime when Automatic finds it, lists and checks the host at once', async () => {
    const { feed, services } = world(RUNTIME);
    expect(feed.view().generation).toBe('none');
    const view = await feed.rescan();
    expect(view.generation).toBe('runtime');
    expect(view.state?.sandboxes.map((s) => s.name)).toEqual(['web']);
    expect(services.map((s) => s.path)).toEqual(['/home/me/.microsandbox/bin/msb']);
    expect(
      services.map((s) => s.home),
      "the service is given the feed's one home",
    ).toEqual([feed.home()]);
    expect(services[0]?.calls).toEqual(expect.arrayContaining(['refresh', 'checkHost']));
    feed.dispose();
    expect(services[0]?.disposed).toBe(true);
  });

  it('runs no service in the server generation', async () => {
    const { feed, services } = world(SERVER);
    const view = await feed.rescan();
    expect(view).toMatchObject({ generation: 'server', serverFound: true, state: null });
    expect(services).toEqual([]);
    expect(feed.service()).toBeNull();
    feed.dispose();
  });

  it('follows metrics only while the window looks or the tray menu is open', async () => {
    const { feed, services } = world(RUNTIME);
    await feed.rescan();
    const service = services[0] as RecordingService;
    expect(service.metricsHeld).toBe(0);
    feed.watchFromWindow({ visible: true, log: 'web' });
    feed.trayMenuOpen(true);
    expect(service.metricsHeld).toBe(1);
    expect(service.calls).toContain('followLog:web');
    feed.watchFromWindow(null);
    expect(service.metricsHeld).toBe(1);
    feed.trayMenuOpen(false);
    expect(service.metricsHeld).toBe(0);
    expect(service.calls.at(-1)).toBe('followLog:none');
    feed.dispose();
  });

  it('pushes every new state and the followed log lines', async () => {
    const { feed, services } = world(RUNTIME);
    await feed.rescan();
    const seen: string[] = [];
    const logs: RuntimeLogView[] = [];
    feed.onChange((view) => seen.push(view.state?.sandboxes.map((s) => s.status).join() ?? ''));
    feed.onLogLines((event) => logs.push(event));
    const service = services[0] as RecordingService;
    service.emit({ ...STATE, sandboxes: [{ ...STATE.sandboxes[0]!, status: 'Stopped' }] });
    service.emitLog('web', [{ source: 'stdout', text: 'hi', time: 1 }]);
    expect(seen).toEqual(['Stopped']);
    expect(logs).toEqual([{ name: 'web', lines: [{ source: 'stdout', text: 'hi', time: 1 }] }]);
    feed.dispose();
  });

  it('drops the service when the setting chooses the server, and looks again with a new msb path', async () => {
    const { feed, services, finds, setSettings } = world(RUNTIME);
    await feed.rescan();
    setSettings({ generation: 'server' });
    await vi.waitFor(() => expect(feed.view().generation).toBe('server'));
    expect(services[0]?.disposed).toBe(true);
    expect(feed.service()).toBeNull();
    setSettings({ generation: 'automatic', msbPath: '/opt/msb' });
    await vi.waitFor(() => expect(feed.view().generation).toBe('runtime'));
    expect(finds.at(-1)).toBe('/opt/msb');
    feed.dispose();
  });
});
