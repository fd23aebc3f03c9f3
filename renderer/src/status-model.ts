import { availableActions, isLive } from '../../shared/actions.ts';
import { exposureOf, hostOfUrl } from '../../shared/exposure.ts';
import type { ServerSnapshot, ServerState } from '../../shared/server-status.ts';
import type { SetupState } from '../../shared/setup.ts';
import { failureProblem, hungProblem } from './failure-model.ts';
import { formatUptime } from './format.ts';
import type { ProblemView } from './problem-model.ts';

/** `hung`: running, but not answering its health check; neither the running green nor a failure. */
export type Tone = 'ok' | 'busy' | 'idle' | 'bad' | 'hung';

export type ServerAction = 'start' | 'stop' | 'restart';

export interface StatusContext {
  /** Whether microsandbox is there to run: without msbserver, neither Start nor Restart. */
  readonly setup: SetupState;
  /** The platform the app runs on (`AppInfo.platform`), null until the window has it. */
  readonly platform: string | null;
  /** Settings changed that the running server has not picked up. */
  readonly restartNeeded?: boolean;
}

export interface StatusView {
  readonly state: ServerState;
  /** The state line: `Running`, `Not answering`, `Restarting in 3 s`, … */
  readonly label: string;
  /** The header pill: as the label, without a countdown (the pill is a live region). */
  readonly pillLabel: string;
  readonly tone: Tone;
  /** One sentence for the status region that screen readers announce. */
  readonly announcement: string;
  readonly pid: string;
  readonly url: string;
  readonly uptime: string;
  readonly health: string;
  readonly devMode: boolean;
  readonly external: boolean;
  /** `Secure: clients need a key`, `Development: no keys needed`, or a dash. */
  readonly mode: string;
  /**
   * Who can use the running server, in plain words, when that is more than this computer's
   * clients with a key: `open to every program on this computer and every web page you visit`
   * in development mode, `reachable from other computers …` on a host others reach.
   */
  readonly exposure: string | null;
  /** Who started the server: `This app`, `Outside the app (msb CLI)`, or a dash. */
  readonly origin: string;
  readonly canStart: boolean;
  readonly canStop: boolean;
  readonly canRestart: boolean;
  /** The one action the state asks for, shown as the primary button; null when none stands out. */
  readonly primary: ServerAction | null;
  /** Seconds until the automatic restart after a crash; null when none is due. */
  readonly restartIn: number | null;
  /** What went wrong with the server (a failure, a crash before a restart, a hung server). */
  readonly problem: ProblemView | null;
  /** A settings change waits for a restart of the running server. */
  readonly restartNeeded: boolean;
}

const LABELS: Readonly<Record<ServerState, string>> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  running: 'Running',
  stopping: 'Stopping…',
  failed: 'Failed',
};

const TONES: Readonly<Record<ServerState, Tone>> = {
  stopped: 'idle',
  starting: 'busy',
  running: 'ok',
  stopping: 'busy',
  failed: 'bad',
};

export const DASH = '—';

export function uptimeOf(snapshot: ServerSnapshot, nowMs: number): string {
  if (snapshot.state !== 'running' || snapshot.startedAt === null) return DASH;
  return formatUptime(nowMs - snapshot.startedAt);
}

/** Whole seconds left until `restartAt` (never below 0), or null. */
export function restartInOf(snapshot: ServerSnapshot, nowMs: number): number | null {
  if (snapshot.restartAt === null) return null;
  return Math.max(0, Math.ceil((snapshot.restartAt - nowMs) / 1000));
}

export function restartLabel(seconds: number): string {
  return seconds > 0 ? `Restarting in ${seconds} s` : 'Restarting…';
}

/** `context` is required: the setup state and the platform decide Start and Restart, as in the tray. */
export function statusView(snapshot: ServerSnapshot, nowMs: number, context: StatusContext): StatusView {
  const { state } = snapshot;
  const running = state === 'running';
  const hung = running && snapshot.healthy === false;
  const live = isLive(snapshot);
  const can = availableActions(snapshot, context.setup, context.platform);
  const restartIn = state === 'failed' ? restartInOf(snapshot, nowMs) : null;
  const canStart = can.start;
  const canRestart = can.restart;
  const restartNeeded = running && context.restartNeeded === true;
  const exposure = live ? exposureOf(snapshot.devMode, hostOfUrl(snapshot.url)) : null;
  const label = restartIn !== null ? restartLabel(restartIn) : hung ? 'Not answering' : LABELS[state];
  return {
    state,
    label,
    pillLabel: restartIn !== null ? 'Restarting…' : label,
    tone: hung ? 'hung' : restartIn !== null ? 'busy' : TONES[state],
    announcement: announcementOf(snapshot),
    pid: live && snapshot.pid !== null ? String(snapshot.pid) : DASH,
    url: live && snapshot.url !== null ? snapshot.url : DASH,
    uptime: uptimeOf(snapshot, nowMs),
    health: !running ? DASH : snapshot.healthy === null ? 'Checking…' : snapshot.healthy ? 'Healthy' : 'Not answering',
    devMode: live && snapshot.devMode === true,
    external: live && snapshot.external,
    mode:
      !live || snapshot.devMode === null
        ? DASH
        : snapshot.devMode
          ? 'Development: no keys needed'
          : 'Secure: clients need a key',
    exposure,
    origin: !live ? DASH : snapshot.external ? 'Outside the app (msb CLI)' : 'This app',
    canStart,
    canStop: can.stop,
    canRestart,
    primary: canStart ? 'start' : canRestart && (hung || restartNeeded) ? 'restart' : null,
    restartIn,
    problem: failureProblem(snapshot) ?? hungProblem(snapshot),
    restartNeeded,
  };
}

function announcementOf(snapshot: ServerSnapshot): string {
  switch (snapshot.state) {
    case 'running': {
      const where = snapshot.url === null ? '' : ` at ${snapshot.url}`;
      const exposure = exposureOf(snapshot.devMode, hostOfUrl(snapshot.url));
      const dev = `${snapshot.devMode === true ? ', development mode' : ''}${exposure === null ? '' : `, ${exposure}`}`;
      const outside = snapshot.external ? ', started outside the app' : '';
      const sick = snapshot.healthy === false ? ', not answering its health check' : '';
      return `Server running${where}${dev}${outside}${sick}.`;
    }
    case 'starting':
      return 'Server starting…';
    case 'stopping':
      return 'Server stopping…';
    case 'stopped':
      return 'Server stopped.';
    case 'failed': {
      const again = snapshot.restartAt !== null ? ' It restarts by itself shortly.' : '';
      return `Server failed: ${snapshot.error?.message ?? 'no reason given.'}${again}`;
    }
  }
}
