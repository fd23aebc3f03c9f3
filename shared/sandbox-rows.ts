/**
 * One view model for the sandboxes of both generations: the tray's Sandboxes submenu and the
 * window's Sandboxes tab render the runtime's sandboxes and the server's namespaces from these
 * rows, so they never disagree. What each row offers comes from the one rule of its generation
 * (`runtimeActions`, `sandboxActions`).
 */
import {
  execCommand,
  isKnownRuntimeStatus,
  isRuntimeLive,
  runtimeActions,
  type Generation,
  type RuntimeActionName,
  type RuntimeMetricsInfo,
  type RuntimeSandboxInfo,
  type RuntimeStateInfo,
} from './runtime.ts';
import { runningSummary, sandboxActions, type SandboxesView, type SandboxInfo } from './sandboxes.ts';

export interface RuntimeRow {
  readonly kind: 'runtime';
  /** The sandbox's name: unique in the list. */
  readonly key: string;
  readonly name: string;
  /** As upstream spells it. */
  readonly status: string;
  /** False for a status the app does not know yet: shown as it is, with nothing that writes. */
  readonly known: boolean;
  readonly live: boolean;
  readonly sandbox: RuntimeSandboxInfo;
  /** Live figures, while someone looks; else null. */
  readonly metrics: RuntimeMetricsInfo | null;
  readonly actions: Readonly<Record<RuntimeActionName, boolean>>;
  /** The log and the shell command are there for every sandbox. */
  readonly exec: string;
}

export interface ServerRow {
  readonly kind: 'server';
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly live: boolean;
  readonly sandbox: SandboxInfo;
  readonly actions: { readonly stop: boolean; readonly log: boolean };
}

export type SandboxRow = RuntimeRow | ServerRow;

export interface SandboxRows {
  readonly generation: Generation;
  readonly rows: readonly SandboxRow[];
  readonly running: number;
  /** `3 sandboxes running`; null for none. */
  readonly summary: string | null;
}

export interface SandboxRowsInput {
  readonly generation: Generation;
  readonly runtime: RuntimeStateInfo | null;
  readonly server: SandboxesView | null;
}

function runtimeRow(sandbox: RuntimeSandboxInfo, state: RuntimeStateInfo): RuntimeRow {
  return {
    kind: 'runtime',
    key: sandbox.name,
    name: sandbox.name,
    status: sandbox.status,
    known: isKnownRuntimeStatus(sandbox.status),
    live: isRuntimeLive(sandbox.status),
    sandbox,
    metrics: Object.hasOwn(state.metrics, sandbox.name) ? (state.metrics[sandbox.name] ?? null) : null,
    actions: runtimeActions(sandbox.status, state.capabilities),
    exec: execCommand(sandbox.name),
  };
}

function serverRow(namespace: string, sandbox: SandboxInfo): ServerRow {
  return {
    kind: 'server',
    key: `${namespace}/${sandbox.name}`,
    namespace,
    name: sandbox.name,
    live: sandbox.state === 'running',
    sandbox,
    actions: sandboxActions(sandbox),
  };
}

/**
 * The rows of the generation the app drives: the runtime's sandboxes sorted by name, or the
 * server's namespace by namespace (already sorted). None for `none`.
 */
export function sandboxRows(input: SandboxRowsInput): SandboxRows {
  let rows: SandboxRow[] = [];
  if (input.generation === 'runtime' && input.runtime !== null) {
    const state = input.runtime;
    rows = [...state.sandboxes]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((sandbox) => runtimeRow(sandbox, state));
  } else if (input.generation === 'server' && input.server !== null) {
    rows = input.server.namespaces.flatMap((ns) => ns.sandboxes.map((sandbox) => serverRow(ns.name, sandbox)));
  }
  const running = rows.filter((row) => row.live).length;
  return { generation: input.generation, rows, running, summary: runningSummary(running) };
}
