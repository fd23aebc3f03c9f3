/**
 * The runtime generation's parts of the window as pure data: what Status says (version, where
 * `msb` is, the host check, `msb context`), the Sandboxes rows (from the shared row model, so
 * the tray shows the same), and today's install for the first run.
 */
import {
  runtimeInstallCommand,
  RUNTIME_INSTALL_METHODS,
  type HostCheckInfo,
  type RuntimeActionName,
  type RuntimeInstallMethod,
  type RuntimeView,
} from '../../shared/runtime.ts';
import { sandboxRows, type RuntimeRow } from '../../shared/sandbox-rows.ts';
import { formatBytes } from '../../shared/sandboxes.ts';
import type { Tone } from './status-model.ts';

const DASH = '—';

export interface HostLine {
  readonly name: string;
  readonly tone: Tone;
  readonly text: string;
  readonly fixes: readonly string[];
}

export interface RuntimeStatus {
  /** `microsandbox 0.6.18`, or what is missing. */
  readonly title: string;
  readonly tone: Tone;
  readonly msbPath: string;
  /** `Ready: this computer can run sandboxes`, `Checking this computer…`, or that it cannot. */
  readonly hostSummary: string;
  readonly hostTone: Tone;
  /** Every check that is not ok, with its fixes; empty when ready. */
  readonly problems: readonly HostLine[];
  /** `Local: sandboxes run on this computer`, or the cloud profile and its API URL. */
  readonly context: string;
  readonly listError: string | null;
  readonly notes: readonly { readonly message: string; readonly fix: string }[];
}

function checkLine(check: HostCheckInfo): HostLine {
  return {
    name: check.name,
    tone: check.state === 'fail' ? 'bad' : check.state === 'warn' ? 'busy' : 'ok',
    text: `${check.name}: ${check.detail}`.replace(/: $/, ''),
    fixes: check.fixes,
  };
}

export function runtimeStatus(view: RuntimeView): RuntimeStatus {
  const state = view.state;
  const host = state?.host ?? null;
  const problems = (host?.checks ?? []).filter((check) => check.state !== 'ok').map(checkLine);
  let hostSummary = 'Checking this computer…';
  let hostTone: Tone = 'busy';
  if (host !== null) {
    hostSummary = host.ok
      ? problems.length === 0
        ? 'Ready: this computer can run sandboxes'
        : 'Ready, with things to look at'
      : 'This computer cannot run sandboxes yet';
    hostTone = host.ok ? 'ok' : 'bad';
  }
  const context = state?.context ?? null;
  let contextText = DASH;
  if (context !== null) {
    if (context.kind === 'local') contextText = 'Local: sandboxes run on this computer';
    else if (context.kind === 'cloud')
      contextText =
        `Cloud${context.profile === null ? '' : `, profile ${context.profile}`}` +
        `${context.apiUrl === null ? '' : ` (${context.apiUrl})`}`;
    else contextText = context.kind;
  }
  return {
    title: view.msb === null ? 'msb (microsandbox 0.3 or later) was not found' : `microsandbox ${view.msb.version}`,
    tone: view.msb === null ? 'bad' : hostTone === 'bad' ? 'bad' : 'ok',
    msbPath: view.msb?.path ?? DASH,
    hostSummary,
    hostTone,
    problems,
    context: contextText,
    listError: state?.error ?? null,
    notes: view.notes.map((note) => ({ message: note.message, fix: note.fix })),
  };
}

export interface RuntimeRowView {
  readonly name: string;
  readonly status: string;
  readonly tone: Tone;
  readonly image: string;
  readonly created: string;
  readonly cpus: string;
  readonly memory: string;
  readonly ports: string;
  readonly cpu: string;
  readonly memoryUsed: string;
  readonly actions: readonly RuntimeActionName[];
}

const TONES: Readonly<Record<string, Tone>> = {
  Running: 'ok',
  Starting: 'busy',
  Draining: 'busy',
  Paused: 'idle',
  Stopped: 'idle',
  Created: 'idle',
  Crashed: 'bad',
};

function rowView(row: RuntimeRow): RuntimeRowView {
  const { sandbox, metrics } = row;
  const actions = (Object.keys(row.actions) as RuntimeActionName[]).filter((action) => row.actions[action]);
  return {
    name: row.name,
    status: row.status,
    tone: TONES[row.status] ?? 'idle',
    image: sandbox.image === '' ? DASH : sandbox.image,
    created: Number.isFinite(sandbox.createdAt)
      ? new Date(sandbox.createdAt).toISOString().slice(0, 16).replace('T', ' ')
      : DASH,
    cpus: sandbox.cpus === null ? DASH : String(sandbox.cpus),
    memory: sandbox.memoryMib === null ? DASH : formatBytes(sandbox.memoryMib * 1024 * 1024),
    ports: sandbox.ports.length === 0 ? DASH : sandbox.ports.join(', '),
    cpu: metrics?.cpuPercent == null ? DASH : `${metrics.cpuPercent.toFixed(1)} %`,
    memoryUsed: formatBytes(metrics?.memoryBytes ?? null),
    actions,
  };
}

export interface RuntimeSandboxesScreen {
  readonly rows: readonly RuntimeRowView[];
  readonly summary: string;
  readonly empty: boolean;
}

export function runtimeSandboxesScreen(view: RuntimeView): RuntimeSandboxesScreen {
  const rows = sandboxRows({ generation: 'runtime', runtime: view.state, server: null });
  const runtimeRows = rows.rows.filter((row): row is RuntimeRow => row.kind === 'runtime');
  return {
    rows: runtimeRows.map(rowView),
    summary: rows.summary ?? (runtimeRows.length === 0 ? 'No sandbox yet' : 'No sandbox is running'),
    empty: runtimeRows.length === 0,
  };
}

export const ACTION_LABELS: Readonly<Record<RuntimeActionName, string>> = {
  stop: 'Stop',
  start: 'Start',
  restart: 'Restart',
  remove: 'Remove…',
  pause: 'Pause',
  resume: 'Resume',
};

export interface InstallOption {
  readonly method: RuntimeInstallMethod;
  readonly label: string;
  readonly command: string;
}

/** Today's install, first the installer script of this platform, then Homebrew and npm. */
export function runtimeInstallOptions(platform: string): InstallOption[] {
  const labels: Readonly<Record<RuntimeInstallMethod, string>> = {
    script: platform === 'win32' ? 'PowerShell' : 'Terminal',
    homebrew: 'Homebrew',
    npm: 'npm',
  };
  return RUNTIME_INSTALL_METHODS.flatMap((method) => {
    const command = runtimeInstallCommand(method, platform);
    return command === null ? [] : [{ method, label: labels[method], command }];
  });
}
