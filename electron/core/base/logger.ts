/**
 * The core logs through this port; main backs it with electron-log writing to the app's log
 * folder, tests with a recording or silent one. An error that is deliberately ignored is still
 * logged, at debug level, so that nothing fails without a trace.
 */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export const silentLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

/** The one way to turn a thrown value into text for a person or a log line. */
export function errorText(error: unknown, fallback = 'no details were given.'): string {
  if (error instanceof Error && error.message.trim() !== '') return error.message;
  if (typeof error === 'string' && error.trim() !== '') return error;
  return fallback;
}

/**
 * A rejection handler for work whose failure changes nothing (removing a temporary file, a
 * best-effort clear): logs at debug level what was being done, then resolves to `undefined`.
 */
export function ignoreFailure(logger: Logger, doing: string): (error: unknown) => undefined {
  return (error) => {
    logger.debug(`Ignored a failure while ${doing}: ${errorText(error)}`);
    return undefined;
  };
}
