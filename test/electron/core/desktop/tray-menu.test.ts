import { describe, expect, it } from 'vitest';
import {
  MAX_TRAY_SANDBOXES,
  TRAY_ACTIONS,
  appUpdateItems,
  TRAY_KEY_PRESETS,
  buildTrayMenu,
  sandboxTrayItems,
  copyKeyRequest,
  restartLine,
  shortReason,
  statusLine,
  trayIconName,
  trayTooltip,
} from '../../../../electron/core/desktop/tray-menu.ts';
import type { TrayAction, TrayMenuItem } from '../../../../electron/core/desktop/tray-menu.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import { RUNTIME_UNKNOWN } from '../../../../shared/runtime.ts';
import type { ServerSnapshot, ServerState } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import type { Settings } from '../../../../shared/settings-schema.ts';
import type { SandboxesView, SandboxInfo, SandboxState } from '../../../../shared/sandboxes.ts';
import type { SetupState } from '../../../../shared/setup.ts';
import { trayShownOf } from '../../../../electron/core/desktop/sandbox-feed.ts';
import { statusView } from '../../../../renderer/src/status-model.ts';
import { SETUP_UNKNOWN } from '../../../../shared/setup.ts';

const STATES: readonly ServerState[] = ['stopped', 'starting', 'running', 'stopping', 'failed'];
const PLATFORMS: readonly NodeJS.Platform[] = ['darwin', 'linux', 'win32'];
const BOOLS = [false, true] as const;

function snapshot(state: ServerState, devMode: boolean, external: boolean): ServerSnapshot {
  const live = state === 'running' || state === 'starting' || state === 'stopping';
  return {
    ...INITIAL_SNAPSHOT,
    state,
    pid: live ? 1234 : null,
    url: live ? 'http://127.0.0.1:5555' : null,
    devMode: live ? devMode : null,
    startedAt: live ? 1_700_000_000_000 : null,
    external: live && external,
    healthy: state === 'running' ? true : null,
    error:
      state === 'failed'
        ? {
            code: 'port-in-use',
            message: 'Port 5555 is already in use. Stop the other program or choose another port in Settings.',
            exitCode: 1,
            signal: null,
            logTail: [],
            searched: [],
            at: 1,
          }
        : null,
  };
}

function flatten(items: readonly TrayMenuItem[]): TrayMenuItem[] {
  return items.flatMap((item) => [item, ...flatten(item.submenu ?? [])]);
}

function byId(items: readonly TrayMenuItem[], id: TrayAction): TrayMenuItem {
  const found = flatten(items).find((item) => item.id === id);
  if (found === undefined) throw new Error(`no item ${id}`);
  return found;
}

/** The actions a user can trigger: enabled items inside enabled submenus. */
function reachable(items: readonly TrayMenuItem[]): Set<TrayAction> {
  const out = new Set<TrayAction>();
  for (const item of items) {
    if (item.enabled === false) continue;
    if (item.id !== undefined) out.add(item.id);
    for (const action of reachable(item.submenu ?? [])) out.add(action);
  }
  return out;
}

const EXPECTED_STATUS: Readonly<Record<ServerState, (devMode: boolean) => string>> = {
  stopped: () => 'Stopped',
  starting: () => 'Starting… · PID 1234 · 127.0.0.1:5555',
  running: (dev) =>
    dev
      ? 'Running (dev mode: open to every program on this computer and every web page you visit) · ' +
        'PID 1234 · 127.0.0.1:5555'
      : 'Running · PID 1234 · 127.0.0.1:5555',
  stopping: () => 'Stopping… · PID 1234 · 127.0.0.1:5555',
  failed: () => 'Failed: Port 5555 is already in use',
};

