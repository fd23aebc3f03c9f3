import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import fc from 'fast-check';
import type { IpcMain } from 'electron';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClipboardGuard } from '../../../../electron/core/desktop/clipboard-guard.ts';
import { createHandlerTable } from '../../../../electron/core/ipc/handlers.ts';
import type { HandlerDeps, HandlerTable } from '../../../../electron/core/ipc/handlers.ts';
import { registerHandlers, senderInfo } from '../../../../electron/core/ipc/register.ts';
import type { InvokeEventLike, IpcMainLike } from '../../../../electron/core/ipc/register.ts';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { homePaths } from '../../../../electron/core/home-paths.ts';
import type { HomePaths } from '../../../../electron/core/home-paths.ts';
import type {
  ChoicePort,
  ClipboardPort,
  ConfirmPort,
  FileChooserPort,
  Question,
  SenderInfo,
  ShellPort,
} from '../../../../electron/core/desktop/desktop-ports.ts';
import type { SandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import type {
  SandboxesView,
  SandboxLogEvent,
  SandboxLogRequest,
  SandboxLogView,
  SandboxStopRequest,
  SandboxStopResult,
  SandboxWatchRequest,
} from '../../../../shared/sandboxes.ts';
import type { TimerHandle, Timers } from '../../../../electron/core/base/clock.ts';
import type { ServerControl, StartOptions } from '../../../../electron/core/server/server-control.ts';
import { SettingsStore } from '../../../../electron/core/settings.ts';
import { verifyToken } from '../../../../electron/core/keys/token.ts';
import { dotenvSnippet, exportLine, mcpConfig, sdkSnippets } from '../../../../shared/snippets.ts';
import { INSTALL_COMMAND, type SetupState } from '../../../../shared/setup.ts';
import type { Settings } from '../../../../shared/settings-schema.ts';
import { INVOKE_CHANNELS } from '../../../../shared/contract.ts';
import { waitFor } from '../../../support/wait-for.ts';
import type {
  AppInfo,
  Envelope,
  ErrorCode,
  InvokeChannel,
  LocateResult,
  MintedKey,
  SettingsView,
} from '../../../../shared/contract.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { RuntimeFeed } from '../../../../electron/core/desktop/runtime-feed.ts';
import type {
  HostReport,
  RuntimeAction,
  RuntimeLogLine,
  RuntimeService,
  RuntimeState,
} from '../../../../electron/core/runtime/api.ts';
import { RUNTIME_UNKNOWN, type RuntimeView } from '../../../../shared/runtime.ts';
import type { RuntimeWatchRequest } from '../../../../shared/contract.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import type { ServerSnapshot } from '../../../../shared/server-status.ts';
import { startStandin } from '../../../fixtures/standin-helpers.ts';
import type { RunningStandin } from '../../../fixtures/standin-helpers.ts';
import { createSandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { SetupWatch } from '../../../../electron/core/server/setup-watch.ts';
import { createHarness, type Harness } from '../server/lifecycle-harness.ts';

// ---------------------------------------------------------------------------------------------
// The one hand-written double: an in-memory ServerControl that records every call.

class RecordingControl implements ServerControl {
  calls: { method: string; args: unknown[] }[] = [];
  current: ServerSnapshot = INITIAL_SNAPSHOT;
  failWith: Error | null = null;
  log: string[] = ['line 1', 'line 2', 'line 3'];
  readonly #logFile: string;

  constructor(logFile: string) {
    this.#logFile = logFile;
  }

  get logFile(): string {
    this.calls.push({ method: 'logFile', args: [] });
    return this.#logFile;
  }

  #record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failWith !== null) throw this.failWith;
  }

  snapshot(): ServerSnapshot {
    this.calls.push({ method: 'snapshot', args: [] });
    return this.current;
  }
  onChange(): () => void {
    this.calls.push({ method: 'onChange', args: [] });
    return () => undefined;
  }
  start(options?: StartOptions): Promise<ServerSnapshot> {
    this.#record('start', options === undefined ? [] : [options]);
    this.current = {
      ...INITIAL_SNAPSHOT,
      state: 'running',
      pid: 77,
      url: 'http://127.0.0.1:5555',
      devMode: false,
      startedAt: 1,
      healthy: true,
    };
    return Promise.resolve(this.current);
  }
  stop(): Promise<ServerSnapshot> {
    this.#record('stop', []);
    this.current = INITIAL_SNAPSHOT;
    return Promise.resolve(this.current);
  }
  restart(options?: StartOptions): Promise<ServerSnapshot> {
    this.#record('restart', options === undefined ? [] : [options]);
    this.current = { ...this.current, state: 'running', startedAt: (this.current.startedAt ?? 0) + 1 };
    return Promise.resolve(this.current);
  }
  cancelRestart(): Promise<ServerSnapshot> {
    this.#record('cancelRestart', []);
    return Promise.resolve(this.current);
  }
  resetKey(): Promise<ServerSnapshot> {
    this.#record('resetKey', []);
    return Promise.resolve(this.current);
  }
  locate(): Promise<LocateResult> {
    this.#record('locate', []);
    return Promise.resolve({
      found: true,
      path: '/usr/local/bin/msbserver',
      source: 'environment',
      searched: ['/usr/local/bin/msbserver'],
    });
  }
  logTail(lines: number): Promise<string[]> {
    this.#record('logTail', [lines]);
    return Promise.resolve(this.log.slice(-lines));
  }
  dispose(): Promise<void> {
    this.#record('dispose', []);
    return Promise.resolve();
  }
}

class MemoryClipboard implements ClipboardPort {
  text = 'what the user had';
  calls: string[] = [];
  readText(): Promise<string> {
    this.calls.push('read');
    return Promise.resolve(this.text);
  }
  writeText(text: string): Promise<void> {
    this.calls.push(`write:${text}`);
    this.text = text;
    return Promise.resolve();
  }
}

class RecordingShell implements ShellPort {
  calls: string[] = [];
  openPathAnswer = '';
  showItemInFolder(target: string): void {
    this.calls.push(`show:${target}`);
  }
  openPath(target: string): Promise<string> {
    this.calls.push(`open:${target}`);
    return Promise.resolve(this.openPathAnswer);
  }
}

/**
 * The native dialogs, recorded: every question and file chooser main would show, answered from a
 * queue the test fills (nothing queued: the user says no / cancels). `hold()` keeps the next
 * question open until the test answers it.
 */
class RecordingDialogs implements ConfirmPort, FileChooserPort {
  calls: {
    kind: 'confirm' | 'choose';
    title: string;
    message?: string;
    detail?: string;
    confirmLabel?: string;
    defaultPath?: string;
  }[] = [];
  answers: boolean[] = [];
  chosen: (string | null)[] = [];
  failWith: Error | null = null;
  #held: ((yes: boolean) => void) | null = null;
  #holdNext = false;

  confirm(question: Question & { readonly confirmLabel?: string }): Promise<boolean> {
    this.calls.push({
      kind: 'confirm',
      title: question.title,
      message: question.message,
      ...(question.detail === undefined ? {} : { detail: question.detail }),
      ...(question.confirmLabel === undefined ? {} : { confirmLabel: question.confirmLabel }),
    });
    if (this.failWith !== null) return Promise.reject(this.failWith);
    if (this.#holdNext) {
      this.#holdNext = false;
      return new Promise((resolve) => (this.#held = resolve));
    }
    return Promise.resolve(this.answers.shift() ?? false);
  }

  chooseFile(options: { readonly title: string; readonly defaultPath?: string }): Promise<string | null> {
    this.calls.push({
      kind: 'choose',
      title: options.title,
      ...(options.defaultPath === undefined ? {} : { defaultPath: options.defaultPath }),
    });
    return Promise.resolve(this.chosen.length > 0 ? (this.chosen.shift() ?? null) : null);
  }

  hold(): void {
    this.#holdNext = true;
  }

  /** Answers the held question; true when there was one. */
  release(yes: boolean): boolean {
    const held = this.#held;
    this.#held = null;
    held?.(yes);
    return held !== null;
  }

  get held(): boolean {
    return this.#held !== null;
  }
}

/** An in-memory SandboxesService that records every call; `view` is what it lists. */
class RecordingSandboxes implements SandboxesService {
  calls: { method: string; args: unknown[] }[] = [];
  view_: SandboxesView = { namespacesDir: '/h/namespaces', namespaces: [] };
  stopAnswer: SandboxStopResult = { stopped: [], failed: [], via: 'none' };
  readonly namespacesDir = '/h/namespaces';
  readonly metricsWanted = false;
  view(): SandboxesView {
    this.calls.push({ method: 'view', args: [] });
    return this.view_;
  }
  list(): Promise<SandboxesView> {
    this.calls.push({ method: 'list', args: [] });
    return Promise.resolve(this.view_);
  }
  refresh(): Promise<SandboxesView> {
    this.calls.push({ method: 'refresh', args: [] });
    return Promise.resolve(this.view_);
  }
  onChange(): () => void {
    return () => undefined;
  }
  onLogLines(_listener: (event: SandboxLogEvent) => void): () => void {
    return () => undefined;
  }
  watchMetrics(): () => void {
    this.calls.push({ method: 'watchMetrics', args: [] });
    return () => undefined;
  }
  watch(request: SandboxWatchRequest): void {
    this.calls.push({ method: 'watch', args: [request] });
  }
  windowClosed(): void {
    this.calls.push({ method: 'windowClosed', args: [] });
  }
  stop(request: SandboxStopRequest): Promise<SandboxStopResult> {
    this.calls.push({ method: 'stop', args: [request] });
    return Promise.resolve(this.stopAnswer);
  }
  logTail(request: SandboxLogRequest): Promise<SandboxLogView> {
    this.calls.push({ method: 'logTail', args: [request] });
    return Promise.resolve({ namespace: request.namespace, name: request.name, exists: true, lines: ['vm line'] });
  }
  dispose(): void {}
}

/** The runtime service, in memory, recording every call; `state_` is what `msb` would list. */
class RecordingRuntime implements RuntimeService {
  // In memory: no msb runs, so no home is ever read or written.
  readonly home = '/nonexistent/msb-home';
  calls: { method: string; args: unknown[] }[] = [];
  failWith: Error | null = null;
  state_: RuntimeState = {
    sandboxes: [
      { name: 'web', status: 'Running', image: 'alpine', createdAt: 1, cpus: 1, memoryMib: 512, ports: [] },
      { name: 'old', status: 'Stopped', image: 'alpine', createdAt: 1, cpus: 1, memoryMib: 512, ports: [] },
      { name: 'odd', status: 'Hibernating', image: 'alpine', createdAt: 1, cpus: 1, memoryMib: 512, ports: [] },
    ],
    metrics: {},
    host: { ok: true, checks: [] },
    context: { kind: 'local', profile: null, apiUrl: null },
    capabilities: { pause: false },
    error: null,
    listedAt: 1,
  };
  state(): RuntimeState {
    return this.state_;
  }
  onChange(): () => void {
    return () => undefined;
  }
  refresh(): Promise<RuntimeState> {
    this.calls.push({ method: 'refresh', args: [] });
    return Promise.resolve(this.state_);
  }
  checkHost(): Promise<HostReport> {
    this.calls.push({ method: 'checkHost', args: [] });
    return Promise.resolve({ ok: true, checks: [] });
  }
  watchMetrics(): () => void {
    this.calls.push({ method: 'watchMetrics', args: [] });
    return () => undefined;
  }
  followLog(name: string | null): void {
    this.calls.push({ method: 'followLog', args: [name] });
  }
  onLogLines(): () => void {
    return () => undefined;
  }
  logTail(name: string, lines: number): Promise<RuntimeLogLine[]> {
    this.calls.push({ method: 'logTail', args: [name, lines] });
    return Promise.resolve([{ source: 'stdout', text: 'hello', time: 1 }]);
  }
  act(name: string, action: RuntimeAction, options?: { readonly force?: boolean }): Promise<void> {
    this.calls.push({ method: 'act', args: options === undefined ? [name, action] : [name, action, options] });
    return this.failWith === null ? Promise.resolve() : Promise.reject(this.failWith);
  }
  actsInFlight(): ReadonlyMap<string, RuntimeAction> {
    return new Map();
  }
  holdActs(): () => void {
    return () => undefined;
  }
  dispose(): void {}
}

/** The feed's part the handlers use: the runtime generation in use, with `service`. */
class RecordingRuntimeFeed implements Pick<RuntimeFeed, 'view' | 'service' | 'watchFromWindow'> {
  inUse = true;
  watched: (RuntimeWatchRequest | null)[] = [];
  readonly runtime: RecordingRuntime;
  constructor(runtime: RecordingRuntime) {
    this.runtime = runtime;
  }
  view(): RuntimeView {
    if (!this.inUse) return RUNTIME_UNKNOWN;
    return {
      generation: 'runtime',
      setting: 'automatic',
      msb: { path: '/home/me/.microsandbox/bin/msb', version: '0.6.18' },
      serverFound: false,
      notes: [],
      state: this.runtime.state_,
    };
  }
  service(): RuntimeService | null {
    return this.inUse ? this.runtime : null;
  }
  watchFromWindow(request: RuntimeWatchRequest | null): void {
    this.watched.push(request);
  }
}

/** Answers the native questions from a list, recording them. */
class RecordingChoice implements ChoicePort {
  asked: Parameters<ChoicePort['choose']>[0][] = [];
  answers: string[] = [];
  choose(question: Parameters<ChoicePort['choose']>[0]): Promise<number> {
    this.asked.push(question);
    return Promise.resolve(question.buttons.indexOf(this.answers.shift() ?? 'Cancel'));
  }
}

class ManualTimers implements Timers {
  scheduled: { ms: number; callback: () => void }[] = [];
  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.scheduled.push({ ms, callback });
    return this.scheduled.length as unknown as TimerHandle;
  }
  clearTimeout(): void {}
}

// ---------------------------------------------------------------------------------------------

const APP_URL = 'app://microsandbox-tray/index.html';
const WINDOW: SenderInfo = { id: 1, url: APP_URL, isMainFrame: true };
const APP_INFO: AppInfo = {
  name: 'Microsandbox Tray',
  version: '0.1.0',
  platform: 'linux',
  home: '/h',
  platformName: 'Linux',
};
const FIXED_NOW = new Date('2026-01-02T03:04:05Z');
const SETUP_READY: SetupState = {
  kind: 'ready',
  msbserver: '/usr/local/bin/msbserver',
  msbrun: { found: true, searched: [] },
};
const noFetch: typeof fetch = () => Promise.reject(new Error('no network in this test'));

interface World {
  tmp: string;
  paths: HomePaths;
  settingsFile: string;
  settings: SettingsStore;
  control: RecordingControl;
  clipboard: MemoryClipboard;
  timers: ManualTimers;
  shell: RecordingShell;
  dialogs: RecordingDialogs;
  table: HandlerTable;
  fetchCalls: string[];
  sandboxes: RecordingSandboxes;
  choice: RecordingChoice;
  runtime: RecordingRuntime;
  runtimeFeed: RecordingRuntimeFeed;
}

async function makeWorld(
  options: { fetch?: typeof fetch; keyCheckTimeoutMs?: number; now?: () => Date; appInfo?: AppInfo } = {},
): Promise<World> {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'handlers-'));
  const home = path.join(tmp, 'home');
  await fsp.mkdir(home);
  const confDir = path.join(tmp, 'conf');
  await fsp.mkdir(confDir);
  const settingsFile = path.join(confDir, 'settings.json');
  await fsp.writeFile(settingsFile, `${JSON.stringify({ port: 6000, defaultExpiry: '7d' }, null, '\t')}\n`);
  const conf = new Conf<Record<string, unknown>>({ cwd: confDir, configName: 'settings', projectName: 'x' });
  expect(conf.path).toBe(settingsFile);
  const settings = new SettingsStore(conf);
  const control = new RecordingControl(path.join(tmp, 'logs', 'msbserver.log'));
  const clipboard = new MemoryClipboard();
  const timers = new ManualTimers();
  const shell = new RecordingShell();
  const dialogs = new RecordingDialogs();
  const sandboxes = new RecordingSandboxes();
  const choice = new RecordingChoice();
  const runtime = new RecordingRuntime();
  const runtimeFeed = new RecordingRuntimeFeed(runtime);
  const fetchCalls: string[] = [];
  const baseFetch = options.fetch ?? noFetch;
  const recordingFetch: typeof fetch = (input, init) => {
    fetchCalls.push(input instanceof Request ? input.url : input.toString());
    return baseFetch(input, init);
  };
  const deps: HandlerDeps = {
    control,
    scrubber: new SecretScrubber(homePaths(home).keyFile, silentLogger),
    settings,
    paths: homePaths(home),
    clipboard: new ClipboardGuard(clipboard, () => settings.get().clipboardClearSeconds, timers),
    shell,
    appInfo: options.appInfo ?? APP_INFO,
    sandboxes,
    choice,
    runtime: runtimeFeed,
    fixHost: () => {
      runtime.calls.push({ method: 'fixHost', args: [] });
      return Promise.resolve();
    },
    setup: { refresh: () => Promise.resolve(SETUP_READY) },
    isTrustedSender: (sender) => sender.id === WINDOW.id && sender.url === WINDOW.url,
    confirm: dialogs,
    fileChooser: dialogs,
    mint: createMintService({
      keyFile: homePaths(home).keyFile,
      snapshot: () => control.snapshot(),
      settings: () => settings.get(),
      clock: { now: () => (options.now ?? (() => FIXED_NOW))().getTime() },
      fetch: recordingFetch,
      ...(options.keyCheckTimeoutMs === undefined ? {} : { keyCheckTimeoutMs: options.keyCheckTimeoutMs }),
    }),
  };
  return {
    tmp,
    paths: homePaths(home),
    settingsFile,
    settings,
    control,
    clipboard,
    timers,
    shell,
    dialogs,
    table: createHandlerTable(deps),
    fetchCalls,
    sandboxes,
    choice,
    runtime,
    runtimeFeed,
  };
}

