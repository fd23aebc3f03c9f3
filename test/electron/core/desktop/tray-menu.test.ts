import { describe, expect, it } from 'vitest';
import {
  TRAY_ACTIONS,
  TRAY_KEY_PRESETS,
  buildTrayMenu,
  copyKeyRequest,
  shortReason,
  statusLine,
  trayIconName,
  trayTooltip,
} from '../../../../electron/core/desktop/tray-menu.ts';
import type { TrayAction, TrayMenuItem } from '../../../../electron/core/desktop/tray-menu.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { ServerSnapshot, ServerState } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import type { Settings } from '../../../../shared/settings-schema.ts';

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
      ? 'Running (dev mode: open to every program on this computer and every web page you visit) · PID 1234 · 127.0.0.1:5555'
      : 'Running · PID 1234 · 127.0.0.1:5555',
  stopping: () => 'Stopping… · PID 1234 · 127.0.0.1:5555',
  failed: () => 'Failed: Port 5555 is already in use',
};

describe('buildTrayMenu, every state × dev mode × external × platform × start at login', () => {
  const cases = STATES.flatMap((state) =>
    BOOLS.flatMap((devMode) =>
      BOOLS.flatMap((external) =>
        PLATFORMS.flatMap((platform) => BOOLS.map((startAtLogin) => ({ state, devMode, external, platform, startAtLogin }))),
      ),
    ),
  );

  it('covers 120 combinations', () => {
    expect(cases).toHaveLength(120);
  });

  it.each(cases)('$state dev=$devMode external=$external $platform login=$startAtLogin', ({ state, devMode, external, platform, startAtLogin }) => {
    const settings: Settings = { ...DEFAULT_SETTINGS, devMode };
    const menu = buildTrayMenu({ snapshot: snapshot(state, devMode, external), settings, platform, startAtLogin });
    const all = flatten(menu);
    const live = state === 'running' || state === 'starting' || state === 'stopping';
    const supported = platform !== 'win32';

    // A serialisable model with nothing shared between items.
    expect(JSON.parse(JSON.stringify(menu))).toEqual(menu);
    expect(new Set(all).size).toBe(all.length);

    // Status line first, disabled, without an action.
    expect(menu[0]).toEqual({ label: EXPECTED_STATUS[state](devMode), enabled: false });
    const info = menu.slice(1, menu.findIndex((item) => item.type === 'separator')).map((item) => item.label);
    expect(info.includes('Started outside the app')).toBe(live && external);
    expect(info.includes('msbserver does not run natively on Windows')).toBe(!supported);
    for (const item of menu.slice(0, 1 + info.length)) expect(item.enabled).toBe(false);

    // Every action is in the menu, exactly once.
    const ids = all.flatMap((item) => (item.id === undefined ? [] : [item.id]));
    expect([...ids].sort()).toEqual([...TRAY_ACTIONS].sort());

    // Lifecycle items follow the state.
    expect(byId(menu, 'start').enabled).toBe(supported && (state === 'stopped' || state === 'failed'));
    expect(byId(menu, 'stop').enabled).toBe(state === 'running' || state === 'starting');
    expect(byId(menu, 'restart').enabled).toBe(supported && state === 'running');

    // Everything else is always available.
    const always: TrayAction[] = TRAY_ACTIONS.filter((action) => !['start', 'stop', 'restart'].includes(action));
    const canReach = reachable(menu);
    for (const action of always) expect(canReach.has(action), action).toBe(true);

    // Keys: default namespace and expiry in the label; dev mode says keys are not needed.
    const keyLabel = byId(menu, 'copy-key').label ?? '';
    expect(keyLabel).toContain('all namespaces');
    expect(keyLabel).toContain('24 hours');
    expect(keyLabel.includes('not needed in dev mode')).toBe(devMode);
    const presets = all.filter((item) => item.id?.startsWith('copy-key:'));
    expect(presets.map((item) => item.id)).toEqual(TRAY_KEY_PRESETS.map((preset) => `copy-key:${preset.expiresIn}`));

    expect(byId(menu, 'copy-url').label).toBe('Copy Server URL (http://127.0.0.1:5555)');
    expect(byId(menu, 'toggle-start-at-login')).toMatchObject({ type: 'checkbox', checked: startAtLogin, enabled: true });
    expect(menu.at(-1)?.id).toBe('quit');
    expect(byId(menu, 'quit').label).toBe(platform === 'darwin' ? 'Quit Microsandbox Tray' : 'Quit');

    // No separator at either end or twice in a row.
    expect(menu[0]?.type).not.toBe('separator');
    menu.forEach((item, i) => {
      if (item.type === 'separator') expect(menu[i + 1]?.type).not.toBe('separator');
    });
  });
});

