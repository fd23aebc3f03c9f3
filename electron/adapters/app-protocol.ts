/**
 * The app's own scheme in Electron: registered as privileged before `ready` (Electron accepts it
 * only then), served with `protocol.handle` after it. What is served, and how a request is
 * resolved, is decided in `core/desktop/renderer-files.ts`; this file only wires it.
 */
import { protocol } from 'electron';
import { rendererResponse, type RendererFiles } from '../core/desktop/renderer-files.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES } from '../core/desktop/window-policy.ts';
import type { Logger } from '../core/base/logger.ts';

/** Before `ready`: the scheme is standard and secure, and nothing more (see APP_SCHEME_PRIVILEGES). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/** After `ready`: answers the scheme from the list of built files; returns the undo. */
export function serveAppScheme(files: Promise<RendererFiles>, logger: Logger): () => void {
  protocol.handle(APP_SCHEME, async (request) => rendererResponse(request, await files, logger));
  return () => protocol.unhandle(APP_SCHEME);
}
