import type { ServerFailure, ServerSnapshot } from '../../../shared/server-status.ts';
import { ignoreFailure, type Logger } from '../base/logger.ts';
import type { Notification, NotifierPort } from './desktop-ports.ts';
import type { SecretScrubber } from '../keys/key-scrubber.ts';

/** Notification bodies are cut by every desktop; keep the reason readable. */
const MAX_BODY = 240;

/**
 * The desktop notification a transition deserves, or null. Only failures the user did not ask
 * for are announced: the server failed to start, crashed, or crashed so often that automatic
 * restart gave up, or did not stop when asked. Transitions the user requested (start → running,
 * stop → stopped) and repeats of a failure already announced give null.
 *
 * A failure is new when `next.error` differs from `previous.error` (time, code or message), so a
 * snapshot that merely carries the last failure along does not notify again.
 */
export function notificationFor(previous: ServerSnapshot, next: ServerSnapshot): Notification | null {
  const failure = next.error;
  if (failure === null || !isNewFailure(previous.error, failure)) return null;

  if (failure.code === 'crash-loop') {
    return { title: 'Microsandbox server keeps crashing', body: body(failure, 'Automatic restart has stopped.') };
  }
  if (failure.code === 'crashed' || (previous.state === 'running' && next.state === 'failed')) {
    const restarting = next.state === 'starting' ? 'Restarting it.' : null;
    return { title: 'Microsandbox server crashed', body: body(failure, restarting) };
  }
  if (failure.code === 'stop-failed') {
    return { title: 'Microsandbox server did not stop', body: body(failure, null) };
  }
  if (next.state === 'failed') {
    return { title: 'Microsandbox server failed to start', body: body(failure, null) };
  }
  return null;
}

function isNewFailure(before: ServerFailure | null, after: ServerFailure): boolean {
  if (before === null) return true;
  return before.at !== after.at || before.code !== after.code || before.message !== after.message;
}

function body(failure: ServerFailure, suffix: string | null): string {
  let reason = failure.message.trim();
  if (reason === '') reason = lastLogLine(failure) ?? describeExit(failure) ?? 'No reason was given.';
  const text = suffix === null ? reason : `${reason} ${suffix}`;
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
}

function lastLogLine(failure: ServerFailure): string | null {
  for (let i = failure.logTail.length - 1; i >= 0; i--) {
    const line = failure.logTail[i]?.trim();
    if (line !== undefined && line !== '') return line;
  }
  return null;
}

function describeExit(failure: ServerFailure): string | null {
  if (failure.signal !== null) return `msbserver was ended by ${failure.signal}.`;
  if (failure.exitCode !== null) return `msbserver exited with code ${failure.exitCode}.`;
  return null;
}

/**
 * The notifier every part of the app shows notifications through: title and body go out with the
 * server key and every token scrubbed, whatever they were built from (a failure, an error message).
 */
export function scrubbingNotifier(notifier: NotifierPort, scrubber: SecretScrubber, logger: Logger): NotifierPort {
  // One after the other, so notifications keep the order they were given in.
  let showing: Promise<void> = Promise.resolve();
  return {
    notify(notification) {
      showing = showing
        .then(async () => {
          const [title = '', body = ''] = await scrubber.scrubLines([notification.title, notification.body]);
          notifier.notify({ title, body });
        })
        .catch(ignoreFailure(logger, 'showing a notification'));
    },
  };
}
