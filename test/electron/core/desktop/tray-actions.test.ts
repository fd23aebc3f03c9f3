// The tray's clicks against the real controller (msbserver stand-in), the real mint service and
// key file; only the clipboard, notifications and shell (Electron's) are recording ports.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, promises as fsp, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClipboardGuard } from '../../../../electron/core/desktop/clipboard-guard.ts';
import type { Notification } from '../../../../electron/core/desktop/desktop-ports.ts';
import { createTrayActions, type TrayActionDeps } from '../../../../electron/core/desktop/tray-actions.ts';
import { parseTrayAction, type TrayAction, type TrayActionKind } from '../../../../electron/core/desktop/tray-items.ts';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { verifyToken } from '../../../../electron/core/keys/token.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { createRuntimeService } from '../../../../electron/core/runtime/runtime-service.ts';
import { RUNTIME_UNKNOWN, type RuntimeStateInfo } from '../../../../shared/runtime.ts';
import type { SandboxesView, SandboxStopResult } from '../../../../shared/sandboxes.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { Controller } from '../../../../electron/core/server/controller.ts';
import type { ChoicePort } from '../../../../electron/core/desktop/desktop-ports.ts';
import { createSandboxesService, type SandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import { killMsbrunUnder, msbrunProcessesUnder, signTestToken } from '../../../fixtures/standin-helpers.ts';
import { createHarness, type Harness } from '../server/lifecycle-harness.ts';
import { until } from '../sandboxes/helpers.ts';
import { removeWhenUnused } from '../../../support/remove-when-unused.ts';

let h: Harness;
let control: Controller;
let clipboardText: string;
let notes: Notification[];
let revealed: string[];
let opened: number;
let quits: number;
let toggles: number;
let errors: string[];
let warnings: string[];
let act: (action: TrayAction) => Promise<void>;
let sandboxes: SandboxesService;
let asked: string[];
let quitsAs: string[];
let views: string[];
let abouts: number;
let locate: () => Promise<void>;
let answers: string[];
const choice: ChoicePort = {
  choose(question) {
    asked.push(`${question.title} ${question.message} ${question.detail ?? ''}`);
    return Promise.resolve(question.buttons.indexOf(answers.shift() ?? 'Cancel'));
  },
};

beforeEach(async () => {
  h = await createHarness();
  control = h.controller();
  await control.ready;
  clipboardText = '';
  notes = [];
  revealed = [];
  opened = 0;
  quits = 0;
  quitsAs = [];
  views = [];
  abouts = 0;
  locate = () => Promise.resolve();
  toggles = 0;
  errors = [];
  warnings = [];
  asked = [];
  answers = [];
  sandboxes = createSandboxesService({
    defaultNamespacesDir: h.paths.namespacesDir,
    settings: { get: () => h.settings, onChange: () => () => undefined },
    server: () => control.snapshot(),
    keyFile: h.paths.keyFile,
    scrubber: { scrubLines: (lines) => Promise.resolve([...lines]) },
  });
  const clipboard = new ClipboardGuard(
    {
      readText: () => Promise.resolve(clipboardText),
      writeText: (text) => Promise.resolve(void (clipboardText = text)),
    },
    () => h.settings.clipboardClearSeconds,
  );
  act = createTrayActions({
    control,
    mint: createMintService({
      keyFile: h.paths.keyFile,
      snapshot: () => control.snapshot(),
      settings: () => h.settings,
      clock: { now: () => Date.now() },
    }),
    clipboard,
    notifier: { notify: (note) => void notes.push(note) },
    shell: { showItemInFolder: (file) => void revealed.push(file), openPath: () => Promise.resolve('') },
    settings: () => h.settings,
    openWindow: (view) => void (opened++, views.push(view ?? 'default')),
    toggleStartAtLogin: () => Promise.resolve(void toggles++),
    quit: (server) => void (quits++, quitsAs.push(server)),
    locateMsbserver: () => locate(),
    about: () => Promise.resolve(void abouts++),
    logger: {
      ...silentLogger,
      error: (message) => void errors.push(message),
      warn: (message) => void warnings.push(message),
    },
    sandboxes,
    choice,
  });
});

afterEach(async () => {
  sandboxes.dispose();
  const left = h.liveServers();
  const leftSandboxes = await killMsbrunUnder(h.root);
  await h.cleanup();
  expect(left, 'stand-ins left running').toEqual([]);
  expect(leftSandboxes, 'msbrun processes left running').toEqual([]);
});

/** sandbox.start through the running secure server, with a key signed by server.key. */
async function startSandbox(namespace: string, sandbox: string): Promise<void> {
  const key = await fsp.readFile(h.paths.keyFile, 'utf8');
  const now = Math.floor(Date.now() / 1000);
  const res = await fetch(`${control.snapshot().url ?? ''}/api/v1/rpc`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${signTestToken(key, { exp: now + 60, iat: now, namespace: '*' })}`,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'sandbox.start',
      params: { sandbox, namespace, config: { image: 'x' } },
      id: 1,
    }),
  });
  expect(res.status, await res.text()).toBe(200);
}

const runningNames = async (): Promise<string[]> =>
  (await sandboxes.refresh()).namespaces.flatMap((ns) =>
    ns.sandboxes.filter((x) => x.state === 'running').map((x) => `${ns.name}/${x.name}`),
  );

describe('tray actions', () => {
  it('start, restart and stop drive the server', async () => {
    await act('start');
    const first = control.snapshot();
    expect(first.state).toBe('running');
    await act('restart');
    expect(control.snapshot().state).toBe('running');
    expect(control.snapshot().pid).not.toBe(first.pid);
    await act('stop');
    expect(control.snapshot().state).toBe('stopped');
    expect(h.liveServers()).toEqual([]);
  });

  it('copies a key signed with server.key for the preset expiry and says so', async () => {
    h.settings = { ...h.settings, defaultNamespace: 'team-a', clipboardClearSeconds: 30 };
    await act('copy-key:7d');
    expect(clipboardText).toMatch(/^msb_/);
    const key = await fsp.readFile(h.paths.keyFile, 'utf8');
    const verified = await verifyToken(clipboardText, key);
    if (!verified.valid) throw new Error(verified.reason);
    expect(verified.claims.namespace).toBe('team-a');
    expect(verified.claims.exp - verified.claims.iat).toBe(7 * 86_400);
    expect(notes).toEqual([
      {
        title: 'API key copied',
        body: 'A key for the namespace team-a is on the clipboard. The clipboard clears in 30 s.',
      },
    ]);
  });

  it('copies nothing and says why when no key can be made', async () => {
    await fsp.mkdir(h.paths.keyFile, { recursive: true }); // a folder where server.key should be
    await act('copy-key');
    expect(clipboardText).toBe('');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.title).toBe('No API key was copied');
    expect(notes[0]?.body).toContain(h.paths.keyFile);
  });

  it('copies the URL, opens the window and the log, toggles start at login and quits', async () => {
    await act('copy-url');
    expect(clipboardText).toBe(`http://127.0.0.1:${h.settings.port}`);
    await act('open-window');
    await act('open-log');
    await act('toggle-start-at-login');
    await act('quit');
    expect({ opened, revealed, toggles, quits }).toEqual({
      opened: 1,
      revealed: [control.logFile],
      toggles: 1,
      quits: 1,
    });
  });

  it('quits as chosen, opens Settings and the first-run state on their views, shows About', async () => {
    await act('quit-and-stop');
    await act('quit-leave-running');
    await act('quit');
    expect(quitsAs).toEqual(['stop', 'leave', 'as-set']);
    await act('open-settings');
    await act('install');
    expect(views).toEqual(['settings', 'status']);
    await act('about');
    expect(abouts).toBe(1);
  });

  it('Locate msbserver… says nothing when the chooser is closed, and why when the file was refused', async () => {
    locate = () => Promise.reject(Object.assign(new Error('No file was chosen.'), { code: 'declined' }));
    await act('locate-msbserver');
    expect(notes).toEqual([]);
    locate = () => Promise.reject(Object.assign(new Error('Others can change /tmp/msbserver.'), { code: 'refused' }));
    await act('locate-msbserver');
    expect(notes).toEqual([{ title: 'msbserver was not set', body: 'Others can change /tmp/msbserver.' }]);
    expect(errors).toEqual([]);
  });

  it('copies a key for a namespace of the submenu, with the default expiry', async () => {
    await act('copy-key-namespace:team-b');
    const key = await fsp.readFile(h.paths.keyFile, 'utf8');
    const verified = await verifyToken(clipboardText, key);
    if (!verified.valid) throw new Error(verified.reason);
    expect(verified.claims.namespace).toBe('team-b');
    // A name no namespace can have copies nothing.
    clipboardText = '';
    await act('copy-key-namespace:../etc');
    expect(clipboardText).toBe('');
    expect(warnings).toEqual(['Tray action copy-key-namespace:../etc does nothing: no such item']);
    expect(notes.map((note) => note.title)).toEqual(['API key copied']);
  });

  it('logs a failing action instead of rejecting', async () => {
    const failing = createTrayActions({
      control,
      mint: { mint: () => Promise.reject(new Error('unused')) },
      clipboard: new ClipboardGuard(
        { readText: () => Promise.resolve(''), writeText: () => Promise.reject(new Error('clipboard gone')) },
        () => 0,
      ),
      notifier: { notify: () => undefined },
      shell: { showItemInFolder: () => undefined, openPath: () => Promise.resolve('') },
      settings: () => h.settings,
      openWindow: () => undefined,
      toggleStartAtLogin: () => Promise.resolve(),
      quit: () => undefined,
      locateMsbserver: () => Promise.resolve(),
      about: () => Promise.resolve(),
      logger: { ...silentLogger, error: (message) => void errors.push(message) },
      sandboxes,
      choice,
    });
    await expect(failing('copy-url')).resolves.toBeUndefined();
    expect(errors).toEqual(['Tray action copy-url failed: clipboard gone']);
  });

  it(
    'Stop Server with a sandbox running asks natively; Cancel changes nothing, "Stop them too" ' + 'stops both',
    async (ctx) => {
      if (process.platform !== 'linux') return ctx.skip('reads /proc: Linux only');
      await act('start');
      await startSandbox('team', 'web');
      await until('web running', async () => (await runningNames()).includes('team/web'));

      answers = ['Cancel'];
      await act('stop');
      expect(asked).toEqual(['Stop the server? 1 sandbox is running. It keeps running after the server stops.']);
      expect(control.snapshot().state).toBe('running');
      expect(await runningNames()).toEqual(['team/web']);

      answers = ['Stop them too'];
      await act('stop');
      expect(asked).toHaveLength(2);
      expect(control.snapshot().state).toBe('stopped');
      await until('web stopped', async () => (await runningNames()).length === 0);
      await until('no msbrun left', async () => (await msbrunProcessesUnder(h.root)).length === 0);
      expect(errors).toEqual([]);
    },
  );

  it('a sandbox Stop, Show Log and Stop All from the Sandboxes submenu', async (ctx) => {
    if (process.platform !== 'linux') return ctx.skip('reads /proc: Linux only');
    await act('start');
    await startSandbox('team', 'web');
    await startSandbox('team', 'db');
    await startSandbox('other', 'job');
    await until('all running', async () => (await runningNames()).length === 3);

    await act('sandbox-log:team/web');
    expect(revealed).toEqual([`${h.paths.namespacesDir}/team/.menv/log/Sandboxfile/web.log`]);
    await act('sandbox-stop:team/web');
    await until('web stopped', async () => !(await runningNames()).includes('team/web'));
    expect(await runningNames()).toEqual(['other/job', 'team/db']);
    // A name that is no sandbox name does nothing.
    await act('sandbox-stop:team/../x');
    await act('sandbox-log:team/nope');
    expect(revealed).toHaveLength(1);

    await act('sandboxes-stop-all');
    await until('all stopped', async () => (await runningNames()).length === 0);
    // A sandbox no longer running: Stop says why in a notification.
    await act('sandbox-stop:team/db');
    expect(notes.at(-1)).toEqual({ title: 'Sandbox db was not stopped', body: 'team/db is not running.' });
    expect(asked).toEqual([]);
    await act('stop');
    expect(asked).toEqual([]);
    await until('no msbrun left', async () => (await msbrunProcessesUnder(h.root)).length === 0);
  });
});

