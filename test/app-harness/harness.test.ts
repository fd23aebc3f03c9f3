/**
 * The app harness's own promises, checked with a small fixture main (fixture-app/) rather than
 * the app: a window served from a privileged custom scheme through main's `protocol.handle`, the
 * sender main sees for each frame, messages both ways, tray clicks, dialogs answered ahead, while
 * open, and while a sync one blocks main; and the URL mapping itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppHarness, findMenuEntry, launchHarnessChromium, waitFor } from './driver.ts';
import { useAppTestBudget } from '../electron/recording-electron/driver.ts';
import type { AppBuild } from './driver.ts';
import { fromPageUrl, isCustomSchemeUrl, isMappedUrl, toPageUrl } from './scheme-url.ts';

const FIXTURE = fileURLToPath(new URL('./fixture-app/', import.meta.url));
const FIXTURE_BUILD: AppBuild = {
  outDir: FIXTURE,
  mainJs: path.join(FIXTURE, 'main.js'),
  preload: path.join(FIXTURE, 'preload.cjs'),
  rendererIndex: path.join(FIXTURE, 'index.html'),
  appPath: FIXTURE,
};
const PAGE = 'fixture://app/index.html';

interface Who {
  readonly payload: unknown;
  readonly id: number;
  readonly url: string | null;
  readonly main: boolean;
  readonly own: boolean;
}

interface FixtureApi {
  who(payload?: unknown): Promise<Who>;
  ask(sync?: boolean): Promise<{ response: number; checkboxChecked?: boolean }>;
  pick(): Promise<{ canceled: boolean; filePaths: string[] }>;
  save(): Promise<string>;
  oops(): Promise<void>;
  fail(): Promise<string>;
  missing(): Promise<string>;
  note(text: string): void;
  burst(n: number): Promise<void>;
  heard(): { channel: string; n?: number; extra?: unknown; text?: string }[];
}

let browser: Browser | undefined;
let harness: AppHarness | null = null;

useAppTestBudget();

beforeAll(async () => {
  browser = await launchHarnessChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  const current = harness;
  harness = null;
  if (current === null) return;
  expect(await current.dispose()).toEqual([]);
  expect(current.problems).toEqual([]);
});

async function launch(): Promise<AppHarness> {
  if (browser === undefined) throw new Error('no browser');
  harness = await AppHarness.launch({ browser, build: FIXTURE_BUILD });
  return harness;
}

async function openFixture(app: AppHarness, item = 'open'): Promise<Page> {
  await app.clickTray(item);
  const window = await waitFor(() => app.window().then((found) => found ?? undefined), 10_000, 'the fixture window');
  // The page fetches data.json as it loads; a test that ended with that request in flight would
  // have it aborted by the teardown (a console error). Settled first, whichever way it went.
  await window.page.locator('#fetched:not(:empty)').waitFor({ timeout: 10_000 });
  return window.page;
}

/** Calls the fixture preload's API in the page, as the page's own script would. */
function api<T>(page: Page, call: (fixture: FixtureApi) => Promise<T> | T): Promise<T> {
  return page.evaluate<T>(`(${call.toString()})(window.fixture)`);
}

describe('the URL mapping for custom schemes', () => {
  it('gives each scheme and host its own origin and maps back exactly', () => {
    const cases: [string, string][] = [
      ['app://bundle/index.html?x=1#top', 'http://bundle.app.scheme.localhost/index.html?x=1#top'],
      ['msb-tray://app/assets/index.js', 'http://app.msb-tray.scheme.localhost/assets/index.js'],
      ['app://bundle:8080/a', 'http://bundle.app.scheme.localhost:8080/a'],
      ['app://a.b/c', 'http://a.b.app.scheme.localhost/c'],
      ['app:///index.html', 'http://app.scheme.localhost/index.html'],
    ];
    for (const [custom, page] of cases) {
      expect(toPageUrl(custom)).toBe(page);
      expect(isMappedUrl(page)).toBe(true);
      expect(fromPageUrl(page)).toBe(custom);
    }
  });

  it('leaves what Chromium serves itself alone, and refuses what it cannot map', () => {
    for (const url of [
      'file:///tmp/index.html',
      'http://127.0.0.1:5173/',
      'https://example.com/',
      'about:blank',
      'data:text/html,x',
    ]) {
      expect(isCustomSchemeUrl(url)).toBe(false);
      expect(toPageUrl(url)).toBe(url);
      expect(fromPageUrl(url)).toBe(url);
    }
    expect(isMappedUrl('http://localhost/')).toBe(false);
    expect(() => toPageUrl('my+scheme://x/')).toThrow(/DNS label/);
    expect(() => toPageUrl('app:index.html')).toThrow(/<scheme>:\/\/<host>/);
  });
});

