/**
 * What the tray shows in the runtime generation (msb 0.3 and later): the running count, the host
 * check as one line, the Sandboxes submenu from the shared row model, and what its items stand
 * for. No server items: a 0.2 server still running is shown by tray-menu.ts whatever is chosen.
 */
import type { RuntimeView, RuntimeActionName } from '../../../shared/runtime.ts';
import { RUNTIME_ACTIONS } from '../../../shared/runtime.ts';
import { sandboxRows, type RuntimeRow } from '../../../shared/sandbox-rows.ts';
import { formatBytes } from '../../../shared/sandboxes.ts';
import type { TrayMenuItem } from './tray-items.ts';

/** The most sandboxes listed in the submenu; the window lists them all. */
export const MAX_TRAY_RUNTIME_SANDBOXES = 20;

const LABELS: Readonly<Record<RuntimeActionName, string>> = {
  stop: 'Stop',
  start: 'Start',
  restart: 'Restart',
  pause: 'Pause',
  resume: 'Resume',
  remove: 'Remove…',
};

/** The host check in one line, or null when all is well (or not checked yet). */
export function hostLine(view: RuntimeView): string | null {
  const host = view.state?.host ?? null;
  if (host === null) return null;
  const failing = host.checks.find((check) => check.state === 'fail');
  if (failing !== undefined) return `⚠ Sandboxes cannot start: ${checkSentence(failing)}`;
  if (!host.ok) return '⚠ Sandboxes cannot start here: see the window';
  const warnings = host.checks.filter((check) => check.state === 'warn').length;
  return warnings === 0 ? null : `${warnings === 1 ? 'One thing' : `${warnings} things`} to look at: see the window`;
}

/**
 * A failed check as one phrase. msb's `error:` headline ("CPU virtualization is not available")
 * already names what it checked, while its check line is terse ("CPU virt  not found"): prefixing
 * the name would say it twice.
 */
function checkSentence(check: { readonly name: string; readonly detail: string }): string {
  const first = check.name.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (check.detail === '') return check.name;
  return first !== '' && check.detail.toLowerCase().includes(first) ? check.detail : `${check.name} ${check.detail}`;
}

/** Whether the tray should look like it warns: the host cannot run sandboxes, or listing fails. */
export function runtimeWarns(view: RuntimeView): boolean {
  if (view.generation !== 'runtime') return false;
  return view.msb === null || view.state?.host?.ok === false || (view.state?.error ?? null) !== null;
}

function sandboxItem(row: RuntimeRow): TrayMenuItem {
  const memory = row.metrics?.memoryBytes ?? null;
  const extra = memory === null ? '' : ` · ${formatBytes(memory)}`;
  const actions = RUNTIME_ACTIONS.filter((action) => row.actions[action]).map((action): TrayMenuItem => ({
    id: `runtime-${action}:${row.name}`,
    label: LABELS[action],
    enabled: true,
  }));
  return {
    label: `${row.name} · ${row.status}${extra}`,
    type: 'submenu',
    enabled: true,
    submenu: [
      ...actions,
      ...(actions.length > 0 ? [{ type: 'separator' } as const] : []),
      { id: `runtime-log:${row.name}`, label: 'Show Log', enabled: true },
      { id: `runtime-copy-exec:${row.name}`, label: 'Copy Shell Command', enabled: true },
    ],
  };
}

/**
 * The runtime's lines and submenu: a status line (version, running count), the problems (msb
 * not found, the host check, a failed listing, what was found about the install), and the
 * Sandboxes submenu, running ones first.
 */
export function runtimeTrayItems(view: RuntimeView): {
  readonly lines: TrayMenuItem[];
  readonly submenu: TrayMenuItem | null;
} {
  const lines: TrayMenuItem[] = [];
  const note = (label: string): void => void lines.push({ label, enabled: false });
  if (view.msb === null) {
    note('msb (microsandbox 0.3 or later) was not found');
    return { lines, submenu: null };
  }
  const rows = sandboxRows({ generation: 'runtime', runtime: view.state, server: null });
  note(`microsandbox ${view.msb.version} · ${rows.summary ?? 'No sandbox running'}`);
  const host = hostLine(view);
  if (host !== null) note(host);
  if (view.state?.error != null) note('msb could not list the sandboxes: see the window');
  if (view.notes.length > 0)
    note(view.notes.length === 1 ? (view.notes[0]?.message ?? '') : 'Notes about the install: see the window');
  const runtimeRows = rows.rows.filter((row): row is RuntimeRow => row.kind === 'runtime');
  if (runtimeRows.length === 0) return { lines, submenu: null };
  const ordered = [...runtimeRows.filter((row) => row.live), ...runtimeRows.filter((row) => !row.live)];
  const items = ordered.slice(0, MAX_TRAY_RUNTIME_SANDBOXES).map(sandboxItem);
  if (ordered.length > MAX_TRAY_RUNTIME_SANDBOXES)
    items.push({ label: `${ordered.length - MAX_TRAY_RUNTIME_SANDBOXES} more in the window`, enabled: false });
  return { lines, submenu: { label: 'Sandboxes', type: 'submenu', enabled: true, submenu: items } };
}

/** The tray's tooltip in the runtime generation: its first line, and the host check when it fails. */
export function runtimeTooltip(view: RuntimeView): string {
  const [first] = runtimeTrayItems(view).lines;
  const host = hostLine(view);
  return `Microsandbox: ${first?.label ?? 'microsandbox'}${host === null ? '' : ` · ${host.replace(/^⚠ /, '')}`}`;
}
