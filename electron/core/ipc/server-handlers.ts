/**
 * The server generation's own channels: the server's lifecycle (Stop and Restart ask natively
 * first while sandboxes run or when the server was started outside the app, desktop/stop-flow.ts),
 * its log, scrubbed of the server key and tokens before it reaches the window, and the folders
 * the window may have shown.
 */
import type { InvokeChannel } from '../../../shared/contract.ts';
import type { Logger } from '../base/logger.ts';
import type { LineScrubber } from '../base/scrub.ts';
import type { ShellPort } from '../desktop/desktop-ports.ts';
import { restartServerAsking, stopServerAsking } from '../desktop/stop-flow.ts';
import type { HomePaths } from '../home-paths.ts';
import type { SandboxesService } from '../sandboxes/service.ts';
import type { ServerControl } from '../server/server-control.ts';
import { HandlerError, type HandlerGroup } from './handler-error.ts';
import type { WindowQuestions } from './window-questions.ts';

/** `server:reset-key` is key-handlers.ts's: it forgets the keys the window was given. */
export type ServerChannel =
  Exclude<Extract<InvokeChannel, `server:${string}`>, 'server:reset-key'> | 'logs:tail' | 'shell:reveal';

export interface ServerHandlerDeps {
  readonly control: ServerControl;
  readonly sandboxes: SandboxesService;
  readonly shell: ShellPort;
  readonly paths: Pick<HomePaths, 'home'>;
  /** Scrubs the server key and any token out of the log before the window gets it. */
  readonly scrubber: LineScrubber;
  readonly logger: Logger;
}

export function createServerHandlers(
  deps: ServerHandlerDeps,
  questions: Pick<WindowQuestions, 'withQuestionTurn'>,
): HandlerGroup<ServerChannel> {
  const { control, logger } = deps;
  return {
    'server:status': () => control.snapshot(),
    'server:start': () => control.start(),
    'server:stop': async () =>
      (
        await questions.withQuestionTurn((choice) =>
          stopServerAsking({ control, sandboxes: deps.sandboxes, choice, logger }),
        )
      ).snapshot,
    'server:restart': async () =>
      (await questions.withQuestionTurn((choice) => restartServerAsking({ control, choice }))).snapshot,
    'server:cancel-restart': () => control.cancelRestart(),
    'server:locate': () => control.locate(),
    'logs:tail': async (request) => ({
      lines: await deps.scrubber.scrubLines(await control.logTail(request.lines)),
      path: control.logFile,
    }),
    'shell:reveal': async (request) => {
      if (request.target === 'log') {
        deps.shell.showItemInFolder(control.logFile);
        return;
      }
      const problem = await deps.shell.openPath(deps.paths.home);
      if (problem !== '')
        throw new HandlerError(
          'internal',
          `The microsandbox folder ${deps.paths.home} could not be opened: ${problem}`,
        );
    },
  };
}