describe('a window served from a privileged custom scheme', () => {
  it("loads through main's protocol handler, sub-resources and fetches included", async () => {
    const app = await launch();
    const registered = app.app.named('protocol.registerSchemesAsPrivileged');
    expect(registered).toHaveLength(1);
    expect(registered[0]?.ready).toBe(false);
    expect(registered[0]?.detail['beforeReady']).toBe(true);

    const page = await openFixture(app);
    const appWindow = await app.window();
    expect(appWindow?.url).toBe(PAGE);
    expect(page.url()).toBe(toPageUrl(PAGE));
    await expect
      .poll(() => page.locator('#fetched').textContent(), { timeout: 10_000 })
      .toBe('served by the protocol handler');
    expect(await page.locator('#location').textContent()).toBe(toPageUrl(PAGE));
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    const served = app.app.named('protocol.request').map((entry) => entry.detail.url);
    expect(served).toEqual(expect.arrayContaining([PAGE, 'fixture://app/page.js', 'fixture://app/data.json']));
    expect(app.app.named('net.fetch').map((entry) => entry.detail.url)).toContain(
      pathToFileURL(path.join(FIXTURE, 'data.json')).href,
    );
    // Electron's order: the page loaded, then ready-to-show (the fixture shows the window then).
    await app.app.waitForRecord((entry) => entry.name === 'browserWindow.show');
  });

  it('fails the load (loadURL rejects, did-fail-load) for a scheme nobody handles', async () => {
    const app = await launch();
    await app.clickTray('open-unhandled');
    const failed = await app.app.waitForRecord((entry) => entry.name === 'webContents.did-fail-load');
    expect(failed.detail.url).toBe('nohandler://app/index.html');
    await waitFor(
      () => (app.app.output.includes('load failed:') ? true : undefined),
      5_000,
      'main to see the rejection',
    );
    expect(app.app.named('protocol.request').at(-1)?.detail['handled']).toBe(false);
  });

  it('loads a file:// page as it is', async () => {
    const app = await launch();
    const page = await openFixture(app, 'Open From File');
    const file = pathToFileURL(path.join(FIXTURE, 'index.html')).href;
    expect(page.url()).toBe(file);
    const who = await api(page, (fixture) => fixture.who());
    expect(who).toMatchObject({ url: file, main: true, own: true });
  });
});