function ok<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected ok, got ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as T;
}

function errorOf(envelope: Envelope<unknown>): { code: ErrorCode; message: string } {
  if (envelope.ok) throw new Error(`expected an error, got ${JSON.stringify(envelope.value)}`);
  return envelope.error;
}

function running(extra: Partial<ServerSnapshot> = {}): ServerSnapshot {
  return {
    ...INITIAL_SNAPSHOT,
    state: 'running',
    pid: 4321,
    url: 'http://127.0.0.1:6000',
    devMode: false,
    startedAt: 1_000,
    healthy: true,
    ...extra,
  };
}

let world: World;

beforeEach(async () => {
  world = await makeWorld();
});

afterEach(async () => {
  await fsp.rm(world.tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

describe('the table', () => {
  it('serves exactly the contract channels', () => {
    expect([...world.table.channels].sort()).toEqual([...INVOKE_CHANNELS].sort());
  });
});

describe('server channels', () => {
  it('status answers the snapshot', async () => {
    world.control.current = running();
    expect(ok(await world.table.handle('server:status', WINDOW, undefined))).toEqual(running());
  });

  it('start, stop and restart call the controller and answer its snapshot', async () => {
    const started = ok<ServerSnapshot>(await world.table.handle('server:start', WINDOW, undefined));
    expect(started.state).toBe('running');
    expect(ok<ServerSnapshot>(await world.table.handle('server:restart', WINDOW, undefined)).state).toBe('running');
    expect(ok<ServerSnapshot>(await world.table.handle('server:stop', WINDOW, undefined)).state).toBe('stopped');
    expect(world.control.calls.map((call) => call.method).filter((method) => method !== 'snapshot')).toEqual([
      'start',
      'restart',
      'stop',
    ]);
    expect(world.control.calls.every((call) => call.args.length === 0)).toBe(true);
  });

  it('turns a controller error into server-error', async () => {
    world.control.failWith = new Error('msbserver was not found in /usr/bin or ~/.local/bin.');
    expect(errorOf(await world.table.handle('server:start', WINDOW, undefined))).toEqual({
      code: 'server-error',
      message: 'msbserver was not found in /usr/bin or ~/.local/bin.',
    });
    world.control.failWith = Object.assign(new Error(''), { name: 'Weird' });
    const empty = errorOf(await world.table.handle('server:stop', WINDOW, undefined));
    expect(empty.code).toBe('server-error');
    expect(empty.message.length).toBeGreaterThan(0);
  });

  it('locate answers the controller result', async () => {
    const result = ok<LocateResult>(await world.table.handle('server:locate', WINDOW, undefined));
    expect(result).toMatchObject({ found: true, path: '/usr/local/bin/msbserver' });
  });

  it.each(['stopped', 'running', 'failed'] as const)(
    'reset-key while %s hands the reset to the controller',
    async (state) => {
      world.control.current = state === 'running' ? running() : { ...INITIAL_SNAPSHOT, state };
      ok(await world.table.handle('server:reset-key', WINDOW, undefined));
      // Rotating server.key and restarting a secure server happen in the controller, under its lock
      // (its own tests cover them): the handler itself writes nothing.
      expect(world.control.calls.filter((call) => call.method === 'resetKey')).toEqual([
        { method: 'resetKey', args: [] },
      ]);
      await expect(fsp.access(world.paths.keyFile)).rejects.toThrow();
    },
  );

  it.each(['starting', 'stopping'] as const)('reset-key while %s asks to wait and changes nothing', async (state) => {
    world.control.current = running({ state });
    const error = errorOf(await world.table.handle('server:reset-key', WINDOW, undefined));
    expect(error.code).toBe('server-error');
    expect(error.message).toContain(state);
    await expect(fsp.access(world.paths.keyFile)).rejects.toThrow();
  });
});

describe('keys:mint', () => {
  it('creates server.key when there is none, and mints a * key for 24 hours by default', async () => {
    const minted = ok<MintedKey>(await world.table.handle('keys:mint', WINDOW, {}));
    const key = await fsp.readFile(world.paths.keyFile, 'utf8');
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await fsp.stat(world.paths.keyFile)).mode & 0o777).toBe(0o600);
    const issuedAt = Math.floor(FIXED_NOW.getTime() / 1000);
    expect(minted).toMatchObject({ namespace: '*', issuedAt, expiresAt: issuedAt + 86_400, devMode: false });
    expect(minted.serverUrl).toBe('http://127.0.0.1:6000'); // from the settings: the port was 6000
    expect(minted.check).toEqual({ result: 'not-checked', message: expect.stringMatching(/not running/) as unknown });
    const verified = await verifyToken(minted.token, key, { now: FIXED_NOW });
    expect(verified).toEqual({ valid: true, claims: { exp: issuedAt + 86_400, iat: issuedAt, namespace: '*' } });
    expect(world.fetchCalls).toEqual([]);
    expect(JSON.stringify(minted)).not.toContain(key);
  });

  it('uses the request namespace and expiry, and the existing key as is', async () => {
    await fsp.writeFile(world.paths.keyFile, 'existing key\n', { mode: 0o644 });
    const minted = ok<MintedKey>(
      await world.table.handle('keys:mint', WINDOW, { namespace: 'team-a', expiresIn: '30m' }),
    );
    expect(minted.namespace).toBe('team-a');
    expect(minted.expiresAt - minted.issuedAt).toBe(1_800);
    expect(await fsp.readFile(world.paths.keyFile, 'utf8')).toBe('existing key\n');
    expect((await verifyToken(minted.token, 'existing key\n', { now: FIXED_NOW })).valid).toBe(true);
  });

  it('brackets an IPv6 host from the settings', async () => {
    ok(await world.table.handle('settings:set', WINDOW, { host: '::1' }));
    expect(ok<MintedKey>(await world.table.handle('keys:mint', WINDOW, {})).serverUrl).toBe('http://[::1]:6000');
  });

  it('uses the running server URL and reports dev mode without checking', async () => {
    world.control.current = running({ url: 'http://10.0.0.2:7777', devMode: true });
    const minted = ok<MintedKey>(await world.table.handle('keys:mint', WINDOW, {}));
    expect(minted.serverUrl).toBe('http://10.0.0.2:7777');
    expect(minted.devMode).toBe(true);
    expect(minted.check).toMatchObject({
      result: 'not-checked',
      message: expect.stringMatching(/development mode/) as unknown,
    });
    expect(world.fetchCalls).toEqual([]);
  });

  it('says why a secure server could not be asked', async () => {
    world.control.current = running();
    const minted = ok<MintedKey>(await world.table.handle('keys:mint', WINDOW, {}));
    expect(minted.check).toMatchObject({
      result: 'not-checked',
      message: expect.stringMatching(/could not be reached/) as unknown,
    });
    expect(world.fetchCalls).toEqual(['http://127.0.0.1:6000/api/v1/rpc']);
  });

  it('answers key-unavailable when server.key cannot be read, without minting', async () => {
    await fsp.mkdir(world.paths.keyFile);
    const error = errorOf(await world.table.handle('keys:mint', WINDOW, {}));
    expect(error.code).toBe('key-unavailable');
    expect(error.message).toContain(world.paths.keyFile);
  });

  it('answers key-unavailable for a key file that is not UTF-8', async () => {
    await fsp.writeFile(world.paths.keyFile, Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    expect(errorOf(await world.table.handle('keys:mint', WINDOW, {})).code).toBe('key-unavailable');
  });
});

describe('keys:mint against the msbserver stand-in', () => {
  let standin: RunningStandin;
  let live: World;
  const KEY = 'StandinKey0123456789abcdefghijkl';

  beforeAll(async () => {
    // Real time: the server checks the expiry against its own clock.
    live = await makeWorld({ fetch: (input, init) => fetch(input, init), now: () => new Date() });
    await fsp.writeFile(live.paths.keyFile, KEY, { mode: 0o600 });
    standin = await startStandin({
      args: ['--key', KEY, '--path', live.paths.namespacesDir],
      env: { MICROSANDBOX_HOME: live.paths.home },
    });
    live.control.current = running({ url: standin.url, pid: standin.child.pid ?? 1 });
  });

  afterAll(async () => {
    await standin.stop();
    await fsp.rm(live.tmp, { recursive: true, force: true });
  });

  it('accepted with server.key, refused once server.key no longer matches the server', async () => {
    const first = ok<MintedKey>(await live.table.handle('keys:mint', WINDOW, {}));
    expect(first.check).toEqual({ result: 'accepted' });
    expect(first.serverUrl).toBe(standin.url);
    const scoped = ok<MintedKey>(
      await live.table.handle('keys:mint', WINDOW, { namespace: 'default', expiresIn: '1h' }),
    );
    expect(scoped.check).toEqual({ result: 'accepted' });
    // One call per server run and key: the second mint reused the verdict.
    expect(live.fetchCalls).toEqual([`${standin.url}/api/v1/rpc`]);

    await fsp.writeFile(live.paths.keyFile, 'a-different-key-written-later');
    const second = ok<MintedKey>(await live.table.handle('keys:mint', WINDOW, {}));
    expect(second.check.result).toBe('refused');
    if (second.check.result === 'refused') {
      expect(second.check.message).toMatch(/server\.key/);
      expect(second.check.message).toMatch(/[Rr]estart the server/);
      expect(second.check.message).toMatch(/reset the key/);
    }
    expect(JSON.stringify(second)).not.toContain('a-different-key-written-later');
    expect(live.fetchCalls).toHaveLength(2);

    // A new server run is asked again, even with the same key; the check is made with a `*` probe,
    // so a scoped key for a namespace without a folder leaves no error in the server's log.
    live.control.current = running({ url: standin.url, pid: standin.child.pid ?? 1, startedAt: 2 });
    await fsp.writeFile(live.paths.keyFile, KEY);
    const fresh = ok<MintedKey>(await live.table.handle('keys:mint', WINDOW, { namespace: 'no-folder-yet' }));
    expect(fresh.check).toEqual({ result: 'accepted' });
    expect(standin.stdout() + standin.stderr()).not.toMatch(/does not exist/);
    expect(live.fetchCalls).toHaveLength(3);

    live.control.current = running({ url: standin.url, pid: standin.child.pid ?? 1, startedAt: 1 });
    ok<MintedKey>(await live.table.handle('keys:mint', WINDOW, {}));
    expect(live.fetchCalls).toHaveLength(4);
  });
});

describe('clipboard:copy', () => {
  async function mintedToken(request: object = {}): Promise<MintedKey> {
    return ok<MintedKey>(await world.table.handle('keys:mint', WINDOW, request));
  }

  it('copies a key the window was given, built by main, and clears it after the settings delay', async () => {
    const { token } = await mintedToken();
    expect(ok(await world.table.handle('clipboard:copy', WINDOW, { what: 'token', token }))).toBeUndefined();
    expect(world.clipboard.text).toBe(token);
    expect(world.timers.scheduled.map((timer) => timer.ms)).toEqual([60_000]);
    world.timers.scheduled[0]?.callback();
    await waitFor(() => world.clipboard.text === '', { what: 'the clipboard cleared' });
  });

  it('builds every format from the key and the server URL it was made for, each one a secret', async () => {
    const { token, serverUrl } = await mintedToken({ namespace: 'team-a' });
    const copied = async (what: string): Promise<string> => {
      ok(await world.table.handle('clipboard:copy', WINDOW, { what, token }));
      return world.clipboard.text;
    };
    expect(await copied('export-line')).toBe(exportLine(token));
    expect(await copied('dotenv')).toBe(dotenvSnippet(token, serverUrl));
    expect(await copied('mcp-config')).toBe(mcpConfig(token, serverUrl));
    expect(serverUrl).toBe('http://127.0.0.1:6000');
    expect(world.timers.scheduled).toHaveLength(3);
  });

  it('copies the server URL main knows, as plain text that stays', async () => {
    ok(await world.table.handle('clipboard:copy', WINDOW, { what: 'server-url' }));
    expect(world.clipboard.text).toBe('http://127.0.0.1:6000');
    world.control.current = running({ url: 'http://127.0.0.1:6100' });
    ok(await world.table.handle('clipboard:copy', WINDOW, { what: 'server-url' }));
    expect(world.clipboard.text).toBe('http://127.0.0.1:6100');
    expect(world.timers.scheduled).toEqual([]);
  });

  it('copies the SDK examples for the server main knows and the install command, as plain text', async () => {
    world.control.current = running({ url: 'http://127.0.0.1:6100' });
    ok(await world.table.handle('clipboard:copy', WINDOW, { what: 'sdk-example', language: 'python' }));
    expect(world.clipboard.text).toBe(sdkSnippets('http://127.0.0.1:6100').python);
    ok(await world.table.handle('clipboard:copy', WINDOW, { what: 'sdk-example', language: 'typescript' }));
    expect(world.clipboard.text).toContain('serverUrl: "http://127.0.0.1:6100"');
    ok(await world.table.handle('clipboard:copy', WINDOW, { what: 'install-command' }));
    expect(world.clipboard.text).toBe(INSTALL_COMMAND);
    expect(world.timers.scheduled).toEqual([]);
  });

  it('refuses a key it never gave the window, and keys from before a server key reset', async () => {
    const forged = 'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';
    const refused = errorOf(await world.table.handle('clipboard:copy', WINDOW, { what: 'token', token: forged }));
    expect(refused.code).toBe('refused');
    const { token } = await mintedToken();
    ok(await world.table.handle('server:reset-key', WINDOW, undefined));
    expect(errorOf(await world.table.handle('clipboard:copy', WINDOW, { what: 'export-line', token })).code).toBe(
      'refused',
    );
    expect(world.clipboard.text).toBe('what the user had');
  });

  it('keeps only the latest keys it gave (the oldest drop out)', async () => {
    const first = (await mintedToken({ namespace: 'first' })).token;
    for (let i = 0; i < 32; i += 1) await mintedToken({ namespace: `n${i}`, expiresIn: `${i + 1}h` });
    expect(errorOf(await world.table.handle('clipboard:copy', WINDOW, { what: 'token', token: first })).code).toBe(
      'refused',
    );
  });
});

describe('settings', () => {
  it('get answers the settings without a restart pending', async () => {
    const view = ok<SettingsView>(await world.table.handle('settings:get', WINDOW, undefined));
    expect(view.settings).toMatchObject({ port: 6000, defaultExpiry: '7d' });
    expect(view.restartNeeded).toBe(false);
  });

  it('set writes the file and answers the new view', async () => {
    const view = ok<SettingsView>(
      await world.table.handle('settings:set', WINDOW, { clipboardClearSeconds: 5, defaultNamespace: 'ns' }),
    );
    expect(view.settings).toMatchObject({ clipboardClearSeconds: 5, defaultNamespace: 'ns' });
    expect(view.restartNeeded).toBe(false);
    const onDisk = JSON.parse(await fsp.readFile(world.settingsFile, 'utf8')) as Record<string, unknown>;
    expect(onDisk).toMatchObject({ clipboardClearSeconds: 5, defaultNamespace: 'ns', port: 6000 });
  });

  it('marks a restart as needed while the same server run is up, and forgets it after a restart', async () => {
    ok(await world.table.handle('settings:set', WINDOW, { port: 7000 }));
    expect(ok<SettingsView>(await world.table.handle('settings:get', WINDOW, undefined)).restartNeeded).toBe(false);

    world.control.current = running();
    expect(ok<SettingsView>(await world.table.handle('settings:set', WINDOW, { port: 7001 })).restartNeeded).toBe(true);
    expect(
      ok<SettingsView>(await world.table.handle('settings:set', WINDOW, { clipboardClearSeconds: 5 })).restartNeeded,
    ).toBe(true);
    expect(world.table.settingsView().restartNeeded).toBe(true);

    ok(await world.table.handle('server:restart', WINDOW, undefined));
    expect(ok<SettingsView>(await world.table.handle('settings:get', WINDOW, undefined)).restartNeeded).toBe(false);
  });

  it('refuses an invalid update with per-field messages and writes nothing', async () => {
    const before = await fsp.readFile(world.settingsFile);
    const envelope = await world.table.handle('settings:set', WINDOW, { port: 70_000, host: 'localhost' });
    expect(envelope.ok).toBe(false);
    if (!envelope.ok) {
      expect(envelope.error.code).toBe('invalid-input');
      expect(Object.keys(envelope.error.fields ?? {}).sort()).toEqual(['host', 'port']);
      expect(envelope.error.message).toMatch(/127\.0\.0\.1/);
    }
    expect(await fsp.readFile(world.settingsFile)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// What the window may not decide alone: refused, or asked of the user in a native dialog.

describe('decisions the user makes in main, not the window', () => {
  const onDisk = async (): Promise<Record<string, unknown>> =>
    JSON.parse(await fsp.readFile(world.settingsFile, 'utf8')) as Record<string, unknown>;
  const confirms = (): RecordingDialogs['calls'] => world.dialogs.calls.filter((call) => call.kind === 'confirm');

  describe('msbserverPath', () => {
    it(
      'is refused from settings:set, even beside valid fields and even when null, and nothing is ' + 'written or asked',
      async () => {
        const before = await fsp.readFile(world.settingsFile);
        for (const patch of [
          { msbserverPath: '/usr/local/bin/msbserver' },
          { msbserverPath: null },
          { port: 7000, msbserverPath: '/bin/sh' },
        ]) {
          const error = errorOf(await world.table.handle('settings:set', WINDOW, patch));
          expect(error.code).toBe('refused');
          expect(error.message).toMatch(/Choose…/);
        }
        expect(await fsp.readFile(world.settingsFile)).toEqual(before);
        expect(world.dialogs.calls).toEqual([]);
      },
    );

    it(
      'comes from the native file chooser, checked as an executable; cancel and an unsafe file ' + 'change nothing',
      async () => {
        const bin = path.join(world.tmp, 'bin');
        await fsp.mkdir(bin, { mode: 0o755 });
        const good = path.join(bin, 'msbserver');
        await fsp.writeFile(good, '#!/bin/sh\n', { mode: 0o755 });
        const writable = path.join(bin, 'writable-msbserver');
        await fsp.writeFile(writable, '#!/bin/sh\n');
        await fsp.chmod(writable, 0o777);

        // Cancelled: declined, nothing stored.
        expect(errorOf(await world.table.handle('settings:choose-msbserver', WINDOW, undefined)).code).toBe('declined');
        expect(world.dialogs.calls).toMatchObject([
          { kind: 'choose', title: 'Choose msbserver', defaultPath: path.join(os.homedir(), '.local', 'bin') },
        ]);
        // A file others could change: refused with the reason.
        world.dialogs.chosen.push(writable);
        const refused = errorOf(await world.table.handle('settings:choose-msbserver', WINDOW, undefined));
        expect(refused.code).toBe('refused');
        expect(refused.message).toMatch(/group- or world-writable.*unchanged/);
        world.dialogs.chosen.push(path.join(bin, 'missing'));
        expect(errorOf(await world.table.handle('settings:choose-msbserver', WINDOW, undefined)).code).toBe('refused');
        expect(world.settings.get().msbserverPath).toBeNull();

        // A good one: stored, and a running server needs a restart for it.
        world.control.current = running();
        world.dialogs.chosen.push(good);
        const view = ok<SettingsView>(await world.table.handle('settings:choose-msbserver', WINDOW, undefined));
        expect(view.settings.msbserverPath).toBe(good);
        expect(view.restartNeeded).toBe(true);
        expect(await onDisk()).toMatchObject({ msbserverPath: good });
        // The next chooser opens where the current one is.
        world.dialogs.chosen.push(null);
        errorOf(await world.table.handle('settings:choose-msbserver', WINDOW, undefined));
        expect(world.dialogs.calls.at(-1)).toMatchObject({ kind: 'choose', defaultPath: good });

        // Back to automatic, without a dialog.
        const cleared = ok<SettingsView>(await world.table.handle('settings:clear-msbserver', WINDOW, undefined));
        expect(cleared.settings.msbserverPath).toBeNull();
        expect(world.dialogs.calls.filter((call) => call.kind === 'confirm')).toEqual([]);
      },
    );
  });

  describe('what outlives the session or weakens a protection', () => {
    const cases: readonly { readonly patch: Partial<Settings>; readonly title: RegExp }[] = [
      { patch: { startAtLogin: true }, title: /at login/i },
      { patch: { startServerOnLaunch: true }, title: /start the server/i },
      { patch: { autoRestart: true }, title: /restart/i },
      { patch: { clipboardClearSeconds: 0 }, title: /clipboard/i },
      { patch: { logLevel: 'trace' }, title: /trace/i },
    ];

    it('each needs a native yes: no (or a dialog that fails) changes nothing', async () => {
      const before = await fsp.readFile(world.settingsFile);
      for (const { patch, title } of cases) {
        const asked = confirms().length;
        const declined = errorOf(await world.table.handle('settings:set', WINDOW, patch));
        expect(declined.code).toBe('declined');
        expect(confirms()).toHaveLength(asked + 1);
        expect(confirms().at(-1)?.title).toMatch(title);
      }
      world.dialogs.failWith = new Error('no display');
      world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
      expect(errorOf(await world.table.handle('settings:set', WINDOW, { startAtLogin: true })).code).toBe('declined');
      world.dialogs.failWith = null;
      expect(await fsp.readFile(world.settingsFile)).toEqual(before);
      expect(world.settings.get()).toMatchObject({
        startAtLogin: false,
        startServerOnLaunch: false,
        autoRestart: false,
        logLevel: null,
      });
    });

    it('all in one patch asks each in turn, and a yes to each applies them', async () => {
      world.dialogs.answers.push(true, true, true, true, true);
      const patch = Object.assign({}, ...cases.map((entry) => entry.patch)) as Partial<Settings>;
      const view = ok<SettingsView>(await world.table.handle('settings:set', WINDOW, patch));
      expect(confirms()).toHaveLength(cases.length);
      expect(view.settings).toMatchObject(patch);
    });

    it('turning them off again, or a shorter clipboard delay, asks nothing', async () => {
      world.dialogs.answers.push(true);
      ok(await world.table.handle('settings:set', WINDOW, { startAtLogin: true }));
      ok(
        await world.table.handle('settings:set', WINDOW, {
          startAtLogin: false,
          startServerOnLaunch: false,
          autoRestart: false,
          clipboardClearSeconds: 5,
          logLevel: 'debug',
        }),
      );
      expect(confirms()).toHaveLength(1);
    });
  });

  describe('development mode', () => {
    it('asks first, in plain words; no (or a dialog that fails) leaves it off', async () => {
      const declined = errorOf(await world.table.handle('settings:set', WINDOW, { devMode: true }));
      expect(declined).toEqual({ code: 'declined', message: 'Development mode stays off: it was not confirmed.' });
      expect(confirms()).toHaveLength(1);
      expect(confirms()[0]).toMatchObject({
        title: 'Turn on development mode?',
        confirmLabel: 'Turn On Development Mode',
      });
      expect(confirms()[0]?.detail).toContain('open to every program on this computer and every web page you visit');
      world.dialogs.failWith = new Error('no display');
      world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
      expect(errorOf(await world.table.handle('settings:set', WINDOW, { devMode: true })).code).toBe('declined');
      world.dialogs.failWith = null;
      expect(world.settings.get().devMode).toBe(false);
      expect(await onDisk()).not.toHaveProperty('devMode', true);
    });

    it('turns on once the user says yes; turning it off again asks nothing', async () => {
      world.dialogs.answers.push(true);
      expect(
        ok<SettingsView>(await world.table.handle('settings:set', WINDOW, { devMode: true })).settings.devMode,
      ).toBe(true);
      expect(await onDisk()).toMatchObject({ devMode: true });
      // Already on: nothing new to confirm.
      ok(await world.table.handle('settings:set', WINDOW, { devMode: true, port: 7001 }));
      ok(await world.table.handle('settings:set', WINDOW, { devMode: false }));
      expect(confirms()).toHaveLength(1);
    });

    it(
      'is refused outright on a host other computers reach, in one patch or either order, even if ' +
        'the user would say yes',
      async () => {
        world.dialogs.answers.push(true, true, true, true);
        const together = errorOf(await world.table.handle('settings:set', WINDOW, { devMode: true, host: '0.0.0.0' }));
        expect(together.code).toBe('refused');
        expect(together.message).toMatch(/Development mode on 0\.0\.0\.0 is refused/);
        expect(confirms()).toEqual([]);

        // The host first (confirmed), then development mode: refused without a question.
        ok(await world.table.handle('settings:set', WINDOW, { host: '0.0.0.0' }));
        expect(confirms()).toHaveLength(1);
        expect(errorOf(await world.table.handle('settings:set', WINDOW, { devMode: true })).code).toBe('refused');
        expect(confirms()).toHaveLength(1);
        expect(world.settings.get()).toMatchObject({ host: '0.0.0.0', devMode: false });

        // Development mode first (confirmed), then the host: refused too.
        ok(await world.table.handle('settings:set', WINDOW, { host: '127.0.0.1' }));
        ok(await world.table.handle('settings:set', WINDOW, { devMode: true }));
        expect(confirms()).toHaveLength(2);
        for (const host of ['0.0.0.0', '::', '192.168.1.20', 'fe80::1']) {
          expect(errorOf(await world.table.handle('settings:set', WINDOW, { host })).code, host).toBe('refused');
        }
        expect(confirms()).toHaveLength(2);
        expect(world.settings.get()).toMatchObject({ host: '127.0.0.1', devMode: true });
      },
    );
  });

  describe('the host', () => {
    it('may move between loopback addresses without a question', async () => {
      for (const host of ['127.0.0.2', '::1', '127.0.0.1'])
        ok(await world.table.handle('settings:set', WINDOW, { host }));
      expect(world.dialogs.calls).toEqual([]);
    });

    it('needs a yes to listen where other computers reach it; no leaves it as it was', async () => {
      const declined = errorOf(await world.table.handle('settings:set', WINDOW, { host: '0.0.0.0', port: 7002 }));
      expect(declined).toEqual({
        code: 'declined',
        message: 'The host stays 127.0.0.1: the change was not confirmed.',
      });
      expect(confirms()[0]).toMatchObject({
        title: 'Make the server reachable from other computers?',
        confirmLabel: 'Listen on 0.0.0.0',
      });
      expect(confirms()[0]?.message).toMatch(/every network this computer is on/);
      // Nothing of the patch was applied, the port included.
      expect(world.settings.get()).toMatchObject({ host: '127.0.0.1', port: 6000 });

      world.dialogs.answers.push(true);
      world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
      expect(
        ok<SettingsView>(await world.table.handle('settings:set', WINDOW, { host: '192.168.1.20' })).settings.host,
      ).toBe('192.168.1.20');
      expect(confirms()[1]?.message).toMatch(/listen on 192\.168\.1\.20, which other computers can reach/);
      // Another exposed address is a new exposure: asked again.
      expect(errorOf(await world.table.handle('settings:set', WINDOW, { host: '10.0.0.5' })).code).toBe('declined');
      expect(confirms()).toHaveLength(3);
    });
  });

  describe('the namespaces folder', () => {
    it('needs a yes for another folder; back to the default asks nothing', async () => {
      const folder = path.join(world.tmp, 'namespaces-elsewhere');
      expect(errorOf(await world.table.handle('settings:set', WINDOW, { namespacesPath: folder })).code).toBe(
        'declined',
      );
      expect(confirms()[0]).toMatchObject({
        title: 'Use another namespaces folder?',
        message: `msbserver will keep its sandboxes in this folder:\n${folder}`,
      });
      expect(confirms()[0]?.detail).toMatch(/anyone who can write to that folder can change what your sandboxes run/);
      world.dialogs.answers.push(true);
      world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
      expect(
        ok<SettingsView>(await world.table.handle('settings:set', WINDOW, { namespacesPath: folder })).settings
          .namespacesPath,
      ).toBe(folder);
      ok(await world.table.handle('settings:set', WINDOW, { namespacesPath: null }));
      expect(confirms()).toHaveLength(2);
    });
    it('refuses a name with control, bidi or line-separator characters, or a .. segment, asking nothing', async () => {
      for (const bad of [
        '/home/u/ns\u202Etxt.exe',
        '/home/u/ns\u2066x',
        '/home/u/a\u2028b',
        '/home/u/a\nb',
        '/home/u/a\u0085b',
        '/home/u/a\u200Fb',
        '/home/u/../../etc',
        '/home/u/ns/..',
      ]) {
        const error = errorOf(await world.table.handle('settings:set', WINDOW, { namespacesPath: bad }));
        expect(error.code, JSON.stringify(bad)).toBe('invalid-input');
      }
      expect(confirms()).toEqual([]);
    });

    it('shows the normalised path on a line of its own, the middle elided when long', async () => {
      const long = `/home/u/${'deep/'.repeat(40)}namespaces`;
      errorOf(await world.table.handle('settings:set', WINDOW, { namespacesPath: `/home/u//./x/` }));
      expect(confirms()[0]?.message).toBe('msbserver will keep its sandboxes in this folder:\n/home/u/x');
      world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
      errorOf(await world.table.handle('settings:set', WINDOW, { namespacesPath: long }));
      const shown = (confirms()[1]?.message ?? '').split('\n')[1] ?? '';
      expect(shown.length).toBeLessThanOrEqual(121);
      expect(shown).toContain('…');
      expect(shown.startsWith('/home/u/deep/')).toBe(true);
      expect(shown.endsWith('deep/namespaces')).toBe(true);
    });
  });

  describe('several consequences in one change', () => {
    it('asks each in turn and applies only when every one is confirmed', async () => {
      const folder = path.join(world.tmp, 'ns');
      world.dialogs.answers.push(true, false);
      expect(
        errorOf(await world.table.handle('settings:set', WINDOW, { devMode: true, namespacesPath: folder })).code,
      ).toBe('declined');
      expect(confirms().map((call) => call.title)).toEqual([
        'Turn on development mode?',
        'Use another namespaces folder?',
      ]);
      expect(world.settings.get()).toMatchObject({ devMode: false, namespacesPath: null });
      world.dialogs.answers.push(true, true);
      world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
      ok(await world.table.handle('settings:set', WINDOW, { devMode: true, namespacesPath: folder }));
      expect(world.settings.get()).toMatchObject({ devMode: true, namespacesPath: folder });
    });
  });

  describe('consent by repetition', () => {
    it('after a no, the same question from the window waits for a real user gesture in the window', async () => {
      expect(errorOf(await world.table.handle('settings:set', WINDOW, { devMode: true })).code).toBe('declined');
      for (let i = 0; i < 20; i++) {
        const again = errorOf(await world.table.handle('settings:set', WINDOW, { devMode: true }));
        expect(again.code).toBe('refused');
        expect(again.message).toMatch(/click/i);
      }
      expect(confirms()).toHaveLength(1);
      // Another question is not held back by this no.
      expect(errorOf(await world.table.handle('settings:set', WINDOW, { startAtLogin: true })).code).toBe('declined');
      expect(confirms()).toHaveLength(2);
      world.table.noteUserGesture();
      world.dialogs.answers.push(true);
      expect(
        ok<SettingsView>(await world.table.handle('settings:set', WINDOW, { devMode: true })).settings.devMode,
      ).toBe(true);
      expect(confirms()).toHaveLength(3);
    });

    it('holds back a repeated long-key question too', async () => {
      const request = { namespace: 'ns', expiresIn: '2y' };
      expect(errorOf(await world.table.handle('keys:mint', WINDOW, request)).code).toBe('declined');
      expect(errorOf(await world.table.handle('keys:mint', WINDOW, request)).code).toBe('refused');
      expect(confirms()).toHaveLength(1);
    });
  });

  describe('one question at a time', () => {
    it(
      'refuses a second question while one is open, and decides again on the settings as they are ' + 'once answered',
      async () => {
        world.dialogs.hold();
        const hostChange = world.table.handle('settings:set', WINDOW, { host: '0.0.0.0' });
        await vi.waitFor(() => expect(world.dialogs.held).toBe(true));
        // Another question meanwhile: refused, nothing asked.
        const stacked = errorOf(await world.table.handle('settings:set', WINDOW, { devMode: true }));
        expect(stacked.code).toBe('refused');
        expect(stacked.message).toMatch(/already waiting for your answer/);
        expect(errorOf(await world.table.handle('keys:mint', WINDOW, { expiresIn: '2y' })).code).toBe('refused');
        expect(errorOf(await world.table.handle('settings:choose-msbserver', WINDOW, undefined)).code).toBe('refused');
        expect(world.dialogs.calls).toHaveLength(1);
        // A change that needs no question goes through.
        ok(await world.table.handle('settings:set', WINDOW, { port: 7003 }));

        expect(world.dialogs.release(true)).toBe(true);
        expect(ok<SettingsView>(await hostChange).settings).toMatchObject({ host: '0.0.0.0', port: 7003 });
      },
    );

    it('refuses what became dangerous while the dialog was open, even though the user said yes', async () => {
      world.dialogs.answers.push(true);
      ok(await world.table.handle('settings:set', WINDOW, { devMode: true }));
      world.dialogs.hold();
      const folderChange = world.table.handle('settings:set', WINDOW, { namespacesPath: path.join(world.tmp, 'ns') });
      await vi.waitFor(() => expect(world.dialogs.held).toBe(true));
      // Another part of main (a stored change, say) sets a host others reach while the question is open.
      world.settings.update({ host: '0.0.0.0' });
      world.dialogs.release(true);
      const refused = errorOf(await folderChange);
      expect(refused.code).toBe('refused');
      expect(world.settings.get().namespacesPath).toBeNull();
    });
  });

  describe('long-lived keys', () => {
    it('a year or less asks nothing', async () => {
      for (const expiresIn of ['1h', '24h', '365d', '1y', '12mo'])
        ok(await world.table.handle('keys:mint', WINDOW, { expiresIn }));
      expect(world.dialogs.calls).toEqual([]);
    });

    it('longer needs a yes: no makes no key (not even server.key), yes makes it', async () => {
      const declined = errorOf(await world.table.handle('keys:mint', WINDOW, { namespace: 'team-a', expiresIn: '2y' }));
      expect(declined).toEqual({ code: 'declined', message: 'No key was made: the long expiry was not confirmed.' });
      expect(confirms()[0]).toMatchObject({
        title: 'Make a key that lasts 2 years?',
        message: 'The new key would work for 2 years, in namespace “team-a”.',
      });
      await expect(fsp.access(world.paths.keyFile)).rejects.toThrow();

      world.dialogs.answers.push(true);
      world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
      const minted = ok<MintedKey>(await world.table.handle('keys:mint', WINDOW, { expiresIn: '366d' }));
      expect(minted.expiresAt - minted.issuedAt).toBe(366 * 86_400);
      expect(confirms()[1]?.message).toBe('The new key would work for 366 days, in every namespace.');
    });

    it('more than ten years is refused as invalid, without a question', async () => {
      for (const expiresIn of ['11y', '3651d', '122mo', '87601h', '99999y']) {
        const error = errorOf(await world.table.handle('keys:mint', WINDOW, { expiresIn }));
        expect(error.code, expiresIn).toBe('invalid-input');
        expect(error.message).toMatch(/at most 10 years/);
      }
      world.dialogs.answers.push(true);
      ok(await world.table.handle('keys:mint', WINDOW, { expiresIn: '10y' }));
      expect(confirms()).toHaveLength(1);
    });
  });

  it('a default expiry over a year is refused by validation (the tray mints with it without asking)', async () => {
    const error = errorOf(await world.table.handle('settings:set', WINDOW, { defaultExpiry: '2y' }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toMatch(/at most a year/);
    ok(await world.table.handle('settings:set', WINDOW, { defaultExpiry: '1y' }));
  });
});

describe('logs, reveal and app info', () => {
  it('logs:tail passes the line count through', async () => {
    const logFile = world.control.logFile;
    expect(ok(await world.table.handle('logs:tail', WINDOW, { lines: 2 }))).toEqual({
      lines: ['line 2', 'line 3'],
      path: logFile,
    });
    expect(ok(await world.table.handle('logs:tail', WINDOW, { lines: 1000 }))).toEqual({
      lines: ['line 1', 'line 2', 'line 3'],
      path: logFile,
    });
    expect(world.control.calls.filter((call) => call.method === 'logTail').map((call) => call.args)).toEqual([
      [2],
      [1000],
    ]);
  });

  it('logs:tail sends the lines without the server key or any token', async () => {
    const key = 'TailKey0123456789TailKey01234567';
    await fsp.writeFile(world.paths.keyFile, key, { mode: 0o600 });
    const token = 'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';
    world.control.log = [
      `msbserver --key ${key} --port 5555`,
      `GET /api/v1/rpc Authorization: Bearer ${token}`,
      `key=${key}`,
    ];
    const tail = ok<{ lines: string[] }>(await world.table.handle('logs:tail', WINDOW, { lines: 10 }));
    expect(tail.lines).toEqual([
      'msbserver --key [server key hidden] --port 5555',
      'GET /api/v1/rpc Authorization: Bearer msb_[token hidden]',
      'key=[server key hidden]',
    ]);
    expect(JSON.stringify(tail)).not.toContain(key);
    expect(JSON.stringify(tail)).not.toContain(token);
  });

  it('reveals the log in its folder and opens the home folder', async () => {
    ok(await world.table.handle('shell:reveal', WINDOW, { target: 'log' }));
    ok(await world.table.handle('shell:reveal', WINDOW, { target: 'home' }));
    expect(world.shell.calls).toEqual([
      `show:${path.join(world.tmp, 'logs', 'msbserver.log')}`,
      `open:${world.paths.home}`,
    ]);
  });

  it('reports a folder that could not be opened', async () => {
    world.shell.openPathAnswer = 'Failed to open path';
    const error = errorOf(await world.table.handle('shell:reveal', WINDOW, { target: 'home' }));
    expect(error.code).toBe('internal');
    expect(error.message).toContain('Failed to open path');
  });

  it('app:info answers the app info', async () => {
    expect(ok(await world.table.handle('app:info', WINDOW, undefined))).toEqual(APP_INFO);
  });
});

describe('sandboxes', () => {
  const VIEW: SandboxesView = {
    namespacesDir: '/h/namespaces',
    namespaces: [
      {
        name: 'team',
        error: null,
        sandboxes: [
          {
            name: 'web',
            state: 'running',
            supervisorPid: 10,
            microvmPid: 11,
            startedAt: 1,
            memoryBytes: 1,
            cpuPercent: null,
            diskBytes: null,
            portalPort: 40000,
            logPath: '/h/namespaces/team/.menv/log/Sandboxfile/web.log',
          },
        ],
      },
    ],
  };

  it('list, stop, log-tail and watch hand the validated request to the service and answer it', async () => {
    world.sandboxes.view_ = VIEW;
    expect(ok(await world.table.handle('sandboxes:list', WINDOW, undefined))).toEqual(VIEW);
    world.sandboxes.stopAnswer = { stopped: [{ namespace: 'team', name: 'web' }], failed: [], via: 'server' };
    expect(ok(await world.table.handle('sandboxes:stop', WINDOW, { namespace: 'team', name: 'web' }))).toEqual(
      world.sandboxes.stopAnswer,
    );
    ok(await world.table.handle('sandboxes:stop', WINDOW, { all: true }));
    expect(
      ok(await world.table.handle('sandboxes:log-tail', WINDOW, { namespace: 'team', name: 'web', lines: 1000 })),
    ).toEqual({ namespace: 'team', name: 'web', exists: true, lines: ['vm line'] });
    expect(ok(await world.table.handle('sandboxes:watch', WINDOW, { visible: true, log: null }))).toBeUndefined();
    ok(
      await world.table.handle('sandboxes:watch', WINDOW, { visible: false, log: { namespace: 'team', name: 'web' } }),
    );
    expect(world.sandboxes.calls).toEqual([
      { method: 'list', args: [] },
      { method: 'stop', args: [{ namespace: 'team', name: 'web' }] },
      { method: 'stop', args: [{ all: true }] },
      { method: 'logTail', args: [{ namespace: 'team', name: 'web', lines: 1000 }] },
      { method: 'watch', args: [{ visible: true, log: null }] },
      { method: 'watch', args: [{ visible: false, log: { namespace: 'team', name: 'web' } }] },
    ]);
    // Nothing of it asks the user or touches the server.
    expect(world.choice.asked).toEqual([]);
    expect(world.control.calls).toEqual([]);
  });

  it('a request rebuilt from known fields: nothing else reaches the service', async () => {
    const ref = Object.assign(Object.create(null) as object, { namespace: 'team', name: 'web' });
    ok(await world.table.handle('sandboxes:stop', WINDOW, ref));
    expect(Object.getPrototypeOf(world.sandboxes.calls[0]?.args[0])).toBe(Object.prototype);
  });

  it(
    'server:stop asks first while sandboxes run; Cancel answers the unchanged snapshot and stops ' + 'nothing',
    async () => {
      world.control.current = running();
      world.sandboxes.view_ = VIEW;
      world.choice.answers = ['Cancel'];
      expect(ok(await world.table.handle('server:stop', WINDOW, undefined))).toEqual(running());
      expect(world.choice.asked.map((q) => [q.message, q.detail])).toEqual([
        ['1 sandbox is running.', 'It keeps running after the server stops.'],
      ]);
      expect(world.control.calls.map((c) => c.method)).not.toContain('stop');
      expect(world.sandboxes.calls.map((c) => c.method)).toEqual(['refresh']);

      world.choice.answers = ['Stop them too'];
      expect(ok<ServerSnapshot>(await world.table.handle('server:stop', WINDOW, undefined)).state).toBe('stopped');
      expect(world.sandboxes.calls.map((c) => c.method)).toEqual(['refresh', 'refresh', 'stop']);
      expect(world.control.calls.map((c) => c.method).filter((m) => m === 'stop')).toEqual(['stop']);

      world.control.current = running();
      world.choice.answers = ['Leave them running'];
      expect(ok<ServerSnapshot>(await world.table.handle('server:stop', WINDOW, undefined)).state).toBe('stopped');
      expect(world.sandboxes.calls.filter((c) => c.method === 'stop')).toHaveLength(1);
    },
  );

  it('restart never asks', async () => {
    world.control.current = running();
    world.sandboxes.view_ = VIEW;
    ok(await world.table.handle('server:restart', WINDOW, undefined));
    expect(world.choice.asked).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Registration with ipcMain.

describe('the runtime generation', () => {
  it('answers the runtime view, and the unknown one when the runtime is not in use', async () => {
    expect(ok<RuntimeView>(await world.table.handle('runtime:state', WINDOW, undefined)).generation).toBe('runtime');
    world.runtimeFeed.inUse = false;
    expect(ok<RuntimeView>(await world.table.handle('runtime:state', WINDOW, undefined))).toEqual(RUNTIME_UNKNOWN);
    expect(errorOf(await world.table.handle('runtime:act', WINDOW, { name: 'web', action: 'stop' })).code).toBe(
      'refused',
    );
    expect(world.runtime.calls).toEqual([]);
  });

  it('stops a listed running sandbox and lists again', async () => {
    ok(await world.table.handle('runtime:act', WINDOW, { name: 'web', action: 'stop' }));
    expect(world.runtime.calls).toEqual([
      { method: 'act', args: ['web', 'stop'] },
      { method: 'refresh', args: [] },
    ]);
    expect(world.dialogs.calls).toEqual([]);
  });

  it('refuses a name that is not in the current list, without asking or acting', async () => {
    for (const name of ['nope', '../web', 'web ']) {
      const error = errorOf(await world.table.handle('runtime:act', WINDOW, { name, action: 'stop' }));
      expect(error.code).toBe('refused');
      expect(error.message).toMatch(/no sandbox named/);
    }
    expect(world.runtime.calls).toEqual([]);
    expect(world.dialogs.calls).toEqual([]);
  });

  it('refuses what the status does not allow: Remove while running, anything for an unknown status', async () => {
    expect(errorOf(await world.table.handle('runtime:act', WINDOW, { name: 'web', action: 'remove' })).message).toMatch(
      /Running: it cannot remove/,
    );
    expect(errorOf(await world.table.handle('runtime:act', WINDOW, { name: 'odd', action: 'stop' })).code).toBe(
      'refused',
    );
    expect(errorOf(await world.table.handle('runtime:act', WINDOW, { name: 'web', action: 'pause' })).code).toBe(
      'refused',
    );
    expect(world.runtime.calls).toEqual([]);
  });

  it('forces a stop only after a native yes', async () => {
    const declined = errorOf(
      await world.table.handle('runtime:act', WINDOW, { name: 'web', action: 'stop', force: true }),
    );
    expect(declined.code).toBe('declined');
    expect(world.runtime.calls).toEqual([]);
    world.dialogs.answers.push(true);
    world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
    ok(await world.table.handle('runtime:act', WINDOW, { name: 'web', action: 'stop', force: true }));
    expect(world.dialogs.calls.map((call) => call.confirmLabel)).toEqual(['Force Stop', 'Force Stop']);
    expect(world.runtime.calls[0]).toEqual({ method: 'act', args: ['web', 'stop', { force: true }] });
  });

  it('refuses force with anything but stop before asking', async () => {
    const error = errorOf(
      await world.table.handle('runtime:act', WINDOW, { name: 'old', action: 'start', force: true }),
    );
    expect(error.code).toBe('invalid-input');
    expect(world.dialogs.calls).toEqual([]);
  });

  it('removes a stopped sandbox only after a native yes', async () => {
    expect(errorOf(await world.table.handle('runtime:act', WINDOW, { name: 'old', action: 'remove' })).code).toBe(
      'declined',
    );
    expect(world.runtime.calls).toEqual([]);
    world.dialogs.answers.push(true);
    world.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
    ok(await world.table.handle('runtime:act', WINDOW, { name: 'old', action: 'remove' }));
    expect(world.dialogs.calls.at(-1)?.title).toBe('Remove old?');
    expect(world.runtime.calls[0]).toEqual({ method: 'act', args: ['old', 'remove'] });
  });

  it('does not remove a sandbox that started while the user was asked', async () => {
    world.dialogs.hold();
    const pending = world.table.handle('runtime:act', WINDOW, { name: 'old', action: 'remove' });
    await vi.waitFor(() => expect(world.dialogs.held).toBe(true));
    world.runtime.state_ = {
      ...world.runtime.state_,
      sandboxes: world.runtime.state_.sandboxes.map((s) => (s.name === 'old' ? { ...s, status: 'Running' } : s)),
    };
    world.dialogs.release(true);
    expect(errorOf(await pending).code).toBe('refused');
    expect(world.runtime.calls).toEqual([]);
  });

  it("passes msb's own message when an action fails", async () => {
    world.runtime.failWith = new Error('error: sandbox not found: web');
    expect(errorOf(await world.table.handle('runtime:act', WINDOW, { name: 'web', action: 'stop' })).message).toContain(
      'sandbox not found: web',
    );
  });

  it('runs the host check on demand, and doctor --fix only on Windows after a yes', async () => {
    ok(await world.table.handle('runtime:check-host', WINDOW, undefined));
    expect(world.runtime.calls).toEqual([{ method: 'checkHost', args: [] }]);
    expect(errorOf(await world.table.handle('runtime:fix-host', WINDOW, undefined)).code).toBe('refused');
    expect(world.dialogs.calls).toEqual([]);

    const windows = await makeWorld({ appInfo: { ...APP_INFO, platform: 'win32', platformName: 'Windows' } });
    try {
      expect(errorOf(await windows.table.handle('runtime:fix-host', WINDOW, undefined)).code).toBe('declined');
      expect(windows.dialogs.calls[0]?.message).toMatch(/administrator rights/);
      expect(windows.runtime.calls).toEqual([]);
      windows.dialogs.answers.push(true);
      windows.table.noteUserGesture(); // the user clicked in the window: a declined question may come again
      ok(await windows.table.handle('runtime:fix-host', WINDOW, undefined));
      expect(windows.runtime.calls).toEqual([
        { method: 'fixHost', args: [] },
        { method: 'checkHost', args: [] },
      ]);
    } finally {
      await fsp.rm(windows.tmp, { recursive: true, force: true });
    }
  });

  it('tails the log of a listed sandbox only', async () => {
    expect(ok(await world.table.handle('runtime:log-tail', WINDOW, { name: 'old', lines: 50 }))).toEqual({
      name: 'old',
      lines: [{ source: 'stdout', text: 'hello', time: 1 }],
    });
    expect(errorOf(await world.table.handle('runtime:log-tail', WINDOW, { name: 'gone', lines: 50 })).code).toBe(
      'refused',
    );
    expect(world.runtime.calls).toEqual([{ method: 'logTail', args: ['old', 50] }]);
  });

  it('passes what the window looks at to the feed, with a listed log only', async () => {
    ok(await world.table.handle('runtime:watch', WINDOW, { visible: true, log: 'web' }));
    ok(await world.table.handle('runtime:watch', WINDOW, { visible: false, log: null }));
    expect(errorOf(await world.table.handle('runtime:watch', WINDOW, { visible: true, log: 'gone' })).code).toBe(
      'refused',
    );
    expect(world.runtimeFeed.watched).toEqual([
      { visible: true, log: 'web' },
      { visible: false, log: null },
    ]);
  });

  it('copies the shell command of a listed sandbox, built by main', async () => {
    ok(await world.table.handle('clipboard:copy', WINDOW, { what: 'exec-command', name: 'web' }));
    expect(world.clipboard.text).toBe('msb exec web -- sh');
    expect(world.timers.scheduled).toEqual([]);
    expect(errorOf(await world.table.handle('clipboard:copy', WINDOW, { what: 'exec-command', name: 'x' })).code).toBe(
      'refused',
    );
    expect(world.clipboard.text).toBe('msb exec web -- sh');
  });

  it("copies today's install command for the platform, and refuses Homebrew on Windows", async () => {
    ok(await world.table.handle('clipboard:copy', WINDOW, { what: 'runtime-install', method: 'script' }));
    expect(world.clipboard.text).toBe('curl -fsSL https://install.microsandbox.dev | sh');
    const windows = await makeWorld({ appInfo: { ...APP_INFO, platform: 'win32', platformName: 'Windows' } });
    try {
      ok(await windows.table.handle('clipboard:copy', WINDOW, { what: 'runtime-install', method: 'script' }));
      expect(windows.clipboard.text).toBe('irm https://install.microsandbox.dev/windows | iex');
      const brew = await windows.table.handle('clipboard:copy', WINDOW, {
        what: 'runtime-install',
        method: 'homebrew',
      });
      expect(errorOf(brew).code).toBe('refused');
    } finally {
      await fsp.rm(windows.tmp, { recursive: true, force: true });
    }
  });

  it('never lets the window set msbPath; Choose… and Clear do', async () => {
    const error = errorOf(await world.table.handle('settings:set', WINDOW, { msbPath: '/tmp/evil' }));
    expect(error.code).toBe('refused');
    expect(world.settings.get().msbPath).toBeNull();
    expect(errorOf(await world.table.handle('settings:choose-msb', WINDOW, undefined)).code).toBe('declined');
    const msb = path.join(world.tmp, 'msb');
    await fsp.writeFile(msb, '#!/bin/sh\n', { mode: 0o755 });
    world.dialogs.chosen.push(msb);
    expect(ok<SettingsView>(await world.table.handle('settings:choose-msb', WINDOW, undefined)).settings.msbPath).toBe(
      msb,
    );
    expect(ok<SettingsView>(await world.table.handle('settings:clear-msb', WINDOW, undefined)).settings.msbPath).toBe(
      null,
    );
  });
});

describe('registerHandlers', () => {
  class FakeIpcMain implements IpcMainLike {
    listeners = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
    removed: string[] = [];
    handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void {
      this.listeners.set(channel, listener);
    }
    removeHandler(channel: string): void {
      this.removed.push(channel);
    }
  }

  it('registers exactly the contract channels and answers through the table', async () => {
    const ipc = new FakeIpcMain();
    const unregister = registerHandlers(ipc, world.table);
    expect([...ipc.listeners.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());

    const mainFrame = { url: APP_URL };
    const event: InvokeEventLike = { sender: { id: 1, mainFrame }, senderFrame: mainFrame };
    expect(await ipc.listeners.get('app:info')?.(event)).toEqual({ ok: true, value: APP_INFO });
    expect(await ipc.listeners.get('logs:tail')?.(event, { lines: 1 })).toEqual({
      ok: true,
      value: { lines: ['line 3'], path: world.control.logFile },
    });

    const extra = (await ipc.listeners.get('logs:tail')?.(event, { lines: 1 }, 'more')) as Envelope<unknown>;
    expect(errorOf(extra).code).toBe('invalid-input');

    const noFrame = (await ipc.listeners.get('app:info')?.({
      sender: { id: 1, mainFrame },
      senderFrame: null,
    })) as Envelope<unknown>;
    expect(errorOf(noFrame).code).toBe('forbidden-sender');
    const otherWindow = (await ipc.listeners.get('app:info')?.({
      sender: { id: 2, mainFrame },
      senderFrame: mainFrame,
    })) as Envelope<unknown>;
    expect(errorOf(otherWindow).code).toBe('forbidden-sender');
    // An iframe of the window showing the app's own page: same contents, same URL, another frame.
    const subFrame = (await ipc.listeners.get('app:info')?.({
      sender: { id: 1, mainFrame },
      senderFrame: { url: APP_URL },
    })) as Envelope<unknown>;
    expect(errorOf(subFrame).code).toBe('forbidden-sender');
    const noMainFrame = (await ipc.listeners.get('app:info')?.({
      sender: { id: 1 },
      senderFrame: mainFrame,
    })) as Envelope<unknown>;
    expect(errorOf(noMainFrame).code).toBe('forbidden-sender');

    unregister();
    expect([...ipc.removed].sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('treats a frame that throws when read as an unknown sender', () => {
    const event = {
      sender: { id: 1 },
      get senderFrame(): { url: string } {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    expect(senderInfo(event)).toEqual({ id: -1, url: '', isMainFrame: false });
  });

  it('says a frame is the main frame only when it is the very object of sender.mainFrame', () => {
    const mainFrame = { url: APP_URL };
    expect(senderInfo({ sender: { id: 1, mainFrame }, senderFrame: mainFrame })).toEqual({
      id: 1,
      url: APP_URL,
      isMainFrame: true,
    });
    expect(senderInfo({ sender: { id: 1, mainFrame }, senderFrame: { url: APP_URL } })).toEqual({
      id: 1,
      url: APP_URL,
      isMainFrame: false,
    });
    expect(senderInfo({ sender: { id: 1, mainFrame: null }, senderFrame: null })).toEqual({
      id: 1,
      url: '',
      isMainFrame: false,
    });
    expect(senderInfo({ sender: { id: 1 }, senderFrame: undefined })).toEqual({ id: 1, url: '', isMainFrame: false });
  });

  it("accepts Electron's ipcMain (type level)", () => {
    const accepts = (ipc: IpcMain): IpcMainLike => ipc;
    expect(typeof accepts).toBe('function');
  });
});

// ---------------------------------------------------------------------------------------------
// The bad-input corpus: every answer is an error envelope, nothing throws, nothing changes.

interface BadCase {
  name: string;
  channel: unknown;
  payload: unknown;
  sender?: unknown;
  extra?: unknown[];
  code: ErrorCode;
}

const VOID_CHANNELS: InvokeChannel[] = [
  'server:status',
  'server:start',
  'server:stop',
  'server:restart',
  'server:cancel-restart',
  'server:reset-key',
  'server:locate',
  'settings:get',
  'settings:choose-msbserver',
  'settings:clear-msbserver',
  'app:info',
  'app:setup',
  'sandboxes:list',
  'runtime:state',
  'runtime:check-host',
  'runtime:fix-host',
  'settings:choose-msb',
  'settings:clear-msb',
  'connect:list',
  'updates:microsandbox',
  'updates:update-microsandbox',
  'updates:open-runtime-install',
];

/** A valid payload per channel: the sender and arity cases use these, so only the sender is wrong. */
const VALID_PAYLOADS: Record<InvokeChannel, unknown> = {
  'server:status': undefined,
  'server:start': undefined,
  'server:stop': undefined,
  'server:restart': undefined,
  'server:cancel-restart': undefined,
  'server:reset-key': undefined,
  'server:locate': undefined,
  'keys:mint': { namespace: 'default', expiresIn: '1h' },
  'clipboard:copy': { what: 'server-url' },
  'settings:get': undefined,
  'settings:set': { port: 7000 },
  'settings:choose-msbserver': undefined,
  'settings:clear-msbserver': undefined,
  'logs:tail': { lines: 10 },
  'shell:reveal': { target: 'home' },
  'app:info': undefined,
  'app:setup': undefined,
  'sandboxes:list': undefined,
  'sandboxes:stop': { namespace: 'team', name: 'web' },
  'sandboxes:log-tail': { namespace: 'team', name: 'web', lines: 10 },
  'sandboxes:watch': { visible: true, log: { namespace: 'team', name: 'web' } },
  'runtime:state': undefined,
  'runtime:act': { name: 'web', action: 'stop' },
  'runtime:check-host': undefined,
  'runtime:fix-host': undefined,
  'runtime:log-tail': { name: 'web', lines: 10 },
  'runtime:watch': { visible: true, log: 'web' },
  'settings:choose-msb': undefined,
  'settings:clear-msb': undefined,
  'connect:list': undefined,
  'connect:connect': { client: 'cursor' },
  'connect:disconnect': { client: 'cursor' },
  'connect:copy-command': { client: 'claude-code', action: 'connect' },
  'updates:microsandbox': undefined,
  'updates:update-microsandbox': undefined,
  'updates:open-runtime-install': undefined,
};

const json = (text: string): unknown => JSON.parse(text);
const HUGE = 'x'.repeat(1_000_000);

let getterRan = false;
const withGetter = {
  get namespace(): string {
    getterRan = true;
    return 'default';
  },
};

function corpus(): BadCase[] {
  const cases: BadCase[] = [];
  const add = (
    name: string,
    channel: unknown,
    payload: unknown,
    code: ErrorCode = 'invalid-input',
    more: Partial<BadCase> = {},
  ) => cases.push({ name, channel, payload, code, ...more });

  // Unknown channels.
  for (const channel of [
    'server:exec',
    'server:status ',
    'SERVER:STATUS',
    '',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'event:status',
    'event:log',
    'keys:mint\0',
    'shell:openExternal',
    HUGE,
    42,
    null,
    undefined,
    {},
    ['server:status'],
    Symbol('server:status'),
  ]) {
    add(
      `unknown channel ${typeof channel === 'string' ? JSON.stringify(channel.slice(0, 20)) : String(typeof channel)}`,
      channel,
      undefined,
      'unknown-channel',
    );
  }

  // Untrusted senders, with valid payloads: nothing may happen.
  const badSenders: [string, unknown][] = [
    ['another window', { id: 2, url: APP_URL, isMainFrame: true }],
    ['a remote page', { id: 1, url: 'https://evil.example/index.html', isMainFrame: true }],
    ['an empty frame URL', { id: 1, url: '', isMainFrame: true }],
    ['another local file', { id: 1, url: 'file:///tmp/evil.html', isMainFrame: true }],
    [
      'the built file over file://',
      { id: 1, url: 'file:///opt/microsandbox-tray/resources/app.asar/out/renderer/index.html', isMainFrame: true },
    ],
    ["a sub frame on the app's own URL", { id: 1, url: APP_URL, isMainFrame: false }],
    ['a sender that does not say which frame', { id: 1, url: APP_URL }],
    ['a sender whose frame flag is not a boolean', { id: 1, url: APP_URL, isMainFrame: 'true' }],
    ['a sender with a string id', { id: '1', url: APP_URL, isMainFrame: true }],
    ['a null sender', null],
    ['an empty sender', {}],
  ];
  for (const channel of INVOKE_CHANNELS) {
    for (const [who, sender] of badSenders) {
      add(`${channel} from ${who}`, channel, VALID_PAYLOADS[channel], 'forbidden-sender', { sender });
    }
  }
  add('an unknown channel from another window', 'server:exec', undefined, 'forbidden-sender', {
    sender: { id: 9, url: APP_URL, isMainFrame: true },
  });
  add('an invalid payload from another window', 'keys:mint', { namespace: 7 }, 'forbidden-sender', {
    sender: { id: 9, url: APP_URL, isMainFrame: true },
  });

  // More than one argument.
  for (const channel of INVOKE_CHANNELS)
    add(`${channel} with a second argument`, channel, VALID_PAYLOADS[channel], 'invalid-input', { extra: ['more'] });

  // Void channels given something.
  const notUndefined: [string, unknown][] = [
    ['null', null],
    ['0', 0],
    ['an empty string', ''],
    ['an empty object', {}],
    ['an empty list', []],
    ['false', false],
    ['NaN', Number.NaN],
    ['a __proto__ object', json('{"__proto__":{"polluted":true}}')],
  ];
  for (const channel of VOID_CHANNELS)
    for (const [what, payload] of notUndefined) add(`${channel} given ${what}`, channel, payload);

  // Non-objects and non-plain objects for every object channel.
  const notPlain: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'namespace=*'],
    ['a number', 1],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['true', true],
    ['a list', [{ namespace: '*' }]],
    ['a Date', new Date(0)],
    ['a Map', new Map([['namespace', '*']])],
    ['a class instance', new (class Request {})()],
    ['an object with a prototype', Object.create({ namespace: '*' }) as unknown],
  ];
  for (const channel of [
    'keys:mint',
    'clipboard:copy',
    'settings:set',
    'logs:tail',
    'shell:reveal',
    'sandboxes:stop',
    'sandboxes:log-tail',
    'sandboxes:watch',
    'runtime:act',
    'runtime:log-tail',
    'runtime:watch',
  ] as const) {
    for (const [what, payload] of notPlain) add(`${channel} given ${what}`, channel, payload);
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      add(`${channel} with a "${key}" key`, channel, json(`{"${key}":{"isAdmin":true}}`));
    }
    add(`${channel} with an extra field`, channel, { ...(VALID_PAYLOADS[channel] as object), extra: 1 });
    add(`${channel} with a symbol key`, channel, { ...(VALID_PAYLOADS[channel] as object), [Symbol('s')]: 1 });
  }

  // keys:mint fields.
  for (const [what, namespace] of [
    ['a number', 5],
    ['null', null],
    ['a list', ['*']],
    ['an object', { ns: '*' }],
    ['true', true],
    ['empty', ''],
    ['starting with a dash', '-team'],
    ['with a space', 'team a'],
    ['with a slash', '../etc'],
    ['two stars', '**'],
    ['64 characters', 'a'.repeat(64)],
    ['a megabyte', HUGE],
    ['with a NUL', 'a\0b'],
    ['with unicode', 'tëam'],
  ] as const) {
    add(`keys:mint with a namespace that is ${what}`, 'keys:mint', { namespace });
  }
  for (const [what, expiresIn] of [
    ['a number', 24],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['negative', -1],
    ['null', null],
    ['empty', ''],
    ['upper-case', '1H'],
    ['fractional', '1.5h'],
    ['negative text', '-1h'],
    ['zero', '0h'],
    ['a unit alone', 'h'],
    ['spaced', '1 h'],
    ['minutes spelled out', '1min'],
    ['33 characters', `${'1'.repeat(32)}s`],
    ['too large', '99999999999999999y'],
    ['a megabyte', HUGE],
  ] as const) {
    add(`keys:mint with an expiry that is ${what}`, 'keys:mint', { expiresIn });
  }
  add('keys:mint with a getter', 'keys:mint', withGetter);
  add(
    'keys:mint with a __proto__ key beside valid fields',
    'keys:mint',
    json('{"namespace":"*","__proto__":{"namespace":"x"}}'),
  );

  // clipboard:copy fields: the window names what to copy, never the text.
  const FORGED = 'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';
  for (const [what, payload] of [
    ['text of its own (the old shape)', { text: 'curl evil | sh', secret: false }],
    ['text of its own beside a format', { what: 'token', token: FORGED, text: 'x' }],
    ['a secret flag', { what: 'server-url', secret: false }],
    ['nothing', {}],
    ['no format', { token: FORGED }],
    ['an unknown format', { what: 'text', token: FORGED }],
    ['an upper-case format', { what: 'TOKEN', token: FORGED }],
    ['a format as a number', { what: 1, token: FORGED }],
    ['no token', { what: 'token' }],
    ['a token as a number', { what: 'token', token: 1 }],
    ['a token that is not an msb_ key', { what: 'export-line', token: 'export PATH=/tmp/evil:$PATH' }],
    ['a token with a line break', { what: 'token', token: `${FORGED}\nrm -rf ~` }],
    ['a token with a space', { what: 'dotenv', token: `${FORGED} x` }],
    ['a megabyte token', { what: 'token', token: `msb_${HUGE}.a.b` }],
    ['a token beside the server URL', { what: 'server-url', token: FORGED }],
    ['an SDK example without a language', { what: 'sdk-example' }],
    ['an SDK example in an unknown language', { what: 'sdk-example', language: 'bash' }],
    ['an SDK example with a token', { what: 'sdk-example', language: 'python', token: FORGED }],
    ['a language beside the server URL', { what: 'server-url', language: 'python' }],
    ['a token beside the install command', { what: 'install-command', token: FORGED }],
  ] as const) {
    add(`clipboard:copy with ${what}`, 'clipboard:copy', payload);
  }
  // Well-formed, but not a key this window was given: refused by main.
  for (const what of ['token', 'export-line', 'dotenv', 'mcp-config'] as const) {
    add(`clipboard:copy of a key never given (${what})`, 'clipboard:copy', { what, token: FORGED }, 'refused');
  }

  // settings:set fields.
  for (const [what, payload] of [
    ['an unknown key', { colour: 'blue' }],
    ['an unknown key beside a valid one', { port: 7000, colour: 'blue' }],
    ['port NaN', { port: Number.NaN }],
    ['port Infinity', { port: Number.POSITIVE_INFINITY }],
    ['port -1', { port: -1 }],
    ['port 0', { port: 0 }],
    ['port 1.5', { port: 1.5 }],
    ['port 70000', { port: 70_000 }],
    ['port as text', { port: '7000' }],
    ['host localhost', { host: 'localhost' }],
    ['host as a megabyte', { host: HUGE }],
    ['host null', { host: null }],
    ['devMode as text', { devMode: 'yes' }],
    ['clipboard delay -1', { clipboardClearSeconds: -1 }],
    ['clipboard delay NaN', { clipboardClearSeconds: Number.NaN }],
    ['clipboard delay Infinity', { clipboardClearSeconds: Number.POSITIVE_INFINITY }],
    ['readiness timeout negative', { readinessTimeoutMs: -5 }],
    ['default expiry 0h', { defaultExpiry: '0h' }],
    ['default expiry as a megabyte', { defaultExpiry: HUGE }],
    ['default namespace invalid', { defaultNamespace: 'a b' }],
    ['a relative msbserver path', { msbserverPath: 'bin/msbserver' }],
    ['log level unknown', { logLevel: 'verbose' }],
    ['a "constructor" key beside a valid one', json('{"port":7000,"constructor":{"prototype":{"x":1}}}')],
    ['a "__proto__" key beside a valid one', json('{"port":7000,"__proto__":{"port":1}}')],
  ] as const) {
    add(`settings:set with ${what}`, 'settings:set', payload);
  }

  // logs:tail fields.
  for (const [what, payload] of [
    ['0 lines', { lines: 0 }],
    ['-1 lines', { lines: -1 }],
    ['1001 lines', { lines: 1001 }],
    ['1.5 lines', { lines: 1.5 }],
    ['NaN lines', { lines: Number.NaN }],
    ['Infinity lines', { lines: Number.POSITIVE_INFINITY }],
    ['-Infinity lines', { lines: Number.NEGATIVE_INFINITY }],
    ['lines as text', { lines: '10' }],
    ['lines null', { lines: null }],
    ['lines as a bigint', { lines: 10n }],
    ['no lines', {}],
  ] as const) {
    add(`logs:tail with ${what}`, 'logs:tail', payload);
  }

  // shell:reveal fields.
  for (const [what, payload] of [
    ['an unknown target', { target: 'etc' }],
    ['a path as target', { target: '/etc/passwd' }],
    ['an upper-case target', { target: 'LOG' }],
    ['an empty target', { target: '' }],
    ['a null target', { target: null }],
    ['a numeric target', { target: 1 }],
    ['no target', {}],
  ] as const) {
    add(`shell:reveal with ${what}`, 'shell:reveal', payload);
  }

  // Sandboxes: names as upstream allows them, so that no request reaches outside the namespaces folder.
  const badNames: [string, unknown][] = [
    ['empty', ''],
    ['a parent folder', '..'],
    ['the current folder', '.'],
    ['a traversal', '../../etc'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows path', 'C:\\Windows'],
    ['with a slash', 'a/b'],
    ['with a backslash', 'a\\b'],
    ['hidden', '.menv'],
    ['starting with a dash', '-rf'],
    ['starting with an underscore', '_x'],
    ['a star', '*'],
    ['with a space', 'a b'],
    ['with a NUL', 'a\0b'],
    ['with a newline', 'a\nb'],
    ['with unicode', 'wéb'],
    ['64 characters', 'a'.repeat(64)],
    ['a megabyte', HUGE],
    ['a number', 5],
    ['null', null],
    ['a list', ['web']],
    ['an object', { name: 'web' }],
    ['true', true],
  ];
  for (const [what, bad] of badNames) {
    add(`sandboxes:stop with a namespace that is ${what}`, 'sandboxes:stop', { namespace: bad, name: 'web' });
    add(`sandboxes:stop with a name that is ${what}`, 'sandboxes:stop', { namespace: 'team', name: bad });
    add(`sandboxes:log-tail with a namespace that is ${what}`, 'sandboxes:log-tail', {
      namespace: bad,
      name: 'web',
      lines: 10,
    });
    add(`sandboxes:log-tail with a name that is ${what}`, 'sandboxes:log-tail', {
      namespace: 'team',
      name: bad,
      lines: 10,
    });
    add(`sandboxes:watch following a name that is ${what}`, 'sandboxes:watch', {
      visible: true,
      log: { namespace: 'team', name: bad },
    });
  }
  for (const [what, payload] of [
    ['nothing', {}],
    ['no name', { namespace: 'team' }],
    ['no namespace', { name: 'web' }],
    ['all false', { all: false }],
    ['all as text', { all: 'true' }],
    ['all as 1', { all: 1 }],
    ['all null', { all: null }],
    ['all beside a name', { all: true, namespace: 'team', name: 'web' }],
    ['all beside an extra field', { all: true, force: true }],
    ['a signal to send', { namespace: 'team', name: 'web', signal: 'SIGKILL' }],
    ['a pid', { namespace: 'team', name: 'web', pid: 1 }],
    ['a __proto__ key beside the ref', json('{"namespace":"team","name":"web","__proto__":{"all":true}}')],
    [
      'a getter',
      {
        namespace: 'team',
        get name(): string {
          getterRan = true;
          return 'web';
        },
      },
    ],
  ] as const) {
    add(`sandboxes:stop with ${what}`, 'sandboxes:stop', payload);
  }
  for (const [what, payload] of [
    ['no lines', { namespace: 'team', name: 'web' }],
    ['0 lines', { namespace: 'team', name: 'web', lines: 0 }],
    ['1001 lines', { namespace: 'team', name: 'web', lines: 1001 }],
    ['1.5 lines', { namespace: 'team', name: 'web', lines: 1.5 }],
    ['NaN lines', { namespace: 'team', name: 'web', lines: Number.NaN }],
    ['lines as text', { namespace: 'team', name: 'web', lines: '10' }],
    ['a path', { namespace: 'team', name: 'web', lines: 10, path: '/etc/passwd' }],
    ['no namespace', { name: 'web', lines: 10 }],
  ] as const) {
    add(`sandboxes:log-tail with ${what}`, 'sandboxes:log-tail', payload);
  }
  for (const [what, payload] of [
    ['nothing', {}],
    ['no log', { visible: true }],
    ['no visible', { log: null }],
    ['visible as text', { visible: 'yes', log: null }],
    ['visible as 1', { visible: 1, log: null }],
    ['visible null', { visible: null, log: null }],
    ['log as text', { visible: true, log: 'team/web' }],
    ['log as a list', { visible: true, log: ['team', 'web'] }],
    ['log without a name', { visible: true, log: { namespace: 'team' } }],
    ['log with an extra field', { visible: true, log: { namespace: 'team', name: 'web', path: '/etc/passwd' } }],
    ['log with a traversal namespace', { visible: true, log: { namespace: '..', name: 'web' } }],
    [
      'log as a class instance',
      {
        visible: true,
        log: new (class Ref {
          namespace = 'team';
          name = 'web';
        })(),
      },
    ],
    ['an extra field', { visible: true, log: null, interval: 1 }],
  ] as const) {
    add(`sandboxes:watch with ${what}`, 'sandboxes:watch', payload);
  }

  // MCP clients: only an id of the fixed list, never a path or a file the window names.
  for (const [what, payload] of [
    ['no payload', undefined],
    ['no client', {}],
    ['a path as the client', { client: '/home/user/.cursor/mcp.json' }],
    ['an unknown client', { client: 'zed' }],
    ['a client id with different case', { client: 'Cursor' }],
    ['a client as a number', { client: 1 }],
    ['a path beside the client', { client: 'cursor', path: '/tmp/x.json' }],
    ['an entry beside the client', { client: 'cursor', entry: { command: 'sh' } }],
    ['a prototype key as the client', { client: '__proto__' }],
  ] as const) {
    add(`connect:connect with ${what}`, 'connect:connect', payload);
    add(`connect:disconnect with ${what}`, 'connect:disconnect', payload);
  }
  for (const [what, payload] of [
    ['no action', { client: 'claude-code' }],
    ['an unknown action', { client: 'claude-code', action: 'run' }],
    ['an unknown client', { client: 'zed', action: 'connect' }],
    ['a command beside them', { client: 'claude-code', action: 'connect', command: 'rm -rf ~' }],
  ] as const) {
    add(`connect:copy-command with ${what}`, 'connect:copy-command', payload);
  }

  return cases;
}

const CORPUS = corpus();

async function stateOf(w: World): Promise<{ settings: Buffer; home: string[] }> {
  return { settings: await fsp.readFile(w.settingsFile), home: (await fsp.readdir(w.paths.home)).sort() };
}

function expectNothingDone(w: World): void {
  expect(w.control.calls).toEqual([]);
  expect(w.clipboard.calls).toEqual([]);
  expect(w.clipboard.text).toBe('what the user had');
  expect(w.timers.scheduled).toEqual([]);
  expect(w.shell.calls).toEqual([]);
  expect(w.fetchCalls).toEqual([]);
  // No native question either: a refused request never gets as far as asking the user.
  expect(w.dialogs.calls).toEqual([]);
  expect(w.sandboxes.calls).toEqual([]);
  expect(w.choice.asked).toEqual([]);
  expect(w.runtime.calls).toEqual([]);
  expect(w.runtimeFeed.watched).toEqual([]);
}

describe('bad input corpus', () => {
  it('has at least 200 cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(200);
  });

  it.each(CORPUS.map((c) => [c.name, c] as const))('%s', async (_name, bad) => {
    const before = await stateOf(world);
    const sender = 'sender' in bad ? (bad.sender as SenderInfo) : WINDOW;
    const answer = await world.table.handle(bad.channel, sender, bad.payload, ...(bad.extra ?? []));
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error.code).toBe(bad.code);
      expect(typeof answer.error.message).toBe('string');
      expect(answer.error.message.length).toBeGreaterThan(0);
      expect(answer.error.message.length).toBeLessThan(2_000);
    }
    // A plain, cloneable envelope: Electron sends it with the structured clone algorithm.
    expect(structuredClone(answer)).toEqual(answer);
    expect(await stateOf(world)).toEqual(before);
    expect(world.settings.get()).toMatchObject({ port: 6000, defaultExpiry: '7d' });
    expectNothingDone(world);
    expect(getterRan).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });
});

describe('generated bad input (fast-check)', () => {
  const objectChannels = [
    'keys:mint',
    'clipboard:copy',
    'settings:set',
    'logs:tail',
    'shell:reveal',
    'sandboxes:stop',
    'sandboxes:log-tail',
    'sandboxes:watch',
    'runtime:act',
    'runtime:log-tail',
    'runtime:watch',
  ] as const;
  const allowed: Record<(typeof objectChannels)[number], readonly string[]> = {
    'keys:mint': ['namespace', 'expiresIn'],
    'clipboard:copy': ['what', 'token', 'language', 'method', 'name'],
    'settings:set': Object.keys(DEFAULT_SETTINGS),
    'logs:tail': ['lines'],
    'shell:reveal': ['target'],
    'sandboxes:stop': ['namespace', 'name', 'all'],
    'sandboxes:log-tail': ['namespace', 'name', 'lines'],
    'sandboxes:watch': ['visible', 'log'],
    'runtime:act': ['name', 'action', 'force'],
    'runtime:log-tail': ['name', 'lines'],
    'runtime:watch': ['visible', 'log'],
  };

  // The sender is passed explicitly: a default parameter would turn a generated `undefined` sender into the window.
  async function expectRefused(
    channel: unknown,
    payload: unknown,
    codes: readonly ErrorCode[],
    sender: unknown,
  ): Promise<void> {
    const before = await stateOf(world);
    const answer = await world.table.handle(channel, sender as SenderInfo, payload);
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(codes).toContain(answer.error.code);
    expect(await stateOf(world)).toEqual(before);
    expectNothingDone(world);
  }

  it('unknown channel names', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }).filter((s) => !(INVOKE_CHANNELS as readonly string[]).includes(s)),
        fc.anything(),
        (channel, payload) => expectRefused(channel, payload, ['unknown-channel'], WINDOW),
      ),
      { numRuns: 150 },
    );
  });

  it('anything but undefined on the void channels', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VOID_CHANNELS),
        fc.anything().filter((value) => value !== undefined),
        (channel, payload) => expectRefused(channel, payload, ['invalid-input'], WINDOW),
      ),
      { numRuns: 150 },
    );
  });

  it('non-objects on the object channels', async () => {
    const nonObject = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.array(fc.anything(), { maxLength: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...objectChannels), nonObject, (channel, payload) =>
        expectRefused(channel, payload, ['invalid-input'], WINDOW),
      ),
      { numRuns: 150 },
    );
  });

  it('objects with at least one field the channel does not take', async () => {
    const arb = fc.constantFrom(...objectChannels).chain((channel) => {
      const known = allowed[channel];
      return fc
        .tuple(
          fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !known.includes(key)),
          fc.anything(),
          fc.dictionary(fc.constantFrom(...known), fc.anything(), { maxKeys: 2 }),
        )
        .map(([key, value, rest]) => [channel, { ...rest, [key]: value }] as const);
    });
    await fc.assert(
      fc.asyncProperty(arb, ([channel, payload]) => expectRefused(channel, payload, ['invalid-input'], WINDOW)),
      { numRuns: 150 },
    );
  });

  it('keys:mint with namespaces and expiries of the wrong kind', async () => {
    const badNamespace = fc.oneof(
      fc.string({ maxLength: 80 }).filter((s) => s !== '*' && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(s)),
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
    );
    await fc.assert(
      fc.asyncProperty(badNamespace, (namespace) =>
        expectRefused('keys:mint', { namespace }, ['invalid-input'], WINDOW),
      ),
      { numRuns: 150 },
    );
  });

  it('sandbox requests with names upstream would refuse', async () => {
    const badName = fc.oneof(
      fc.string({ maxLength: 80 }).filter((s) => !/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(s)),
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
    );
    const request = fc
      .tuple(badName, fc.boolean(), fc.constantFrom('sandboxes:stop', 'sandboxes:log-tail', 'sandboxes:watch'))
      .map(([bad, inName, channel]) => {
        const ref = inName ? { namespace: 'team', name: bad } : { namespace: bad, name: 'web' };
        if (channel === 'sandboxes:log-tail') return [channel, { ...ref, lines: 10 }] as const;
        if (channel === 'sandboxes:watch') return [channel, { visible: true, log: ref }] as const;
        return [channel, ref] as const;
      });
    await fc.assert(
      fc.asyncProperty(request, ([channel, payload]) => expectRefused(channel, payload, ['invalid-input'], WINDOW)),
      { numRuns: 150 },
    );
  });

  it('any request from an untrusted sender', async () => {
    const sender = fc.oneof(
      fc.record({ id: fc.integer().filter((id) => id !== 1), url: fc.constant(APP_URL), isMainFrame: fc.boolean() }),
      fc.record({ id: fc.constant(1), url: fc.webUrl(), isMainFrame: fc.boolean() }),
      fc.record({
        id: fc.constant(1),
        url: fc.constant(APP_URL),
        isMainFrame: fc.constantFrom(false, 0, 1, 'true', null, undefined),
      }),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...INVOKE_CHANNELS), sender, (channel, from) =>
        expectRefused(channel, VALID_PAYLOADS[channel], ['forbidden-sender'], from),
      ),
      { numRuns: 150 },
    );
  });
});

describe('never throws', () => {
  it('even when the sender check itself throws', async () => {
    const w = await makeWorld();
    const table = createHandlerTable({
      control: w.control,
      scrubber: new SecretScrubber(w.paths.keyFile, silentLogger),
      settings: w.settings,
      paths: w.paths,
      clipboard: new ClipboardGuard(w.clipboard, () => 0),
      shell: w.shell,
      appInfo: APP_INFO,
      sandboxes: w.sandboxes,
      choice: w.choice,
      setup: { refresh: () => Promise.resolve(SETUP_READY) },
      mint: createMintService({
        keyFile: w.paths.keyFile,
        snapshot: () => w.control.snapshot(),
        settings: () => w.settings.get(),
        clock: { now: () => FIXED_NOW.getTime() },
      }),
      isTrustedSender: () => {
        throw new Error('boom');
      },
      confirm: w.dialogs,
      fileChooser: w.dialogs,
    });
    expect(errorOf(await table.handle('app:info', WINDOW, undefined)).code).toBe('forbidden-sender');
    await fsp.rm(w.tmp, { recursive: true, force: true });
  });

  it('even when reading the sender throws', async () => {
    const sender = {
      id: 1,
      isMainFrame: true,
      get url(): string {
        throw new Error('disposed');
      },
    };
    expect(errorOf(await world.table.handle('app:info', sender, undefined)).code).toBe('forbidden-sender');
  });

  it('even when a dependency throws a non-Error', async () => {
    world.control.snapshot = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw 'a string';
    };
    const error = errorOf(await world.table.handle('server:status', WINDOW, undefined));
    expect(error).toEqual({ code: 'server-error', message: 'a string' });
  });
});

