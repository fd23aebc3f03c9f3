/**
 * The server's URL, the one rule for main, tray and window: the live server's own while there is
 * one, else the one the settings will start.
 */
import { isLive } from './actions.ts';
import type { ServerSnapshot } from './server-status.ts';
import { DEFAULT_SETTINGS, type Settings } from './settings-schema.ts';

/** `http://host:port`, with IPv6 literals bracketed. */
export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The URL of the configured address. */
export function serverUrlFromSettings(settings: Pick<Settings, 'host' | 'port'>): string {
  return serverUrl(settings.host, settings.port);
}

/**
 * The URL clients should use: the server's own while one is live (starting, running, stopping),
 * else the configured one (the defaults while the window has no settings yet). A failed server's
 * URL is not offered: the next start uses the settings.
 */
export function effectiveServerUrl(
  snapshot: Pick<ServerSnapshot, 'state' | 'url'>,
  settings: Pick<Settings, 'host' | 'port'> | null,
): string {
  if (isLive(snapshot) && snapshot.url !== null) return snapshot.url;
  return serverUrlFromSettings(settings ?? DEFAULT_SETTINGS);
}