describe('IPC through the harness', () => {
  it(
    'hands main the sender contents and the frame object: ' + 'the main frame is sender.mainFrame, a sub frame is not',
    async () => {
      const app = await launch();
      const page = await openFixture(app);
      const appWindow = await app.window();
      const fromMain = await api(page, (fixture) => fixture.who({ n: 1, list: [true, null], nothing: undefined }));
      expect(fromMain).toEqual({
        payload: { n: 1, list: [true, null], nothing: undefined },
        id: appWindow?.contentsId,
        url: PAGE,
        main: true,
        own: true,
      });

      // A same-origin sub frame showing the very same page: the URL check alone would pass it.
      await page.evaluate(() => {
        const frame = document.createElement('iframe');
        frame.name = 'inner';
        frame.src = './index.html';
        document.body.append(frame);
      });
      const inner = await waitFor(
        () => page.frames().find((frame) => frame.name() === 'inner' && frame.url().endsWith('/index.html')),
        5_000,
        'the sub frame',
      );
      await inner.waitForLoadState('load');
      // The preload runs in the main frame only (no nodeIntegrationInSubFrames), as in Electron.
      expect(await inner.evaluate(() => typeof (window as unknown as { fixture?: unknown }).fixture)).toBe('undefined');
      const fromInner = (await app.ipcFrom(inner).invoke('who', 'sub')) as Who;
      expect(fromInner).toMatchObject({ url: PAGE, main: false, own: true, id: appWindow?.contentsId });
      // The same frame again is the same frame object in main (stable identity).
      const again = (await app.ipcFrom(inner).invoke('who')) as Who;
      expect(again.main).toBe(false);
    },
  );

  it("keeps main's order: a send before the reply arrives before it, a send after it after", async () => {
    const app = await launch();
    const page = await openFixture(app);
    const rounds = 40; // the page function below is sent as text: it has its own 40
    // Many at once, as a window's first load asks several things while main's feeds send.
    await api(page, (fixture) => Promise.all(Array.from({ length: 40 }, (_, n) => fixture.burst(n))));
    const heard = await waitFor(
      async () => {
        const all = await api(page, (fixture) => fixture.heard().filter((entry) => entry.channel !== 'ping'));
        return all.filter((entry) => entry.text?.startsWith('after')).length === rounds ? all : undefined;
      },
      10_000,
      'every send after a reply',
    );
    const at = (text: string): number => heard.findIndex((entry) => entry.text === text);
    for (let n = 0; n < rounds; n++) {
      expect(at(`before ${n}`), `round ${n}`).toBeLessThan(at(`reply ${n}`));
      expect(at(`reply ${n}`), `round ${n}`).toBeLessThan(at(`after ${n}`));
    }
  });

  it('drops a reply to a document the frame has left, as Electron does: it answers nothing in the next', async () => {
    const app = await launch();
    const page = await openFixture(app);
    const ask = (): Promise<unknown> =>
      page.evaluate(() => (window as unknown as { fixture: FixtureApi }).fixture.ask()).catch(() => 'gone');
    // The first document's first invoke waits on a dialog; then the page reloads.
    void ask();
    const before = await app.waitForDialog({ kind: 'message', text: 'Proceed?' });
    await page.reload();
    await page.locator('#fetched:not(:empty)').waitFor({ timeout: 10_000 });
    // The new document's first invoke waits on a dialog of its own.
    const now = ask();
    const after = await waitFor(
      () => app.dialogs().find((dialog) => dialog.id !== before.id && dialog.answer === null),
      10_000,
      'the second dialog',
    );
    // Main answers the old document's invoke: the new document's must not take that answer.
    await app.answerDialog(before.id, { button: 'Proceed' });
    await app.answerDialog(after.id, { button: 'Cancel' });
    expect(await now).toEqual({ response: 0, checkboxChecked: false });
  });

  it('rejects as ipcRenderer.invoke does when a handler throws or there is none', async () => {
    const app = await launch();
    const page = await openFixture(app);
    expect(await api(page, (fixture) => fixture.fail())).toBe("Error invoking remote method 'fail': it failed");
    expect(await api(page, (fixture) => fixture.missing())).toBe(
      "Error invoking remote method 'no-such-channel': No handler registered for 'no-such-channel'",
    );
  });

  it('delivers webContents.send to ipcRenderer.on listeners, and ipcRenderer.send to ipcMain.on', async () => {
    const app = await launch();
    const page = await openFixture(app);
    await app.clickTray('Ping Window');
    await app.clickTray('Ping Window');
    await expect
      .poll(
        () =>
          api(page, (fixture) =>
            fixture
              .heard()
              .filter((entry) => entry.channel === 'ping')
              .map((entry) => entry.n),
          ),
        { timeout: 10_000 },
      )
      .toEqual([1, 2]);
    expect((await api(page, (fixture) => fixture.heard()))[0]).toEqual({
      channel: 'ping',
      n: 1,
      extra: { nested: [1, 2] },
    });
    await page.evaluate(() => (window as unknown as { fixture: FixtureApi }).fixture.note('hello'));
    await expect
      .poll(() => api(page, (fixture) => fixture.heard().find((entry) => entry.channel === 'noted')?.text), {
        timeout: 10_000,
      })
      .toBe('main heard hello');
  });
});

