/**
 * Pure window-security decisions, kept out of the Electron adapter so they are tested under plain
 * Node: the webPreferences every window gets, where the window's page comes from (the app's own
 * privileged scheme, or the Vite dev server in development), and "is this URL the app's own
 * page?" (used for the IPC sender check, navigation and redirects).
 */

/**
 * The scheme the built renderer is served from (`protocol.handle`, see renderer-files.ts), never
 * `file://`: on a file:// page CSP `'self'` matches every local file, so a compromised window
 * could read `server.key`. On `app://microsandbox-tray/…` `'self'` is this one origin, and only
 * the files the renderer build made are behind it.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'microsandbox-tray';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The privileges the scheme is registered with (before `ready`), as few as the page needs:
 * - `standard`: a real origin (`app://microsandbox-tray`), so relative URLs resolve and CSP
 *   `'self'` means exactly this origin (a non-standard scheme behaves like file://);
 * - `secure`: a secure context, as the file:// page was, so nothing the page does changes.
 * Not given: `supportFetchAPI` (the page fetches nothing), `corsEnabled` (it would let other
 * origins read the bundle), `bypassCSP`, `allowServiceWorkers`, `stream`, `codeCache`.
 */
export const APP_SCHEME_PRIVILEGES = Object.freeze({ standard: true, secure: true } as const);

/** The security baseline of every window. A subset of Electron's `WebPreferences`. */
export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly webviewTag: false;
  readonly experimentalFeatures: false;
  readonly navigateOnDragDrop: false;
  readonly spellcheck: false;
  /** Middle-click (auxclick) would open links in new windows; off, as Electron's checklist advises. */
  readonly disableBlinkFeatures: 'Auxclick';
  /** Off in packaged builds: DevTools would let anyone at the window run code as the window. */
  readonly devTools: boolean;
}

export interface WebPreferencesOptions {
  /** True only for a development build (`!app.isPackaged`). */
  readonly devTools: boolean;
}

export function secureWebPreferences(preloadPath: string, options: WebPreferencesOptions): SecureWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    disableBlinkFeatures: 'Auxclick',
    devTools: options.devTools === true,
  };
}

/** Where the window's page comes from: the built renderer on the app's scheme, or the Vite dev server. */
export type AppPage =
  | { readonly kind: 'scheme'; readonly url: string; readonly origin: string }
  | { readonly kind: 'dev'; readonly url: string; readonly origin: string };

/**
 * The page to load. `devServerUrl` is `ELECTRON_RENDERER_URL` (set by `electron-vite dev` only,
 * and read by main only when the app is not packaged); anything that is not a plain http(s) URL on
 * a loopback host is ignored in favour of the built renderer.
 */
export function appPage(devServerUrl?: string): AppPage {
  if (devServerUrl !== undefined && devServerUrl !== '') {
    const dev = parseUrl(devServerUrl);
    if (dev !== null && (dev.protocol === 'http:' || dev.protocol === 'https:') && isLoopback(dev.hostname)) {
      return { kind: 'dev', url: dev.href, origin: dev.origin };
    }
  }
  return { kind: 'scheme', url: APP_INDEX_URL, origin: APP_ORIGIN };
}

/**
 * True only for the app's own page: exactly `app://microsandbox-tray/index.html` (any query or
 * fragment), or any path on the dev server's origin in development. Everything else, including
 * other files on the scheme, `file:`, `javascript:`, `data:`, `about:` and remote sites, is
 * foreign.
 */
export function isAppUrl(candidate: unknown, page: AppPage): boolean {
  if (typeof candidate !== 'string' || candidate === '') return false;
  const url = parseUrl(candidate);
  if (url === null) return false;
  if (page.kind === 'dev') {
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === page.origin;
  }
  // WHATWG URL gives a non-special scheme the origin "null", so the parts are compared instead.
  if (url.protocol !== `${APP_SCHEME}:` || url.username !== '' || url.password !== '' || url.port !== '') return false;
  return url.hostname.toLowerCase() === APP_HOST && url.pathname === '/index.html';
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    // not a URL: the caller refuses it
    return null;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
