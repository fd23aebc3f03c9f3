/** `N/portal.ports`: `{"mappings":{"<ns>/<name>": port}}`, written by msbserver's port manager. */

export type PortalPorts = ReadonlyMap<string, number>;

export function parsePortalPorts(text: string): PortalPorts {
  const parsed: unknown = JSON.parse(text);
  const ports = new Map<string, number>();
  if (typeof parsed !== 'object' || parsed === null) throw new Error('portal.ports is not a JSON object');
  const mappings = (parsed as Record<string, unknown>)['mappings'];
  if (typeof mappings !== 'object' || mappings === null) throw new Error('portal.ports has no mappings object');
  for (const [key, port] of Object.entries(mappings)) {
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) ports.set(key, port);
  }
  return ports;
}

export const portalKey = (namespace: string, name: string): string => `${namespace}/${name}`;
