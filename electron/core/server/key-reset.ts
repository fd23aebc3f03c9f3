import { resetServerKey } from '../keys/server-key.ts';
import { errorText } from '../base/logger.ts';
import { type ServerContext, withLock } from './context.ts';
import { createHome } from './home.ts';
import { failed, type Outcome } from './outcome.ts';

/**
 * Writes a new random `server.key` under the start lock (so no start reads it half-way); null
 * when done, else the failure. A running secure server keeps its old key until it restarts.
 */
export async function resetKeyUnderLock(ctx: ServerContext): Promise<Outcome | null> {
  try {
    // A home deleted meanwhile is made again as a start makes it (owner-only): the key and the
    // lock live there, and server.key is the CLI's file too.
    await createHome(ctx);
    await withLock(ctx, () => resetServerKey(ctx.paths.keyFile));
    return null;
  } catch (error) {
    return failed(ctx, 'home-error', `Could not reset the server key: ${errorText(error)}`);
  }
}
