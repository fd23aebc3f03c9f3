/**
 * What flows from the core to the tray, the window and the desktop as things change: each
 * transition re-renders the tray, reaches the window and, when it is a failure nobody asked
 * for, a notification; each settings change re-renders the tray and reaches the window; the
 * server log is followed while the window is open.
 */
import type { EventChannel, EventMap, SettingsView } from '../../../shared/contract.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { defaultTimers, type IntervalTimers, type TimerHandle } from '../base/clock.ts';
import { type Disposable, toDisposable } from '../base/disposable.ts';
import { ignoreFailure, type Logger } from '../base/logger.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { SettingsStore } from '../settings.ts';
import { LogFollower } from '../base/log-follower.ts';
import { notificationFor } from './notifications.ts';
import type { NotifierPort } from './desktop-ports.ts';
import type { SecretScrubber } from '../keys/key-scrubber.ts';

/** Sends an event to the window when there is one. */
export type WindowSend = <C extends EventChannel>(channel: C, payload: EventMap[C]) => void;

export interface FeedDeps {
  readonly control: ServerControl;
  readonly settings: SettingsStore;
  readonly settingsView: () => SettingsView;
  readonly notifier: NotifierPort;
  readonly renderTray: () => void;
  readonly send: WindowSend;
  /** What schedules the countdown's re-render (default: the global timers). */
  readonly timers?: IntervalTimers;
}

/** How often the tray's "Restarting automatically in N s" is rendered again while a restart is due. */
export const COUNTDOWN_MS = 1_000;

export function feedStatusAndSettings(deps: FeedDeps): Disposable {
  let previous: ServerSnapshot = deps.control.snapshot();
  // A menu is text rendered once: the countdown line is rendered again each second while due.
  const timers = deps.timers ?? defaultTimers;
  let countdown: TimerHandle | null = null;
  const stopCountdown = (): void => {
    if (countdown !== null) timers.clearInterval(countdown);
    countdown = null;
  };
  const offStatus = deps.control.onChange((snapshot) => {
    const note = notificationFor(previous, snapshot);
    previous = snapshot;
    if (note !== null) deps.notifier.notify(note);
    if (snapshot.restartAt === null) stopCountdown();
    else if (countdown === null) {
      countdown = timers.setInterval(deps.renderTray, COUNTDOWN_MS);
      countdown.unref();
    }
    deps.renderTray();
    deps.send('event:status', snapshot);
  });
  const offSettings = deps.settings.onChange(() => {
    deps.renderTray();
    deps.send('event:settings', deps.settingsView());
  });
  return toDisposable(() => {
    stopCountdown();
    offStatus();
    offSettings();
  });
}

/**
 * Follows the server log only while the window exists, pushing new lines to it with the server
 * key and every token scrubbed. Batches are scrubbed one after the other, so they arrive in order.
 */
export class LogFeed implements Disposable {
  readonly #logFile: string;
  readonly #send: WindowSend;
  readonly #scrubber: SecretScrubber;
  readonly #logger: Logger;
  #follower: LogFollower | null = null;
  #sending: Promise<void> = Promise.resolve();

  constructor(logFile: string, send: WindowSend, scrubber: SecretScrubber, logger: Logger) {
    this.#logFile = logFile;
    this.#send = send;
    this.#scrubber = scrubber;
    this.#logger = logger;
  }

  windowOpened(): void {
    this.#follower?.dispose();
    const follower = new LogFollower(this.#logFile, (lines) => this.#forward(follower, lines), this.#logger);
    this.#follower = follower;
    follower.start();
  }

  /** Resolves once every batch handed over so far has been sent (or dropped with its window). */
  settled(): Promise<void> {
    return this.#sending;
  }

  #forward(follower: LogFollower, lines: string[]): void {
    this.#sending = this.#sending
      .then(async () => {
        const scrubbed = await this.#scrubber.scrubLines(lines);
        // A batch of a window that has closed meanwhile goes nowhere.
        if (this.#follower === follower) this.#send('event:log', { lines: scrubbed });
      })
      .catch(ignoreFailure(this.#logger, 'sending new log lines to the window'));
  }

  windowClosed(): void {
    this.#follower?.dispose();
    this.#follower = null;
  }

  dispose(): void {
    this.windowClosed();
  }
}
