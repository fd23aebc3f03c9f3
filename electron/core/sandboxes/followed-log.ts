/**
 * The one sandbox log the window follows: its new lines, scrubbed of secrets and in order, handed
 * to the listeners. Following another sandbox (or none) lets the one before go at once; batches
 * still being scrubbed for it are dropped, not handed over late.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sameSandbox, type SandboxLogEvent, type SandboxRef } from '../../../shared/sandboxes.ts';
import type { Disposable } from '../base/disposable.ts';
import { LogFollower } from '../base/log-follower.ts';
import { errorText, ignoreFailure, type Logger } from '../base/logger.ts';
import { MAX_TAIL_LINES } from './logs.ts';
import { openSandboxLog } from './safe-read.ts';
import { sandboxLogPath } from './sandbox-paths.ts';
import type { LineScrubber } from '../base/scrub.ts';

export interface FollowedLogOptions {
  readonly scrubber: LineScrubber;
  readonly logger: Logger;
  /** The most bytes of a burst the follower hands over. */
  readonly maxReadBytes: number;
}

interface Followed {
  readonly ref: SandboxRef;
  readonly follower: LogFollower;
  send: Promise<void>;
}

export class FollowedSandboxLog implements Disposable {
  readonly #options: FollowedLogOptions;
  readonly #listeners = new Set<(event: SandboxLogEvent) => void>();
  #followed: Followed | null = null;

  constructor(options: FollowedLogOptions) {
    this.#options = options;
  }

  onLines(listener: (event: SandboxLogEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Follows that sandbox's log in that namespaces folder, unless it is the one followed already. */
  follow(namespacesDir: string, ref: SandboxRef): void {
    if (sameSandbox(ref, this.#followed?.ref ?? null)) return;
    this.unfollow();
    const logger = this.#options.logger;
    let file: string;
    try {
      file = sandboxLogPath(namespacesDir, ref.namespace, ref.name);
    } catch (error) {
      logger.debug(`sandboxes: not following ${ref.namespace}/${ref.name}: ${errorText(error)}`);
      return;
    }
    // No log folder: nothing was ever written, and creating it is upstream's business.
    if (!existsSync(path.dirname(file))) {
      logger.debug(`sandboxes: not following ${file}: its folder does not exist`);
      return;
    }
    // Scrubbing is asynchronous: one chain keeps the batches in order.
    const entry: Followed = {
      ref,
      send: Promise.resolve(),
      follower: new LogFollower(
        file,
        (lines) => {
          const batch = lines.slice(-MAX_TAIL_LINES);
          entry.send = entry.send
            .then(() => this.#options.scrubber.scrubLines(batch))
            .then((clean) => {
              if (this.#followed !== entry) return;
              for (const listener of [...this.#listeners])
                listener({ namespace: ref.namespace, name: ref.name, lines: clean });
            })
            .catch(ignoreFailure(logger, `handing over lines of ${file}`));
        },
        logger,
        // The folder is upstream's: never created here. A burst is read from its end only, and the
        // log only as a regular file, never through a link (safe-read.ts).
        { createDir: false, maxReadBytes: this.#options.maxReadBytes, open: openSandboxLog },
      ),
    };
    this.#followed = entry;
    entry.follower.start();
  }

  unfollow(): void {
    this.#followed?.follower.dispose();
    this.#followed = null;
  }

  dispose(): void {
    this.unfollow();
    this.#listeners.clear();
  }
}