describe('buildTrayMenu details', () => {
  it('uses the running server mode while it is up, the settings otherwise', () => {
    const secureSettings = { ...DEFAULT_SETTINGS, devMode: false };
    const devServer = snapshot('running', true, false);
    const menu = buildTrayMenu({ snapshot: devServer, settings: secureSettings, platform: 'linux', startAtLogin: false });
    expect(byId(menu, 'copy-key').label).toContain('not needed in dev mode');
    const stopped = buildTrayMenu({
      snapshot: snapshot('stopped', false, false),
      settings: { ...DEFAULT_SETTINGS, devMode: true },
      platform: 'linux',
      startAtLogin: false,
    });
    expect(byId(stopped, 'copy-key').label).toContain('not needed in dev mode');
  });

  it('shows a scoped default namespace and a custom expiry', () => {
    const settings = { ...DEFAULT_SETTINGS, defaultNamespace: 'team-a', defaultExpiry: '90m' };
    const menu = buildTrayMenu({ snapshot: snapshot('running', false, false), settings, platform: 'linux', startAtLogin: false });
    expect(byId(menu, 'copy-key').label).toBe('Copy New API Key (namespace team-a, 90 minutes)');
  });

  it('shows the configured URL when stopped, bracketing IPv6', () => {
    const settings = { ...DEFAULT_SETTINGS, host: '::1', port: 7000 };
    const menu = buildTrayMenu({ snapshot: snapshot('stopped', false, false), settings, platform: 'linux', startAtLogin: false });
    expect(byId(menu, 'copy-url').label).toBe('Copy Server URL (http://[::1]:7000)');
  });

  it('marks an unhealthy running server', () => {
    expect(statusLine({ ...snapshot('running', false, false), healthy: false })).toBe('Running (not responding) · PID 1234 · 127.0.0.1:5555');
  });

  it('says in plain words who can reach a server on a host other computers reach', () => {
    const remote = { ...snapshot('running', false, false), url: 'http://0.0.0.0:5555' };
    expect(statusLine(remote)).toBe('Running (reachable from other computers) · PID 1234 · 0.0.0.0:5555');
    // Started outside the app in dev mode on every interface (msb server start --dev --host 0.0.0.0).
    const open = { ...snapshot('running', true, true), url: 'http://[::]:5555' };
    expect(statusLine(open)).toBe(
      'Running (dev mode: open to every program on this computer, every web page you visit and every computer that can reach it) · PID 1234 · [::]:5555',
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

describe('helpers', () => {
  it('shortReason takes the first sentence', () => {
    expect(shortReason('msbserver was not found. Install it.')).toBe('msbserver was not found');
    expect(shortReason('  spaced \n out  ')).toBe('spaced out');
    expect(shortReason('Version 0.2.6 is needed. More.')).toBe('Version 0.2.6 is needed');
  });

  it('copyKeyRequest maps the key actions to requests', () => {
    const settings = { ...DEFAULT_SETTINGS, defaultNamespace: 'ns1', defaultExpiry: '2d' };
    expect(copyKeyRequest('copy-key', settings)).toEqual({ namespace: 'ns1', expiresIn: '2d' });
    for (const preset of TRAY_KEY_PRESETS) {
      expect(copyKeyRequest(`copy-key:${preset.expiresIn}`, settings)).toEqual({ namespace: 'ns1', expiresIn: preset.expiresIn });
    }
    expect(copyKeyRequest('start', settings)).toBeNull();
  });

  it('gives a running server that does not answer its own icon', () => {
    expect(trayIconName('running', 'linux', false)).toBe('tray-unhealthy.png');
    expect(trayIconName('running', 'darwin', false)).toBe('trayUnhealthyTemplate.png');
    expect(trayIconName('running', 'linux', true)).toBe('tray-running.png');
    expect(trayIconName('running', 'linux', null)).toBe('tray-running.png');
  });

  it.each(STATES.flatMap((state) => PLATFORMS.map((platform) => [state, platform] as const)))('icon for %s on %s', (state, platform) => {
    const visual = state === 'starting' || state === 'stopping' ? 'transition' : state;
    const expected =
      platform === 'darwin' ? `tray${visual.charAt(0).toUpperCase()}${visual.slice(1)}Template.png` : `tray-${visual}.png`;
    expect(trayIconName(state, platform)).toBe(expected);
  });

  it('has four visual states per platform', () => {
    for (const platform of PLATFORMS) expect(new Set(STATES.map((state) => trayIconName(state, platform))).size).toBe(4);
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
