/**
 * What this quit does with a running server. The tray offers both when a server runs (*Quit*,
 * which leaves it running, and *Quit and Stop Server*); any other quit (Cmd+Q, the window's menu)
 * does what the `stopServerOnQuit` setting says, the default answer.
 */
import type { Settings } from '../../../shared/settings-schema.ts';

/** What a quit does with a running server: what the settings say, or as chosen in the tray. */
export type QuitServer = 'as-set' | 'stop' | 'leave';

export class QuitChoice {
  #chosen: QuitServer = 'as-set';

  choose(server: QuitServer): void {
    this.#chosen = server;
  }

  /** A quit called off (Cancel): the next one does what the settings say again. */
  reset(): void {
    this.#chosen = 'as-set';
  }

  stopsServer(settings: Pick<Settings, 'stopServerOnQuit'>): boolean {
    return this.#chosen === 'as-set' ? settings.stopServerOnQuit : this.#chosen === 'stop';
  }
}
