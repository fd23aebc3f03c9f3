/**
 * The app's own lifecycle around Electron's `app`: a second launch or macOS's `activate` opens
 * the window, closing the window does not quit, and quitting runs the shutdown once, bounded by
 * a timeout so that a quit never hangs.
 */
import type { App } from 'electron';
import type { Disposable } from '../core/base/disposable.ts';
import { errorText, type Logger } from '../core/base/logger.ts';
import { DEFAULT_TIMING, stopDeadlineMs } from '../core/server/context.ts';

/**
 * How long quitting waits for the shutdown (clearing the clipboard, stopping the server, a start
 * still in flight) before the app exits anyway: as long as the longest stop, and a second more
 * for the rest of the shutdown, so that a quit that stops the server never exits before it did.
 */
export const SHUTDOWN_TIMEOUT_MS = stopDeadlineMs(DEFAULT_TIMING) + 1_000;

export interface Started {
  readonly openWindow: () => void;
  readonly shutdown: Disposable;
  /**
   * Asked before a quit the user chose (not one from a signal); false calls the quit off. Main
   * asks natively here when quitting would stop the server while sandboxes run.
   */
  readonly confirmQuit?: () => Promise<boolean>;
}

/** Wires the events at once (before ready) and calls `setup` when the app is ready. */
export function runApp(
  app: App,
  setup: () => Started,
  failed: (error: unknown) => void,
  logger: () => Logger | null,
): void {
  let started: Started | null = null;
  let quitting = false;
  let canExit = false;
  /** A quit question is open: another Quit waits for its answer. */
  let asking = false;
  /** SIGINT/SIGTERM (a logout, a service manager) quits without asking: nobody is there to answer. */
  let fromSignal = false;
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
  const report = (message: string): void => {
    const log = logger();
    if (log === null) console.error(message);
    else log.error(message);
  };
  app.on('before-quit', (event) => {
    if (canExit) return;
    event.preventDefault();
    if (quitting || (asking && !fromSignal)) return;
    const confirm = started?.confirmQuit;
    if (confirm !== undefined && !fromSignal) {
      asking = true;
      void confirm()
        .catch((error: unknown) => {
          // A question that cannot be asked must not keep the app from quitting.
          report(`Asking before quitting failed: ${errorText(error)}`);
          return true;
        })
        .then((go) => {
          asking = false;
          if (go && !quitting) shutdown();
        });
      return;
    }
    shutdown();
  });
  const shutdown = (): void => {
    if (quitting) return;
    quitting = true;
    const done = Promise.resolve(started?.shutdown.dispose());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_TIMEOUT_MS);
    });
    void Promise.race([done.then(() => 'done' as const), timedOut])
      .then((outcome) => {
        if (outcome === 'timeout')
          report(`Shutting down did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s; quitting anyway.`);
      })
      .catch((error: unknown) => report(`Shutting down failed: ${errorText(error)}`))
      .finally(() => {
        clearTimeout(timer);
        canExit = true;
        app.exit(0);
      });
  };
  for (const signalName of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signalName, () => {
      fromSignal = true;
      app.quit();
    });
  }

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
