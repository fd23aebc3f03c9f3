// The browser end-to-end harness: the built renderer served by `vite preview` on 127.0.0.1, real
// Chromium through playwright-core, and a `window.msb` whose every call goes to the very handler
// table main registers (real controller on a temporary home with the msbserver stand-in, real
// settings on conf, a clipboard guard over the page's own clipboard).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Conf from 'conf';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build, preview } from 'vite';
import type { PreviewServer } from 'vite';
import { CHANNELS, EVENT_METHODS, isInvokeChannel } from '../../shared/contract.ts';
import type { AppInfo, Envelope, InvokeChannel } from '../../shared/contract.ts';
import { DEFAULT_SETTINGS } from '../../shared/settings-schema.ts';
import type { Settings } from '../../shared/settings-schema.ts';
import { LogFollower } from '../../electron/core/base/log-follower.ts';
import { systemClock } from '../../electron/core/base/clock.ts';
import { createMintService } from '../../electron/core/keys/mint-service.ts';
import { ClipboardGuard } from '../../electron/core/desktop/clipboard-guard.ts';
import { createController } from '../../electron/core/server/controller.ts';
import type { Controller, ControllerTiming } from '../../electron/core/server/controller.ts';
import { createHandlerTable } from '../../electron/core/ipc/handlers.ts';
import type { HandlerTable } from '../../electron/core/ipc/handlers.ts';
import { homePaths } from '../../electron/core/home-paths.ts';
import type { HomePaths } from '../../electron/core/home-paths.ts';
import type {
  ChoicePort,
  ConfirmPort,
  FileChooserPort,
  Question,
  SenderInfo,
  ShellPort,
} from '../../electron/core/desktop/desktop-ports.ts';
import { SecretScrubber } from '../../electron/core/keys/key-scrubber.ts';
import { createSandboxesService } from '../../electron/core/sandboxes/service.ts';
import type { SandboxesService } from '../../electron/core/sandboxes/service.ts';
import { feedSetup } from '../../electron/core/desktop/setup-feed.ts';
import { SetupWatch } from '../../electron/core/server/setup-watch.ts';
import { platformName } from '../../shared/setup.ts';
import { openSettings } from '../../electron/core/settings.ts';
import type { SettingsStore } from '../../electron/core/settings.ts';
import { findMicrosandbox } from '../../electron/core/runtime/find.ts';
import { createRuntimeService } from '../../electron/core/runtime/runtime-service.ts';
import { createRuntimeFeed, feedRuntime } from '../../electron/core/desktop/runtime-feed.ts';
import type { RuntimeFeed } from '../../electron/core/desktop/runtime-feed.ts';
import {
  freePort,
  killMsbrunUnder,
  msbrunProcessesUnder,
  STANDIN_PATH,
  standinsWithHome,
} from '../fixtures/standin-helpers.ts';
import { OrderedPipe } from '../support/ordered-pipe.ts';
import { withoutMicrosandboxVariables } from '../support/tester-environment.ts';
import { waitFor } from '../support/wait-for.ts';

export const VIEWPORT = { width: 420, height: 640 } as const;
const RENDERER_ROOT = fileURLToPath(new URL('../../renderer/', import.meta.url));
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../screenshots/', import.meta.url));

export interface Site {
  readonly url: string;
  readonly outDir: string;
  close(): Promise<void>;
}

