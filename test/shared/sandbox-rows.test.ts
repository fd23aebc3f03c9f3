import { describe, expect, it } from 'vitest';
import type { RuntimeSandboxInfo, RuntimeStateInfo } from '../../shared/runtime.ts';
import { sandboxRows } from '../../shared/sandbox-rows.ts';
import type { SandboxesView, SandboxInfo } from '../../shared/sandboxes.ts';

function sandbox(name: string, status: string): RuntimeSandboxInfo {
  return { name, status, image: 'alpine', createdAt: 1_765_000_000_000, cpus: 1, memoryMib: 512, ports: [] };
}

function state(sandboxes: RuntimeSandboxInfo[], pause = false): RuntimeStateInfo {
  return {
    sandboxes,
    metrics: {},
    host: null,
    context: { kind: 'local', profile: null, apiUrl: null },
    capabilities: { pause },
    error: null,
    listedAt: 1,
  };
}

function serverSandbox(name: string, running: boolean): SandboxInfo {
  return {
    name,
    state: running ? 'running' : 'stopped',
    supervisorPid: null,
    microvmPid: null,
    startedAt: null,
    memoryBytes: null,
    cpuPercent: null,
    diskBytes: null,
    portalPort: null,
    logPath: null,
  };
}

const server: SandboxesView = {
  namespacesDir: '/home/me/.microsandbox/namespaces',
  namespaces: [{ name: 'default', error: null, sandboxes: [serverSandbox('a', true), serverSandbox('b', false)] }],
};

describe('sandboxRows', () => {
  it('lists the runtime sandboxes by name with their actions, counting live ones', () => {
    const rows = sandboxRows({
      generation: 'runtime',
      runtime: state([sandbox('zeta', 'Stopped'), sandbox('alpha', 'Running'), sandbox('mid', 'Paused')], true),
      server,
    });
    expect(rows.rows.map((row) => row.name)).toEqual(['alpha', 'mid', 'zeta']);
    expect(rows.running).toBe(2);
    expect(rows.summary).toBe('2 sandboxes running');
    const [alpha] = rows.rows;
    expect(alpha?.kind === 'runtime' && alpha.actions.pause).toBe(true);
  });

  it('shows an unknown status as it is, not live and with nothing that writes', () => {
    const { rows } = sandboxRows({
      generation: 'runtime',
      runtime: state([sandbox('x', 'Hibernating')]),
      server: null,
    });
    const [row] = rows;
    if (row?.kind !== 'runtime') throw new Error('expected a runtime row');
    expect(row.status).toBe('Hibernating');
    expect(row.known).toBe(false);
    expect(row.live).toBe(false);
    expect(Object.values(row.actions).some(Boolean)).toBe(false);
    expect(row.exec).toBe('msb exec x -- sh');
  });

  it('attaches metrics only to the sandbox they name', () => {
    const base = state([sandbox('web', 'Running'), sandbox('db', 'Running')]);
    const metrics = {
      name: 'web',
      cpuPercent: 12.5,
      memoryBytes: 1024,
      memoryLimitBytes: null,
      diskReadBytes: null,
      diskWriteBytes: null,
      netRxBytes: null,
      netTxBytes: null,
      uptimeSecs: 3,
    };
    const { rows } = sandboxRows({ generation: 'runtime', runtime: { ...base, metrics: { web: metrics } }, server });
    expect(rows.map((row) => (row.kind === 'runtime' ? row.metrics?.cpuPercent : undefined))).toEqual([
      undefined,
      12.5,
    ]);
  });

  it('renders the server namespaces in the server generation, with the server rule', () => {
    const rows = sandboxRows({ generation: 'server', runtime: state([sandbox('web', 'Running')]), server });
    expect(rows.rows.map((row) => [row.kind, row.key, row.live])).toEqual([
      ['server', 'default/a', true],
      ['server', 'default/b', false],
    ]);
    expect(rows.summary).toBe('1 sandbox running');
  });

  it('has no rows without a generation or before the first listing', () => {
    expect(sandboxRows({ generation: 'none', runtime: null, server }).rows).toEqual([]);
    expect(sandboxRows({ generation: 'runtime', runtime: null, server }).summary).toBeNull();
  });
});
