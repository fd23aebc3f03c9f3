/**
 * Loads the BUILT main process (`electron-vite build`) under plain Node with a recording
 * `electron` in place of the real one (test/electron/recording-electron), and checks the wiring:
 * lock first, nothing Electron-bound before ready, the window's security, exactly the contract's
 * IPC channels, the tray icons, opening the window (tray, second launch, macOS `activate`), the
 * tray's key copy, and quitting: what it does to a running server, and that it never hangs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';
import { INVOKE_CHANNELS } from '../../shared/contract.ts';
import type { Envelope } from '../../shared/contract.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { secureWebPreferences } from '../../electron/core/desktop/window-policy.ts';
import { LAUNCH_TIMEOUT_MS, RecordingApp, useAppTestBudget, waitFor } from './recording-electron/driver.ts';
import type { RecordEntry } from './recording-electron/driver.ts';
import { freePort } from '../fixtures/standin-helpers.ts';
import { goneOrZombie } from '../support/processes.ts';
import { SHUTDOWN_TIMEOUT_MS } from '../../electron/adapters/app-lifecycle.ts';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const STANDIN = path.join(ROOT, 'test', 'fixtures', 'msbserver');
/** A private build, so parallel tests and a developer's `out/` never race with this one. */
const OUT = path.join(ROOT, 'out', `.smoke-${process.pid}`);
const MAIN_JS = path.join(OUT, 'main', 'main.js');
const PRELOAD = path.join(OUT, 'preload', 'preload.cjs');
const RENDERER_INDEX = path.join(OUT, 'renderer', 'index.html');
/** The window's page: the app's own scheme, never file:// (on a file:// page CSP 'self' is every local file). */
const RENDERER_URL = 'app://microsandbox-tray/index.html';
const RENDERER_FILE_URL = pathToFileURL(RENDERER_INDEX).href;

/** Nothing of these may be touched before `ready`. */
const ELECTRON_BOUND = new RegExp(
  '^(Tray|BrowserWindow|Menu|MenuItem|Notification|nativeImage|clipboard|screen|session|dialog|' +
    'tray|browserWindow|webContents|notification|ipcMain\\.handle)\\b',
);

const canRunServer = process.platform !== 'win32' && fs.existsSync(STANDIN);

let temp = '';
const launched: RecordingApp[] = [];
const serverPids = new Set<number>();
useAppTestBudget();

beforeAll(() => {
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', OUT],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
});

afterAll(() => {
  fs.rmSync(OUT, { recursive: true, force: true });
});

