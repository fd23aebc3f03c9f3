/**
 * Pure window-security decisions, kept out of the Electron adapter so they are tested under plain
 * Node: the webPreferences every window gets, and "is this URL the app's own page?" (used for the
 * IPC sender check, navigation, redirects and the CSP header).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

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
}

export function secureWebPreferences(preloadPath: string): SecureWebPreferences {
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
  };
}

/** Where the window's page comes from: the built renderer on disk, or the Vite dev server. */
export type AppPage =
  | { readonly kind: 'file'; readonly url: string }
  | { readonly kind: 'dev'; readonly url: string; readonly origin: string };

/**
 * The page to load. `devServerUrl` is `ELECTRON_RENDERER_URL` (set by `electron-vite dev` only);
 * anything that is not a plain http(s) URL on a loopback host is ignored in favour of the file.
 */
export function appPage(rendererIndexFile: string, devServerUrl?: string): AppPage {
  if (devServerUrl !== undefined && devServerUrl !== '') {
    const dev = parseUrl(devServerUrl);
    if (dev !== null && (dev.protocol === 'http:' || dev.protocol === 'https:') && isLoopback(dev.hostname)) {
      return { kind: 'dev', url: dev.href, origin: dev.origin };
    }
  }
  return { kind: 'file', url: pathToFileURL(path.resolve(rendererIndexFile)).href };
}

/**
 * True only for the app's own page: the exact built `index.html` (any query or fragment), or any
 * path on the dev server's origin in development. Everything else, including other local files,
 * `javascript:`, `data:`, `about:` and remote sites, is foreign.
 */
export function isAppUrl(candidate: unknown, page: AppPage): boolean {
  if (typeof candidate !== 'string' || candidate === '') return false;
  const url = parseUrl(candidate);
  if (url === null) return false;
  if (page.kind === 'dev') {
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === page.origin;
  }
  if (url.protocol !== 'file:' || url.host !== '' || url.username !== '' || url.password !== '') return false;
  const own = parseUrl(page.url);
  if (own === null) return false;
  return url.pathname === own.pathname;
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
