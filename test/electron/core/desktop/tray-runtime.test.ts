import { describe, expect, it } from 'vitest';
import {
  buildTrayMenu,
  hostLine,
  MAX_TRAY_RUNTIME_SANDBOXES,
  runtimeTooltip,
  runtimeWarns,
  type TrayMenuItem,
} from '../../../../electron/core/desktop/tray-menu.ts';
import { parseDoctor } from '../../../../electron/core/runtime/host-check.ts';
import type { RuntimeSandboxInfo, RuntimeView } from '../../../../shared/runtime.ts';
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { SETUP_UNKNOWN } from '../../../../shared/setup.ts';

function sandbox(name: string, status: string): RuntimeSandboxInfo {
  return { name, status, image: 'alpine', createdAt: 1, cpus: 1, memoryMib: 512, ports: [] };
}

function view(sandboxes: RuntimeSandboxInfo[], overrides: Partial<RuntimeView> = {}): RuntimeView {
  return {
    generation: 'runtime',
    setting: 'automatic',
    msb: { path: '/home/me/.microsandbox/bin/msb', version: '0.6.18' },
    serverFound: false,
    notes: [],
    state: {
      sandboxes,
      metrics: {},
      host: { ok: true, checks: [{ name: 'kvm', state: 'ok', detail: '/dev/kvm', fixes: [] }] },
      context: { kind: 'local', profile: null, apiUrl: null },
      capabilities: { pause: false },
      error: null,
      listedAt: 1,
    },
    ...overrides,
  };
}

const RUNNING_SERVER: ServerSnapshot = {
  ...INITIAL_SNAPSHOT,
  state: 'running',
  pid: 4321,
  url: 'http://127.0.0.1:5555',
  devMode: false,
  startedAt: 1,
  external: true,
  healthy: true,
};

function menu(runtime: RuntimeView, snapshot: ServerSnapshot = INITIAL_SNAPSHOT): TrayMenuItem[] {
  return buildTrayMenu({
    snapshot,
    settings: DEFAULT_SETTINGS,
    platform: 'linux',
    startAtLogin: false,
    setup: SETUP_UNKNOWN,
    runtime,
  });
}

function flatten(items: readonly TrayMenuItem[]): TrayMenuItem[] {
  return items.flatMap((item) => [item, ...flatten(item.submenu ?? [])]);
}

const ids = (items: readonly TrayMenuItem[]): string[] => flatten(items).flatMap((item) => item.id ?? []);
const labels = (items: readonly TrayMenuItem[]): string[] => flatten(items).flatMap((item) => item.label ?? []);

