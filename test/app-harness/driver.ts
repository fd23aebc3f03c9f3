/**
 * The whole app, end to end, without the Electron binary.
 *
 * The BUILT main bundle runs under plain Node (`node --import test/app-harness/register.js
 * out/…/main/main.js`) with an `electron` stand-in (./electron.js: the recording electron, whose
 * windows get real pages). The test process owns one Chromium (playwright-core, the browser
 * test/support/chromium.ts finds) and, per launched app, one browser context; every
 * BrowserWindow main creates is a page in it:
 *
 * - **Loading.** `win.loadURL(url)` opens `url` in the page: `file://` (and http, data, …) as it
 *   is, Chromium started with `--allow-file-access-from-files` so a file:// page's module scripts
 *   load as Electron's file protocol lets them; a custom scheme main serves with `protocol.handle`
 *   as `http://<host>.<scheme>.scheme.localhost/…` (scheme-url.ts), every request to which is
 *   routed (`context.route`) to main's handler with the original URL and a real `Request`.
 *   loadURL resolves, `did-finish-load` and `ready-to-show` fire, once the page has loaded.
 * - **Preload.** The window's `webPreferences.preload` (the built `preload.cjs`) runs in the page
 *   as an init script with a shim `require('electron')` (preload-shim.ts), so the renderer uses
 *   `window.msb` exactly as in Electron.
 * - **IPC.** `ipcRenderer.invoke(channel, ...args)` reaches main's `ipcMain.handle` handler with an
 *   event whose `sender` is the window's WebContents (`id`, `mainFrame`) and whose `senderFrame` is
 *   the WebFrameMain of the frame that called (its URL mapped back to main's scheme), so
 *   `senderFrame === sender.mainFrame` holds for the main frame only. `webContents.send(channel,
 *   payload)` reaches the listeners the page registered with `ipcRenderer.on`. Sends and invoke
 *   replies reach a web contents in the order main made them, as down Electron's one pipe.
 * - **The rest** is the recording electron's: every call is recorded (`harness.app.records()`);
 *   the tray's image, tooltip and menu; clicking a menu item by id or label (submenus too, never a
 *   disabled one); notifications; an in-memory clipboard; dialogs that wait for the test's answer
 *   (queued ahead, or given while one is open; a sync one blocks main, as in Electron, until the
 *   test answers it).
 *
 * Each launch gets its own temporary folder: MICROSANDBOX_HOME, userData (with the test's
 * settings), logs, XDG_CONFIG_HOME, and HOME (so `~/.local/bin` is empty), and the msbserver
 * stand-in as MSBSERVER_EXE, or no msbserver anywhere (`msbserver: 'missing'`, PATH without msb).
 *
 * Not emulated: navigation events (`will-navigate`, redirects) coming from the page, session
 * `webRequest` hooks on page responses, window geometry beyond the viewport size, and context
 * isolation itself (see preload-shim.ts). The smoke test (test/electron) covers the guards, the
 * real `_electron` suite (test/e2e) the binary.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Frame, Page, Route } from 'playwright-core';
import type { Settings } from '../../shared/settings-schema.ts';
import { RecordingApp, waitFor } from '../electron/recording-electron/driver.ts';
import { OrderedPipe } from '../support/ordered-pipe.ts';
import { withoutMicrosandboxVariables } from '../support/tester-environment.ts';
import type { FakeEvent, RecordEntry } from '../electron/recording-electron/driver.ts';
import { STANDIN_PATH, freePort, standinsWithHome } from '../fixtures/standin-helpers.ts';
import { launchChromium, requireChromium } from '../support/chromium.ts';
import { preloadInitScript } from './preload-shim.ts';
import type { ShimAnswer, ShimBindingResult, ShimMessage, ShimPort } from './preload-shim.ts';
import { fromPageUrl, isMappedUrl, toPageUrl } from './scheme-url.ts';

export { waitFor };
export type { RecordEntry };

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
// `--import` takes a URL (a bare Windows path would read as a URL scheme `c:`).
const REGISTER = pathToFileURL(fileURLToPath(new URL('./register.js', import.meta.url))).href;

/** Chromium as the harness needs it: Debian's, failing loudly when missing. */
export async function launchHarnessChromium(): Promise<Browser> {
  requireChromium();
  // Electron's file protocol lets a file:// page load its own module scripts; Chromium's needs this.
  return launchChromium(['--allow-file-access-from-files']);
}

