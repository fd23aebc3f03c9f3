import { errorText, type Logger } from './logger.ts';

/** Failures that only say "it is not there": the answer a probe exists to give, not a fault. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ESRCH']);

/** Where a probe reports a failure that is more than "absent", when its caller has a logger. */
export interface ProbeTrace {
  readonly logger: Logger;
  readonly what: string;
}

/**
 * A look that may find nothing: resolves to `null` where `look` fails instead of throwing.
 * It serves questions whose whole answer is "can I see it" (is the home a folder, what does a pid
 * file hold, where does a process's `exe` link point, how big is the log), where the step that
 * goes on to use the path reports its own, clearer error. So a failure reads as "not seen" on
 * purpose; one that is more than "absent" (no permission, a link loop, I/O) still goes to the
 * logger at debug level when the caller has one, so nothing fails without a trace.
 */
export async function probe<T>(look: Promise<T>, trace?: ProbeTrace): Promise<T | null> {
  try {
    return await look;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (trace !== undefined && (code === undefined || !ABSENT.has(code)))
      trace.logger.debug(`Could not see ${trace.what}: ${errorText(error)}`);
    return null;
  }
}