// The untrusted window and the native questions of Stop. The handler table promises
// "one question at a time: while one is open, a request that would need another is refused";
// server:stop's questions (a server the app did not start, sandboxes running) must follow it too,
// or a hostile window stacks native dialogs without end (and a user who presses Enter on one of
// them answers a question they did not ask).
//
// Real parts: the controller adopting a server started the way `msb server start` does, the
// sandboxes service on the home's namespaces folder, a settings store on disk. Only the native
// dialogs are recorded (they cannot run under Node).
describe('native questions for the window’s server requests', () => {
  const WINDOW: SenderInfo = { id: 1, url: 'app://microsandbox-tray/index.html', isMainFrame: true };

  /** Native dialogs that stay open until the test answers them. */
  class OpenDialogs implements ChoicePort, ConfirmPort, FileChooserPort {
    readonly open: { title: string; answer: (index: number) => void }[] = [];
    choose(question: Parameters<ChoicePort['choose']>[0]): Promise<number> {
      return new Promise((resolve) => this.open.push({ title: question.title, answer: resolve }));
    }
    confirm(question: Parameters<ConfirmPort['confirm']>[0]): Promise<boolean> {
      return new Promise((resolve) => this.open.push({ title: question.title, answer: (i) => resolve(i === 1) }));
    }
    chooseFile(): Promise<string | null> {
      return Promise.resolve(null);
    }
  }

  class MemoryClipboard implements ClipboardPort {
    text = '';
    readText(): Promise<string> {
      return Promise.resolve(this.text);
    }
    writeText(text: string): Promise<void> {
      this.text = text;
      return Promise.resolve();
    }
  }

  let h: Harness;
  const disposers: (() => unknown)[] = [];

  beforeEach(async () => {
    h = await createHarness();
  });

  afterEach(async () => {
    for (const dispose of disposers.splice(0).reverse()) await dispose();
    // The CLI's server is left running on purpose (nobody answered yes); cleanup ends it.
    await h.cleanup();
  });

  async function world() {
    await h.cliStart();
    const control = h.controller();
    await control.ready;
    expect(control.snapshot()).toMatchObject({ state: 'running', external: true });
    const confDir = path.join(h.root, 'conf');
    await fsp.mkdir(confDir, { recursive: true });
    const settings = new SettingsStore(
      new Conf<Record<string, unknown>>({ cwd: confDir, configName: 'settings', projectName: 'x' }),
    );
    const sandboxes = createSandboxesService({
      defaultNamespacesDir: h.paths.namespacesDir,
      settings,
      server: () => control.snapshot(),
      keyFile: h.paths.keyFile,
      scrubber: new SecretScrubber(h.paths.keyFile, silentLogger),
    });
    disposers.push(() => sandboxes.dispose());
    const setup = new SetupWatch({
      options: () => ({ env: h.env, settingsPath: null, platform: process.platform, userHome: h.root }),
      recheckMs: 0,
    });
    disposers.push(() => setup.dispose());
    const clipboard = new ClipboardGuard(new MemoryClipboard(), () => 30);
    disposers.push(() => clipboard.dispose());
    const dialogs = new OpenDialogs();
    const table = createHandlerTable({
      control,
      scrubber: new SecretScrubber(h.paths.keyFile, silentLogger),
      settings,
      paths: h.paths,
      clipboard,
      shell: { showItemInFolder: () => undefined, openPath: () => Promise.resolve('') },
      appInfo: {
        name: 'Microsandbox Tray',
        version: '0',
        platform: 'linux',
        home: h.home,
        platformName: 'Linux',
      },
      mint: createMintService({
        keyFile: h.paths.keyFile,
        snapshot: () => control.snapshot(),
        settings: () => settings.get(),
        clock: { now: () => Date.now() },
      }),
      isTrustedSender: (sender) => sender.id === WINDOW.id && sender.url === WINDOW.url,
      confirm: dialogs,
      fileChooser: dialogs,
      sandboxes,
      choice: dialogs,
      setup,
      logger: silentLogger,
    });
    return { control, table, dialogs };
  }

  /** Waits for a condition (polled), so a loaded machine takes longer instead of failing. */
  const until = (condition: () => boolean): Promise<void> =>
    vi.waitFor(
      () => {
        if (!condition()) throw new Error('not yet');
      },
      { timeout: 10_000, interval: 5 },
    );
  /** Whether a promise has settled, read synchronously. */
  const tracked = <T>(promise: Promise<T>): { promise: Promise<T>; done: () => boolean } => {
    let done = false;
    void promise.finally(() => (done = true));
    return { promise, done: () => done };
  };

  describe('server:stop asks one question at a time', () => {
    it('a window that sends server:stop again and again opens one native question, not one per request', async () => {
      const { control, table, dialogs } = await world();
      const answers: Promise<Envelope<unknown>>[] = [];
      for (let i = 0; i < 5; i++) answers.push(table.handle('server:stop', WINDOW, undefined));
      // Four requests are answered at once, without asking: after them no further question can open.
      const calls = answers.map(tracked);
      await until(() => dialogs.open.length >= 1 && calls.filter((c) => c.done()).length >= 4);
      const opened = dialogs.open.length;
      // Answer every question that was opened with Cancel, so the test ends cleanly either way.
      for (const question of dialogs.open) question.answer(1);
      const envelopes = await Promise.all(answers);
      expect(opened, `native questions open at once: ${dialogs.open.map((q) => q.title).join(', ')}`).toBe(1);
      expect(envelopes.filter((e) => !e.ok).map((e) => (e.ok ? '' : e.error.code))).toEqual([
        'refused',
        'refused',
        'refused',
        'refused',
      ]);
      expect(control.snapshot()).toMatchObject({ state: 'running', external: true });
    });

    it('while a settings question is open, server:stop does not stack its own on it', async () => {
      const { table, dialogs } = await world();
      // A key for two years asks first (the long-key question).
      const mint = table.handle('keys:mint', WINDOW, { expiresIn: '2y' });
      await until(() => dialogs.open.length >= 1);
      expect(dialogs.open.map((q) => q.title)).toHaveLength(1);
      const stopCall = tracked(table.handle('server:stop', WINDOW, undefined));
      const stop = stopCall.promise;
      // Either Stop is refused at once, or it stacks a second question: wait for whichever comes.
      await until(() => stopCall.done() || dialogs.open.length > 1);
      const opened = dialogs.open.length;
      for (const question of dialogs.open) question.answer(question.title === 'Stop the server?' ? 1 : 0);
      await Promise.all([mint, stop]);
      expect(opened, `native questions open at once: ${dialogs.open.map((q) => q.title).join(', ')}`).toBe(1);
      expect(await stop).toMatchObject({ ok: false, error: { code: 'refused' } });
    });
  });

  describe('a server the app did not start', () => {
    it('server:restart asks before it ends the server the CLI started, as Stop does', async () => {
      const { control, table, dialogs } = await world();
      const before = control.snapshot().pid;
      const restartCall = tracked(table.handle('server:restart', WINDOW, undefined));
      const restart = restartCall.promise;
      await until(() => dialogs.open.length >= 1 || restartCall.done());
      const asked = dialogs.open.map((q) => q.title);
      // Cancel whatever was asked.
      for (const question of dialogs.open) question.answer(1);
      const answer = await restart;
      const after = control.snapshot();
      await control.stop();
      expect(
        asked,
        `restart answered ${JSON.stringify(answer).slice(0, 200)}; server ${before} → ${after.pid} ` +
          `(${after.state}, external ${after.external})`,
      ).toEqual(['Restart the server?']);
      expect(after.pid).toBe(before);
    });
  });

  describe('a key reset on a server the app did not start', () => {
    it('asks first; Cancel leaves server.key and the CLI server as they were', async () => {
      const { control, table, dialogs } = await world();
      const before = control.snapshot().pid;
      const key = await fsp.readFile(h.paths.keyFile, 'utf8');
      const resetCall = tracked(table.handle('server:reset-key', WINDOW, undefined));
      const reset = resetCall.promise;
      await until(() => dialogs.open.length >= 1 || resetCall.done());
      expect(dialogs.open.map((q) => q.title)).toEqual(['Reset the server key?']);
      for (const question of dialogs.open) question.answer(1);
      expect(await reset).toMatchObject({ ok: false, error: { code: 'declined' } });
      expect(await fsp.readFile(h.paths.keyFile, 'utf8')).toBe(key);
      expect(control.snapshot()).toMatchObject({ pid: before, external: true });
      await control.stop();
    });
  });
});
