// @ts-check
/**
 * The recording `protocol` and `net.fetch`, so a main process that serves its window from a
 * privileged custom scheme runs here as in Electron:
 *
 * - `protocol.registerSchemesAsPrivileged(schemes)` is recorded with `beforeReady` (Electron
 *   accepts it only before `ready`; after, it only complains on stderr, as here);
 * - `protocol.handle(scheme, handler)` / `unhandle` / `isProtocolHandled` keep the handlers;
 * - the `protocol-request` command lets a test (or test/app-harness, for every request a page
 *   makes) call the handler with a real `Request` and get the `Response` back as
 *   `{ status, statusText, headers, body }`, or `{ error }` with Chromium's net error name;
 * - `net.fetch` reads `file:` URLs from disk (with a content type from the extension, as
 *   Electron does), sends a handled custom scheme to its handler, and everything else to Node's fetch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addCommand, readiness, record } from './record.js';

/** @typedef {(request: Request) => Response | Promise<Response>} ProtocolHandler */

/** @type {{ scheme: string, privileges: Record<string, unknown> }[]} */
export const privilegedSchemes = [];
/** @type {Map<string, ProtocolHandler>} */
const handlers = new Map();

const CONTENT_TYPES = /** @type {Record<string, string>} */ ({
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain',
});

export const protocol = {
  /** @param {{ scheme: string, privileges?: object }[]} schemes */
  registerSchemesAsPrivileged(schemes) {
    record('call', 'protocol.registerSchemesAsPrivileged', { schemes, beforeReady: !readiness.ready });
    if (readiness.ready) {
      console.error('protocol.registerSchemesAsPrivileged should be called before app is ready');
      return;
    }
    for (const { scheme, privileges } of schemes) privilegedSchemes.push({ scheme, privileges: { ...privileges } });
  },
  /** @param {string} scheme @param {ProtocolHandler} handler */
  handle(scheme, handler) {
    record('call', 'protocol.handle', { scheme });
    if (handlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
    handlers.set(scheme, handler);
  },
  /** @param {string} scheme */
  unhandle(scheme) {
    record('call', 'protocol.unhandle', { scheme });
    if (!handlers.delete(scheme)) throw new Error(`Failed to unregister protocol: ${scheme}`);
  },
  /** @param {string} scheme */
  isProtocolHandled(scheme) {
    record('call', 'protocol.isProtocolHandled', { scheme });
    return handlers.has(scheme);
  },
};

/** @param {string} url */
function schemeOf(url) {
  return url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase();
}

/**
 * @param {string} file
 * @returns {Promise<Response>}
 */
async function fileResponse(file) {
  let bytes;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    throw new Error(
      code === 'ENOENT' || code === 'EISDIR' ? 'net::ERR_FILE_NOT_FOUND' : `net::ERR_FAILED (${code ?? 'unknown'})`,
      { cause: error },
    );
  }
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  return new Response(bytes, {
    status: 200,
    headers: { 'content-type': type, 'content-length': String(bytes.byteLength) },
  });
}

export const net = {
  /**
   * @param {string | URL | Request} input
   * @param {RequestInit & { bypassCustomProtocolHandlers?: boolean }} [init]
   * @returns {Promise<Response>}
   */
  async fetch(input, init) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    record('call', 'net.fetch', { url, method: init?.method ?? (input instanceof Request ? input.method : 'GET') });
    const scheme = schemeOf(url);
    if (scheme === 'file') return fileResponse(fileURLToPath(url));
    const handler = handlers.get(scheme);
    if (handler !== undefined && init?.bypassCustomProtocolHandlers !== true) {
      return handler(input instanceof Request ? input : new Request(url, init));
    }
    return fetch(input, init);
  },
  isOnline() {
    return true;
  },
};

addCommand('protocol-request', async (command) => {
  const url = String(command['url']);
  const method = String(command['method'] ?? 'GET').toUpperCase();
  const handler = handlers.get(schemeOf(url));
  record('event', 'protocol.request', { url, method, handled: handler !== undefined });
  if (handler === undefined) return { error: 'ERR_UNKNOWN_URL_SCHEME' };
  // A copy in a plain ArrayBuffer: what `Request` takes as a body.
  const body =
    command['body'] instanceof Uint8Array && method !== 'GET' && method !== 'HEAD'
      ? new Uint8Array(command['body']).buffer
      : undefined;
  const request = new Request(url, { method, headers: command['headers'] ?? {}, body });
  let response;
  try {
    response = await handler(request);
  } catch (error) {
    console.error(`protocol handler for ${url} threw:`, error);
    return { error: 'ERR_FAILED' };
  }
  if (!(response instanceof Response)) return { error: 'ERR_INVALID_RESPONSE' };
  return {
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers.entries()],
    body: new Uint8Array(await response.arrayBuffer()),
  };
});
