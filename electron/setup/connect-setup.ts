/**
 * main's connect part: MCP clients. Main finds their files, asks natively and mints the key; the
 * window names a client only.
 */
import os from 'node:os';
import type { Logger } from '../core/base/logger.ts';
import type { ClipboardGuard } from '../core/desktop/clipboard-guard.ts';
import { createConnectFlow, type ConnectFlow } from '../core/desktop/connect-flow.ts';
import type { RuntimeFeed } from '../core/desktop/runtime-feed.ts';
import type { MintService } from '../core/keys/mint-service.ts';
import type { Controller } from '../core/server/controller.ts';
import type { SettingsStore } from '../core/settings.ts';

export interface ConnectDeps {
  readonly runtime: RuntimeFeed;
  readonly controller: Controller;
  readonly settings: Pick<SettingsStore, 'get'>;
  readonly mint: MintService;
  readonly keyFile: string;
  readonly clipboard: ClipboardGuard;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
  /** The tray renders again. */
  readonly changed: () => void;
}

export function setupConnect(deps: ConnectDeps): ConnectFlow {
  const { runtime, controller, settings, platform } = deps;
  return createConnectFlow({
    place: { userHome: os.homedir(), platform, env: process.env },
    generation: () => runtime.view().generation,
    server: () => controller.snapshot(),
    settings: () => settings.get(),
    mint: deps.mint,
    keyFile: deps.keyFile,
    clipboard: deps.clipboard,
    logger: deps.logger,
    changed: deps.changed,
  });
}
