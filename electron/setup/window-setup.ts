/**
 * main's window part: the app's scheme and the security hooks, installed before any web contents
 * exists, the application menu, the window itself and the server log it follows.
 */
import { Menu, app, session } from 'electron';
import type { ViewName } from '../../shared/contract.ts';
import { serveAppScheme } from '../adapters/app-protocol.ts';
import { AppWindow, installContentsGuards, installSessionSecurity } from '../adapters/window.ts';
import { DisposableStore, toDisposable, type Disposable } from '../core/base/disposable.ts';
import { errorText, type Logger } from '../core/base/logger.ts';
import { LogFeed } from '../core/desktop/feeds.ts';
import { listRendererFiles, type RendererFiles } from '../core/desktop/renderer-files.ts';
import type { RuntimeFeed } from '../core/desktop/runtime-feed.ts';
import { appPage } from '../core/desktop/window-policy.ts';
import type { SandboxesService } from '../core/sandboxes/service.ts';
import type { SecretScrubber } from '../core/keys/key-scrubber.ts';

export interface WindowDeps {
  readonly title: string;
  /** The built renderer's folder and the built preload (beside the built main). */
  readonly rendererDir: string;
  readonly preloadPath: string;
  /** The server's log, followed while the window is open. */
  readonly serverLog: string;
  readonly scrubber: SecretScrubber;
  readonly sandboxes: SandboxesService;
  readonly runtime: RuntimeFeed;
  /** A real click or key press in the window. */
  readonly onUserGesture: () => void;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

export interface WindowPart extends Disposable {
  readonly appWindow: AppWindow;
  readonly send: AppWindow['send'];
  /** Opens the window (on a view); on macOS also brings the app to the front, or it opens behind the frontmost app. */
  readonly show: (view?: ViewName) => void;
}

export function setupWindow(deps: WindowDeps): WindowPart {
  const { platform, logger: log } = deps;
  const owned = new DisposableStore(log);
  const page = appPage(app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']);

  // Security hooks before any web contents exists; the page is served only from the built files.
  owned.add(toDisposable(serveAppScheme(builtRenderer(deps.rendererDir, log), log)));
  installSessionSecurity(session.defaultSession);
  installContentsGuards(app, page);
  Menu.setApplicationMenu(
    platform === 'darwin' ? Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }]) : null,
  );

  const send: AppWindow['send'] = (channel, payload) => appWindow.send(channel, payload);
  const logFeed = new LogFeed(deps.serverLog, send, deps.scrubber, log);
  const appWindow = owned.add(
    new AppWindow({
      page,
      preloadPath: deps.preloadPath,
      title: deps.title,
      devTools: !app.isPackaged,
      onCreated: () => logFeed.windowOpened(),
      // After a no, the window may ask the same again only after a real click or key press.
      onUserGesture: deps.onUserGesture,
      onClosed: () => {
        logFeed.windowClosed();
        deps.sandboxes.windowClosed();
        deps.runtime.watchFromWindow(null);
      },
    }),
  );
  owned.add(logFeed);

  const show = (view?: ViewName): void => {
    if (platform === 'darwin') app.focus({ steal: true });
    appWindow.open(view);
  };
  return { appWindow, send, show, dispose: () => owned.dispose() };
}

/** The built renderer's files; a build that cannot be listed serves nothing (and says why in the log). */
function builtRenderer(dir: string, log: Logger): Promise<RendererFiles> {
  return listRendererFiles(dir, log).catch((error: unknown) => {
    log.error(`The window's files in ${dir} could not be listed, so the window stays empty: ${errorText(error)}`);
    return { root: dir, files: new Map<string, string>() };
  });
}
