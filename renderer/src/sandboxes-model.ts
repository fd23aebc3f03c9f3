/**
 * The Sandboxes view as pure data: what each namespace and sandbox shows, which actions it offers
 * (the same rule as the tray's, `sandboxActions`), what a stop did, and the snippets that start a
 * first sandbox with an SDK against this server.
 */
import { effectiveServerUrl } from '../../shared/server-url.ts';
import { formatBytes, runningSandboxes, runningSummary, sandboxActions } from '../../shared/sandboxes.ts';
import type { SandboxesView, SandboxInfo, SandboxState, SandboxStopResult } from '../../shared/sandboxes.ts';
import { formatUptime } from './format.ts';
import type { Tone } from './status-model.ts';

export interface SandboxRowView {
  /** `namespace/name`: unique in a view. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly state: SandboxState;
  readonly stateLabel: string;
  readonly tone: Tone;
  /** What the state means, for a screen reader and a tooltip-free window. */
  readonly stateHint: string;
  readonly uptime: string;
  readonly memory: string;
  readonly cpu: string;
  readonly disk: string;
  readonly port: string;
  readonly canStop: boolean;
  readonly canLog: boolean;
  /** Accessible names of the row's buttons: they say which sandbox they act on. */
  readonly stopLabel: string;
  readonly logLabel: string;
}

export interface NamespaceView {
  readonly name: string;
  readonly error: string | null;
  readonly rows: readonly SandboxRowView[];
}

export interface SandboxesScreen {
  /** No sandbox anywhere (or no namespaces folder yet): the view shows how to start one. */
  readonly empty: boolean;
  readonly namespaces: readonly NamespaceView[];
  readonly running: number;
  /** `3 sandboxes running in 2 namespaces`, `No sandbox is running`. */
  readonly summary: string;
  readonly canStopAll: boolean;
  readonly folder: string;
}

const DASH = '—';

const STATES: Readonly<Record<SandboxState, { label: string; tone: Tone; hint: string }>> = {
  running: { label: 'Running', tone: 'ok', hint: 'Its supervisor is alive.' },
  stale: {
    label: 'Stale',
    tone: 'bad',
    hint:
      'Recorded as running, but its supervisor is gone (a crash or a reboot). microsandbox clears the row when ' +
      'it is started again.',
  },
  stopped: { label: 'Stopped', tone: 'idle', hint: '' },
  defined: { label: 'Not started', tone: 'idle', hint: 'In the Sandboxfile, never started.' },
};

function row(namespace: string, info: SandboxInfo, nowMs: number): SandboxRowView {
  const can = sandboxActions(info);
  const state = STATES[info.state];
  const running = info.state === 'running';
  const who = `${info.name} in ${namespace}`;
  return {
    key: `${namespace}/${info.name}`,
    namespace,
    name: info.name,
    state: info.state,
    stateLabel: state.label,
    tone: state.tone,
    stateHint: state.hint,
    uptime: running && info.startedAt !== null ? formatUptime(nowMs - info.startedAt) : DASH,
    memory: running ? formatBytes(info.memoryBytes) : DASH,
    cpu: running && info.cpuPercent !== null ? `${info.cpuPercent.toFixed(1)} %` : DASH,
    disk: running ? formatBytes(info.diskBytes) : DASH,
    port: info.portalPort === null ? DASH : String(info.portalPort),
    canStop: can.stop,
    canLog: can.log,
    stopLabel: `Stop ${who}`,
    logLabel: `Log of ${who}`,
  };
}

export function sandboxesScreen(view: SandboxesView | null, nowMs: number): SandboxesScreen {
  const namespaces = (view?.namespaces ?? []).map((ns) => ({
    name: ns.name,
    error: ns.error,
    rows: ns.sandboxes.map((s) => row(ns.name, s, nowMs)),
  }));
  const running = runningSandboxes(view);
  const inNamespaces = new Set(running.map((s) => s.namespace)).size;
  const summary =
    running.length === 0
      ? 'No sandbox is running'
      : `${runningSummary(running.length) ?? ''} in ${inNamespaces} ${inNamespaces === 1 ? 'namespace' : 'namespaces'}`;
  return {
    empty: namespaces.every((ns) => ns.rows.length === 0 && ns.error === null),
    namespaces: namespaces.filter((ns) => ns.rows.length > 0 || ns.error !== null),
    running: running.length,
    summary,
    canStopAll: running.length > 0,
    folder: view?.namespacesDir ?? '',
  };
}

/** One sentence about what a stop did. */
export function stopOutcomeText(result: SandboxStopResult): string {
  const parts: string[] = [];
  if (result.stopped.length === 1) parts.push(`Asked ${result.stopped[0]?.name ?? ''} to stop.`);
  else if (result.stopped.length > 1) parts.push(`Asked ${result.stopped.length} sandboxes to stop.`);
  for (const failure of result.failed) parts.push(`${failure.name} was not stopped: ${failure.message}`);
  return parts.length > 0 ? parts.join(' ') : 'No sandbox was running.';
}

/**
 * What the Keys view says about a namespace: nothing for `*`, an invalid name or one with a
 * folder; otherwise that it has no folder yet (a key for it still works: the first
 * `sandbox.start` in it creates the folder).
 */
export function namespaceFolderNote(namespace: string, view: SandboxesView | null): string | null {
  if (view === null || namespace === '*' || namespace === '') return null;
  if (view.namespaces.some((ns) => ns.name === namespace)) return null;
  return (
    `Namespace “${namespace}” has no folder yet. The key is still valid: the first sandbox started in it creates ` +
    `the folder.`
  );
}

/** The URL clients use (shared/server-url.ts: the same rule as the tray's Copy Server URL). */
export const serverUrlOf = effectiveServerUrl;
