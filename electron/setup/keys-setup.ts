/**
 * main's keys part (server generation): the one mint for window and tray, and the clipboard guard
 * that clears a copied key after the configured delay.
 */
import type { Disposable } from '../core/base/disposable.ts';
import { clipboardPort } from '../adapters/electron-ports.ts';
import { systemClock } from '../core/base/clock.ts';
import type { Logger } from '../core/base/logger.ts';
import { ClipboardGuard } from '../core/desktop/clipboard-guard.ts';
import { createMintService, type MintService } from '../core/keys/mint-service.ts';
import type { Controller } from '../core/server/controller.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface KeysDeps {
  readonly keyFile: string;
  readonly controller: Controller;
  readonly settings: Pick<SettingsStore, 'get'>;
  readonly logger: Logger;
}

export interface KeysPart extends Disposable {
  readonly clipboard: ClipboardGuard;
  readonly mint: MintService;
}

export function setupKeys(deps: KeysDeps): KeysPart {
  const { keyFile, controller, settings, logger } = deps;
  const clipboard = new ClipboardGuard(clipboardPort, () => settings.get().clipboardClearSeconds, undefined, logger);
  const mint = createMintService({
    keyFile,
    snapshot: () => controller.snapshot(),
    settings: () => settings.get(),
    clock: systemClock,
  });
  return { clipboard, mint, dispose: () => clipboard.dispose() };
}