describe.skipIf(process.platform === 'win32')("the tray's runtime Remove", () => {
  it('decides again after its dialog: a sandbox started meanwhile is not removed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-remove-'));
    chmodSync(dir, 0o755);
    const home = path.join(dir, 'home');
    const msb = path.join(dir, 'msb');
    writeFileSync(
      msb,
      [
        '#!/bin/sh',
        'case "$1" in',
        `  ls) if [ -e '${dir}/started' ]; then s=Running; else s=Stopped; fi;`,
        '    echo "[{\\"name\\":\\"web\\",\\"status\\":\\"$s\\"}]" ;;',
        "  ps) echo '[]' ;;",
        `  rm) touch '${dir}/removed' ;;`,
        'esac',
      ].join('\n'),
      { mode: 0o755 },
    );
    const service = createRuntimeService({ msbPath: msb, home, probeAtStart: false });
    try {
      await service.refresh();
      expect(service.state().sandboxes[0]?.status).toBe('Stopped');
      const removeNotes: Notification[] = [];
      const runtimeAct = createTrayActions({
        control,
        mint: { mint: () => Promise.reject(new Error('unused')) },
        clipboard: new ClipboardGuard(
          { readText: () => Promise.resolve(''), writeText: () => Promise.resolve() },
          () => 0,
        ),
        notifier: { notify: (note) => void removeNotes.push(note) },
        shell: { showItemInFolder: () => undefined, openPath: () => Promise.resolve('') },
        settings: () => h.settings,
        openWindow: () => undefined,
        toggleStartAtLogin: () => Promise.resolve(),
        quit: () => undefined,
        locateMsbserver: () => Promise.resolve(),
        about: () => Promise.resolve(),
        logger: silentLogger,
        sandboxes,
        choice,
        runtime: {
          view: () => ({ ...RUNTIME_UNKNOWN, generation: 'runtime', state: service.state() }),
          service: () => service,
        },
        confirm: {
          // While the dialog is up, the sandbox is started elsewhere and the list moves on.
          async confirm() {
            writeFileSync(path.join(dir, 'started'), '');
            mkdirSync(path.join(home, 'db'), { recursive: true });
            writeFileSync(path.join(home, 'db', 'msb.db-wal'), 'changed');
            await service.refresh();
            return true;
          },
        },
      });
      await runtimeAct('runtime-remove:web');
      expect(service.state().sandboxes[0]?.status).toBe('Running');
      expect(existsSync(path.join(dir, 'removed'))).toBe(false);
      expect(removeNotes).toEqual([{ title: 'web was not removed', body: 'It is Running now.' }]);
    } finally {
      service.dispose();
      await removeWhenUnused(dir, home);
    }
  });
});

