/**
 * Keeps the "Start at Login" setting and the system's login item in step. The system is the
 * truth for the checkbox: at launch the setting follows it; a change of the setting (window or
 * tray) is carried to the system and read back.
 */
import type { Disposable } from '../base/disposable.ts';
import { errorText, type Logger } from '../base/logger.ts';
import type { SettingsStore } from '../settings.ts';
import type { StartAtLoginPort } from './desktop-ports.ts';

export class StartAtLoginSync implements Disposable {
  readonly #port: StartAtLoginPort;
  readonly #settings: SettingsStore;
  readonly #changed: () => void;
  readonly #logger: Logger;
  readonly #unsubscribe: () => void;
  #enabled: boolean;
  #pending: Promise<void> = Promise.resolve();

  /** `changed` is called whenever the known state may have changed (to re-render the tray). */
  constructor(port: StartAtLoginPort, settings: SettingsStore, changed: () => void, logger: Logger) {
    this.#port = port;
    this.#settings = settings;
    this.#changed = changed;
    this.#logger = logger;
    this.#enabled = settings.get().startAtLogin;
    this.#unsubscribe = settings.onChange((next) => {
      if (next.startAtLogin !== this.#enabled) this.#pending = this.apply(next.startAtLogin);
    });
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Resolves once a change the settings asked for has reached the system (apply never rejects). */
  settled(): Promise<void> {
    return this.#pending;
  }

  /** Reads the system's state and brings the setting in line with it. */
  async syncFromSystem(): Promise<void> {
    try {
      this.#enabled = await this.#port.isEnabled();
    } catch (error) {
      this.#logger.warn(`Reading start at login failed: ${errorText(error)}`);
      return;
    }
    this.#settle();
  }

  toggle(): Promise<void> {
    return this.apply(!this.#enabled);
  }

  async apply(enabled: boolean): Promise<void> {
    try {
      await this.#port.setEnabled(enabled);
      this.#enabled = await this.#port.isEnabled();
    } catch (error) {
      this.#logger.error(`Changing start at login failed: ${errorText(error)}`);
    }
    this.#settle();
  }

  dispose(): void {
    this.#unsubscribe();
  }

  #settle(): void {
    if (this.#settings.get().startAtLogin !== this.#enabled) this.#settings.update({ startAtLogin: this.#enabled });
    this.#changed();
  }
}
