import type { KeyCheck } from '../../../shared/contract.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import { ignoreFailure, type Logger, silentLogger } from '../base/logger.ts';

export const KEY_CHECK_TIMEOUT_MS = 2_000;

export interface KeyCheckRequest {
  /** The server's base URL, `http://host:port`. */
  readonly url: string;
  /** The API key to try, `msb_…`. */
  readonly token: string;
  /** The key's namespace; sent as `params.namespace` so a scoped key is checked for its own. */
  readonly namespace: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

const REFUSED_KEY_DIFFERS =
  'The running server refused this key: the server is using a different key from the one in server.key ' +
  '(server.key probably changed after the server started). Restart the server so that it uses server.key, ' +
  'or reset the key, then copy a new API key.';

const REFUSED_FORBIDDEN =
  'The running server refused this key for its namespace. The server may be using a different key from the one ' +
  'in server.key: restart the server or reset the key, then copy a new API key.';

/**
 * The JSON-RPC method the check calls. msbserver has no such method: its auth middleware judges
 * the key first (401 refused), and only an accepted key reaches the router, which answers
 * 404 / -32601. Nothing else is touched — unlike `sandbox.metrics.get`, which creates `.menv/`
 * folders and databases in every namespace and walks every running sandbox's layer.
 */
export const KEY_CHECK_METHOD = 'microsandbox-tray.check-key';

/**
 * Makes one authenticated call with `token` to a method that does not exist. A JSON-RPC answer
 * (404 / -32601 "method not found", or any JSON-RPC error) means the key passed authentication;
 * 401 or 403 mean it was refused; anything else, a timeout or a network error, that it could not
 * be checked. Never throws, never follows a redirect (the key must not travel elsewhere), and
 * never repeats the key in a message.
 */
export async function checkKeyWithServer(request: KeyCheckRequest): Promise<KeyCheck> {
  const doFetch = request.fetch ?? globalThis.fetch;
  const timeoutMs = request.timeoutMs ?? KEY_CHECK_TIMEOUT_MS;
  const endpoint = `${request.url.replace(/\/+$/, '')}/api/v1/rpc`;
  const body = JSON.stringify({
    jsonrpc: '2.0',
    method: KEY_CHECK_METHOD,
    params: { namespace: request.namespace },
    id: 1,
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await doFetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${request.token}` },
      body,
      redirect: 'manual',
      signal: controller.signal,
    });
    if ((response.status === 404 || response.status === 400) && (await isJsonRpcError(response)))
      return { result: 'accepted' };
    // The body is not needed; release the connection.
    await response.body
      ?.cancel()
      .catch(ignoreFailure(request.logger ?? silentLogger, 'releasing the key check connection'));
    if (response.status === 401) return { result: 'refused', message: REFUSED_KEY_DIFFERS };
    if (response.status === 403) return { result: 'refused', message: REFUSED_FORBIDDEN };
    return {
      result: 'not-checked',
      message:
        `The key could not be checked: the server answered HTTP ${response.status} instead of accepting or ` +
        `refusing it.`,
    };
  } catch {
    // fetch's error says less than the two answers below
    if (controller.signal.aborted) {
      return {
        result: 'not-checked',
        message: `The key could not be checked: the server did not answer within ${formatSeconds(timeoutMs)}.`,
      };
    }
    return {
      result: 'not-checked',
      message: `The key could not be checked: the server at ${request.url} could not be reached.`,
    };
  } finally {
    clearTimeout(timer);
  }
}

const MAX_ERROR_BODY = 64 * 1024;

/** A JSON-RPC error envelope: only the router, after authentication, answers with one. */
async function isJsonRpcError(response: Response): Promise<boolean> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return false; // the body broke off: no verdict can be read from it
  }
  if (text.length > MAX_ERROR_BODY) return false;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false; // not JSON: not msbserver's router
  }
  if (typeof body !== 'object' || body === null) return false;
  const fields = body as Record<string, unknown>;
  return fields['jsonrpc'] === '2.0' && typeof fields['error'] === 'object' && fields['error'] !== null;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

export interface MintedKeyCheckRequest {
  readonly snapshot: ServerSnapshot;
  readonly token: string;
  readonly namespace: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/**
 * Whether to check a freshly minted key, and the check: only a running secure-mode server that
 * has not failed its last health check is asked (a health result not known yet does not stop the
 * check; the timeout bounds it). A stopped, transitioning or dev-mode server gives `not-checked`
 * with the reason.
 */
export async function checkMintedKey(request: MintedKeyCheckRequest): Promise<KeyCheck> {
  const { snapshot } = request;
  if (snapshot.state !== 'running' || snapshot.url === null) {
    return {
      result: 'not-checked',
      message:
        'The server is not running, so the key was not checked. It will work with a server started with the ' +
        'current server.key.',
    };
  }
  if (snapshot.devMode === true) {
    return {
      result: 'not-checked',
      message:
        'The server is running in development mode and accepts requests without a key, so the key was not checked.',
    };
  }
  if (snapshot.healthy === false) {
    return {
      result: 'not-checked',
      message: 'The server is not answering its health check, so the key was not checked.',
    };
  }
  return checkKeyWithServer({
    url: snapshot.url,
    token: request.token,
    namespace: request.namespace,
    ...(request.fetch === undefined ? {} : { fetch: request.fetch }),
    ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
  });
}
