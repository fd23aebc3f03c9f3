/**
 * The question asked before the server stops while sandboxes run: they run under their own
 * supervisors and survive a server stop, so Stop and Quit would otherwise leave microVMs running
 * without a word. Main asks it natively (a `ChoicePort`), for the window's Stop, the tray's Stop
 * and a quit that stops the server; the window never answers it.
 *
 * - *Stop them too*: the sandboxes are stopped first, while the server still runs (through its
 *   `sandbox.stop`), then the server;
 * - *Leave them running*: only the server stops;
 * - *Cancel*: nothing happens (Stop answers the unchanged snapshot; a quit is called off).
 *
 * Restart does not ask: sandboxes survive a restart, and the new server sees them as the old
 * one did.
 */
import { isLive } from '../../../shared/actions.ts';
import {
  runningSandboxes,
  runningSummary,
  type SandboxesView,
  type SandboxStopFailure,
  type SandboxStopRequest,
  type SandboxStopResult,
} from '../../../shared/sandboxes.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { errorText, type Logger } from '../base/logger.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { ChoicePort, Question } from './desktop-ports.ts';

/** The answers, in button order. */
export const SANDBOX_ANSWERS = ['Stop them too', 'Leave them running', 'Cancel'] as const;
const STOP_THEM = 0;
const LEAVE_THEM = 1;
const CANCEL = 2;

export type ServerStopPurpose = 'stop' | 'quit';

export interface SandboxQuestionDeps {
  readonly sandboxes: {
    refresh(): Promise<SandboxesView>;
    stop(request: SandboxStopRequest): Promise<SandboxStopResult>;
  };
  readonly choice: ChoicePort;
  readonly logger: Logger;
  /** Told about sandboxes that were asked to stop and did not (main notifies). */
  readonly onStopFailures?: (failures: readonly SandboxStopFailure[]) => void;
}

/** The native question for `count` running sandboxes (count > 0). */
export function sandboxQuestion(
  count: number,
  purpose: ServerStopPurpose,
): Question & { buttons: readonly string[]; cancelIndex: number; defaultIndex: number } {
  const one = count === 1;
  return {
    title: purpose === 'quit' ? 'Quit Microsandbox Tray?' : 'Stop the server?',
    message: `${one ? '1 sandbox is' : `${count} sandboxes are`} running.`,
    detail: `${one ? 'It keeps' : 'They keep'} running after the server stops.`,
    buttons: SANDBOX_ANSWERS,
    cancelIndex: CANCEL,
    defaultIndex: STOP_THEM,
  };
}

/**
 * Asks, when sandboxes run, before the server stops, and stops them when so answered. Resolves
 * to whether the stop (or quit) goes on. `applies` is asked only once sandboxes were found to
 * run (say, whether the server is live at all). A failed listing asks nothing: it must not
 * block a stop.
 */
export async function askBeforeServerStops(
  deps: SandboxQuestionDeps,
  purpose: ServerStopPurpose,
  applies: () => boolean = () => true,
): Promise<'go-on' | 'cancel'> {
  let count: number;
  try {
    count = runningSandboxes(await deps.sandboxes.refresh()).length;
  } catch (error) {
    deps.logger.warn(`Could not tell whether sandboxes run before the server stops: ${errorText(error)}`);
    return 'go-on';
  }
  if (count === 0 || !applies()) return 'go-on';
  const answer = await deps.choice.choose(sandboxQuestion(count, purpose));
  if (answer === LEAVE_THEM) {
    deps.logger.info(`${runningSummary(count) ?? ''}; left running as the server stops`);
    return 'go-on';
  }
  if (answer !== STOP_THEM) return 'cancel';
  const result = await deps.sandboxes.stop({ all: true });
  if (result.failed.length > 0) {
    deps.logger.warn(
      `Sandboxes not stopped: ${result.failed.map((f) => `${f.namespace}/${f.name}: ${f.message}`).join('; ')}`,
    );
    deps.onStopFailures?.(result.failed);
  }
  return 'go-on';
}

