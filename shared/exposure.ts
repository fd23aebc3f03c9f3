/**
 * Who can use a server, in the plain words the tray, the window and the settings all show: a
 * server in development mode asks for no key, and msbserver allows requests from any web page
 * (CORS allows every origin), so "open" means open to every program and every web page.
 */
import { isLoopbackHost } from './settings-schema.ts';

export const DEV_MODE_EXPOSURE = 'open to every program on this computer and every web page you visit';
export const DEV_MODE_NETWORK_EXPOSURE =
  'open to every program on this computer, every web page you visit and every computer that can reach it';
export const NETWORK_EXPOSURE = 'reachable from other computers (they still need a key)';

/** The host of a server URL (`http://127.0.0.1:5555`, `http://[::1]:5555`), or null. */
export function hostOfUrl(url: string | null): string | null {
  if (url === null) return null;
  const match = /^https?:\/\/(\[[^\]]+\]|[^/:]+)/.exec(url);
  const host = match?.[1];
  if (host === undefined) return null;
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/**
 * What a server in this mode on this host is open to, or null when it is neither in development
 * mode nor reachable from other computers (a secure server on a loopback address).
 */
export function exposureOf(devMode: boolean | null, host: string | null): string | null {
  const remote = host !== null && !isLoopbackHost(host);
  if (devMode === true) return remote ? DEV_MODE_NETWORK_EXPOSURE : DEV_MODE_EXPOSURE;
  return remote ? NETWORK_EXPOSURE : null;
}

/**
 * Development mode on a host other computers can reach, refused whoever asks (the window, a
 * settings file, an earlier version): the server would ask no key of anyone on the network.
 */
export function exposureRefusal(settings: { readonly devMode: boolean; readonly host: string }): string | null {
  if (!settings.devMode || isLoopbackHost(settings.host)) return null;
  return (
    `Development mode on ${settings.host} is refused: the server would ask no key of anyone who can reach ` +
    `${settings.host}, ` +
    'nor of any web page they or you visit. Use a loopback host (127.0.0.1 or ::1) for development mode, or ' +
    'turn development mode off.'
  );
}
