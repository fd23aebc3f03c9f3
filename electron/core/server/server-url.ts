import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';

/** `http://host:port`, with IPv6 literals bracketed. */
export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The URL of the configured address. */
export function serverUrlFromSettings(settings: Pick<Settings, 'host' | 'port'>): string {
  return serverUrl(settings.host, settings.port);
}

/** The URL clients should use: the server's own while there is one, else the configured one. */
export function effectiveServerUrl(snapshot: ServerSnapshot, settings: Pick<Settings, 'host' | 'port'>): string {
  return snapshot.url ?? serverUrlFromSettings(settings);
}
