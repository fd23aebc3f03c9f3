/**
 * The core's logger port backed by electron-log, writing `main.log` in the app's log folder
 * (rotated at 5 MiB to `main.old.log`) and to the console.
 *
 * `electron-log/node` rather than `electron-log/main`: the main flavour registers an IPC channel
 * through which any renderer could write into the log; the window speaks only the app's contract.
 */
import path from 'node:path';
import log from 'electron-log/node';
import type { Logger } from '../core/base/logger.ts';

export const APP_LOG_NAME = 'main.log';
const ROTATE_BYTES = 5 * 1024 * 1024;

export function createAppLogger(logDir: string, options: { debug?: boolean } = {}): Logger {
  const logger = log.create({ logId: 'microsandbox-tray' });
  logger.transports.file.resolvePathFn = () => path.join(logDir, APP_LOG_NAME);
  logger.transports.file.maxSize = ROTATE_BYTES;
  logger.transports.file.level = options.debug === true ? 'debug' : 'info';
  logger.transports.console.level = options.debug === true ? 'debug' : 'warn';
  return {
    debug: (message, ...details) => logger.debug(message, ...details),
    info: (message, ...details) => logger.info(message, ...details),
    warn: (message, ...details) => logger.warn(message, ...details),
    error: (message, ...details) => logger.error(message, ...details),
  };
}