describe('the tray in the runtime generation', () => {
  it('shows the version and running count, and no server items', () => {
    const items = menu(view([sandbox('web', 'Running'), sandbox('db', 'Running'), sandbox('old', 'Stopped')]));
    expect(items[0]).toEqual({ label: 'microsandbox 0.6.18 · 2 sandboxes running', enabled: false });
    for (const id of ['start', 'stop', 'restart', 'copy-key', 'copy-url', 'open-log', 'quit-and-stop'])
      expect(ids(items)).not.toContain(id);
    expect(ids(items)).toContain('check-host');
    expect(ids(items)).toContain('quit');
  });

  it('lists running sandboxes first, each with what its status allows, the log and the shell command', () => {
    const items = menu(view([sandbox('a-old', 'Stopped'), sandbox('web', 'Running'), sandbox('x', 'Hibernating')]));
    const submenu = items.find((item) => item.label === 'Sandboxes')?.submenu ?? [];
    expect(submenu.map((item) => item.label)).toEqual(['web · Running', 'a-old · Stopped', 'x · Hibernating']);
    expect(ids(submenu[0]?.submenu ?? [])).toEqual([
      'runtime-stop:web',
      'runtime-restart:web',
      'runtime-log:web',
      'runtime-copy-exec:web',
    ]);
    expect(ids(submenu[1]?.submenu ?? [])).toEqual([
      'runtime-start:a-old',
      'runtime-remove:a-old',
      'runtime-log:a-old',
      'runtime-copy-exec:a-old',
    ]);
    // An unknown status: only what reads.
    expect(ids(submenu[2]?.submenu ?? [])).toEqual(['runtime-log:x', 'runtime-copy-exec:x']);
  });

  it('offers Pause and Resume only where the installed msb has them', () => {
    const base = view([sandbox('web', 'Running'), sandbox('nap', 'Paused')]);
    expect(ids(menu(base))).not.toContain('runtime-pause:web');
    const with07 = view(base.state?.sandboxes as RuntimeSandboxInfo[], {});
    const state = { ...(with07.state as NonNullable<RuntimeView['state']>), capabilities: { pause: true } };
    const items = menu({ ...with07, state });
    expect(ids(items)).toContain('runtime-pause:web');
    expect(ids(items)).toContain('runtime-resume:nap');
  });

  it('lists at most a screenful and says how many more the window has', () => {
    const many = Array.from({ length: 25 }, (_, i) => sandbox(`s${String(i).padStart(2, '0')}`, 'Running'));
    const submenu = menu(view(many)).find((item) => item.label === 'Sandboxes')?.submenu ?? [];
    expect(submenu).toHaveLength(MAX_TRAY_RUNTIME_SANDBOXES + 1);
    expect(submenu.at(-1)?.label).toBe('5 more in the window');
  });

  it('shows a failing host check as one warning line and warns', () => {
    const bad = view([], {});
    const state = {
      ...(bad.state as NonNullable<RuntimeView['state']>),
      host: {
        ok: false,
        checks: [
          { name: 'cpu virtualization', state: 'fail' as const, detail: 'not available', fixes: ['enable VT-x'] },
          { name: 'kvm', state: 'fail' as const, detail: '/dev/kvm missing', fixes: ['modprobe kvm'] },
        ],
      },
    };
    const failing = { ...bad, state };
    expect(hostLine(failing)).toBe('⚠ Sandboxes cannot start: cpu virtualization not available');
    expect(labels(menu(failing))).toContain('⚠ Sandboxes cannot start: cpu virtualization not available');
    expect(runtimeWarns(failing)).toBe(true);
    expect(runtimeWarns(view([]))).toBe(false);
    expect(hostLine(view([]))).toBeNull();
  });

  it('names a failed check once when msb’s headline already names it', () => {
    const report = parseDoctor(
      [
        '   ✓ msb          /usr/local/bin/msb',
        '   ✗ CPU virt     not found',
        '   ✗ KVM device   missing',
        'error: CPU virtualization is not available',
        '  → enable virtualization (VT-x / AMD-V) in your BIOS or UEFI firmware',
        'error: /dev/kvm is not present',
        '  → the KVM kernel module is not loaded',
      ].join('\n'),
    );
    const bad = view([], {});
    const failing = { ...bad, state: { ...(bad.state as NonNullable<RuntimeView['state']>), host: report } };
    expect(hostLine(failing)).toBe('⚠ Sandboxes cannot start: CPU virtualization is not available');
  });

  it('says msb was not found and offers the install instead of the host check', () => {
    const items = menu(view([], { msb: null, state: null }));
    expect(items[0]?.label).toBe('msb (microsandbox 0.3 or later) was not found');
    expect(ids(items)).toContain('install');
    expect(ids(items)).not.toContain('check-host');
  });

  it('always shows a 0.2 server still running and lets it be stopped', () => {
    const items = menu(view([sandbox('web', 'Running')]), RUNNING_SERVER);
    expect(labels(items).some((label) => label.startsWith('microsandbox 0.2 server:'))).toBe(true);
    expect(flatten(items).find((item) => item.id === 'stop')).toMatchObject({
      label: 'Stop 0.2 Server',
      enabled: true,
    });
    expect(ids(items)).toContain('quit-leave-running');
  });

  it('keeps the 0.2 menu as it was in the server generation', () => {
    const server = buildTrayMenu({
      snapshot: INITIAL_SNAPSHOT,
      settings: DEFAULT_SETTINGS,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
    });
    const withView = buildTrayMenu({
      snapshot: INITIAL_SNAPSHOT,
      settings: DEFAULT_SETTINGS,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
      runtime: view([sandbox('web', 'Running')], { generation: 'server', state: null }),
    });
    expect(withView).toEqual(server);
  });
});

describe('runtimeTooltip', () => {
  it('says the version and the running count', () => {
    expect(runtimeTooltip(view([sandbox('web', 'Running')]))).toBe(
      'Microsandbox: microsandbox 0.6.18 · 1 sandbox running',
    );
  });
});
