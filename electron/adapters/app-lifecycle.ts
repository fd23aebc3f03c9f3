/**
 * The app's own lifecycle around Electron's `app`: a second launch or macOS's `activate` opens
 * the window, closing the window does not quit, and quitting runs the shutdown once, bounded by
 * a timeout so that a quit never hangs.
 */
import type { App } from 'electron';
import type { Disposable } from '../core/disposable.ts';
import { errorText, type Logger } from '../core/logger.ts';

/**
 * How long quitting waits for the shutdown (clearing the clipboard, stopping the server, a start
 * still in flight) before the app exits anyway.
 */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface Started {
  readonly openWindow: () => void;
  readonly shutdown: Disposable;
}

/** Wires the events at once (before ready) and calls `setup` when the app is ready. */
export function runApp(app: App, setup: () => Started, failed: (error: unknown) => void, logger: () => Logger | null): void {
  let started: Started | null = null;
  let quitting = false;
  let canExit = false;
  const openWindow = (): void => {
    void app.whenReady().then(() => started?.openWindow());
  };

  // A second launch (the only way to reach the app where no tray shows, as on GNOME) opens the window.
  app.on('second-instance', openWindow);
  // macOS: launching the running app again from Finder or Spotlight, with no Dock icon and no
  // window, sends `activate` rather than `second-instance`.
  app.on('activate', openWindow);
  // The app lives in the tray: closing the window does not quit it.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (canExit) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    const done = Promise.resolve(started?.shutdown.dispose());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_TIMEOUT_MS);
    });
    const report = (level: 'error', message: string): void => {
      const log = logger();
      if (log === null) console.error(message);
      else log[level](message);
    };
    void Promise.race([done.then(() => 'done' as const), timedOut])
      .then((outcome) => {
        if (outcome === 'timeout') report('error', `Shutting down did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s; quitting anyway.`);
      })
      .catch((error: unknown) => report('error', `Shutting down failed: ${errorText(error)}`))
      .finally(() => {
        clearTimeout(timer);
        canExit = true;
        app.exit(0);
      });
  });
  for (const signalName of ['SIGINT', 'SIGTERM'] as const) process.on(signalName, () => app.quit());

  void app.whenReady().then(() => {
    try {
      started = setup();
    } catch (error) {
      failed(error);
      canExit = true;
      app.exit(1);
    }
  });
}