/**
 * Which handler a click reaches. What each handler does is tested above against the real parts;
 * here every port records what was asked of it, so a click that reached another item's handler,
 * or two, shows.
 */
describe('tray action dispatch', () => {
  const runtimeState: RuntimeStateInfo = {
    sandboxes: [{ name: 'web', status: 'Running', image: 'x', createdAt: 0, cpus: null, memoryMib: null, ports: [] }],
    metrics: {},
    host: null,
    context: null,
    capabilities: { pause: true },
    error: null,
    listedAt: 0,
  };
  const sandboxView: SandboxesView = {
    namespacesDir: '/n',
    namespaces: [
      {
        name: 'team',
        error: null,
        sandboxes: [
          { name: 'web', logPath: '/n/team/log/web.log' } as SandboxesView['namespaces'][number]['sandboxes'][number],
        ],
      },
    ],
  };

  /** A click handler whose every port writes what it was asked into `calls`. */
  function recordingActions(): { calls: string[]; warnings: string[]; click: (id: string) => Promise<void> } {
    const calls: string[] = [];
    const dispatchWarnings: string[] = [];
    // A function argument (Connect's `ask`) is left out: it is the handler's own.
    const note = (what: string, args: unknown[]): void =>
      void calls.push(
        [what, ...args.filter((arg) => typeof arg !== 'function').map((arg) => JSON.stringify(arg))].join(' '),
      );
    // Rejecting ends each flow at its first port; a rejection is logged or notified, never run elsewhere.
    const record =
      (what: string) =>
      (...args: unknown[]): Promise<never> => {
        note(what, args);
        return Promise.reject(new Error('recorded'));
      };
    const recordVoid =
      (what: string) =>
      (...args: unknown[]): void =>
        note(what, args);
    const nothingStopped = (request: unknown): Promise<SandboxStopResult> => {
      note('sandboxes.stop', [request]);
      return Promise.resolve({ stopped: [], failed: [], via: 'none' });
    };
    const runtimeService = {
      checkHost: record('runtime.checkHost'),
      act: (name: string, action: string) => Promise.resolve(note('runtime.act', [name, action])),
      refresh: () => Promise.resolve(runtimeState),
    };
    const control = {
      snapshot: () => INITIAL_SNAPSHOT,
      start: record('control.start'),
      stop: record('control.stop'),
      restart: record('control.restart'),
      cancelRestart: record('control.cancelRestart'),
      logFile: '/l/server.log',
    };
    const click = createTrayActions({
      control: control as unknown as TrayActionDeps['control'],
      mint: { mint: record('mint') },
      clipboard: { copy: record('clipboard.copy') } as unknown as TrayActionDeps['clipboard'],
      notifier: { notify: () => undefined },
      shell: { showItemInFolder: recordVoid('shell.showItemInFolder'), openPath: record('shell.openPath') },
      settings: () => ({ ...DEFAULT_SETTINGS, defaultNamespace: 'ns', defaultExpiry: '2d' }),
      openWindow: recordVoid('openWindow'),
      toggleStartAtLogin: record('toggleStartAtLogin'),
      quit: recordVoid('quit'),
      locateMsbserver: record('locateMsbserver'),
      about: record('about'),
      logger: { ...silentLogger, warn: (message) => void dispatchWarnings.push(message) },
      sandboxes: {
        view: () => sandboxView,
        refresh: () => Promise.resolve({ namespacesDir: '/n', namespaces: [] }),
        stop: nothingStopped,
      },
      choice: { choose: record('choice.choose') },
      runtime: {
        view: () => ({ ...RUNTIME_UNKNOWN, generation: 'runtime', state: runtimeState }),
        service: () => runtimeService as unknown as ReturnType<NonNullable<TrayActionDeps['runtime']>['service']>,
      },
      confirm: { confirm: record('confirm.confirm') },
      connect: { connect: record('connect.connect'), disconnect: record('connect.disconnect') },
      appUpdate: {
        restartToUpdate: () => {
          note('appUpdate.restartToUpdate', []);
          return { kind: 'restarting', version: '9.9.9' };
        },
        openReleasePage: record('appUpdate.openReleasePage'),
      },
    });
    return { calls, warnings: dispatchWarnings, click };
  }

  // A Record of every kind: a kind added without its case here fails the type-check too.
  const cases: Readonly<Record<TrayActionKind, { readonly id: TrayAction; readonly calls: readonly string[] }>> = {
    start: { id: 'start', calls: ['control.start'] },
    stop: { id: 'stop', calls: ['control.stop'] },
    restart: { id: 'restart', calls: ['control.restart'] },
    'cancel-restart': { id: 'cancel-restart', calls: ['control.cancelRestart'] },
    install: { id: 'install', calls: ['openWindow "status"'] },
    'locate-msbserver': { id: 'locate-msbserver', calls: ['locateMsbserver'] },
    'copy-key': { id: 'copy-key', calls: ['mint {"namespace":"ns","expiresIn":"2d"}'] },
    'copy-url': { id: 'copy-url', calls: ['clipboard.copy "http://127.0.0.1:5555" false'] },
    'open-window': { id: 'open-window', calls: ['openWindow'] },
    'open-settings': { id: 'open-settings', calls: ['openWindow "settings"'] },
    'open-log': { id: 'open-log', calls: ['shell.showItemInFolder "/l/server.log"'] },
    'toggle-start-at-login': { id: 'toggle-start-at-login', calls: ['toggleStartAtLogin'] },
    about: { id: 'about', calls: ['about'] },
    'restart-to-update': { id: 'restart-to-update', calls: ['appUpdate.restartToUpdate'] },
    'open-update-page': { id: 'open-update-page', calls: ['appUpdate.openReleasePage'] },
    quit: { id: 'quit', calls: ['quit "as-set"'] },
    'quit-and-stop': { id: 'quit-and-stop', calls: ['quit "stop"'] },
    'quit-leave-running': { id: 'quit-leave-running', calls: ['quit "leave"'] },
    'copy-key-preset': { id: 'copy-key:7d', calls: ['mint {"namespace":"ns","expiresIn":"7d"}'] },
    'copy-key-namespace': { id: 'copy-key-namespace:alpha', calls: ['mint {"namespace":"alpha","expiresIn":"2d"}'] },
    'sandbox-stop': { id: 'sandbox-stop:team/web', calls: ['sandboxes.stop {"namespace":"team","name":"web"}'] },
    'sandbox-log': { id: 'sandbox-log:team/web', calls: ['shell.showItemInFolder "/n/team/log/web.log"'] },
    'sandboxes-stop-all': { id: 'sandboxes-stop-all', calls: ['sandboxes.stop {"all":true}'] },
    'runtime-sandbox': { id: 'runtime-stop:web', calls: ['runtime.act "web" "stop"'] },
    'check-host': { id: 'check-host', calls: ['runtime.checkHost'] },
    'mcp-client': { id: 'mcp-disconnect:cursor', calls: ['connect.disconnect "cursor"'] },
    'mcp-open-window': { id: 'mcp-open-window', calls: ['openWindow "connect"'] },
  };

  it('each kind of item reaches its own handler and no other', async () => {
    for (const [kind, { id, calls: expected }] of Object.entries(cases)) {
      expect(parseTrayAction(id)?.kind, id).toBe(kind);
      const { calls, warnings: logged, click } = recordingActions();
      await click(id);
      expect(calls, id).toEqual(expected);
      expect(logged, id).toEqual([]);
    }
  });

  it('an id the menu never makes runs nothing and is logged', async () => {
    const unknown = [
      '',
      'nonsense',
      'Start',
      'copy-key:2h',
      'copy-key-namespace:../x',
      'sandbox-stop:team',
      'runtime-delete:web',
      'mcp-connect:../../etc',
      'check-host:x',
    ];
    const { calls, warnings: logged, click } = recordingActions();
    for (const id of unknown) await click(id);
    expect(calls).toEqual([]);
    expect(logged).toEqual(unknown.map((id) => `Tray action ${id} does nothing: no such item`));
  });
});
