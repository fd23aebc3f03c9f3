// @ts-check
/**
 * A small main process for the harness's own tests (harness.test.ts), not the app: it serves its
 * window from a privileged custom scheme with `protocol.handle` + `net.fetch` (as the app's window
 * soon will be), answers IPC with what it saw of the sender, shows dialogs when asked, pings the
 * window, and has a tray menu with a submenu, a disabled item and a checkbox.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BrowserWindow, Menu, Tray, app, dialog, ipcMain, nativeImage, net, protocol } from 'electron';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PAGE = 'fixture://app/index.html';

// Before ready, as Electron requires.
protocol.registerSchemesAsPrivileged([
  { scheme: 'fixture', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

/** @type {BrowserWindow | null} */
let win = null;
let pings = 0;
let toggled = false;

/** @param {string} url */
function open(url) {
  win?.destroy();
  const window = new BrowserWindow({
    width: 500,
    height: 400,
    show: false,
    webPreferences: {
      preload: path.join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win = window;
  window.once('ready-to-show', () => window.show());
  window.loadURL(url).catch((/** @type {unknown} */ error) => {
    console.log(`load failed: ${error instanceof Error ? error.message : String(error)}`);
  });
}

/** @type {Tray | null} */
let tray = null;
function renderTray() {
  tray?.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Fixture', enabled: false },
      { id: 'open', label: 'Open Window', click: () => open(PAGE) },
      {
        id: 'open-file',
        label: 'Open From File',
        click: () => open(pathToFileURL(path.join(here, 'index.html')).href),
      },
      { id: 'open-unhandled', label: 'Open Unhandled', click: () => open('nohandler://app/index.html') },
      {
        label: 'More',
        submenu: [
          { label: 'Ping Window', click: () => win?.webContents.send('ping', ++pings, { nested: [1, 2] }) },
          { id: 'deep-disabled', label: 'Disabled Deep', enabled: false, click: () => undefined },
        ],
      },
      {
        id: 'toggle',
        label: 'Toggle',
        type: 'checkbox',
        checked: toggled,
        click: (item) => {
          toggled = item.checked;
          renderTray();
        },
      },
      { id: 'quit', label: 'Quit', click: () => app.quit() },
    ]),
  );
}

void app.whenReady().then(() => {
  protocol.handle('fixture', (request) => {
    const { host, pathname } = new URL(request.url);
    const file = path.join(here, path.normalize(decodeURIComponent(pathname)));
    if (host !== 'app' || !file.startsWith(`${here}${path.sep}`)) return new Response('not here', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });

  ipcMain.handle('who', (event, payload) => ({
    payload,
    id: event.sender.id,
    url: event.senderFrame?.url ?? null,
    main: event.senderFrame === event.sender.mainFrame,
    own: win !== null && event.sender === win.webContents,
  }));
  ipcMain.handle('ask', async (_event, sync) => {
    const options = { message: 'Proceed?', buttons: ['Cancel', 'Proceed'], cancelId: 0 };
    if (sync === true)
      return { response: win === null ? dialog.showMessageBoxSync(options) : dialog.showMessageBoxSync(win, options) };
    return win === null ? dialog.showMessageBox(options) : dialog.showMessageBox(win, options);
  });
  ipcMain.handle('pick', () => dialog.showOpenDialog({ title: 'Pick a file', properties: ['openFile'] }));
  ipcMain.handle('save', () => dialog.showSaveDialogSync({ title: 'Save as' }));
  ipcMain.handle('oops', () => dialog.showErrorBox('Oops', 'Something broke.'));
  ipcMain.handle('fail', () => {
    throw new Error('it failed');
  });
  ipcMain.on('note', (event, text) => event.sender.send('noted', `main heard ${String(text)}`));
  // Sends around a reply, as the app's feeds do around an answer: one just before it, one just
  // after (once the reply has gone; Electron answers as the handler's promise settles).
  ipcMain.handle('burst', (event, n) => {
    event.sender.send('tick', `before ${String(n)}`);
    setImmediate(() => event.sender.send('tick', `after ${String(n)}`));
    return `reply ${String(n)}`;
  });

  tray = new Tray(nativeImage.createFromPath(path.join(here, 'tray.png')));
  tray.setToolTip('Fixture');
  renderTray();
});
