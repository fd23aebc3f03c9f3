/**
 * What the tray says about the server in a glance: the first line of the menu, the tooltip and
 * the icon. Pure functions of the snapshot (and, for a restart countdown, of the time now).
 */
import { exposureOf, hostOfUrl } from '../../../shared/exposure.ts';
import { runningSandboxes, runningSummary, type SandboxesView } from '../../../shared/sandboxes.ts';
import type { ServerSnapshot, ServerState } from '../../../shared/server-status.ts';
import { isLoopbackHost } from '../../../shared/settings-schema.ts';

const SHORT_REASON = 60;

/** The first sentence of a failure message, cut to fit a menu line. */
export function shortReason(message: string): string {
  const text = message.trim().replace(/\s+/g, ' ');
  if (text === '') return 'unknown reason';
  const sentence = /^(.+?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
  const trimmed = sentence.replace(/[.!]$/, '');
  return trimmed.length > SHORT_REASON ? `${trimmed.slice(0, SHORT_REASON - 1)}…` : trimmed;
}

function address(snapshot: ServerSnapshot): string | null {
  if (snapshot.url === null) return null;
  return snapshot.url.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

const STATE_WORDS: Readonly<Record<ServerState, string>> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  running: 'Running',
  stopping: 'Stopping…',
  failed: 'Failed',
};

/** Whether the server runs but does not answer its health check (hung): a look of its own. */
export function isNotAnswering(snapshot: Pick<ServerSnapshot, 'state' | 'healthy'>): boolean {
  return snapshot.state === 'running' && snapshot.healthy === false;
}

/**
 * The disabled first line of the menu: state, PID and address, and in plain words who can use a
 * running server when that is more than this computer's clients with a key (dev mode: every
 * program and every web page; a host others reach: other computers).
 */
export function statusLine(snapshot: ServerSnapshot): string {
  if (snapshot.state === 'failed') {
    return `Failed: ${shortReason(snapshot.error?.message ?? '')}`;
  }
  let head = isNotAnswering(snapshot) ? 'Not answering' : STATE_WORDS[snapshot.state];
  if (snapshot.state === 'running') {
    const host = hostOfUrl(snapshot.url);
    if (snapshot.devMode === true) head += ` (dev mode: ${exposureOf(true, host) ?? ''})`;
    else if (host !== null && !isLoopbackHost(host)) head += ' (reachable from other computers)';
  }
  const parts = [head];
  if (snapshot.state !== 'stopped') {
    if (snapshot.pid !== null) parts.push(`PID ${snapshot.pid}`);
    const where = address(snapshot);
    if (where !== null) parts.push(where);
  }
  return parts.join(' · ');
}

/** "Restarting automatically in 4 s" while an automatic restart is due; null when none is. */
export function restartLine(snapshot: Pick<ServerSnapshot, 'restartAt'>, nowMs: number): string | null {
  if (snapshot.restartAt === null) return null;
  const seconds = Math.max(0, Math.ceil((snapshot.restartAt - nowMs) / 1000));
  return seconds === 0 ? 'Restarting automatically now' : `Restarting automatically in ${seconds} s`;
}

/** The tray tooltip: the app's name, the status line and how many sandboxes run. */
export function trayTooltip(snapshot: ServerSnapshot, sandboxes: SandboxesView | null = null): string {
  const external = snapshot.external && snapshot.state === 'running' ? ' (started outside the app)' : '';
  const summary = runningSummary(runningSandboxes(sandboxes).length);
  const restart = snapshot.restartAt === null ? '' : ' · restarting automatically';
  return `Microsandbox: ${statusLine(snapshot)}${external}${restart}${summary === null ? '' : ` · ${summary}`}`;
}

type IconState = 'stopped' | 'transition' | 'running' | 'unhealthy' | 'failed';

function iconState(state: ServerState, healthy: boolean | null): IconState {
  switch (state) {
    case 'starting':
    case 'stopping':
      return 'transition';
    case 'running':
      // Running but not answering its health check: a look of its own, not the running one.
      return healthy === false ? 'unhealthy' : 'running';
    case 'stopped':
    case 'failed':
      return state;
  }
}

/**
 * The tray image for a state: a template image (black and alpha; `@2x` found beside it by
 * Electron) on macOS, a coloured PNG elsewhere.
 */
export function trayIconName(state: ServerState, platform: NodeJS.Platform, healthy: boolean | null = null): string {
  const visual = iconState(state, healthy);
  if (platform === 'darwin') return `tray${visual.charAt(0).toUpperCase()}${visual.slice(1)}Template.png`;
  return `tray-${visual}.png`;
}
