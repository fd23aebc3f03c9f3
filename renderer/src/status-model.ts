import { availableActions, isLive } from '../../shared/actions.ts';
import { exposureOf, hostOfUrl } from '../../shared/exposure.ts';
import type { ServerSnapshot, ServerState } from '../../shared/server-status.ts';
import { MICROSANDBOX_INSTALL_HINT } from '../../shared/server-status.ts';
import { formatUptime } from './format.ts';

export type Tone = 'ok' | 'busy' | 'idle' | 'bad';

export interface FailureView {
  readonly title: string;
  readonly message: string;
  /** `Exit code 3`, `Signal SIGKILL`, or ''. */
  readonly detail: string;
  readonly logTail: readonly string[];
  readonly searched: readonly string[];
  /** How to install microsandbox, when msbserver was not found. */
  readonly installHint: string | null;
}

export interface StatusView {
  readonly state: ServerState;
  readonly label: string;
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
  readonly failure: FailureView | null;
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

const DASH = '—';

export function uptimeOf(snapshot: ServerSnapshot, nowMs: number): string {
  if (snapshot.state !== 'running' || snapshot.startedAt === null) return DASH;
  return formatUptime(nowMs - snapshot.startedAt);
}

export function statusView(snapshot: ServerSnapshot, nowMs: number, serverSupported = true): StatusView {
  const { state } = snapshot;
  const running = state === 'running';
  const live = isLive(snapshot);
  const can = availableActions(snapshot, serverSupported);
  const failure = state === 'failed' && snapshot.error !== null ? failureView(snapshot) : null;
  const exposure = live ? exposureOf(snapshot.devMode, hostOfUrl(snapshot.url)) : null;
  return {
    state,
    label: LABELS[state],
    tone: running && snapshot.healthy === false ? 'bad' : TONES[state],
    announcement: announcementOf(snapshot),
    pid: live && snapshot.pid !== null ? String(snapshot.pid) : DASH,
    url: live && snapshot.url !== null ? snapshot.url : DASH,
    uptime: uptimeOf(snapshot, nowMs),
    health: !running ? DASH : snapshot.healthy === null ? 'Checking…' : snapshot.healthy ? 'Healthy' : 'Not answering',
    devMode: live && snapshot.devMode === true,
    external: live && snapshot.external,
    mode: !live || snapshot.devMode === null ? DASH : snapshot.devMode ? 'Development: no keys needed' : 'Secure: clients need a key',
    exposure,
    origin: !live ? DASH : snapshot.external ? 'Outside the app (msb CLI)' : 'This app',
    canStart: can.start,
    canStop: can.stop,
    canRestart: can.restart,
    failure,
  };
}

function failureView(snapshot: ServerSnapshot): FailureView | null {
  const error = snapshot.error;
  if (error === null) return null;
  const missing = error.code === 'not-found' || error.code === 'not-executable';
  const full =
    error.exitCode !== null ? `Exit code ${error.exitCode}` : error.signal !== null ? `Ended by signal ${error.signal}` : '';
  // Main's message often names the exit code or signal already; say it once.
  const said = error.exitCode !== null ? new RegExp(`exit code ${error.exitCode}\\b`, 'i') : error.signal !== null ? new RegExp(error.signal) : null;
  const detail = said !== null && said.test(error.message) ? '' : full;
  return {
    title: missing ? 'msbserver was not found' : error.code === 'unsafe-executable' ? 'msbserver was not run' : error.code === 'unsafe-settings' ? 'The server was not started' : 'The server could not run',
    message: error.message,
    detail,
    logTail: error.logTail,
    searched: error.searched,
    installHint: error.code === 'not-found' ? MICROSANDBOX_INSTALL_HINT : null,
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
    case 'failed':
      return `Server failed: ${snapshot.error?.message ?? 'no reason given.'}`;
  }
}
