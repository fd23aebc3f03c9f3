/** A failed server as a problem block: what failed, why, its log lines, and the next step. */
import type { FailureCode, ServerFailure, ServerSnapshot } from '../../shared/server-status.ts';
import { INSTALL_COMMAND, MSBRUN_UNSAFE_FIX } from '../../shared/setup.ts';
import { stripAnsi } from './logs-model.ts';
import { problem } from './problem-model.ts';
import type { ProblemAction, ProblemView } from './problem-model.ts';

function titleOf(code: FailureCode): string {
  switch (code) {
    case 'not-found':
    case 'not-executable':
      return 'msbserver was not found';
    case 'unsafe-executable':
      return 'msbserver was not run';
    case 'unsafe-msbrun':
      return 'msbrun is unsafe: the server was not started';
    case 'unsafe-settings':
      return 'The server was not started';
    case 'timeout':
      return 'The server did not answer in time';
    case 'port-in-use':
      return 'The port is taken';
    case 'stop-failed':
      return 'The server did not stop';
    case 'unsupported-platform':
      return 'msbserver does not run here';
    case 'exited':
    case 'crashed':
    case 'crash-loop':
    case 'spawn-error':
    case 'home-error':
      return 'The server could not run';
  }
}

const AGAIN = 'then Start again';

function nextOf(error: ServerFailure): { next: string; actions: ProblemAction[]; command: string | null } {
  const none = { actions: [], command: null };
  switch (error.code) {
    case 'not-found':
    case 'not-executable':
      return {
        next: 'Install microsandbox with this command, or locate msbserver; the app finds it by itself.',
        actions: [{ kind: 'locate' }],
        command: INSTALL_COMMAND,
      };
    case 'unsafe-executable':
      return {
        next: 'Fix the file or folder as said above, or locate another msbserver.',
        actions: [{ kind: 'locate' }],
        command: null,
      };
    case 'unsafe-msbrun':
      return { next: `${MSBRUN_UNSAFE_FIX} Then Start again.`, ...none };
    case 'timeout':
      return {
        next: `If msbserver needs longer to start on this computer, raise the start timeout, ${AGAIN}.`,
        actions: [{ kind: 'setting', key: 'readinessTimeoutMs', label: 'Raise the start timeout' }],
        command: null,
      };
    case 'port-in-use':
      return {
        next: `Stop what listens on that port, or choose another port, ${AGAIN}.`,
        actions: [{ kind: 'setting', key: 'port', label: 'Change the port' }],
        command: null,
      };
    case 'unsafe-settings':
      return {
        next: `Change the settings as said above, ${AGAIN}.`,
        actions: [{ kind: 'setting', key: 'devMode', label: 'Open Settings' }],
        command: null,
      };
    case 'home-error':
      return { next: `Fix the folder as said above, ${AGAIN}.`, ...none };
    case 'stop-failed':
      return { next: 'Stop it again; if it stays, end the process from a terminal.', ...none };
    case 'unsupported-platform':
      return { next: 'Run microsandbox inside WSL 2 and use its msb CLI there.', ...none };
    case 'exited':
    case 'crashed':
    case 'crash-loop':
    case 'spawn-error':
      return {
        next:
          error.logTail.length > 0
            ? `The log lines above say why: fix that, ${AGAIN}.`
            : `Start again; if it fails again, the Logs tab has the server’s whole output.`,
        ...none,
      };
  }
}

/** `Exit code 3` or `Ended by signal SIGKILL`, unless the message says it already (or it is noise). */
function detailOf(error: ServerFailure): string {
  // The app ended it itself after the timeout: the signal it sent says nothing more.
  if (error.code === 'timeout') return '';
  const full =
    error.exitCode !== null
      ? `Exit code ${error.exitCode}`
      : error.signal !== null
        ? `Ended by signal ${error.signal}`
        : '';
  const said =
    error.exitCode !== null
      ? new RegExp(`exit code ${error.exitCode}\\b`, 'i')
      : error.signal !== null
        ? new RegExp(error.signal)
        : null;
  return said !== null && said.test(error.message) ? '' : full;
}

export function failureProblem(snapshot: ServerSnapshot): ProblemView | null {
  const error = snapshot.error;
  if (snapshot.state !== 'failed' || error === null) return null;
  const { next, actions, command } = nextOf(error);
  const restarting = snapshot.restartAt !== null;
  return problem({
    kind: `failure:${error.code}`,
    tone: restarting ? 'busy' : 'bad',
    title: restarting ? 'The server crashed; the app starts it again' : titleOf(error.code),
    why: error.message,
    detail: detailOf(error),
    list:
      error.searched.length > 0 && (error.code === 'not-found' || error.code === 'not-executable')
        ? { label: 'Places searched:', items: error.searched }
        : null,
    log: error.logTail.map(stripAnsi),
    command,
    next: restarting ? 'It restarts by itself when the countdown ends. Cancel keeps it stopped.' : next,
    actions: restarting ? [{ kind: 'cancel-restart' }] : actions,
  });
}

/** A server that runs but does not answer its health check. */
export function hungProblem(snapshot: ServerSnapshot): ProblemView | null {
  if (snapshot.state !== 'running' || snapshot.healthy !== false) return null;
  const who = snapshot.pid === null ? 'msbserver' : `msbserver (PID ${snapshot.pid})`;
  const where = snapshot.url === null ? '' : ` at ${snapshot.url}`;
  return problem({
    kind: 'hung',
    tone: 'hung',
    title: 'The server is not answering',
    why: `${who} is running but does not answer its health check${where}, so clients cannot use it.`,
    next: 'Restart it. If it hangs again, the Logs tab may say why.',
  });
}

/**
 * What is off in the world but does not stop the server (a key others can read, a home others can
 * write, no msbrun beside msbserver, another home's server in server.pid): said, with how to fix
 * each, below the facts. Null when there is nothing.
 */
export function warningsProblem(snapshot: Pick<ServerSnapshot, 'warnings'>): ProblemView | null {
  const { warnings } = snapshot;
  if (warnings.length === 0) return null;
  return problem({
    kind: `warnings:${warnings.join('\n')}`,
    tone: 'warn',
    title: warnings.length === 1 ? 'One thing to look at' : `${warnings.length} things to look at`,
    why: 'The server can run, but the app noticed this around it:',
    list: { label: '', items: warnings, plain: true },
    next: 'Each says how to put it right; the note goes once it is.',
  });
}
