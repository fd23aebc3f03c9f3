/**
 * The one place an API key is minted, for the window (keys:mint) and the tray (Copy New API Key)
 * alike: the key from `server.key` (created first if there is none, as the next start would),
 * the token exactly as `msb server keygen` makes it, and the running server's verdict on keys
 * signed with that server key.
 */
import type { KeyCheck, MintedKey, MintKeyRequest } from '../../../shared/contract.ts';
import { isLive } from '../../../shared/actions.ts';
import { ALL_NAMESPACES } from '../../../shared/namespace.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import type { Clock } from '../base/clock.ts';
import { errorText } from '../base/logger.ts';
import { serverUrlFromSettings } from '../../../shared/server-url.ts';
import { checkMintedKey, KEY_CHECK_TIMEOUT_MS } from './key-check.ts';
import { ensureServerKey, ServerKeyError } from './server-key.ts';
import { mintToken } from './token.ts';

export interface MintServiceDeps {
  readonly keyFile: string;
  readonly snapshot: () => ServerSnapshot;
  readonly settings: () => Settings;
  readonly clock: Clock;
  /** For the key check; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Timeout of the key check; 2 seconds by default. */
  readonly keyCheckTimeoutMs?: number;
}

export interface MintService {
  /** A new key; the request is already validated. Throws `ServerKeyError` when there is no usable key. */
  mint(request: MintKeyRequest): Promise<MintedKey>;
}

/** Identifies one run of the server, so a verdict dies with the run it was about. */
export function runId(snapshot: ServerSnapshot): string | null {
  return isLive(snapshot) ? `${snapshot.startedAt ?? '?'}:${snapshot.pid ?? '?'}` : null;
}

export function createMintService(deps: MintServiceDeps): MintService {
  /**
   * Whether a server run accepts keys signed with a given server key does not depend on the
   * token (its namespace check always passes for its own namespace), so one authenticated call
   * per server run and key is enough; later mints answer without a round trip.
   */
  let verdict: { readonly run: string; readonly key: string; readonly check: KeyCheck } | null = null;

  const check = async (key: string, snapshot: ServerSnapshot): Promise<KeyCheck> => {
    const run = runId(snapshot);
    if (snapshot.state === 'running' && run !== null && verdict !== null && verdict.run === run && verdict.key === key)
      return verdict.check;
    // Asked with a short-lived `*` probe signed by the same key rather than the new token: the
    // answer is the same, and the probe needs no namespace folder on the server.
    const probe = await mintToken({ key, namespace: ALL_NAMESPACES, expiresIn: 60, now: deps.clock.now() });
    const result = await checkMintedKey({
      snapshot,
      token: probe.token,
      namespace: probe.namespace,
      timeoutMs: deps.keyCheckTimeoutMs ?? KEY_CHECK_TIMEOUT_MS,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
    verdict = run !== null && result.result !== 'not-checked' ? { run, key, check: result } : null;
    return result;
  };

  return {
    async mint(request) {
      const namespace = request.namespace ?? ALL_NAMESPACES;
      const expiresIn = request.expiresIn ?? '24h';
      let key: string;
      const warnings: string[] = [];
      try {
        ({ key } = await ensureServerKey(deps.keyFile, { onWarning: (warning) => warnings.push(warning) }));
      } catch (error) {
        throw new ServerKeyError(
          `The server key file ${deps.keyFile} could not be read or created: ${errorText(error)}`,
          { cause: error },
        );
      }
      try {
        const minted = await mintToken({ key, namespace, expiresIn, now: deps.clock.now() });
        const snapshot = deps.snapshot();
        const running = snapshot.state === 'running';
        const serverUrl = running && snapshot.url !== null ? snapshot.url : serverUrlFromSettings(deps.settings());
        return {
          ...minted,
          serverUrl,
          devMode: running && snapshot.devMode === true,
          check: await check(key, snapshot),
          warnings,
        };
      } catch (error) {
        // The key is in scope here: make sure no message can carry it.
        if (error instanceof Error && key !== '' && error.message.includes(key)) {
          // eslint-disable-next-line preserve-caught-error -- the cause's message holds the key
          throw new Error('Minting the API key failed.');
        }
        throw error;
      }
    },
  };
}
