/**
 * main's server-generation part (msbserver, microsandbox 0.2): the controller, what a quit does
 * to the server it runs, and the server's sandboxes.
 */
import { app } from 'electron';
import { DisposableStore, toDisposable, type Disposable } from '../core/base/disposable.ts';
import type { Logger } from '../core/base/logger.ts';
import type { SecretScrubber } from '../core/keys/key-scrubber.ts';
import { QuitChoice } from '../core/desktop/quit-choice.ts';
import type { HomePaths } from '../core/home-paths.ts';
import { createSandboxesService, type SandboxesService } from '../core/sandboxes/service.ts';
import { createController, type Controller } from '../core/server/controller.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface ServerDeps {
  readonly home: string;
  readonly paths: HomePaths;
  readonly settings: SettingsStore;
  readonly scrubber: SecretScrubber;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

export interface ServerPart extends Disposable {
  readonly controller: Controller;
  /** What this quit does with a running server. */
  readonly quitChoice: QuitChoice;
  readonly sandboxes: SandboxesService;
}

export function setupServer(deps: ServerDeps): ServerPart {
  const { home, paths, settings, scrubber, platform, logger } = deps;
  const owned = new DisposableStore(logger);
  const controller = createController({
    home,
    logDir: app.getPath('logs'),
    stateDir: app.getPath('userData'),
    settings: () => settings.get(),
    platform,
    logger,
    scrubber,
  });
  // Quit stops the server as the settings say, unless the tray's Quit item chosen says otherwise.
  const quitChoice = new QuitChoice();
  owned.add(toDisposable(() => controller.dispose({ stopServer: quitChoice.stopsServer(settings.get()) })));
  // What the server runs: main asks the native questions about it, the key for sandbox.stop stays here.
  const sandboxes = owned.add(
    createSandboxesService({
      defaultNamespacesDir: paths.namespacesDir,
      settings,
      server: () => controller.snapshot(),
      keyFile: paths.keyFile,
      scrubber,
      logger,
    }),
  );
  return { controller, quitChoice, sandboxes, dispose: () => owned.dispose() };
}