export interface StopFlowDeps extends SandboxQuestionDeps {
  readonly control: Pick<ServerControl, 'snapshot' | 'stop'>;
}

/** What is about to happen to a server the app did not start. */
export type OutsideServerAction = 'stop' | 'restart' | 'reset-key' | 'quit';

const OUTSIDE_WORDS: Readonly<
  Record<OutsideServerAction, { readonly title: string; readonly button: string; readonly detail: string }>
> = {
  stop: { title: 'Stop the server?', button: 'Stop Server', detail: 'whoever uses it loses it when it stops.' },
  quit: {
    title: 'Quit and stop the server?',
    button: 'Stop Server',
    detail: 'whoever uses it loses it when it stops.',
  },
  restart: {
    title: 'Restart the server?',
    button: 'Restart Server',
    detail: 'the app stops it and starts its own in its place, with the settings of the app.',
  },
  'reset-key': {
    title: 'Reset the server key?',
    button: 'Reset Key and Restart',
    detail: 'the app stops it and starts its own with the new key; every earlier key stops working.',
  },
};

/** The question before ending a server started outside the app (by `msb server start`, another instance). */
export function outsideServerQuestion(
  action: OutsideServerAction = 'stop',
): Question & { buttons: readonly string[]; cancelIndex: number; defaultIndex: number } {
  const words = OUTSIDE_WORDS[action];
  return {
    title: words.title,
    message: 'This msbserver was started outside Microsandbox Tray.',
    detail: `It was started with msb server start or by another copy of the app; ${words.detail}`,
    buttons: [words.button, 'Cancel'],
    cancelIndex: 1,
    defaultIndex: 1,
  };
}

/**
 * Stop, as the window's and the tray's Stop do it: a server the app did not start is stopped only
 * after a yes, then the sandboxes question. A cancelled stop answers the unchanged snapshot.
 */
export async function stopServerAsking(
  deps: StopFlowDeps,
): Promise<{ readonly snapshot: ServerSnapshot; readonly cancelled: boolean }> {
  const before = deps.control.snapshot();
  if (isLive(before) && before.external && (await deps.choice.choose(outsideServerQuestion())) !== 0) {
    return { snapshot: deps.control.snapshot(), cancelled: true };
  }
  // Nothing to stop (stopped, failed): the controller answers as before, without a question.
  if ((await askBeforeServerStops(deps, 'stop', () => isLive(deps.control.snapshot()))) === 'cancel') {
    return { snapshot: deps.control.snapshot(), cancelled: true };
  }
  return { snapshot: await deps.control.stop(), cancelled: false };
}

/**
 * Restart, as the window's and the tray's Restart do it: it stops the server too, so one the app
 * did not start is restarted only after a yes.
 */
export async function restartServerAsking(deps: {
  readonly control: Pick<ServerControl, 'snapshot' | 'restart'>;
  readonly choice: ChoicePort;
}): Promise<{ readonly snapshot: ServerSnapshot; readonly cancelled: boolean }> {
  const before = deps.control.snapshot();
  if (isLive(before) && before.external && (await deps.choice.choose(outsideServerQuestion('restart'))) !== 0) {
    return { snapshot: deps.control.snapshot(), cancelled: true };
  }
  return { snapshot: await deps.control.restart(), cancelled: false };
}

export interface QuitFlowDeps extends SandboxQuestionDeps {
  readonly control: Pick<ServerControl, 'snapshot'>;
  /** Whether this quit stops the server (the settings' `stopServerOnQuit`, or the tray item chosen). */
  readonly stopsServer: () => boolean;
}

/**
 * Before quitting: asks only when quitting stops the server (a live one) and sandboxes run.
 * Resolves to whether to quit.
 */
export async function confirmQuit(deps: QuitFlowDeps): Promise<boolean> {
  const snapshot = deps.control.snapshot();
  if (!deps.stopsServer() || !isLive(snapshot)) return true;
  if (snapshot.external && (await deps.choice.choose(outsideServerQuestion('quit'))) !== 0) return false;
  return (await askBeforeServerStops(deps, 'quit')) === 'go-on';
}