afterEach(async () => {
  for (const app of launched.splice(0)) await app.kill();
  for (const pid of serverPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  serverPids.clear();
  if (temp !== '') fs.rmSync(temp, { recursive: true, force: true });
  temp = '';
});

function launch(
  options: { settings?: Record<string, unknown>; env?: Record<string, string | undefined> } = {},
): RecordingApp {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tray-smoke-'));
  const app = RecordingApp.launch({
    mainJs: MAIN_JS,
    dir: temp,
    appPath: ROOT,
    env: {
      MICROSANDBOX_HOME: path.join(temp, 'home'),
      MSBSERVER_EXE: STANDIN,
      // Start at login on Linux reads the XDG autostart folder: never the real one.
      XDG_CONFIG_HOME: path.join(temp, 'config'),
      ...options.env,
    },
  });
  if (options.settings !== undefined) {
    fs.writeFileSync(path.join(app.userData, 'settings.json'), JSON.stringify(options.settings));
  }
  launched.push(app);
  return app;
}

/** Launches, lets the module body run, then fires `ready` and waits for the tray. */
async function launchReady(options: Parameters<typeof launch>[0] = {}): Promise<RecordingApp> {
  const app = launch(options);
  await app.waitForLaunch();
  await app.send({ cmd: 'ready' });
  await app.waitForRecord((entry) => entry.name === 'tray.setContextMenu');
  return app;
}

async function openWindow(app: RecordingApp): Promise<RecordEntry> {
  const before = app.named('BrowserWindow').length;
  await app.send({ cmd: 'tray-click', id: 'open-window' });
  return waitFor(() => app.named('BrowserWindow')[before], 5_000, 'a new window');
}

function invoke(
  app: RecordingApp,
  channel: string,
  args: unknown[] = [],
  sender: { senderId?: number; senderUrl?: string } = {},
) {
  return app.send<Envelope<unknown>>({ cmd: 'invoke', channel, args, ...sender });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The notifications the app has shown so far, as `{ title, body }`. */
function notifications(app: RecordingApp): { title: string; body: string }[] {
  return app
    .named('Notification')
    .map((entry) => ({ title: String(entry.detail['title']), body: String(entry.detail['body']) }));
}

function clipboardText(app: RecordingApp): Promise<string> {
  return app.send<{ clipboard: string }>({ cmd: 'state' }).then((state) => state.clipboard);
}

describe('the build', () => {
  it('emits main as an ES module that keeps the runtime dependencies external', () => {
    const main = fs.readFileSync(MAIN_JS, 'utf8');
    expect(main).toMatch(/^import .* from "electron";$/m);
    expect(main).toMatch(/^import \w+ from "electron-store";$/m);
    // Nothing from node_modules is bundled (rolldown marks each bundled module with a path comment);
    // whatever the core imports from `dependencies` stays an import.
    expect(main).toMatch(/\bimport\("execa"\)/);
    expect(main).toMatch(/\bimport\("jose\/jws\/compact\/sign"\)/);
    expect(main).not.toMatch(/^\/\/ .*node_modules\//m);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies)) {
      // A static import, or a lazy `import("dep")` / `import("dep/subpath")` (jose, execa load on first use).
      // The package's own name in quotes ("conf", "conf/…"), not a longer word ("config.json").
      if (new RegExp(`"${dep}(/[^"]*)?"`).test(main)) {
        expect(main).toMatch(new RegExp(`^import .* from "${dep}(/[^"]*)?";$|\\bimport\\("${dep}(/[^"]*)?"\\)`, 'm'));
      }
    }
    expect(main).not.toMatch(/\brequire\(/);
  });

  it('emits the preload as CommonJS (.cjs), as sandboxed preloads need', () => {
    const preload = fs.readFileSync(PRELOAD, 'utf8');
    expect(preload).toMatch(/\brequire\("electron"\)/);
    expect(preload).not.toMatch(/^\s*import[\s{*]/m);
    expect(preload).not.toMatch(/^\s*export[\s{*]/m);
    // It exposes exactly one global, built from the contract.
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toContain('exposeInMainWorld("msb"');
    expect(preload).not.toMatch(/\bipcRenderer\.send\(/);
  });

  it('emits the renderer with the one CSP in its meta tag', () => {
    const html = fs.readFileSync(RENDERER_INDEX, 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('startup', () => {
  it('takes the single-instance lock first and touches nothing Electron-bound before ready', async () => {
    const app = launch();
    await app.waitForLaunch();
    // Whatever main does before ready but after this look is caught below: each record carries
    // whether the app was ready when it was made.
    const before = app.records();
    expect(before[0]?.name).toBe('app.requestSingleInstanceLock');
    expect(before.filter((entry) => ELECTRON_BOUND.test(entry.name))).toEqual([]);
    expect(before.every((entry) => !entry.ready)).toBe(true);

    await app.send({ cmd: 'ready' });
    await app.waitForRecord((entry) => entry.name === 'Tray');
    const all = app.records();
    const firstBound = all.find((entry) => ELECTRON_BOUND.test(entry.name));
    expect(firstBound?.ready).toBe(true);
    expect(all.filter((entry) => ELECTRON_BOUND.test(entry.name) && !entry.ready)).toEqual([]);
    expect(all.filter((entry) => entry.kind === 'construct' && !entry.ready)).toEqual([]);
    expect(app.named('app.dock.hide')).toHaveLength(1);
  });

  it('registers exactly the contract channels on ipcMain', async () => {
    const app = await launchReady();
    const channels = app.named('ipcMain.handle').map((entry) => entry.detail.channel);
    expect(channels).toHaveLength(INVOKE_CHANNELS.length);
    expect(new Set(channels)).toEqual(new Set(INVOKE_CHANNELS));
  });

  it('shows a tray icon whose file exists, with a menu built from the core model', async () => {
    const app = await launchReady();
    const tray = app.named('Tray')[0];
    const image = tray?.detail.image ?? '';
    const expectedName = process.platform === 'darwin' ? 'trayStoppedTemplate.png' : 'tray-stopped.png';
    expect(path.basename(image)).toBe(expectedName);
    expect(fs.existsSync(image)).toBe(true);
    if (process.platform === 'darwin') expect(fs.existsSync(image.replace('.png', '@2x.png'))).toBe(true);
    const menu = app.named('tray.setContextMenu').at(-1)?.detail.menu?.menu ?? [];
    const ids = menu.map((item) => item.id).filter((id) => id !== undefined);
    expect(ids).toEqual(expect.arrayContaining(['start', 'stop', 'open-window', 'quit']));
  });

  it('installs the permission, CSP-header and contents guards before any window', async () => {
    const app = await launchReady();
    const names = app.records().map((entry) => entry.name);
    expect(names).toContain('session.setPermissionRequestHandler');
    expect(names).toContain('session.setPermissionCheckHandler');
    expect(names).toContain('session.webRequest.onHeadersReceived');
    expect(app.named('app.on').map((entry) => entry.detail.event)).toContain('web-contents-created');
    expect(await app.send({ cmd: 'permission-request', permission: 'media' })).toBe(false);
    expect(await app.send({ cmd: 'permission-request', permission: 'clipboard-read' })).toBe(false);
    expect(await app.send({ cmd: 'permission-check', permission: 'notifications' })).toBe(false);
    const headers = await app.send<{ responseHeaders: Record<string, string[]> }>({
      cmd: 'headers',
      url: 'http://localhost:5173/',
      headers: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] },
    });
    expect(headers.responseHeaders).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
  });

  it(
    "registers the app's scheme as privileged (standard, secure, nothing more) before ready, and " + 'serves it after',
    async () => {
      const app = launch();
      await app.waitForLaunch();
      const [registered, ...again] = app.named('protocol.registerSchemesAsPrivileged');
      expect(again).toEqual([]);
      expect(registered?.ready).toBe(false);
      expect(registered?.detail).toEqual({
        schemes: [{ scheme: 'app', privileges: { standard: true, secure: true } }],
        beforeReady: true,
      });
      expect(app.named('protocol.handle')).toEqual([]);
      await app.send({ cmd: 'ready' });
      const handled = await app.waitForRecord((entry) => entry.name === 'protocol.handle');
      expect(handled.detail).toEqual({ scheme: 'app' });
      expect(handled.ready).toBe(true);
      expect(app.output).not.toMatch(/should be called before app is ready/);
    },
  );

  it("serves only the built renderer's files on the app's scheme, with their types and the CSP", async () => {
    const app = await launchReady();
    type Answer = { status?: number; headers?: [string, string][]; body?: Uint8Array; error?: string };
    const get = (url: string, method = 'GET') => app.send<Answer>({ cmd: 'protocol-request', url, method });
    const header = (answer: Answer, name: string) => answer.headers?.find(([key]) => key === name)?.[1];

    const index = await get(RENDERER_URL);
    expect(index.status).toBe(200);
    expect(header(index, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(index, 'content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(Buffer.from(index.body ?? new Uint8Array()).toString('utf8')).toBe(fs.readFileSync(RENDERER_INDEX, 'utf8'));
    const script = /<script[^>]+src="\.\/(assets\/[^"]+\.js)"/.exec(fs.readFileSync(RENDERER_INDEX, 'utf8'))?.[1];
    expect(script).toBeDefined();
    const js = await get(`app://microsandbox-tray/${script ?? ''}`);
    expect(js.status).toBe(200);
    expect(header(js, 'content-type')).toBe('text/javascript; charset=utf-8');

    // The home (server.key's folder) is outside the build: no way there, however it is spelt.
    fs.mkdirSync(path.join(temp, 'home'), { recursive: true });
    fs.writeFileSync(path.join(temp, 'home', 'server.key'), 'smoke-test-server-key', { mode: 0o600 });
    const up = path.relative(path.join(OUT, 'renderer'), path.join(temp, 'home', 'server.key'));
    for (const pathname of [
      `/${up}`,
      `/${up.replaceAll('..', '%2e%2e')}`,
      `/${up.replaceAll('/', '%2f')}`,
      `/${up.replaceAll('/', '\\')}`,
      `/assets/${script ?? ''}.map`,
      '/assets',
      '/nothing.html',
    ]) {
      const answer = await get(`app://microsandbox-tray${pathname}`);
      expect([400, 404], pathname).toContain(answer.status);
      expect(Buffer.from(answer.body ?? new Uint8Array()).toString('utf8'), pathname).not.toContain(
        'smoke-test-server-key',
      );
    }
    expect((await get(RENDERER_URL, 'POST')).status).toBe(405);
  });

  it(
    'moves userData and logs (and so the instance lock) to MICROSANDBOX_TRAY_PROFILE before taking ' + 'the lock',
    async () => {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tray-profile-'));
      try {
        const app = launch({ env: { MICROSANDBOX_TRAY_PROFILE: profile } });
        await app.waitForLaunch();
        const names = app.records().map((entry) => entry.name);
        expect(names.slice(0, 3)).toEqual(['app.setPath', 'app.setPath', 'app.requestSingleInstanceLock']);
        expect(app.named('app.setPath').map((entry) => entry.detail)).toEqual([
          { name: 'userData', value: path.join(profile, 'userData') },
          { name: 'logs', value: path.join(profile, 'logs') },
        ]);
        await app.send({ cmd: 'ready' });
        await app.waitForRecord((entry) => entry.name === 'Tray');
        expect(fs.existsSync(path.join(profile, 'userData', 'settings.json'))).toBe(true);
      } finally {
        for (const app of launched.splice(0)) await app.kill();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  );

  it('quits at once, without a tray, when another instance holds the lock', async () => {
    const app = launch({ env: { RECORDING_ELECTRON_LOCK: 'held' } });
    const { code } = await app.waitForExit('a launch beside a held lock', LAUNCH_TIMEOUT_MS);
    expect(code).toBe(0);
    const names = app.records().map((entry) => entry.name);
    expect(names[0]).toBe('app.requestSingleInstanceLock');
    expect(names).toContain('app.quit');
    expect(names).not.toContain('Tray');
    expect(names).not.toContain('BrowserWindow');
  });
});

describe('the window', () => {
  it('is created lazily with the security baseline and loads the built renderer', async () => {
    const app = await launchReady();
    expect(app.named('BrowserWindow')).toEqual([]);
    const created = await openWindow(app);
    const webPreferences = created.detail.options?.webPreferences;
    // Not packaged (the recording app says so): DevTools stay available, as in any development build.
    expect(webPreferences).toStrictEqual(secureWebPreferences(PRELOAD, { devTools: true }));
    expect(fs.existsSync(String(webPreferences?.['preload']))).toBe(true);
    const load = await app.waitForRecord((entry) => entry.name === 'browserWindow.loadURL');
    expect(load.detail.url).toBe(RENDERER_URL);
    expect(app.named('webContents.setWindowOpenHandler')).toHaveLength(1);
    const guarded = app.named('webContents.on').map((entry) => entry.detail.event);
    expect(guarded).toEqual(expect.arrayContaining(['will-navigate', 'will-redirect', 'will-attach-webview']));
  });

  it('denies navigation, redirects, webviews and new windows away from the app', async () => {
    const app = await launchReady();
    await openWindow(app);
    for (const url of [
      'https://evil',
      'file:///etc/passwd',
      'javascript:alert(1)',
      RENDERER_FILE_URL,
      'app://microsandbox-tray/other.html',
    ]) {
      expect(await app.send({ cmd: 'contents-event', event: 'will-navigate', url })).toEqual({ prevented: true });
      expect(await app.send({ cmd: 'contents-event', event: 'will-redirect', url })).toEqual({ prevented: true });
    }
    expect(await app.send({ cmd: 'contents-event', event: 'will-navigate', url: RENDERER_URL })).toEqual({
      prevented: false,
    });
    expect(await app.send({ cmd: 'contents-event', event: 'will-attach-webview', url: RENDERER_URL })).toEqual({
      prevented: true,
    });
    expect(await app.send({ cmd: 'window-open', url: 'https://evil' })).toEqual({ action: 'deny' });
    expect(await app.send({ cmd: 'window-open', url: RENDERER_URL })).toEqual({ action: 'deny' });
  });

  it("answers IPC only from the app's own window and page", async () => {
    const app = await launchReady();
    // No window yet: nobody is trusted.
    expect(await invoke(app, 'app:info', [], { senderId: 1, senderUrl: RENDERER_URL })).toMatchObject({
      ok: false,
      error: { code: 'forbidden-sender' },
    });
    await openWindow(app);
    const info = await invoke(app, 'app:info');
    expect(info).toMatchObject({ ok: true, value: { name: 'Microsandbox Tray', home: path.join(temp, 'home') } });
    for (const sender of [
      { senderUrl: 'https://evil' },
      { senderUrl: 'file:///etc/passwd' },
      { senderUrl: RENDERER_FILE_URL },
      { senderId: 9999 },
    ]) {
      expect(await invoke(app, 'app:info', [], sender)).toMatchObject({
        ok: false,
        error: { code: 'forbidden-sender' },
      });
    }
    // A frame inside the window showing the app's own page is still not the window's main frame.
    const subFrame = await app.send<Envelope<unknown>>({
      cmd: 'invoke',
      channel: 'app:info',
      args: [],
      frame: { key: 'inner', url: RENDERER_URL },
    });
    expect(subFrame).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    expect(await invoke(app, 'app:info')).toMatchObject({ ok: true });
  });

  it('is destroyed on close and made anew on the next open, also from a second launch', async () => {
    const app = await launchReady();
    await openWindow(app);
    const { window } = await app.send<{ window: { contentsId: number } }>({ cmd: 'state' });
    await app.send({ cmd: 'close-window' });
    expect(app.named('browserWindow.destroy')).toHaveLength(1);
    expect(await invoke(app, 'app:info', [], { senderId: window.contentsId, senderUrl: RENDERER_URL })).toMatchObject({
      ok: false,
      error: { code: 'forbidden-sender' },
    });
    await app.send({ cmd: 'emit-app', event: 'second-instance', args: [[], ROOT] });
    await waitFor(() => (app.named('BrowserWindow').length === 2 ? true : undefined), 5_000, 'a second window');
    expect((await invoke(app, 'app:info')).ok).toBe(true);
  });

  it("opens on `activate` (macOS's relaunch from Finder or Spotlight), only once ready", async () => {
    const app = launch();
    await app.waitForLaunch();
    expect(app.named('app.on').map((entry) => entry.detail.event)).toContain('activate');
    // Before ready nothing Electron-bound may happen; the window follows once ready.
    await app.send({ cmd: 'emit-app', event: 'activate', args: [false] });
    expect(app.named('BrowserWindow')).toEqual([]);
    await app.send({ cmd: 'ready' });
    // The first window's record says whether it was made before ready, however late main got to it.
    const created = await waitFor(() => app.named('BrowserWindow')[0], 5_000, 'a window after ready');
    expect(created.ready).toBe(true);
    await app.waitForRecord((entry) => entry.name === 'browserWindow.show');

    // Closed, then activated again: a new window.
    await app.send({ cmd: 'close-window' });
    await app.send({ cmd: 'emit-app', event: 'activate', args: [false] });
    await waitFor(() => app.named('BrowserWindow')[1], 5_000, 'a second window');
    await waitFor(
      () => (app.named('browserWindow.show').length === 2 ? true : undefined),
      5_000,
      'the second window shown',
    );
    if (process.platform !== 'darwin') expect(app.named('app.focus')).toEqual([]);
  });

  it('on macOS brings the app to the front before opening the window (tray, activate, second launch)', async () => {
    const app = await launchReady({ env: { RECORDING_ELECTRON_PLATFORM: 'darwin' } });
    // The fake really runs main as macOS: the template tray icon and the app menu.
    expect(path.basename(app.named('Tray')[0]?.detail.image ?? '')).toBe('trayStoppedTemplate.png');
    const opens: { cmd: string; [key: string]: unknown }[] = [
      { cmd: 'tray-click', id: 'open-window' },
      { cmd: 'emit-app', event: 'activate', args: [false] },
      { cmd: 'emit-app', event: 'second-instance', args: [[], ROOT] },
    ];
    for (const [index, command] of opens.entries()) {
      await app.send(command);
      const window = await waitFor(() => app.named('BrowserWindow')[index], 5_000, `window ${index + 1}`);
      const focus = app.named('app.focus')[index];
      expect(focus?.detail).toEqual({ steal: true });
      expect(focus?.seq ?? Infinity).toBeLessThan(window.seq);
      await app.send({ cmd: 'close-window' });
    }
    expect(app.named('app.focus')).toHaveLength(opens.length);
    // macOS says when the tray menu opens and closes: the tray holds metrics interest meanwhile.
    const listened = app
      .records()
      .filter((entry) => entry.name === 'menu.on')
      .map((entry) => entry.detail.event);
    expect(listened).toContain('menu-will-show');
    expect(listened).toContain('menu-will-close');
  });

  it('elsewhere listens to no menu event (none is said before a tray menu opens)', async () => {
    const app = await launchReady();
    if (process.platform === 'darwin') return;
    expect(app.records().filter((entry) => entry.name === 'menu.on')).toEqual([]);
  });
});

describe('decisions the window may not make', () => {
  function settingsOnDisk(app: RecordingApp): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(path.join(app.userData, 'settings.json'), 'utf8')) as Record<string, unknown>;
  }

  it(
    'asks natively, attached to the window, before dev mode: Cancel keeps it off, the confirm ' + 'button turns it on',
    async () => {
      const app = await launchReady();
      await openWindow(app);
      await app.send({
        cmd: 'dialog-queue',
        answer: { button: 'Cancel' },
        match: { kind: 'message', text: 'development mode' },
      });
      expect(await invoke(app, 'settings:set', [{ devMode: true }])).toMatchObject({
        ok: false,
        error: { code: 'declined' },
      });
      const asked = app.named('dialog.showMessageBox')[0];
      expect(asked?.detail['window']).toEqual(expect.any(Number));
      expect(asked?.detail['options']).toMatchObject({
        type: 'question',
        title: 'Turn on development mode?',
        buttons: ['Cancel', 'Turn On Development Mode'],
        cancelId: 0,
        defaultId: 0,
      });
      expect(String((asked?.detail['options'] as { detail?: string } | undefined)?.detail)).toContain(
        'open to every program on this computer and every web page you visit',
      );
      expect(settingsOnDisk(app)['devMode']).not.toBe(true);

      // Asked again at once, it is refused without a dialog: the user has done nothing in the window since.
      expect(await invoke(app, 'settings:set', [{ devMode: true }])).toMatchObject({
        ok: false,
        error: { code: 'refused' },
      });
      expect(app.named('dialog.showMessageBox')).toHaveLength(1);
      // A key press only the script made never reaches main; a real one arrives as an input event.
      await app.send({ cmd: 'contents-event', event: 'input-event', input: { type: 'keyUp' } });
      expect(await invoke(app, 'settings:set', [{ devMode: true }])).toMatchObject({ error: { code: 'refused' } });
      await app.send({ cmd: 'contents-event', event: 'input-event', input: { type: 'mouseDown' } });
      await app.send({
        cmd: 'dialog-queue',
        answer: { button: 'Turn On Development Mode' },
        match: { kind: 'message' },
      });
      expect(await invoke(app, 'settings:set', [{ devMode: true }])).toMatchObject({
        ok: true,
        value: { settings: { devMode: true } },
      });
      expect(settingsOnDisk(app)['devMode']).toBe(true);
      // Now a host others reach is refused outright: no dialog.
      const dialogs = app.named('dialog.showMessageBox').length;
      expect(await invoke(app, 'settings:set', [{ host: '0.0.0.0' }])).toMatchObject({
        ok: false,
        error: { code: 'refused' },
      });
      expect(app.named('dialog.showMessageBox')).toHaveLength(dialogs);
    },
  );

  it('takes the msbserver path only from its own open dialog, and only a file that passes the checks', async () => {
    const app = await launchReady();
    await openWindow(app);
    expect(await invoke(app, 'settings:set', [{ msbserverPath: STANDIN }])).toMatchObject({
      ok: false,
      error: { code: 'refused' },
    });
    expect(app.named('dialog.showOpenDialog')).toEqual([]);

    await app.send({ cmd: 'dialog-queue', answer: { filePaths: [STANDIN] }, match: { kind: 'open' } });
    expect(await invoke(app, 'settings:choose-msbserver')).toMatchObject({
      ok: true,
      value: { settings: { msbserverPath: STANDIN } },
    });
    const open = app.named('dialog.showOpenDialog')[0];
    expect(open?.detail['options']).toMatchObject({
      title: 'Choose msbserver',
      properties: ['openFile', 'dontAddToRecent'],
    });
    expect(settingsOnDisk(app)['msbserverPath']).toBe(STANDIN);

    const unsafe = path.join(temp, 'writable', 'msbserver');
    fs.mkdirSync(path.dirname(unsafe), { recursive: true });
    fs.writeFileSync(unsafe, '#!/bin/sh\n');
    fs.chmodSync(unsafe, 0o777);
    await app.send({ cmd: 'dialog-queue', answer: { filePaths: [unsafe] }, match: { kind: 'open' } });
    expect(await invoke(app, 'settings:choose-msbserver')).toMatchObject({ ok: false, error: { code: 'refused' } });
    await app.send({ cmd: 'dialog-queue', answer: { canceled: true }, match: { kind: 'open' } });
    expect(await invoke(app, 'settings:choose-msbserver')).toMatchObject({ ok: false, error: { code: 'declined' } });
    expect(settingsOnDisk(app)['msbserverPath']).toBe(STANDIN);

    expect(await invoke(app, 'settings:clear-msbserver')).toMatchObject({
      ok: true,
      value: { settings: { msbserverPath: null } },
    });
  });
});

describe('copying a new API key from the tray', () => {
  it('copies the key and says so, naming the namespace and that the clipboard is not cleared', async () => {
    const app = await launchReady({ settings: { clipboardClearSeconds: 0, defaultNamespace: 'team-a' } });
    await app.send({ cmd: 'tray-click', id: 'copy-key:1h' });
    const note = await waitFor(
      () => notifications(app).find((entry) => entry.title === 'API key copied'),
      10_000,
      'the "API key copied" notification',
    );
    expect(note.body).toContain('team-a');
    expect(note.body).toMatch(/not cleared/);
    expect(await clipboardText(app)).toMatch(/^msb_/);
  });
});

describe('quitting', () => {
  it('exits after the shutdown timeout when the shutdown never finishes', async () => {
    const app = await launchReady({ settings: { clipboardClearSeconds: 60 } });
    // A secret waits to be cleared, so shutting down reads the clipboard — which then never answers.
    await app.send({ cmd: 'tray-click', id: 'copy-key' });
    await waitFor(() => app.named('clipboard.writeText')[0], 10_000, 'the key copied');
    await app.send({ cmd: 'stall-clipboard' });

    const quitAt = Date.now();
    await app.send({ cmd: 'quit' });
    const exit = await app.waitForExit('Quit');
    const elapsed = Date.now() - quitAt;
    expect(exit.code).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_500);
    expect(app.output).toContain(
      `Shutting down did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s; quitting anyway.`,
    );
    expect(app.named('clipboard.readText').at(-1)?.detail['stalled']).toBe(true);
    expect(app.named('app.exit').map((entry) => entry.detail['code'])).toEqual([0]);
  });
});

describe.skipIf(!canRunServer)('with the stand-in server running: keys and quitting', () => {
  async function runningServer(app: RecordingApp, home: string): Promise<number> {
    const pidFile = path.join(home, 'server.pid');
    const pid = await waitFor(
      () => {
        if (!fs.existsSync(pidFile)) return undefined;
        const value = Number(fs.readFileSync(pidFile, 'utf8').trim());
        return Number.isInteger(value) && value > 1 ? value : undefined;
      },
      20_000,
      'server.pid',
    );
    serverPids.add(pid);
    await waitFor(
      async () => {
        const state = await app.send<{ tray: { tooltip: string } | null }>({ cmd: 'state' });
        return state.tray?.tooltip.startsWith('Microsandbox: Running') === true ? true : undefined;
      },
      20_000,
      'the tray to show the server running',
    );
    return pid;
  }

  it('leaves a detached server running when stopServerOnQuit is off', async () => {
    const port = await freePort();
    const app = await launchReady({ settings: { port, stopServerOnQuit: false } });
    const home = path.join(temp, 'home');
    await openWindow(app);
    const started = await invoke(app, 'server:start');
    expect(started).toMatchObject({ ok: true, value: { state: 'running', url: `http://127.0.0.1:${port}` } });
    const pid = await runningServer(app, home);
    expect((started as { value: ServerSnapshot }).value.pid).toBe(pid);
    // The window heard about it.
    const sent = app.named('webContents.send').map((entry) => entry.detail.channel);
    expect(sent).toContain('event:status');

    await app.send({ cmd: 'quit' });
    expect((await app.waitForExit('Quit')).code).toBe(0);
    const names = app.records().map((entry) => entry.name);
    expect(names).toContain('app.before-quit.prevented');
    expect(names).toContain('app.exit');
    expect(names).toContain('tray.destroy');
    expect(alive(pid)).toBe(true);
    expect(fs.readFileSync(path.join(home, 'server.pid'), 'utf8').trim()).toBe(String(pid));
  });

  it('copies a key the server accepts, and not one it refuses (server.key changed after it started)', async () => {
    const port = await freePort();
    const app = await launchReady({ settings: { port, clipboardClearSeconds: 45 } });
    const home = path.join(temp, 'home');
    await app.send({ cmd: 'tray-click', id: 'start' });
    await runningServer(app, home);

    await app.send({ cmd: 'tray-click', id: 'copy-key' });
    const copied = await waitFor(
      () => notifications(app).find((entry) => entry.title === 'API key copied'),
      10_000,
      'the "API key copied" notification',
    );
    expect(copied.body).toContain('all namespaces');
    expect(copied.body).toContain('45 s');
    const token = await clipboardText(app);
    expect(token).toMatch(/^msb_/);

    // The running server keeps the key it started with; keys signed with the new one are refused.
    fs.writeFileSync(path.join(home, 'server.key'), 'Zz'.repeat(16), { mode: 0o600 });
    await app.send({ cmd: 'tray-click', id: 'copy-key:7d' });
    const refused = await waitFor(
      () => notifications(app).find((entry) => entry.title === 'The server refused the new key'),
      10_000,
      'the refused-key notification',
    );
    expect(refused.body).toMatch(/refused this key/);
    expect(await clipboardText(app)).toBe(token);
    expect(notifications(app).filter((entry) => entry.title === 'API key copied')).toHaveLength(1);
    expect(app.named('clipboard.writeText')).toHaveLength(1);
  });

  it('exits within the shutdown timeout even while a start still waits for the server', async () => {
    const port = await freePort();
    const app = await launchReady({
      settings: { port, readinessTimeoutMs: 60_000 },
      env: { MSB_STANDIN_NEVER_HEALTHY: '1' },
    });
    const pidFile = path.join(temp, 'home', 'server.pid');
    await app.send({ cmd: 'tray-click', id: 'start' });
    const pid = await waitFor(
      () => {
        const value = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : NaN;
        return Number.isInteger(value) && value > 1 ? value : undefined;
      },
      20_000,
      'server.pid',
    );
    serverPids.add(pid);
    const { tray } = await app.send<{ tray: { tooltip: string } | null }>({ cmd: 'state' });
    expect(tray?.tooltip).toMatch(/^Microsandbox: Starting/);

    const quitAt = Date.now();
    await app.send({ cmd: 'quit' });
    const exit = await app.waitForExit('Quit');
    const elapsed = Date.now() - quitAt;
    expect(exit.code).toBe(0);
    // The backstop plus slack; a controller that aborts the start on dispose is faster.
    expect(elapsed).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_500);
    if (elapsed >= SHUTDOWN_TIMEOUT_MS)
      expect(app.output).toContain(`Shutting down did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s`);
    expect(app.named('app.exit').map((entry) => entry.detail['code'])).toEqual([0]);

    // No stand-in is left behind.
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone (the controller stopped it)
    }
    await waitFor(() => (goneOrZombie(pid) ? true : undefined), 10_000, 'the stand-in to be gone');
    serverPids.delete(pid);
  });

  it('stops the server and removes server.pid when stopServerOnQuit is on', async () => {
    const port = await freePort();
    const app = await launchReady({ settings: { port, stopServerOnQuit: true } });
    const home = path.join(temp, 'home');
    await app.send({ cmd: 'tray-click', id: 'start' });
    const pid = await runningServer(app, home);

    await app.send({ cmd: 'quit' });
    expect((await app.waitForExit('Quit')).code).toBe(0);
    await waitFor(() => (alive(pid) ? undefined : true), 10_000, 'the server to exit');
    expect(fs.existsSync(path.join(home, 'server.pid'))).toBe(false);
  });
});