describe('buildTrayMenu, every state × dev mode × external × platform × start at login', () => {
  const cases = STATES.flatMap((state) =>
    BOOLS.flatMap((devMode) =>
      BOOLS.flatMap((external) =>
        PLATFORMS.flatMap((platform) =>
          BOOLS.map((startAtLogin) => ({ state, devMode, external, platform, startAtLogin })),
        ),
      ),
    ),
  );

  it('covers 120 combinations', () => {
    expect(cases).toHaveLength(120);
  });

  it.each(cases)(
    '$state dev=$devMode external=$external $platform login=$startAtLogin',
    ({ state, devMode, external, platform, startAtLogin }) => {
      const settings: Settings = { ...DEFAULT_SETTINGS, devMode };
      const menu = buildTrayMenu({
        snapshot: snapshot(state, devMode, external),
        settings,
        platform,
        startAtLogin,
        setup: SETUP_UNKNOWN,
      });
      const all = flatten(menu);
      const live = state === 'running' || state === 'starting' || state === 'stopping';
      const supported = platform !== 'win32';

      // A serialisable model with nothing shared between items.
      expect(JSON.parse(JSON.stringify(menu))).toEqual(menu);
      expect(new Set(all).size).toBe(all.length);

      // Status line first, disabled, without an action.
      expect(menu[0]).toEqual({ label: EXPECTED_STATUS[state](devMode), enabled: false });
      const info = menu
        .slice(
          1,
          menu.findIndex((item) => item.type === 'separator'),
        )
        .map((item) => item.label);
      expect(info.includes('Started outside the app')).toBe(live && external);
      expect(info.includes('msbserver does not run natively on Windows')).toBe(!supported);
      for (const item of menu.slice(0, 1 + info.length)) expect(item.enabled).toBe(false);

      // Every action that applies is in the menu, exactly once: the two quits while a server is
      // up, one otherwise; nothing about installing or a restart while neither is the case.
      const conditional: TrayAction[] = [
        'quit',
        'quit-and-stop',
        'quit-leave-running',
        'install',
        'locate-msbserver',
        'cancel-restart',
        'restart-to-update',
        'open-update-page',
      ];
      const ids = all.flatMap((item) => (item.id === undefined ? [] : [item.id]));
      const expected = [
        ...TRAY_ACTIONS.filter((action) => !conditional.includes(action)),
        ...TRAY_KEY_PRESETS.map((preset) => `copy-key:${preset.expiresIn}` as const),
        ...(live ? (['quit-and-stop', 'quit-leave-running'] as const) : (['quit'] as const)),
      ];
      expect([...ids].sort()).toEqual([...expected].sort());

      // Lifecycle items follow the state.
      expect(byId(menu, 'start').enabled).toBe(supported && (state === 'stopped' || state === 'failed'));
      expect(byId(menu, 'stop').enabled).toBe(state === 'running' || state === 'starting');
      expect(byId(menu, 'restart').enabled).toBe(supported && state === 'running');

      // Everything else is always available.
      const canReach = reachable(menu);
      for (const action of expected.filter((action) => !['start', 'stop', 'restart'].includes(action)))
        expect(canReach.has(action), action).toBe(true);

      // Keys: one submenu; its first item the default namespace and expiry; dev mode says keys are not needed, once.
      const keyMenu = all.find((item) => item.label === 'Copy New API Key');
      expect(keyMenu?.type).toBe('submenu');
      expect(byId(keyMenu?.submenu ?? [], 'copy-key').label).toBe('All namespaces, 24 hours');
      expect(
        all
          .filter((item) => (item.label ?? '').includes('dev mode') && item.label !== menu[0]?.label)
          .map((item) => item.label),
      ).toEqual(devMode ? ['Not needed: the server runs in dev mode'] : []);
      const presets = all.filter((item) => item.id?.startsWith('copy-key:'));
      expect(presets.map((item) => item.id)).toEqual(TRAY_KEY_PRESETS.map((preset) => `copy-key:${preset.expiresIn}`));

      expect(byId(menu, 'copy-url').label).toBe('Copy Server URL (http://127.0.0.1:5555)');
      expect(byId(menu, 'toggle-start-at-login')).toMatchObject({
        type: 'checkbox',
        checked: startAtLogin,
        enabled: true,
      });
      const quit = platform === 'darwin' ? 'Quit Microsandbox Tray' : 'Quit';
      if (live) {
        expect(menu.slice(-2).map((item) => [item.id, item.label])).toEqual([
          ['quit-leave-running', `${quit} (Server Keeps Running)`],
          ['quit-and-stop', `${quit} and Stop Server`],
        ]);
      } else {
        expect(menu.at(-1)).toMatchObject({ id: 'quit', label: quit });
      }

      // Honest labels: no doubled parentheses, and "…" only where a question or a chooser follows.
      for (const item of all) {
        expect(item.label ?? '', item.label).not.toMatch(/\)\s*\(/);
        if ((item.label ?? '').endsWith('…') && item.enabled !== false)
          expect(['open-settings', 'install', 'locate-msbserver']).toContain(item.id);
      }
      expect(byId(menu, 'open-log').label).toBe('Show Server Log in Folder');

      // No separator at either end or twice in a row.
      expect(menu[0]?.type).not.toBe('separator');
      menu.forEach((item, i) => {
        if (item.type === 'separator') expect(menu[i + 1]?.type).not.toBe('separator');
      });
    },
  );
});