/** Builds the renderer standalone (as electron-vite would, relative base) and serves it. */
export async function serveRenderer(): Promise<Site> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'msb-renderer-'));
  const common = { root: RENDERER_ROOT, base: './', configFile: false, logLevel: 'warn', envDir: false } as const;
  await build({ ...common, build: { outDir, emptyOutDir: true } });
  const port = await freePort();
  const server: PreviewServer = await preview({
    ...common,
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true },
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    outDir,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export { launchChromium, requireChromium } from '../support/chromium.ts';

/**
 * What preload does, as an init script: every API method invokes its channel and resolves with
 * the envelope (the renderer's unwrapBridge turns errors into thrown MsbErrors), every event method
 * subscribes a listener and returns its unsubscribe function. Kept as plain JavaScript text so
 * nothing of the test's module system leaks into the page. An invoke's envelope comes back through
 * `__msbAnswer`, down the same queue as the events (`OrderedPipe`), not as the binding's result.
 */
const BRIDGE = `(({ api, events }) => {
  const listeners = new Map();
  const waiting = new Map();
  // Ids of this document only: a reply to the document before a reload answers nothing here.
  const documentKey = Math.random().toString(36).slice(2);
  let lastInvoke = 0;
  const msb = {};
  for (const [channel, { method }] of Object.entries(api)) {
    // As preload does: the envelope itself (the renderer unwraps it on its side of the bridge).
    msb[method] = (payload) =>
      new Promise((resolve, reject) => {
        const id = documentKey + ':' + String(++lastInvoke);
        waiting.set(id, resolve);
        window.__msbInvoke(id, channel, payload).catch((error) => {
          waiting.delete(id);
          reject(error);
        });
      });
  }
  Object.defineProperty(window, '__msbAnswer', {
    value: (id, envelope) => {
      const resolve = waiting.get(id);
      waiting.delete(id);
      resolve?.(envelope);
    },
  });
  for (const [method, channel] of Object.entries(events)) {
    msb[method] = (listener) => {
      if (typeof listener !== 'function') throw new TypeError('A listener function is required.');
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => { set.delete(listener); };
    };
  }
  Object.defineProperty(window, '__msbEmit', {
    value: (channel, payload) => { for (const listener of listeners.get(channel) ?? []) listener(payload); },
  });
  Object.defineProperty(window, 'msb', { value: Object.freeze(msb), enumerable: true });
})(${JSON.stringify({ api: CHANNELS, events: EVENT_METHODS })});`;

export interface RigOptions {
  /** Extra environment for the controller (and so for the stand-in it spawns). */
  readonly env?: Record<string, string>;
  readonly settings?: Partial<Settings>;
  /**
   * `missing`: a first run. No MSBSERVER_EXE, no msb on PATH, nothing in ~/.local/bin of the
   * rig's HOME: only an msbserver chosen in main's file dialog (`chosenFiles`) can be run.
   */
  readonly msbserver?: 'standin' | 'missing';
  /** Controller timing (restart backoff, heartbeat) for the flows that wait on it. */
  readonly timing?: Partial<ControllerTiming>;
  /** The platform main says it runs on (app:info, app:setup): `win32` shows the unsupported state. */
  readonly platform?: NodeJS.Platform;
  readonly viewport?: { readonly width: number; readonly height: number };
  /**
   * The runtime generation as main runs it (runtime-feed over the core's own find and service):
   * `msbPath` is the msb to use (the Settings path; null looks where installs put it, which in the
   * rig's world finds none), `home` its MSB_HOME (the test seeds it). Without this option the
   * window has no runtime, as before.
   */
  readonly runtime?: { readonly msbPath: string | null; readonly home: string };
}

export interface Rig {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly controller: Controller;
  readonly settings: SettingsStore;
  readonly table: HandlerTable;
  readonly paths: HomePaths;
  readonly port: number;
  readonly dir: string;
  readonly calls: InvokeChannel[];
  readonly revealed: string[];
  /** Every native question main asked (what the user would read), in order. */
  readonly questions: Question[];
  /** The user's answers to the next questions, in order; none left means no (Cancel). */
  readonly confirmAnswers: boolean[];
  /** The files the user picks in the next native file choosers; none left means Cancel. */
  readonly chosenFiles: (string | null)[];
  readonly sandboxes: SandboxesService;
  /** The runtime feed, when `runtime` was asked for. */
  readonly runtime: RuntimeFeed | null;
  /**
   * The native questions main asked (title, message), and the answers (button labels) to give, in order;
   * Cancel when none is left.
   */
  readonly asked: string[];
  readonly answers: string[];
  /** Uncaught page errors, console errors and CSP violations, for the test to assert none. */
  readonly problems: string[];
  /** Opens (or reopens) the window's page. */
  open(): Promise<void>;
  /**
   * Starts the stand-in as `msb server start` does (detached, its PID in server.pid): a server the app did
   * not start.
   */
  cliStart(): Promise<number>;
  /** Sends an event to the window as main does. */
  emit(channel: string, payload: unknown): void;
  /** The page's clipboard, read by the page itself. */
  readClipboard(): Promise<string>;
  dispose(): Promise<void>;
}

/**
 * One window with its own main process: a fresh MICROSANDBOX_HOME, log folder and settings
 * file, the stand-in as msbserver, and settings on a free port.
 */
export async function createRig(browser: Browser, site: Site, options: RigOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-window-e2e-'));
  const home = path.join(dir, 'home');
  const logDir = path.join(dir, 'logs');
  const confDir = path.join(dir, 'config');
  const port = await freePort();

  const opened = openSettings(
    () => new Conf<Settings>({ cwd: confDir, configName: 'settings', defaults: { ...DEFAULT_SETTINGS } }),
    path.join(confDir, 'settings.json'),
  );
  const settings = opened.store;
  const initial = settings.update({ port, ...options.settings });
  if (!initial.ok) throw new Error(`bad test settings: ${JSON.stringify(initial.errors)}`);

  // As if the app were launched with MICROSANDBOX_HOME set: msbserver reads it for its namespaces.
  // None of the tester's own microsandbox variables (MSB_HOME: their real msb home) get through.
  const env: NodeJS.ProcessEnv = {
    ...withoutMicrosandboxVariables(process.env),
    MICROSANDBOX_HOME: home,
    MSBSERVER_EXE: STANDIN_PATH,
    ...options.env,
  };
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
  if (options.msbserver === 'missing') {
    delete env['MSBSERVER_EXE'];
    // No msb on PATH either: the system folders only, where no microsandbox is installed.
    env['PATH'] = '/usr/bin:/bin';
  }
  // One scrubber for controller, sandboxes and handlers, as main has.
  const scrubber = new SecretScrubber(homePaths(home).keyFile, { debug() {}, info() {}, warn() {}, error() {} });
  const controller = createController({
    home,
    logDir,
    settings: () => settings.get(),
    env,
    userHome: dir,
    timing: { stopGraceMs: 2_000, ...options.timing },
    scrubber,
  });
  await controller.ready;

  const context = await browser.newContext({
    viewport: options.viewport ?? VIEWPORT,
    permissions: ['clipboard-read', 'clipboard-write'],
    baseURL: site.url,
  });
  const page = await context.newPage();
  const clipboard = new ClipboardGuard(
    {
      readText: () => page.evaluate(() => navigator.clipboard.readText()),
      writeText: (text) => page.evaluate((t) => navigator.clipboard.writeText(t), text),
    },
    () => settings.get().clipboardClearSeconds,
  );
  const revealed: string[] = [];
  const shell: ShellPort = {
    showItemInFolder: (file) => {
      revealed.push(file);
    },
    openPath: (file) => {
      revealed.push(file);
      return Promise.resolve('');
    },
  };
  const platform = options.platform ?? process.platform;
  const appInfo: AppInfo = {
    name: 'Microsandbox Tray',
    version: '0.0.0-e2e',
    platform,
    home,
    platformName: platformName(platform),
  };
  const questions: Question[] = [];
  const confirmAnswers: boolean[] = [];
  const chosenFiles: (string | null)[] = [];
  // Main's native dialogs, answered as the test says (the user), never by the page.
  const confirm: ConfirmPort = {
    confirm: (question) => {
      questions.push(question);
      return Promise.resolve(confirmAnswers.shift() ?? false);
    },
  };
  const fileChooser: FileChooserPort = {
    chooseFile: (options) => {
      questions.push({ title: options.title, message: 'file chooser' });
      return Promise.resolve(chosenFiles.shift() ?? null);
    },
  };
  const SENDER_ID = 1;
  const paths = homePaths(home);
  const sandboxes = createSandboxesService({
    defaultNamespacesDir: paths.namespacesDir,
    settings,
    server: () => controller.snapshot(),
    keyFile: paths.keyFile,
    scrubber,
  });
  const asked: string[] = [];
  const answers: string[] = [];
  const choice: ChoicePort = {
    choose(question) {
      asked.push(`${question.title} ${question.message}`);
      return Promise.resolve(question.buttons.indexOf(answers.shift() ?? 'Cancel'));
    },
  };
  const runtimeOption = options.runtime;
  if (runtimeOption !== undefined && runtimeOption.msbPath !== null) {
    // As chosen in Settings (main's file chooser): the devDependency's real msb.
    const chosen = settings.update({ msbPath: runtimeOption.msbPath });
    if (!chosen.ok) throw new Error(`bad msb path: ${JSON.stringify(chosen.errors)}`);
  }
  const runtime =
    runtimeOption === undefined
      ? null
      : createRuntimeFeed({
          settings,
          find: (settingsPath) =>
            findMicrosandbox({
              env,
              userHome: dir,
              platform: process.platform,
              settingsPath: settingsPath ?? null,
              msbHome: runtimeOption.home,
            }),
          createService: (msbPath, home) => createRuntimeService({ msbPath, home, env: { ...env, MSB_HOME: home } }),
          home: runtimeOption.home,
        });
  // Whether msbserver is there, looked for as main does, in the world the controller sees.
  const setup = new SetupWatch({
    options: () => ({ env, settingsPath: settings.get().msbserverPath, platform, userHome: dir }),
  });
  const table = createHandlerTable({
    control: controller,
    scrubber,
    settings,
    paths,
    clipboard,
    shell,
    appInfo,
    mint: createMintService({
      keyFile: paths.keyFile,
      snapshot: () => controller.snapshot(),
      settings: () => settings.get(),
      clock: systemClock,
    }),
    isTrustedSender: (sender: SenderInfo) => sender.id === SENDER_ID && sender.url.startsWith(site.url),
    confirm,
    fileChooser,
    sandboxes,
    choice,
    setup,
    ...(runtime === null ? {} : { runtime }),
  });

  // Main's events and invoke replies, each a page.evaluate, in main's order.
  const pipe = new OrderedPipe();
  const calls: InvokeChannel[] = [];
  await page.exposeBinding('__msbInvoke', async (source, id: unknown, channel: unknown, payload: unknown) => {
    if (isInvokeChannel(channel)) calls.push(channel);
    const envelope: Envelope<unknown> = await table.handle(
      channel,
      { id: SENDER_ID, url: source.frame.url(), isMainFrame: source.frame === source.page.mainFrame() },
      payload,
    );
    pipe.post(() =>
      source.frame.evaluate(
        ([i, e]) => (window as unknown as { __msbAnswer?: (i: unknown, e: unknown) => void }).__msbAnswer?.(i, e),
        [id, envelope] as const,
      ),
    );
  });
  await page.addInitScript({ content: BRIDGE });
  // Main hears the window's real input events (AppWindow's onUserGesture); here the page's trusted
  // pointer and key events, which page script cannot make, stand in for them.
  await page.exposeFunction('__msbUserGesture', () => table.noteUserGesture());
  await page.addInitScript({
    content:
      `for (const type of ['pointerdown', 'keydown']) addEventListener(type, (e) => { if ` +
      `(e.isTrusted) window.__msbUserGesture(); }, true);`,
  });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Chromium notes that frame-ancestors is ignored in a meta tag; main sends it as a header too.
    if (message.type() === 'error' && !message.text().includes("'frame-ancestors'"))
      problems.push(`console: ${message.text()}`);
  });
  await page.exposeFunction('__cspViolation', (text: string) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript({
    content:
      `document.addEventListener('securitypolicyviolation', (e) => ` +
      `window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI));`,
  });

  const emit = (channel: string, payload: unknown): void => {
    if (page.isClosed()) return;
    pipe.post(() =>
      page.evaluate(
        ([c, p]) => (window as unknown as { __msbEmit?: (c: unknown, p: unknown) => void }).__msbEmit?.(c, p),
        [channel, payload] as const,
      ),
    );
  };
  const unsubscribeStatus = controller.onChange((snapshot) => emit('event:status', snapshot));
  const unsubscribeSettings = settings.onChange(() => emit('event:settings', table.settingsView()));
  const follower = new LogFollower(controller.logFile, (lines) => emit('event:log', { lines }));
  follower.start();
  const unsubscribeSandboxes = sandboxes.onChange((view) => emit('event:sandboxes', view));
  const unsubscribeSandboxLog = sandboxes.onLogLines((event) => emit('event:sandbox-log', event));
  const runtimeFeed = runtime === null ? null : feedRuntime({ runtime, send: emit, renderTray: () => undefined });
  if (runtime !== null) await runtime.rescan();
  const setupFeed = feedSetup({ setup, control: controller, settings, send: emit, renderTray: () => undefined });

  const outside: ChildProcess[] = [];

  return {
    page,
    context,
    controller,
    settings,
    table,
    paths,
    port,
    dir,
    calls,
    revealed,
    questions,
    confirmAnswers,
    chosenFiles,
    sandboxes,
    runtime,
    asked,
    answers,
    problems,
    async open() {
      // A page (re)loaded is a new window: main forgets the old one's interest.
      sandboxes.windowClosed();
      runtime?.watchFromWindow(null);
      await page.goto(site.url);
      await page.getByRole('tab', { name: 'Status' }).waitFor();
    },
    async cliStart() {
      mkdirSync(paths.namespacesDir, { recursive: true });
      const key = 'CliKey0123456789CliKey0123456789';
      writeFileSync(paths.keyFile, key, { mode: 0o600 });
      const child = spawn(STANDIN_PATH, ['--key', key, '--port', String(settings.get().port)], {
        detached: true,
        stdio: 'ignore',
        cwd: home,
        env,
      });
      outside.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      if (child.pid === undefined) throw new Error('the CLI-style stand-in has no PID');
      // As msb writes it: no newline.
      writeFileSync(paths.pidFile, String(child.pid));
      return child.pid;
    },
    emit,
    readClipboard: () => page.evaluate(() => navigator.clipboard.readText()),
    async dispose() {
      for (const child of outside) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      unsubscribeStatus();
      unsubscribeSettings();
      follower.dispose();
      unsubscribeSandboxes();
      unsubscribeSandboxLog();
      await setupFeed.dispose();
      await runtimeFeed?.dispose();
      runtime?.dispose();
      setup.dispose();
      sandboxes.dispose();
      await clipboard.dispose().catch(() => undefined);
      await controller.dispose({ stopServer: true });
      await context.close();
      // Sandboxes a test stopped end a moment later; what is still there then was left behind.
      await waitFor(async () => (await msbrunProcessesUnder(dir)).length === 0, {
        timeout: 5_000,
        what: 'the stopped sandboxes to end',
      }).catch(() => undefined); // what is still there is killed and reported just below
      const leftSandboxes = await killMsbrunUnder(dir);
      // By home, not by port: a port this rig took and never bound may be another worker's
      // server's now, and killing that one failed a test that was running beside this one.
      const left = standinsWithHome(home);
      rmSync(dir, { recursive: true, force: true });
      if (left.length > 0) {
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        throw new Error(`stand-in processes were left running: ${left.join(', ')}`);
      }
      if (leftSandboxes.length > 0)
        throw new Error(`msbrun processes were left running: ${leftSandboxes.map((p) => p.pid).join(', ')}`);
    },
  };
}
