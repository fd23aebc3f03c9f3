// A recording stand-in for window.msb: every call is logged, answers come from `answers`, and
// events can be pushed with `emit`.
import type { MicrosandboxUpdateView } from '../../shared/microsandbox-update.ts';
import type {
  ApiMethod,
  AppInfo,
  EventMap,
  LocateResult,
  MintedKey,
  MsbApi,
  SettingsView,
} from '../../shared/contract.ts';
import { CHANNELS, EVENT_METHODS } from '../../shared/contract.ts';
import { INITIAL_SNAPSHOT } from '../../shared/server-status.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../shared/settings-schema.ts';
import type { SandboxesView } from '../../shared/sandboxes.ts';
import type { SetupState } from '../../shared/setup.ts';
import type { RuntimeView } from '../../shared/runtime.ts';

export interface Call {
  readonly method: string;
  readonly payload: unknown;
}

type Answer = (payload: unknown) => unknown;

export interface FakeMsb {
  readonly api: MsbApi;
  readonly calls: Call[];
  readonly answers: Partial<Record<ApiMethod, Answer>>;
  emit<E extends keyof typeof EVENT_METHODS>(event: E, payload: EventMap[(typeof EVENT_METHODS)[E]]): void;
  listenerCount(event: keyof typeof EVENT_METHODS): number;
}

export const RUNNING: ServerSnapshot = {
  state: 'running',
  pid: 4242,
  url: 'http://127.0.0.1:5555',
  devMode: false,
  startedAt: 1_700_000_000_000,
  external: false,
  healthy: true,
  error: null,
  warnings: [],
  restartAt: null,
};

export const TOKEN =
  'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.' +
  'eyJleHAiOjE3MDAwMDM2MDAsImlhdCI6MTcwMDAwMDAwMCwibmFtZXNwYWNlIjoidGVhbS1hIn0.' +
  'c2lnbmF0dXJlLXNpZ25hdHVyZQ';

export function minted(overrides: Partial<MintedKey> = {}): MintedKey {
  return {
    token: TOKEN,
    namespace: 'team-a',
    issuedAt: 1_700_000_000,
    expiresAt: 1_700_003_600,
    serverUrl: 'http://127.0.0.1:5555',
    devMode: false,
    check: { result: 'accepted' },
    warnings: [],
    ...overrides,
  };
}

export const APP_INFO: AppInfo = {
  name: 'Microsandbox Tray',
  version: '0.1.0',
  platform: 'linux',
  home: '/home/u/.microsandbox',
  platformName: 'Linux',
};

export function settingsView(overrides: Partial<SettingsView> = {}): SettingsView {
  return { settings: { ...DEFAULT_SETTINGS }, restartNeeded: false, ...overrides };
}

export const EMPTY_SANDBOXES: SandboxesView = { namespacesDir: '/home/u/.microsandbox/namespaces', namespaces: [] };

export const SETUP_READY: SetupState = {
  kind: 'ready',
  msbserver: '/home/u/.local/bin/msbserver',
  msbrun: { found: true, searched: ['/home/u/.local/bin/msbrun'] },
};

export const SETUP_MISSING: SetupState = {
  kind: 'missing',
  locate: {
    found: false,
    searched: ['$MSBSERVER_EXE (not set)', '/home/u/.local/bin/msbserver'],
    problem: 'msbserver was not found. Looked in: $MSBSERVER_EXE (not set), /home/u/.local/bin/msbserver.',
    hint: 'Install microsandbox.',
    reason: 'missing',
  },
};

export const SERVER_GENERATION: RuntimeView = {
  generation: 'server',
  setting: 'automatic',
  msb: { path: '/home/u/.local/bin/msb', version: '0.2.6' },
  serverFound: true,
  notes: [],
  state: null,
};