describe('the tray', () => {
  it('clicks by id or label, in submenus too, refuses disabled or unknown items, and toggles checkboxes', async () => {
    const app = await launch();
    const tray = await app.tray();
    expect(tray.tooltip).toBe('Fixture');
    expect(findMenuEntry(tray.menu, 'Ping Window')).toMatchObject({ label: 'Ping Window' });
    await expect(app.clickTray('Fixture')).rejects.toThrow(/disabled/);
    await expect(app.clickTray('deep-disabled')).rejects.toThrow(/disabled/);
    await expect(app.clickTray('No Such Item')).rejects.toThrow(/no tray item/);
    expect(findMenuEntry(tray.menu, 'toggle')?.checked).toBe(false);
    await app.clickTray('Toggle');
    const toggled = await app.waitForTray(
      (state) => findMenuEntry(state.menu, 'toggle')?.checked === true,
      'the checkbox to be checked',
    );
    expect(findMenuEntry(toggled.menu, 'toggle')?.checked).toBe(true);
  });
});

describe('dialogs', () => {
  it('keeps an unanswered dialog open until the test answers it, by button label', async () => {
    const app = await launch();
    const page = await openFixture(app);
    const answer = page.evaluate(() => (window as unknown as { fixture: FixtureApi }).fixture.ask());
    const open = await app.waitForDialog({ kind: 'message', text: 'Proceed?' });
    expect(open).toMatchObject({
      method: 'showMessageBox',
      sync: false,
      answer: null,
      window: (await app.window())?.windowId,
    });
    expect(open.options['buttons']).toEqual(['Cancel', 'Proceed']);
    await expect(app.answerDialog(open.id, { button: 'Later' })).rejects.toThrow(/no button "Later"/);
    await app.answerDialog(open.id, { button: 'Proceed' });
    expect(await answer).toEqual({ response: 1, checkboxChecked: false });
    expect(app.dialogs().find((dialog) => dialog.id === open.id)).toMatchObject({
      answer: { response: 1 },
      source: 'test',
    });
  });

  it('answers from the queue the first dialog that matches, and records error boxes', async () => {
    const app = await launch();
    const page = await openFixture(app);
    await app.queueDialogAnswer({ filePaths: ['/tmp/chosen'] }, { kind: 'open' });
    await app.queueDialogAnswer({ response: 0 }, { text: 'Proceed?' });
    expect(await api(page, (fixture) => fixture.pick())).toEqual({ canceled: false, filePaths: ['/tmp/chosen'] });
    expect(await api(page, (fixture) => fixture.ask())).toEqual({ response: 0, checkboxChecked: false });
    // A sync save dialog answered from the queue never blocks; Electron's sync form answers the path.
    await app.queueDialogAnswer({ filePath: '/tmp/saved.txt' }, { kind: 'save' });
    expect(await api(page, (fixture) => fixture.save())).toBe('/tmp/saved.txt');
    // An error box needs no answer; it is recorded with its title and text.
    await api(page, (fixture) => fixture.oops());
    expect(app.dialogs().map((dialog) => [dialog.method, dialog.source])).toEqual([
      ['showOpenDialog', 'queue'],
      ['showMessageBox', 'queue'],
      ['showSaveDialogSync', 'queue'],
      ['showErrorBox', null],
    ]);
    expect(app.dialogs().at(-1)).toMatchObject({
      kind: 'error',
      options: { title: 'Oops', message: 'Something broke.' },
      answer: {},
    });
  });

  it("blocks main's thread while a sync dialog is open, as Electron does, until the test answers", async () => {
    const app = await launch();
    const page = await openFixture(app);
    const answer = page.evaluate(() => (window as unknown as { fixture: FixtureApi }).fixture.ask(true));
    const open = await app.waitForDialog({ text: 'Proceed?' });
    expect(open.sync).toBe(true);
    // Main answers nothing meanwhile: not even the harness's own state command.
    const state = app.app.send({ cmd: 'state' });
    let answered = false;
    void state.then(() => (answered = true));
    // Sent after the command: an answer the dialog refuses. Main records the refusal from inside
    // its blocking loop, so once it is recorded main has run past the command without answering.
    const file = path.join(app.app.dialogDir, `${open.id}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ button: 'No such button' }));
    fs.renameSync(`${file}.tmp`, file);
    await waitFor(
      () => app.app.named('dialog.answer-refused').find((entry) => entry.detail['id'] === open.id),
      10_000,
      'the refusal of the wrong answer',
    );
    expect(answered).toBe(false);
    await app.answerDialog(open.id, { button: 'Proceed' });
    expect(await answer).toEqual({ response: 1 });
    await state;
  });
});
