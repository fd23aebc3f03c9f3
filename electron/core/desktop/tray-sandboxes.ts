/**
 * What the tray shows of the sandboxes the server runs: the "3 sandboxes running" line and the
 * Sandboxes submenu (tray-items.ts reads its items' ids back).
 */
import { formatBytes, runningSandboxes, runningSummary, sandboxActions } from '../../../shared/sandboxes.ts';
import type { SandboxesView } from '../../../shared/sandboxes.ts';
import type { TrayMenuItem } from './tray-items.ts';

/** The most sandboxes listed in the submenu; the window lists them all. */
export const MAX_TRAY_SANDBOXES = 20;

/**
 * What the tray shows of the sandboxes: a status line (`3 sandboxes running`) and a submenu with
 * each running one (name · namespace · memory), each with Stop and Show Log, and Stop All.
 * Nothing at all while none runs.
 */
export function sandboxTrayItems(view: SandboxesView | null): {
  readonly summary: TrayMenuItem | null;
  readonly submenu: TrayMenuItem | null;
} {
  const running = runningSandboxes(view);
  const summary = runningSummary(running.length);
  if (summary === null) return { summary: null, submenu: null };
  const items: TrayMenuItem[] = running.slice(0, MAX_TRAY_SANDBOXES).map((sandbox) => {
    const can = sandboxActions(sandbox);
    const key = `${sandbox.namespace}/${sandbox.name}`;
    const memory = sandbox.memoryBytes === null ? '' : ` · ${formatBytes(sandbox.memoryBytes)}`;
    return {
      label: `${sandbox.name} · ${sandbox.namespace}${memory}`,
      type: 'submenu',
      enabled: true,
      submenu: [
        { id: `sandbox-stop:${key}`, label: 'Stop', enabled: can.stop },
        { id: `sandbox-log:${key}`, label: 'Show Log', enabled: can.log },
      ],
    };
  });
  if (running.length > MAX_TRAY_SANDBOXES)
    items.push({ label: `${running.length - MAX_TRAY_SANDBOXES} more in the window`, enabled: false });
  items.push({ type: 'separator' }, { id: 'sandboxes-stop-all', label: 'Stop All Sandboxes', enabled: true });
  return {
    summary: { label: summary, enabled: false },
    submenu: { label: 'Sandboxes', type: 'submenu', enabled: true, submenu: items },
  };
}
