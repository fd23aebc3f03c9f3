/**
 * main's quit part: quitting with a choice for the running server, and the question asked before
 * a quit that would stop it.
 */
import { app } from 'electron';
import type { Logger } from '../core/base/logger.ts';
import type { NotifierPort } from '../core/desktop/desktop-ports.ts';
import type { DialogPorts } from '../core/desktop/question-gate.ts';
import type { QuitChoice, QuitServer } from '../core/desktop/quit-choice.ts';
import { stopFailureNotice } from '../core/desktop/sandbox-feed.ts';
import { confirmQuit } from '../core/desktop/stop-flow.ts';
import type { SandboxesService } from '../core/sandboxes/service.ts';
import type { Controller } from '../core/server/controller.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface QuitDeps {
  readonly controller: Controller;
  readonly quitChoice: QuitChoice;
  readonly sandboxes: SandboxesService;
  readonly settings: Pick<SettingsStore, 'get'>;
  readonly dialogs: DialogPorts;
  readonly notifier: NotifierPort;
  readonly logger: Logger;
}

export interface QuitPart {
  /** Quits: stopping the server, leaving it running, or as the settings say. */
  readonly quit: (server: QuitServer) => void;
  /** Asked before a quit the user chose; false calls it off. */
  readonly confirm: () => Promise<boolean>;
}

export function setupQuit(deps: QuitDeps): QuitPart {
  const { controller, quitChoice, settings } = deps;
  const quit = (server: QuitServer): void => {
    quitChoice.choose(server);
    app.quit();
  };
  // Quitting that stops the server asks first while sandboxes run or when the app did not start
  // it (Cancel keeps the app).
  const confirm = async (): Promise<boolean> => {
    const go = await confirmQuit({
      sandboxes: deps.sandboxes,
      choice: deps.dialogs,
      logger: deps.logger,
      onStopFailures: (failures) => deps.notifier.notify(stopFailureNotice(failures)),
      control: controller,
      stopsServer: () => quitChoice.stopsServer(settings.get()),
    });
    if (!go) quitChoice.reset();
    return go;
  };
  return { quit, confirm };
}