/** microsandbox's updates as a 0.2 user sees them: no more server releases. */
export const SERVER_GENERATION_UPDATE: MicrosandboxUpdateView = {
  checksOn: true,
  status: {
    kind: 'server-generation',
    message: 'microsandbox 0.2.6 is the last release of the server generation (msbserver): it gets no more updates.',
    installCommand: 'curl -fsSL https://install.microsandbox.dev | sh',
    installUrl: 'https://github.com/superradcompany/microsandbox#installation',
  },
  run: null,
};

const LOCATED: LocateResult = { found: true, path: '/usr/local/bin/msbserver', source: 'local-bin', searched: [] };

export function fakeMsb(): FakeMsb {
  const calls: Call[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const answers: FakeMsb['answers'] = {
    status: () => INITIAL_SNAPSHOT,
    start: () => RUNNING,
    stop: () => INITIAL_SNAPSHOT,
    restart: () => RUNNING,
    cancelRestart: () => INITIAL_SNAPSHOT,
    resetKey: () => RUNNING,
    locate: () => LOCATED,
    mintKey: () => minted(),
    copy: () => undefined,
    getSettings: () => settingsView(),
    setSettings: (patch) => settingsView({ settings: { ...DEFAULT_SETTINGS, ...(patch as object) } }),
    chooseMsbserver: () =>
      settingsView({ settings: { ...DEFAULT_SETTINGS, msbserverPath: '/opt/microsandbox/bin/msbserver' } }),
    clearMsbserver: () => settingsView(),
    logTail: () => ({ lines: [], path: '/home/u/.config/Microsandbox Tray/logs/msbserver.log' }),
    reveal: () => undefined,
    appInfo: () => APP_INFO,
    setup: () => SETUP_READY,
    listSandboxes: () => EMPTY_SANDBOXES,
    stopSandboxes: () => ({ stopped: [], failed: [], via: 'none' }),
    sandboxLogTail: (payload) => ({ ...(payload as { namespace: string; name: string }), exists: true, lines: [] }),
    watchSandboxes: () => undefined,
    // A 0.2 user's world: the server generation is in use.
    runtimeState: () => SERVER_GENERATION,
    runtimeAct: () => SERVER_GENERATION,
    checkHost: () => SERVER_GENERATION,
    fixHost: () => SERVER_GENERATION,
    runtimeLogTail: (payload) => ({ name: (payload as { name: string }).name, lines: [] }),
    watchRuntime: () => undefined,
    chooseMsb: () => settingsView({ settings: { ...DEFAULT_SETTINGS, msbPath: '/opt/msb' } }),
    clearMsb: () => settingsView(),
    connectClients: () => ({ clients: [], target: 'none' }),
    connectClient: () => ({ kind: 'done', message: 'Connected.' }),
    disconnectClient: () => ({ kind: 'done', message: 'Disconnected.' }),
    copyConnectCommand: () => undefined,
    microsandboxUpdate: () => SERVER_GENERATION_UPDATE,
    updateMicrosandbox: () => SERVER_GENERATION_UPDATE,
    openRuntimeInstall: () => undefined,
  };
  const api: Record<string, unknown> = {};
  for (const { method } of Object.values(CHANNELS)) {
    api[method] = (payload?: unknown): Promise<unknown> => {
      calls.push({ method, payload });
      const answer = answers[method];
      if (answer === undefined) return Promise.reject(new Error(`no answer for ${method}`));
      try {
        return Promise.resolve(answer(payload));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
  }
  for (const method of Object.keys(EVENT_METHODS)) {
    api[method] = (listener: (payload: unknown) => void) => {
      const set = listeners.get(method) ?? new Set();
      set.add(listener);
      listeners.set(method, set);
      return () => set.delete(listener);
    };
  }
  return {
    api: api as MsbApi,
    calls,
    answers,
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    listenerCount: (event) => listeners.get(event)?.size ?? 0,
  };
}

/** Lets pending promise callbacks run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

export class IpcFailure extends Error {
  readonly code: string;
  readonly fields?: Record<string, string>;
  constructor(code: string, message: string, fields?: Record<string, string>) {
    super(message);
    this.code = code;
    if (fields !== undefined) this.fields = fields;
  }
}