describe('buildTrayMenu details', () => {
  it('uses the running server mode while it is up, the settings otherwise', () => {
    const secureSettings = { ...DEFAULT_SETTINGS, devMode: false };
    const devServer = snapshot('running', true, false);
    const menu = buildTrayMenu({
      snapshot: devServer,
      settings: secureSettings,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
    });
    expect(flatten(menu).some((item) => item.label === 'Not needed: the server runs in dev mode')).toBe(true);
    const stopped = buildTrayMenu({
      snapshot: snapshot('stopped', false, false),
      settings: { ...DEFAULT_SETTINGS, devMode: true },
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
    });
    expect(flatten(stopped).some((item) => item.label === 'Not needed: the server runs in dev mode')).toBe(true);
  });

  it('shows a scoped default namespace and a custom expiry', () => {
    const settings = { ...DEFAULT_SETTINGS, defaultNamespace: 'team-a', defaultExpiry: '90m' };
    const menu = buildTrayMenu({
      snapshot: snapshot('running', false, false),
      settings,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
    });
    expect(byId(menu, 'copy-key').label).toBe('Namespace team-a, 90 minutes');
  });

  it('shows the configured URL when stopped, bracketing IPv6', () => {
    const settings = { ...DEFAULT_SETTINGS, host: '::1', port: 7000 };
    const menu = buildTrayMenu({
      snapshot: snapshot('stopped', false, false),
      settings,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
    });
    expect(byId(menu, 'copy-url').label).toBe('Copy Server URL (http://[::1]:7000)');
  });

  it('gives a running server that does not answer its own words', () => {
    expect(statusLine({ ...snapshot('running', false, false), healthy: false })).toBe(
      'Not answering · PID 1234 · 127.0.0.1:5555',
    );
  });

  it('says in plain words who can reach a server on a host other computers reach', () => {
    const remote = { ...snapshot('running', false, false), url: 'http://0.0.0.0:5555' };
    expect(statusLine(remote)).toBe('Running (reachable from other computers) · PID 1234 · 0.0.0.0:5555');
    // Started outside the app in dev mode on every interface (msb server start --dev --host 0.0.0.0).
    const open = { ...snapshot('running', true, true), url: 'http://[::]:5555' };
    expect(statusLine(open)).toBe(
      'Running (dev mode: open to every program on this computer, every web page you visit and every ' +
        'computer that can reach it) · PID 1234 · [::]:5555',
    );
    expect(trayTooltip(open)).toMatch(/^Microsandbox: Running \(dev mode: open to every program/);
  });

  it('keeps the failed line short', () => {
    const failed = snapshot('failed', false, false);
    const long = { ...failed, error: failed.error && { ...failed.error, message: `${'word '.repeat(40)}end.` } };
    const line = statusLine(long);
    expect(line.startsWith('Failed: word word')).toBe(true);
    expect(line.length).toBeLessThanOrEqual('Failed: '.length + 60);
    expect(statusLine({ ...failed, error: null })).toBe('Failed: unknown reason');
  });
});

describe("the app's own update in the menu", () => {
  const menuWith = (appUpdate: Parameters<typeof appUpdateItems>[0], runtime = false) =>
    buildTrayMenu({
      snapshot: INITIAL_SNAPSHOT,
      settings: DEFAULT_SETTINGS,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
      appUpdate,
      ...(runtime ? { runtime: { ...RUNTIME_UNKNOWN, generation: 'runtime' as const } } : {}),
    });

  it('sits just above About in either generation, and only while there is one to offer', () => {
    for (const runtime of [false, true]) {
      const menu = menuWith({ kind: 'restart-to-update', version: '1.2.0' }, runtime);
      const about = menu.findIndex((item) => item.id === 'about');
      expect(menu[about - 1]).toEqual({ id: 'restart-to-update', label: 'Restart to Update (1.2.0)', enabled: true });
      for (const none of [{ kind: 'none' } as const, { kind: 'quiet', message: 'offline' } as const, null])
        expect(
          menuWith(none, runtime).some((item) => item.id === 'restart-to-update' || item.id === 'open-update-page'),
        ).toBe(false);
    }
  });

  it(
    'shows Restart to Update off with the reason during a start, and the release page for unsigned ' + 'macOS builds',
    () => {
      expect(appUpdateItems({ kind: 'restart-later', version: '1.2.0', reason: 'The server is starting.' })).toEqual([
        { id: 'restart-to-update', label: 'Restart to Update (1.2.0)', enabled: false },
        { label: 'The server is starting. Restart to Update waits.', enabled: false },
      ]);
      expect(appUpdateItems({ kind: 'release-page', version: '1.2.0', url: 'https://x/releases/latest' })).toEqual([
        { id: 'open-update-page', label: 'Update Available (1.2.0)…', enabled: true },
      ]);
    },
  );
});

describe('helpers', () => {
  it('shortReason takes the first sentence', () => {
    expect(shortReason('msbserver was not found. Install it.')).toBe('msbserver was not found');
    expect(shortReason('  spaced \n out  ')).toBe('spaced out');
    expect(shortReason('Version 0.2.6 is needed. More.')).toBe('Version 0.2.6 is needed');
  });

  it('copyKeyRequest maps the key actions to requests', () => {
    const settings = { ...DEFAULT_SETTINGS, defaultNamespace: 'ns1', defaultExpiry: '2d' };
    expect(copyKeyRequest({ kind: 'copy-key' }, settings)).toEqual({ namespace: 'ns1', expiresIn: '2d' });
    for (const preset of TRAY_KEY_PRESETS) {
      expect(copyKeyRequest({ kind: 'copy-key-preset', expiresIn: preset.expiresIn }, settings)).toEqual({
        namespace: 'ns1',
        expiresIn: preset.expiresIn,
      });
    }
  });

  it('gives a running server that does not answer its own icon', () => {
    expect(trayIconName('running', 'linux', false)).toBe('tray-unhealthy.png');
    expect(trayIconName('running', 'darwin', false)).toBe('trayUnhealthyTemplate.png');
    expect(trayIconName('running', 'linux', true)).toBe('tray-running.png');
    expect(trayIconName('running', 'linux', null)).toBe('tray-running.png');
  });

  it.each(STATES.flatMap((state) => PLATFORMS.map((platform) => [state, platform] as const)))(
    'icon for %s on %s',
    (state, platform) => {
      const visual = state === 'starting' || state === 'stopping' ? 'transition' : state;
      const expected =
        platform === 'darwin'
          ? `tray${visual.charAt(0).toUpperCase()}${visual.slice(1)}Template.png`
          : `tray-${visual}.png`;
      expect(trayIconName(state, platform)).toBe(expected);
    },
  );

  it('has four visual states per platform', () => {
    for (const platform of PLATFORMS)
      expect(new Set(STATES.map((state) => trayIconName(state, platform))).size).toBe(4);
    expect(trayIconName('stopped', 'darwin')).toBe('trayStoppedTemplate.png');
    expect(trayIconName('stopped', 'linux')).toBe('tray-stopped.png');
  });

  it('tooltip', () => {
    expect(trayTooltip(snapshot('stopped', false, false))).toBe('Microsandbox: Stopped');
    expect(trayTooltip(snapshot('running', false, true))).toBe(
      'Microsandbox: Running · PID 1234 · 127.0.0.1:5555 (started outside the app)',
    );
  });
});

function sandbox(name: string, state: SandboxState, extra: Partial<SandboxInfo> = {}): SandboxInfo {
  const running = state === 'running';
  return {
    name,
    state,
    supervisorPid: state === 'defined' ? null : 100,
    microvmPid: state === 'defined' ? null : 101,
    startedAt: running || state === 'stale' ? 1 : null,
    memoryBytes: running ? 12 * 1024 * 1024 : null,
    cpuPercent: null,
    diskBytes: null,
    portalPort: running ? 40_000 : null,
    logPath: state === 'defined' ? null : `/n/x/.menv/log/Sandboxfile/${name}.log`,
    ...extra,
  };
}

const FLEET: SandboxesView = {
  namespacesDir: '/n',
  namespaces: [
    {
      name: 'team',
      error: null,
      sandboxes: [
        sandbox('db', 'running', { logPath: null, memoryBytes: null }),
        sandbox('old', 'stopped'),
        sandbox('web', 'running'),
      ],
    },
    {
      name: 'zeta',
      error: null,
      sandboxes: [
        sandbox('ghost', 'stale'),
        sandbox('idea', 'defined'),
        sandbox('job', 'running', { memoryBytes: 1536 * 1024 * 1024 }),
      ],
    },
  ],
};

describe('sandboxes in the tray', () => {
  const menuWith = (view: SandboxesView | null, state: ServerState = 'running') =>
    buildTrayMenu({
      snapshot: snapshot(state, false, false),
      settings: DEFAULT_SETTINGS,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
      sandboxes: view,
    });

  it('shows "3 sandboxes running" under the status line and a submenu with each running one', () => {
    const menu = menuWith(FLEET);
    expect(menu[1]).toEqual({ label: '3 sandboxes running', enabled: false });
    const submenu = flatten(menu).find((item) => item.label === 'Sandboxes');
    expect(submenu).toMatchObject({ type: 'submenu', enabled: true });
    expect(submenu?.submenu?.map((item) => item.label ?? item.type)).toEqual([
      'db · team',
      'web · team · 12.0 MiB',
      'job · zeta · 1.5 GiB',
      'separator',
      'Stop All Sandboxes',
    ]);
    // It sits with the server's own actions, before their separator.
    const index = menu.indexOf(submenu ?? {});
    expect(menu[index - 1]?.id).toBe('restart');
    expect(menu[index + 1]?.type).toBe('separator');
  });

  it('gives each running sandbox Stop and Show Log, Show Log only once there is a log', () => {
    const items = sandboxTrayItems(FLEET).submenu?.submenu ?? [];
    expect(items[0]?.submenu).toEqual([
      { id: 'sandbox-stop:team/db', label: 'Stop', enabled: true },
      { id: 'sandbox-log:team/db', label: 'Show Log', enabled: false },
    ]);
    expect(items[1]?.submenu).toEqual([
      { id: 'sandbox-stop:team/web', label: 'Stop', enabled: true },
      { id: 'sandbox-log:team/web', label: 'Show Log', enabled: true },
    ]);
    expect(byId(items, 'sandboxes-stop-all')).toEqual({
      id: 'sandboxes-stop-all',
      label: 'Stop All Sandboxes',
      enabled: true,
    });
    // Every sandbox action in the menu is reachable and names its sandbox.
    const canReach = reachable(menuWith(FLEET));
    for (const id of [
      'sandbox-stop:team/db',
      'sandbox-stop:team/web',
      'sandbox-log:team/web',
      'sandbox-stop:zeta/job',
      'sandbox-log:zeta/job',
      'sandboxes-stop-all',
    ] as const) {
      expect(canReach.has(id), id).toBe(true);
    }
    expect(canReach.has('sandbox-log:team/db')).toBe(false);
    // Stale, stopped and defined sandboxes are not listed: nothing that writes is offered for them.
    expect(
      flatten(menuWith(FLEET)).some(
        (item) => /\b(ghost|old|idea)\b/.test(item.label ?? '') || /\b(ghost|old|idea)\b/.test(item.id ?? ''),
      ),
    ).toBe(false);
  });

  it('shows nothing of sandboxes when none runs, also while the server is stopped', () => {
    const none: SandboxesView = {
      namespacesDir: '/n',
      namespaces: [{ name: 'team', error: null, sandboxes: [sandbox('old', 'stopped'), sandbox('ghost', 'stale')] }],
    };
    for (const view of [null, none]) {
      const menu = menuWith(view);
      // The same menu as without a listing, but for the namespaces offered for keys.
      const withoutKeys = (items: TrayMenuItem[]) => items.filter((item) => item.label !== 'Copy New API Key');
      expect(withoutKeys(menu)).toEqual(withoutKeys(menuWith(null)));
      expect(flatten(menu).some((item) => /\bsandbox/i.test(item.label ?? ''))).toBe(false);
    }
    // Sandboxes outlive the server: a stopped server still shows them.
    const stopped = menuWith(FLEET, 'stopped');
    expect(stopped[1]).toEqual({ label: '3 sandboxes running', enabled: false });
    expect(reachable(stopped).has('sandbox-stop:team/web')).toBe(true);
  });

  it('says it in the tooltip', () => {
    expect(trayTooltip(snapshot('running', false, false), FLEET)).toBe(
      'Microsandbox: Running · PID 1234 · 127.0.0.1:5555 · 3 sandboxes running',
    );
    expect(
      trayTooltip(snapshot('stopped', false, false), {
        namespacesDir: '/n',
        namespaces: [{ name: 'a', error: null, sandboxes: [sandbox('x', 'running')] }],
      }),
    ).toBe('Microsandbox: Stopped · 1 sandbox running');
    expect(trayTooltip(snapshot('running', false, true), null)).toBe(
      'Microsandbox: Running · PID 1234 · 127.0.0.1:5555 (started outside the app)',
    );
  });

  it(`lists at most ${MAX_TRAY_SANDBOXES} and says how many more the window has`, () => {
    const many: SandboxesView = {
      namespacesDir: '/n',
      namespaces: [
        {
          name: 'big',
          error: null,
          sandboxes: Array.from({ length: 25 }, (_, i) => sandbox(`s${String(i).padStart(2, '0')}`, 'running')),
        },
      ],
    };
    const items = sandboxTrayItems(many).submenu?.submenu ?? [];
    expect(items.filter((item) => item.type === 'submenu')).toHaveLength(MAX_TRAY_SANDBOXES);
    expect(items.find((item) => item.label === '5 more in the window')).toEqual({
      label: '5 more in the window',
      enabled: false,
    });
    expect(sandboxTrayItems(many).summary?.label).toBe('25 sandboxes running');
  });

  it('what the tray shows changes with memory, not with CPU', () => {
    const withCpu: SandboxesView = {
      ...FLEET,
      namespaces: FLEET.namespaces.map((ns) => ({
        ...ns,
        sandboxes: ns.sandboxes.map((x) => ({ ...x, cpuPercent: 42 })),
      })),
    };
    expect(trayShownOf(withCpu)).toBe(trayShownOf(FLEET));
    const moreMemory: SandboxesView = {
      ...FLEET,
      namespaces: FLEET.namespaces.map((ns) => ({
        ...ns,
        sandboxes: ns.sandboxes.map((x) => ({ ...x, memoryBytes: x.memoryBytes === null ? null : x.memoryBytes * 2 })),
      })),
    };
    expect(trayShownOf(moreMemory)).not.toBe(trayShownOf(FLEET));
  });
});

describe('the first run, failures and quitting in the tray', () => {
  const missing: SetupState = {
    kind: 'missing',
    locate: {
      found: false,
      searched: ['/home/u/.local/bin/msbserver'],
      problem: 'msbserver was not found.',
      hint: 'Install it.',
      reason: 'missing',
    },
  };
  const noMsbrun: SetupState = {
    kind: 'ready',
    msbserver: '/m/msbserver',
    msbrun: { found: false, searched: ['/m/msbrun'] },
  };
  const ready: SetupState = {
    kind: 'ready',
    msbserver: '/m/msbserver',
    msbrun: { found: true, searched: ['/m/msbrun'] },
  };
  const menuOf = (snap: ServerSnapshot, extra: Partial<Parameters<typeof buildTrayMenu>[0]> = {}) =>
    buildTrayMenu({
      snapshot: snap,
      settings: DEFAULT_SETTINGS,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
      ...extra,
    });
  const labels = (items: TrayMenuItem[]) => items.map((item) => item.label ?? item.type);

  it('without microsandbox says so, offers Install and Locate, and no Start that would only fail', () => {
    const menu = menuOf(snapshot('stopped', false, false), { setup: missing });
    expect(labels(menu).slice(0, 6)).toEqual([
      'Stopped',
      'microsandbox is not installed',
      'separator',
      'Install microsandbox…',
      'Locate msbserver…',
      'Start Server',
    ]);
    expect(byId(menu, 'start').enabled).toBe(false);
    expect(reachable(menu).has('install')).toBe(true);
    expect(reachable(menu).has('locate-msbserver')).toBe(true);
    // A path set in Settings that cannot be used is not called "not installed".
    const unusable = menuOf(snapshot('stopped', false, false), {
      setup: { kind: 'missing', locate: { ...missing.locate, reason: 'unsafe' } },
    });
    expect(unusable[1]?.label).toBe('The msbserver set cannot be used');
    // A server of the CLI runs all the same: it can be stopped; nothing is "not installed", and
    // Locate lets the app start one itself.
    const running = menuOf(snapshot('running', false, true), { setup: missing });
    expect(byId(running, 'stop').enabled).toBe(true);
    expect(reachable(running).has('install')).toBe(false);
    expect(reachable(running).has('locate-msbserver')).toBe(true);
    expect(labels(running)).toContain('The app finds no msbserver to start itself');
    expect(labels(running)).not.toContain('microsandbox is not installed');
  });

  it('with msbserver but no msbrun says sandboxes cannot start and offers the install, Start still there', () => {
    const menu = menuOf(snapshot('stopped', false, false), { setup: noMsbrun });
    expect(menu[1]).toEqual({ label: 'msbrun is missing beside msbserver: sandboxes cannot start', enabled: false });
    expect(byId(menu, 'install').enabled).toBe(true);
    expect(byId(menu, 'start').enabled).toBe(true);
    expect(flatten(menu).some((item) => item.id === 'locate-msbserver')).toBe(false);
    // Installed and complete: nothing of it.
    expect(labels(menuOf(snapshot('stopped', false, false), { setup: ready }))).toEqual(
      labels(menuOf(snapshot('stopped', false, false))),
    );
  });

  it('with an msbrun others could change says msbrun is unsafe, offers no install, and no Start or Restart', () => {
    const unsafe: SetupState = {
      kind: 'msbrun-unsafe',
      msbserver: '/m/msbserver',
      msbrun: { searched: ['/m/msbrun'], problem: '/m/msbrun can be changed by other users.' },
    };
    const menu = menuOf(snapshot('stopped', false, false), { setup: unsafe });
    expect(menu[1]).toEqual({
      label: 'msbrun is unsafe: the app will not start the server (see the window)',
      enabled: false,
    });
    expect(byId(menu, 'start').enabled).toBe(false);
    expect(reachable(menu).has('install')).toBe(false);
    expect(reachable(menu).has('locate-msbserver')).toBe(false);
    expect(labels(menu)).not.toContain('msbrun is missing beside msbserver: sandboxes cannot start');
    // A server started outside the app can still be stopped, not restarted into a refusal.
    const running = menuOf(snapshot('running', false, true), { setup: unsafe });
    expect(byId(running, 'stop').enabled).toBe(true);
    expect(byId(running, 'restart').enabled).toBe(false);
  });

  it('names the platform where msbserver does not run, with Start disabled', () => {
    const menu = menuOf(snapshot('stopped', false, false), {
      setup: { kind: 'unsupported', platformName: 'Windows' },
      platform: 'win32',
    });
    expect(labels(menu).filter((label) => label?.includes('Windows'))).toEqual([
      'msbserver does not run natively on Windows',
    ]);
    expect(byId(menu, 'start').enabled).toBe(false);
  });

  it('counts down to an automatic restart and offers to cancel it', () => {
    const failed = { ...snapshot('failed', false, false), restartAt: 10_500 };
    const menu = menuOf(failed, { now: 6_000 });
    expect(labels(menu).slice(1, 3)).toEqual(['Restarting automatically in 5 s', 'Cancel Automatic Restart']);
    expect(byId(menu, 'cancel-restart').enabled).toBe(true);
    // The one rule of tray and window: no Start while the app is about to start it.
    expect(byId(menu, 'start').enabled).toBe(false);
    expect(menuOf(failed, { now: 10_600 })[1]?.label).toBe('Restarting automatically now');
    expect(restartLine({ restartAt: null }, 0)).toBeNull();
    expect(trayTooltip(failed)).toContain('restarting automatically');
  });

  it('says when settings wait for a restart, only while a server runs', () => {
    expect(labels(menuOf(snapshot('running', false, false), { restartNeeded: true }))).toContain(
      'Settings changed: restart the server to use them',
    );
    expect(labels(menuOf(snapshot('stopped', false, false), { restartNeeded: true }))).not.toContain(
      'Settings changed: restart the server to use them',
    );
  });

  it('points to the window for what is off around the server (the warnings, each with its fix)', () => {
    const warned = {
      ...snapshot('running', false, false),
      warnings: ['server.key can be read by others: chmod 600 it.', 'No msbrun beside msbserver.'],
    };
    expect(labels(menuOf(warned))).toContain('2 things to look at: see the window');
    expect(labels(menuOf({ ...warned, warnings: ['x'] }))).toContain('One thing to look at: see the window');
    expect(labels(menuOf(snapshot('running', false, false))).some((label) => label?.includes('to look at'))).toBe(
      false,
    );
  });

  it('offers a key for each namespace that exists, with the default expiry', () => {
    const view: SandboxesView = {
      namespacesDir: '/n',
      namespaces: ['alpha', 'beta', '*bad'].map((name) => ({ name, error: null, sandboxes: [] })),
    };
    const keys =
      flatten(menuOf(snapshot('running', false, false), { sandboxes: view })).find(
        (item) => item.label === 'Copy New API Key',
      )?.submenu ?? [];
    expect(labels(keys).slice(-3)).toEqual(['For a namespace, 24 hours:', 'alpha', 'beta']);
    expect(copyKeyRequest({ kind: 'copy-key-namespace', namespace: 'alpha' }, DEFAULT_SETTINGS)).toEqual({
      namespace: 'alpha',
      expiresIn: '24h',
    });
  });

  it('has the standard items: Settings…, About, and the log revealed in its folder', () => {
    const menu = menuOf(snapshot('stopped', false, false));
    expect(byId(menu, 'open-settings').label).toBe('Settings…');
    expect(byId(menu, 'about').label).toBe('About Microsandbox Tray');
    expect(byId(menu, 'open-window').label).toBe('Open Window');
  });
});

// The tray and the window take Restart from the same facts.
describe('Restart while no msbserver can be found', () => {
  const CLI_SERVER: ServerSnapshot = {
    ...INITIAL_SNAPSHOT,
    state: 'running',
    pid: 4321,
    url: 'http://127.0.0.1:5555',
    devMode: false,
    startedAt: 1_700_000_000_000,
    external: true,
    healthy: true,
  };
  const MISSING: SetupState = {
    kind: 'missing',
    locate: {
      found: false,
      searched: ['/home/u/.local/bin/msbserver'],
      problem: 'msbserver was not found.',
      hint: '',
      reason: 'missing',
    },
  };

  describe('Restart while no msbserver can be found', () => {
    it('the tray does not offer Restart Server (the stop would succeed and the start fail)', () => {
      const menu = buildTrayMenu({
        snapshot: CLI_SERVER,
        settings: DEFAULT_SETTINGS,
        platform: 'linux',
        startAtLogin: false,
        setup: MISSING,
        now: 0,
      });
      expect(menu.find((item) => item.id === 'stop')?.enabled).toBe(true);
      expect(menu.find((item) => item.id === 'restart')?.enabled).toBe(false);
    });

    it('the window agrees with the tray', () => {
      const view = statusView(CLI_SERVER, 0, { setup: MISSING, platform: 'linux' });
      expect(view.canStop).toBe(true);
      expect(view.canRestart).toBe(false);
      expect(view.primary).not.toBe('restart');
    });
  });

  describe('one rule for tray and window', () => {
    const SETUPS: readonly SetupState[] = [
      SETUP_UNKNOWN,
      MISSING,
      { kind: 'unsupported', platformName: 'Windows' },
      { kind: 'msbrun-unsafe', msbserver: '/m/msbserver', msbrun: { searched: ['/m/msbrun'], problem: 'writable' } },
      { kind: 'ready', msbserver: '/m/msbserver', msbrun: { found: true, searched: ['/m/msbrun'] } },
    ];
    const STATES: readonly ServerState[] = ['stopped', 'starting', 'running', 'stopping', 'failed'];
    const PLATFORMS: readonly NodeJS.Platform[] = ['linux', 'darwin', 'win32'];

    it('offers the same Start, Stop and Restart for every state, setup and platform', () => {
      for (const platform of PLATFORMS)
        for (const setup of SETUPS)
          for (const state of STATES) {
            const snap = snapshot(state, false, false);
            const menu = buildTrayMenu({
              snapshot: snap,
              settings: DEFAULT_SETTINGS,
              platform,
              startAtLogin: false,
              setup,
            });
            const view = statusView(snap, 0, { setup, platform });
            const where = `${platform} ${setup.kind} ${state}`;
            expect(byId(menu, 'start').enabled, where).toBe(view.canStart);
            expect(byId(menu, 'stop').enabled, where).toBe(view.canStop);
            expect(byId(menu, 'restart').enabled, where).toBe(view.canRestart);
          }
    });

    it('says msbserver cannot run here exactly where Start is off for the platform', () => {
      for (const platform of PLATFORMS)
        for (const setup of SETUPS) {
          const menu = buildTrayMenu({
            snapshot: snapshot('stopped', false, false),
            settings: DEFAULT_SETTINGS,
            platform,
            startAtLogin: false,
            setup,
          });
          const said = menu.some((item) => item.label === 'msbserver does not run natively on Windows');
          expect(said, `${platform} ${setup.kind}`).toBe(platform === 'win32' || setup.kind === 'unsupported');
          if (said) expect(byId(menu, 'start').enabled).toBe(false);
        }
    });
  });
});
