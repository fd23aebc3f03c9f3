/**
 * The scrubber every text shown goes through: `scrubSecrets` (base/scrub.ts) with the server key
 * as msb keeps it in `server.key`. Here, not in base/, because reading the key is the keys' fact.
 */
import { promises as fsp } from 'node:fs';
import { errorText, type Logger } from '../base/logger.ts';
import { type LineScrubber, scrubSecrets } from '../base/scrub.ts';
import { readServerKey } from './server-key.ts';
import { probe } from '../base/probe.ts';

/**
 * Scrubs with the current server key, read from `server.key` again only when the file changed
 * (a reset or a CLI start with `--key`), so following a busy log costs one stat per batch.
 */
export class SecretScrubber implements LineScrubber {
  readonly #keyFile: string;
  readonly #logger: Logger;
  #seen: { readonly stamp: string; readonly key: string | null } | null = null;

  constructor(keyFile: string, logger: Logger) {
    this.#keyFile = keyFile;
    this.#logger = logger;
  }

  async scrubLines(lines: readonly string[]): Promise<string[]> {
    const key = await this.#key();
    return lines.map((line) => scrubSecrets(line, key));
  }

  async scrub(text: string): Promise<string> {
    return scrubSecrets(text, await this.#key());
  }

  async #key(): Promise<string | null> {
    const stat = await probe(fsp.lstat(this.#keyFile), { logger: this.#logger, what: this.#keyFile });
    const stamp = stat === null ? 'missing' : `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (this.#seen?.stamp === stamp) return this.#seen.key;
    let key: string | null = null;
    try {
      key = await readServerKey(this.#keyFile);
    } catch (error) {
      // A key that cannot be read cannot be shown either; tokens are still scrubbed.
      this.#logger.debug(`Scrubbing without the server key: ${errorText(error)}`);
    }
    this.#seen = { stamp, key };
    return key;
  }
}