// ---------------------------------------------------------------------------------------------
// The build

export interface AppBuild {
  readonly outDir: string;
  readonly mainJs: string;
  readonly preload: string;
  readonly rendererIndex: string;
  /** `app.getAppPath()`: the repository, where build/icons lives. */
  readonly appPath: string;
}

/** electron-vite build into a private `out/.<name>-<pid>`, so parallel runs never share one. */
export function buildApp(name: string): AppBuild {
  const outDir = path.join(ROOT, 'out', `.${name}-${process.pid}`);
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', outDir],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
  return {
    outDir,
    mainJs: path.join(outDir, 'main', 'main.js'),
    preload: path.join(outDir, 'preload', 'preload.cjs'),
    rendererIndex: path.join(outDir, 'renderer', 'index.html'),
    appPath: ROOT,
  };
}

export function removeBuild(build: AppBuild | undefined): void {
  if (build !== undefined) fs.rmSync(build.outDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// What the tests read

/** A tray menu item as main built it (`Menu.buildFromTemplate`), without its click function. */
export interface MenuEntry {
  readonly id?: string;
  readonly label?: string;
  readonly type?: string;
  readonly enabled?: boolean;
  readonly checked?: boolean;
  readonly submenu?: readonly MenuEntry[];
}

export interface TrayState {
  readonly image: string;
  readonly tooltip: string;
  readonly menu: readonly MenuEntry[];
}

/** The item with this id, else this label, anywhere in the menu (as `clickTray` finds it). */
export function findMenuEntry(menu: readonly MenuEntry[], key: string): MenuEntry | undefined {
  const search = (items: readonly MenuEntry[], test: (item: MenuEntry) => boolean): MenuEntry | undefined => {
    for (const item of items) {
      if (test(item)) return item;
      const found = item.submenu === undefined ? undefined : search(item.submenu, test);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return search(menu, (item) => item.id === key) ?? search(menu, (item) => item.label === key);
}

export interface ShownNotification {
  readonly id: number;
  readonly title: string;
  readonly body: string;
}

export type DialogKind = 'message' | 'open' | 'save' | 'error';

/** A dialog main showed, and how it was answered (dialogs.js in the recording electron). */
export interface DialogRecord {
  readonly id: number;
  readonly method: string;
  readonly kind: DialogKind;
  readonly sync: boolean;
  /** The BrowserWindow it belongs to, or null for an app-modal one. */
  readonly window: number | null;
  readonly options: Readonly<Record<string, unknown>>;
  /** What main got back; null while it is open (`showErrorBox` is never open). */
  readonly answer: Readonly<Record<string, unknown>> | null;
  readonly source: 'queue' | 'test' | 'timeout' | null;
}

/**
 * A user's answer. Message box: `{ button: 'Stop' }` or `{ response: 1 }` (plus
 * `checkboxChecked`); open dialog: `{ filePaths: [...] }` or `{ canceled: true }`; save dialog:
 * `{ filePath }` or `{ canceled: true }`.
 */
export interface DialogAnswer {
  readonly response?: number;
  readonly button?: string;
  readonly checkboxChecked?: boolean;
  readonly canceled?: boolean;
  readonly filePaths?: readonly string[];
  readonly filePath?: string;
}

/** Which dialog an answer or a wait is for: its kind, and text in its title, message or detail. */
export interface DialogMatch {
  readonly kind?: DialogKind;
  readonly text?: string;
}

export interface AppWindow {
  readonly page: Page;
  readonly windowId: number;
  readonly contentsId: number;
  /** The URL main loaded, as main sees it (its own scheme, or file://). */
  readonly url: string;
}

/** An ipcRenderer as a given frame would have it, for a test that plays a compromised frame. */
export interface FrameIpc {
  /** Resolves with the handler's answer, rejects as ipcRenderer.invoke would. */
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

export interface HarnessOptions {
  readonly browser: Browser;
  readonly build: AppBuild;
  /** `standin` (default): the msbserver stand-in as MSBSERVER_EXE. `missing`: no msbserver anywhere. */
  readonly msbserver?: 'standin' | 'missing';
  /** Written to settings.json before main starts; `port` defaults to a free one. */
  readonly settings?: Partial<Settings>;
  /** Extra environment for main (and so for the stand-in it starts): `MSB_STANDIN_CRASH_AFTER_MS`, … */
  readonly env?: Record<string, string | undefined>;
  /** Fire `ready` and wait for the tray (default). False leaves the app before ready. */
  readonly ready?: boolean;
}

interface WindowEntry {
  readonly windowId: number;
  readonly contentsId: number;
  readonly options: Record<string, unknown>;
  readonly page: Promise<Page | null>;
  url: string;
  loaded: boolean;
  closed: boolean;
  /** The page closing after main destroyed the window. */
  closing: Promise<void> | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Chromium notes that frame-ancestors is ignored in a meta tag; main sends it as a header too. */
const IGNORED_CONSOLE = [/'frame-ancestors'/];

export class AppHarness {
  readonly app: RecordingApp;
  readonly context: BrowserContext;
  readonly dir: string;
  readonly home: string;
  readonly userData: string;
  readonly logs: string;
  /** HOME for main: `~/.local/bin` is empty here. */
  readonly userHome: string;
  readonly port: number;
  /** Page errors, console errors, failed preloads and main's unhandled rejections: a test asserts none. */
  readonly problems: string[] = [];
  readonly #build: AppBuild;
  readonly #binding = `__appHarnessIpc_${randomBytes(6).toString('hex')}`;
  readonly #port = `__appHarnessPort_${randomBytes(6).toString('hex')}`;
  readonly #windows = new Map<number, WindowEntry>();
  /** Per web contents: main's sends and invoke replies, in main's order (#pipe). */
  readonly #pipes = new Map<number, OrderedPipe>();
  readonly #contentsOfPage = new Map<Page, number>();
  readonly #frameKeys = new WeakMap<Frame, string>();
  #nextFrameKey = 0;
  #disposed = false;

  private constructor(
    options: HarnessOptions,
    context: BrowserContext,
    dir: string,
    port: number,
    env: Record<string, string | undefined>,
  ) {
    this.#build = options.build;
    this.context = context;
    this.dir = dir;
    this.home = path.join(dir, 'home');
    this.userData = path.join(dir, 'userData');
    this.logs = path.join(dir, 'logs');
    this.userHome = path.join(dir, 'user');
    this.port = port;
    this.app = RecordingApp.launch({
      mainJs: options.build.mainJs,
      dir,
      appPath: options.build.appPath,
      env,
      register: REGISTER,
      onEvent: (event) => this.#onEvent(event),
    });
  }

  /** Starts the app in its own temporary world; by default fires `ready` and waits for the tray. */
  static async launch(options: HarnessOptions): Promise<AppHarness> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-app-harness-'));
    const port = options.settings?.port ?? (await freePort());
    const emptyBin = path.join(dir, 'bin');
    for (const sub of ['userData', 'user', 'config', 'bin']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    fs.writeFileSync(path.join(dir, 'userData', 'settings.json'), JSON.stringify({ ...options.settings, port }));

    // Nothing of the tester's own world: microsandbox's variables (a home, stand-in knobs), a dev
    // server, Electron switches. Marked undefined: the launcher lays this over process.env, and
    // a key merely left out would be inherited again.
    const env = withoutMicrosandboxVariables(process.env);
    for (const key of Object.keys(env)) if (key.startsWith('ELECTRON_')) env[key] = undefined;
    const missing = options.msbserver === 'missing';
    Object.assign(env, {
      HOME: path.join(dir, 'user'),
      MICROSANDBOX_HOME: path.join(dir, 'home'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      // The stand-in's `#!/usr/bin/env node` needs node on PATH; without msbserver nothing may be there.
      PATH: missing ? emptyBin : [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
      MSBSERVER_EXE: missing ? undefined : STANDIN_PATH,
      ...options.env,
    });

    const context = await options.browser.newContext();
    const harness = new AppHarness(options, context, dir, port, env);
    try {
      await harness.#wire();
      await harness.app.waitForLaunch();
      if (options.ready !== false) await harness.ready();
    } catch (error) {
      await harness.dispose().catch(() => undefined);
      throw error;
    }
    return harness;
  }

  /** Fires `ready` and waits for the tray's first menu. */
  async ready(): Promise<void> {
    await this.app.send({ cmd: 'ready' });
    await this.app.waitForRecord((entry) => entry.name === 'tray.setContextMenu', 10_000, "the tray's first menu");
  }

  // -------------------------------------------------------------------------------------------
  // Tray

  async tray(): Promise<TrayState> {
    const state = await this.app.send<{ tray: TrayState | null }>({ cmd: 'state' });
    if (state.tray === null) throw new Error('the app shows no tray');
    return state.tray;
  }

  /** Waits until the tray satisfies `predicate` (say, a tooltip that starts with `Microsandbox: Running`). */
  async waitForTray(predicate: (tray: TrayState) => boolean, what: string, timeoutMs = 20_000): Promise<TrayState> {
    let last: TrayState | null = null;
    try {
      return await waitFor(
        async () => {
          last = await this.tray();
          return predicate(last) ? last : undefined;
        },
        timeoutMs,
        what,
      );
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; the tray: ${JSON.stringify(last)}`, {
        cause: error,
      });
    }
  }

  /** Clicks a tray menu item by id or label, also in a submenu; fails for a disabled one. */
  async clickTray(item: string): Promise<void> {
    await this.app.send({ cmd: 'tray-click', item });
  }

  // -------------------------------------------------------------------------------------------
  // Window

  /** The app's current window, once its page has loaded; null when there is none. */
  async window(): Promise<AppWindow | null> {
    const open = [...this.#windows.values()].filter((entry) => !entry.closed);
    const entry = open.at(-1);
    if (entry === undefined || !entry.loaded) return null;
    const page = await entry.page;
    return page === null ? null : { page, windowId: entry.windowId, contentsId: entry.contentsId, url: entry.url };
  }

  /** Waits for a window whose page has loaded (and whose renderer has drawn its tabs). */
  async waitForWindow(timeoutMs = 15_000): Promise<AppWindow> {
    const found = await waitFor(
      () => this.window().then((window) => window ?? undefined),
      timeoutMs,
      'the window to load',
    );
    await found.page.getByRole('tab', { name: 'Status' }).waitFor({ timeout: timeoutMs });
    return found;
  }

  /** Opens the window as a user would: the tray's "Open…" item. */
  async openWindowFromTray(): Promise<AppWindow> {
    const before = new Set(this.#windows.keys());
    await this.clickTray('open-window');
    await waitFor(
      () => ([...this.#windows.keys()].some((id) => !before.has(id)) ? true : undefined),
      10_000,
      'a new window',
    );
    return this.waitForWindow();
  }

  /** Closes the window as its close button would; resolves once its page is gone. */
  async closeWindow(): Promise<void> {
    await this.app.send({ cmd: 'close-window' });
    // The fake announced the destroyed window before it answered, so its page is closing now.
    await this.#windowsClosed();
  }

  /**
   * A page main never opened, in the app's browser and with the app's preload (as a window.open
   * child would inherit it), on a web contents of its own; `url` may use main's scheme.
   */
  async openForeignPage(url: string): Promise<Page> {
    const { contentsId } = await this.app.send<{ contentsId: number }>({ cmd: 'create-contents', url });
    const page = await this.context.newPage();
    this.#contentsOfPage.set(page, contentsId);
    this.#watchPage(page, `foreign page ${contentsId}`);
    await page.addInitScript({ content: this.#shim(this.#build.preload, false) });
    await page.goto(toPageUrl(url));
    return page;
  }

  /** The raw ipcRenderer of any frame (the preload's or not), as a compromised renderer would use it. */
  ipcFrom(frame: Frame): FrameIpc {
    const port = this.#port;
    return {
      invoke: async (channel, ...args) => {
        const answer = await frame.evaluate(
          ([key, ch, a]) =>
            (window as unknown as Record<string, ShimPort>)[key]?.invoke(ch, a) ??
            Promise.resolve<ShimAnswer>({ ok: false, error: 'no harness port in this frame' }),
          [port, channel, args] as const,
        );
        if (answer.ok) return answer.value;
        throw new Error(`Error invoking remote method '${channel}': ${answer.error}`);
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Notifications, clipboard, dialogs

  /** Notifications main showed, in order. */
  notifications(): ShownNotification[] {
    return this.app.named('notification.show').map((entry) => ({
      id: Number(entry.detail['id']),
      title: String(entry.detail['title']),
      body: String(entry.detail['body']),
    }));
  }

  async waitForNotification(title: string | RegExp, timeoutMs = 20_000): Promise<ShownNotification> {
    const matches = (text: string): boolean => (typeof title === 'string' ? text === title : title.test(text));
    return waitFor(
      () => this.notifications().find((note) => matches(note.title)),
      timeoutMs,
      `the notification ${String(title)}; shown: ${JSON.stringify(this.notifications())}`,
    );
  }

  async clickNotification(id: number): Promise<void> {
    await this.app.send({ cmd: 'notification-click', id });
  }

  async clipboardText(): Promise<string> {
    return (await this.app.send<{ clipboard: string }>({ cmd: 'state' })).clipboard;
  }

  /** Something else was copied meanwhile. */
  async setClipboardText(text: string): Promise<void> {
    await this.app.send({ cmd: 'set-clipboard', text });
  }

  /** Every dialog main showed, open or answered. */
  dialogs(): DialogRecord[] {
    const answered = new Map<number, RecordEntry>();
    for (const entry of this.app.named('dialog.answered')) answered.set(Number(entry.detail['id']), entry);
    return this.app
      .records()
      .filter((entry) => entry.name.startsWith('dialog.show'))
      .map((entry) => {
        const id = Number(entry.detail['id']);
        const answer = answered.get(id);
        const kind = entry.detail['kind'] as DialogKind;
        return {
          id,
          method: entry.name.slice('dialog.'.length),
          kind,
          sync: entry.detail['sync'] === true,
          window: typeof entry.detail['window'] === 'number' ? entry.detail['window'] : null,
          options: isRecord(entry.detail['options']) ? entry.detail['options'] : {},
          answer: kind === 'error' ? {} : isRecord(answer?.detail['answer']) ? answer.detail['answer'] : null,
          source: (answer?.detail['source'] as DialogRecord['source'] | undefined) ?? null,
        };
      });
  }

  /** Waits for an open (unanswered) dialog that matches. */
  async waitForDialog(match: DialogMatch = {}, timeoutMs = 10_000): Promise<DialogRecord> {
    const fits = (dialog: DialogRecord): boolean => {
      if (dialog.answer !== null) return false;
      if (match.kind !== undefined && dialog.kind !== match.kind) return false;
      if (match.text === undefined) return true;
      return ['title', 'message', 'detail'].some((field) => {
        const value = dialog.options[field];
        return typeof value === 'string' && value.includes(match.text ?? '');
      });
    };
    return waitFor(() => this.dialogs().find(fits), timeoutMs, `an open dialog matching ${JSON.stringify(match)}`);
  }

  /** Answers an open dialog. A sync one has main's thread blocked: its answer goes in a file. */
  async answerDialog(id: number, answer: DialogAnswer): Promise<void> {
    const dialog = this.dialogs().find((candidate) => candidate.id === id);
    if (dialog === undefined) throw new Error(`main showed no dialog ${id}`);
    if (dialog.answer !== null) throw new Error(`dialog ${id} was answered already (${dialog.source ?? ''})`);
    if (!dialog.sync) {
      await this.app.send({ cmd: 'dialog-answer', id, answer });
      return;
    }
    const refusals = (): RecordEntry[] =>
      this.app.named('dialog.answer-refused').filter((entry) => entry.detail['id'] === id);
    // Only a refusal of this answer counts: a test may have had an earlier one refused on purpose.
    const earlier = refusals().length;
    const file = path.join(this.app.dialogDir, `${id}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(answer));
    fs.renameSync(`${file}.tmp`, file);
    const refused = (): RecordEntry | undefined => refusals()[earlier];
    await waitFor(
      () =>
        this.dialogs().find((candidate) => candidate.id === id)?.answer != null || refused() !== undefined
          ? true
          : undefined,
      10_000,
      `dialog ${id} to take the answer`,
    );
    const refusal = refused();
    if (refusal !== undefined) throw new Error(`dialog ${id}: ${String(refusal.detail['reason'])}`);
  }

  /** Answers the next dialog that matches, whenever main shows it. */
  async queueDialogAnswer(answer: DialogAnswer, match: DialogMatch = {}): Promise<void> {
    await this.app.send({ cmd: 'dialog-queue', answer, match });
  }

  // -------------------------------------------------------------------------------------------
  // The server, quitting, cleaning up

  /** The PID in server.pid, or null. */
  serverPid(): number | null {
    try {
      const value = Number(fs.readFileSync(path.join(this.home, 'server.pid'), 'utf8').trim());
      return Number.isInteger(value) && value > 1 ? value : null;
    } catch {
      // no server.pid, or gone meanwhile: no PID
      return null;
    }
  }

  /** Live stand-ins started for this app's home (whoever their parent is now). */
  standins(): number[] {
    return standinsWithHome(this.home);
  }

  /**
   * Chooses a Quit item in the tray and waits for the process to end: `quit` while no server runs,
   * `quit-leave-running` or `quit-and-stop` while one does.
   */
  async quitFromTray(
    item: 'quit' | 'quit-leave-running' | 'quit-and-stop' = 'quit',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await this.clickTray(item);
    const exit = await this.app.waitForExit(`the tray's ${item}`);
    // Windows main destroyed while shutting down: their pages are closed, not merely closing.
    await this.#windowsClosed();
    return exit;
  }

  /**
   * Ends everything this launch started: the app, its pages, and any stand-in still running for
   * its home (killed). Resolves with the PIDs of those stand-ins, for the test to assert none.
   */
  async dispose(): Promise<number[]> {
    if (this.#disposed) return [];
    this.#disposed = true;
    // Pages first: a page still loading when the app is gone has its request aborted and logs
    // ERR_FAILED, an error of this teardown that a test would then count as the app's.
    await this.context.close().catch(() => undefined);
    await this.app.kill();
    const left = this.standins();
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await waitFor(() => (this.standins().length === 0 ? true : undefined), 10_000, 'left-over stand-ins to die').catch(
      () => undefined,
    );
    for (const entry of this.app.named('process.unhandledRejection'))
      this.problems.push(`main: unhandled rejection: ${String(entry.detail['reason'])}`);
    fs.rmSync(this.dir, { recursive: true, force: true });
    return left;
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing: pages for windows, IPC both ways, the custom scheme

  async #wire(): Promise<void> {
    await this.context.exposeBinding(this.#binding, (source: { page: Page; frame: Frame }, message: ShimMessage) =>
      this.#fromPage(source.page, source.frame, message),
    );
    await this.context.route(
      (url) => isMappedUrl(url),
      (route) => this.#serve(route),
    );
  }

  #onEvent(event: FakeEvent): void {
    switch (event.event) {
      case 'window-created':
        this.#created(
          Number(event['windowId']),
          Number(event['contentsId']),
          isRecord(event['options']) ? event['options'] : {},
        );
        return;
      case 'window-load':
        this.#load(Number(event['windowId']), String(event['url']), Number(event['loadId']));
        return;
      case 'contents-send':
        this.#deliver(
          Number(event['contentsId']),
          String(event['channel']),
          Array.isArray(event['args']) ? event['args'] : [],
        );
        return;
      case 'window-closed':
        this.#closed(Number(event['windowId']));
        return;
      default:
        this.problems.push(`harness: unknown event from the app ${JSON.stringify(event.event)}`);
    }
  }

  #shim(preload: string, subFrames: boolean): string {
    return preloadInitScript({
      source: fs.readFileSync(preload, 'utf8'),
      file: preload,
      binding: this.#binding,
      port: this.#port,
      subFrames,
      platform: process.platform,
    });
  }

  #watchPage(page: Page, label: string): void {
    page.on('pageerror', (error) => this.problems.push(`${label}: page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (IGNORED_CONSOLE.some((pattern) => pattern.test(text))) return;
      this.problems.push(`${label}: console error: ${text}`);
    });
  }

  #created(windowId: number, contentsId: number, options: Record<string, unknown>): void {
    const webPreferences = isRecord(options['webPreferences']) ? options['webPreferences'] : {};
    const preload = typeof webPreferences['preload'] === 'string' ? webPreferences['preload'] : null;
    const width = typeof options['width'] === 'number' ? options['width'] : 800;
    const height = typeof options['height'] === 'number' ? options['height'] : 600;
    const pagePromise = (async (): Promise<Page | null> => {
      try {
        const page = await this.context.newPage();
        this.#contentsOfPage.set(page, contentsId);
        this.#watchPage(page, `window ${windowId}`);
        await page.setViewportSize({ width, height });
        if (preload !== null)
          await page.addInitScript({
            content: this.#shim(preload, webPreferences['nodeIntegrationInSubFrames'] === true),
          });
        return page;
      } catch (error) {
        if (!this.#disposed) this.problems.push(`harness: no page for window ${windowId}: ${String(error)}`);
        return null;
      }
    })();
    this.#windows.set(windowId, {
      windowId,
      contentsId,
      options,
      page: pagePromise,
      url: '',
      loaded: false,
      closed: false,
      closing: null,
    });
  }

  #load(windowId: number, url: string, loadId: number): void {
    const entry = this.#windows.get(windowId);
    const answer = (error: string | null): void => {
      void this.app.ask({ cmd: 'window-loaded', loadId, error });
    };
    if (entry === undefined) {
      answer(`ERR_FAILED: the harness has no page for window ${windowId}`);
      return;
    }
    entry.url = url;
    entry.loaded = false;
    void (async () => {
      const page = await entry.page;
      if (page === null || entry.closed) return answer('ERR_ABORTED: the window is gone');
      try {
        await page.goto(toPageUrl(url), { waitUntil: 'load' });
      } catch (error) {
        return answer(error instanceof Error ? (error.message.split('\n')[0] ?? 'ERR_FAILED') : String(error));
      }
      entry.loaded = true;
      answer(null);
    })();
  }

  /** Queues one message from main to a web contents' frames: a send or an invoke's reply. */
  #pipe(contentsId: number, step: () => Promise<unknown>): void {
    let pipe = this.#pipes.get(contentsId);
    if (pipe === undefined) {
      pipe = new OrderedPipe();
      this.#pipes.set(contentsId, pipe);
    }
    pipe.post(step);
  }

  #deliver(contentsId: number, channel: string, args: unknown[]): void {
    const entry = [...this.#windows.values()].find((candidate) => candidate.contentsId === contentsId);
    if (entry === undefined) return;
    const port = this.#port;
    this.#pipe(contentsId, async () => {
      const page = await entry.page;
      if (page === null || entry.closed || page.isClosed()) return;
      // Like Electron, to the main frame's current document: a message sent while no listener is
      // there yet (the page still loading) is heard by no one.
      await page
        .mainFrame()
        .evaluate(([key, ch, a]) => (window as unknown as Record<string, ShimPort>)[key]?.deliver(ch, a) ?? 0, [
          port,
          channel,
          args,
        ] as const);
    });
  }

  #closed(windowId: number): void {
    const entry = this.#windows.get(windowId);
    if (entry === undefined) return;
    entry.closed = true;
    entry.closing = entry.page.then((page) => page?.close()).catch(() => undefined);
  }

  /** Resolves once every window main has destroyed so far has its page closed. */
  async #windowsClosed(): Promise<void> {
    await Promise.all([...this.#windows.values()].map((entry) => entry.closing ?? Promise.resolve()));
  }

  #frameKey(frame: Frame, page: Page): string {
    if (frame === page.mainFrame()) return 'main';
    let key = this.#frameKeys.get(frame);
    if (key === undefined) {
      key = `frame-${++this.#nextFrameKey}`;
      this.#frameKeys.set(frame, key);
    }
    return key;
  }

  async #fromPage(page: Page, frame: Frame, message: ShimMessage): Promise<ShimBindingResult> {
    const contentsId = this.#contentsOfPage.get(page);
    if (contentsId === undefined) return { ok: false, error: 'this page is no web contents of the app' };
    const sender = {
      contentsId,
      frame: { key: this.#frameKey(frame, page), url: fromPageUrl(frame.url()), name: frame.name() },
      mainFrameUrl: fromPageUrl(page.mainFrame().url()),
      channel: message.channel,
      args: message.args,
    };
    if (message.type === 'send') {
      await this.app.ask({ cmd: 'ipc-send', ...sender });
      return { ok: true, value: undefined };
    }
    const port = this.#port;
    // Queued as the reply arrives, before main's next message is handled: in main's order.
    void this.app.ask({ cmd: 'invoke', ...sender }, (reply) => {
      const answer: ShimAnswer = reply.ok ? { ok: true, value: reply.value } : { ok: false, error: reply.error };
      this.#pipe(contentsId, () =>
        frame.evaluate(([key, id, a]) => (window as unknown as Record<string, ShimPort>)[key]?.answer(id, a) ?? false, [
          port,
          message.id,
          answer,
        ] as const),
      );
    });
    return null;
  }

  async #serve(route: Route): Promise<void> {
    const request = route.request();
    const reply = await this.app.ask({
      cmd: 'protocol-request',
      url: fromPageUrl(request.url()),
      method: request.method(),
      headers: await request.allHeaders(),
      body: request.postDataBuffer() ?? undefined,
    });
    const value = reply.ok && isRecord(reply.value) ? reply.value : { error: reply.ok ? 'ERR_FAILED' : reply.error };
    if (typeof value['error'] === 'string' || !(value['body'] instanceof Uint8Array)) {
      await route.abort('failed').catch(() => undefined);
      return;
    }
    const headers: Record<string, string> = {};
    for (const pair of Array.isArray(value['headers']) ? (value['headers'] as unknown[]) : []) {
      if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') headers[pair[0]] = pair[1];
    }
    await route
      .fulfill({ status: Number(value['status'] ?? 200), headers, body: Buffer.from(value['body']) })
      .catch(() => undefined);
  }
}
