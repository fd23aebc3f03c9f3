/**
 * When the runtime service lists. On the home's file events (debounced), but only when a stat of
 * the home's files says they changed, counting every `msb` run's own WAL write, a failed
 * listing's included, as no change; once more after a listing a change prompted, for a write that
 * landed while it ran; a failed listing again with backoff; and, while something runs, a slow
 * `msb ls` alone, since a dead `Running` row turns `Crashed` only when some `msb` reads it.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Disposable } from '../base/disposable.ts';
import { errorText, type Logger } from '../base/logger.ts';
import { scrubSecrets } from '../base/scrub.ts';
import type { RuntimeState } from './api.ts';
import { watchRuntimeHome, type HomeWatch } from './msb-home-watch.ts';
import type { RuntimeSandboxesImpl } from './runtime-sandboxes.ts';
import type { RuntimeStateHolder } from './runtime-state.ts';
import { createSerialQueue } from './single-flight.ts';

/** File events come in bursts (one write touches the WAL several times). */
export const REFRESH_DEBOUNCE_MS = 25;
/** While something runs: how often `msb ls` alone looks whether a process died. */
export const LIVE_CHECK_MS = 40_000;
/** A failed listing is tried again after this, doubling up to RETRY_MAX_MS, not on its own write. */
export const RETRY_FIRST_MS = 2_000;
export const RETRY_MAX_MS = 60_000;
/** Statuses with a process behind them, which can die without writing anything. */
const LIVE_STATUSES: ReadonlySet<string> = new Set(['Running', 'Draining', 'Paused', 'Starting']);

export interface RuntimeListingOptions {
  readonly home: string;
  readonly sandboxes: Pick<RuntimeSandboxesImpl, 'listing' | 'statuses'>;
  readonly state: RuntimeStateHolder;
  readonly logger: Logger;
  readonly debounceMs: number;
  readonly liveCheckMs: number;
  /** After every listing, good or failed (metrics are followed again from here). */
  readonly afterListing: () => void;
}

export interface RuntimeListing extends Disposable {
  /** Lists now if the home changed since the last listing, or whatever it says with `force`. */
  refresh(force: boolean): Promise<RuntimeState>;
  /** Synchronous: its timers and the home's watch are let go at once. */
  dispose(): void;
}

/** Rows msb printed that this app cannot read (a newer msb's), said in the state, not hidden. */
function skippedText(skipped: readonly string[]): string | null {
  if (skipped.length === 0) return null;
  const count = skipped.length === 1 ? '1 sandbox is' : `${skipped.length} sandboxes are`;
  return scrubSecrets(`${count} not shown: ${skipped[0] ?? ''}`, null);
}

async function homeStamp(home: string): Promise<string> {
  const stat = (file: string): Promise<string> =>
    fsp.stat(file, { bigint: true }).then(
      (s) => `${s.mtimeNs}:${s.size}:${s.ino}`,
      () => '-',
    );
  const parts = await Promise.all([
    stat(path.join(home, 'db', 'msb.db-wal')),
    stat(path.join(home, 'db', 'msb.db')),
    stat(path.join(home, 'sandboxes')),
  ]);
  return parts.join('|');
}

export function createRuntimeListing(options: RuntimeListingOptions): RuntimeListing {
  const { home, sandboxes, state, logger, debounceMs, liveCheckMs } = options;
  let disposed = false;
  /** The home's stamp after the last good listing; null forces the next one. */
  let baseline: string | null = null;
  /** Listings and live checks one at a time, so a check never mistakes msb's own write for news. */
  const exclusive = createSerialQueue();
  let debounce: NodeJS.Timeout | null = null;
  let liveTimer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let retryMs = RETRY_FIRST_MS;
  let confirmTimer: NodeJS.Timeout | null = null;

  const list = async (force: boolean): Promise<RuntimeState> => {
    if (disposed) return state.current;
    const before = await homeStamp(home);
    if (!force && baseline !== null && before === baseline) return state.current;
    try {
      const { sandboxes: listed, skipped } = await sandboxes.listing();
      // msb writes the WAL on every run, this listing's included: the stamp after it is the new "unchanged".
      baseline = await homeStamp(home);
      retryMs = RETRY_FIRST_MS;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      state.update({ sandboxes: listed, error: skippedText(skipped), listedAt: Date.now() });
      // A write of someone else's that landed after this listing's msb read the database is folded
      // into the stamp just taken, with msb's own: one more listing soon reads it. Only after a
      // listing that news prompted (a forced one, this confirmation included, never asks again),
      // so msb's own writes cannot chain listings.
      if (!force) arrangeConfirm();
    } catch (error) {
      // A failed `msb ls` wrote the WAL too: that write is no news. Without this the watch would see
      // it, list again, fail again and write again, starting msb over and over while nothing changed.
      baseline = await homeStamp(home);
      logger.warn(`Listing the runtime's sandboxes failed: ${errorText(error)}`);
      state.update({ error: scrubSecrets(errorText(error), null), listedAt: Date.now() });
      arrangeRetry();
    }
    arrangeLiveCheck();
    options.afterListing();
    return state.current;
  };

  const refresh = (force: boolean): Promise<RuntimeState> => exclusive(() => list(force));

  const liveCheck = (): Promise<unknown> =>
    exclusive(async () => {
      if (disposed) return;
      if (baseline === null || (await homeStamp(home)) !== baseline) return list(true);
      try {
        const statuses = await sandboxes.statuses();
        const known = state.current.sandboxes.map(({ name, status }) => `${name}:${status}`).join('\n');
        const now = statuses.map(({ name, status }) => `${name}:${status}`).join('\n');
        if (now !== known) return list(true);
        baseline = await homeStamp(home);
      } catch (error) {
        logger.warn(`Checking the runtime's running sandboxes failed: ${errorText(error)}`);
      }
      arrangeLiveCheck();
      return undefined;
    });

  function arrangeConfirm(): void {
    if (disposed || confirmTimer !== null) return;
    confirmTimer = setTimeout(() => {
      confirmTimer = null;
      void refresh(true);
    }, debounceMs);
    confirmTimer.unref();
  }

  function arrangeRetry(): void {
    if (disposed || retryTimer !== null) return;
    const wait = retryMs;
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void refresh(true);
    }, wait);
    retryTimer.unref();
  }

  function arrangeLiveCheck(): void {
    const live = state.current.sandboxes.some((sandbox) => LIVE_STATUSES.has(sandbox.status));
    if (live && liveTimer === null && !disposed) {
      liveTimer = setTimeout(() => {
        liveTimer = null;
        void liveCheck();
      }, liveCheckMs);
      liveTimer.unref();
    } else if (!live && liveTimer !== null) {
      clearTimeout(liveTimer);
      liveTimer = null;
    }
  }

  const onFileEvent = (): void => {
    if (disposed) return;
    if (debounce !== null) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = null;
      void refresh(false);
    }, debounceMs);
  };
  const watch: HomeWatch = watchRuntimeHome(home, onFileEvent, logger);

  return {
    refresh,
    dispose() {
      if (disposed) return;
      disposed = true;
      watch.dispose();
      if (debounce !== null) clearTimeout(debounce);
      if (liveTimer !== null) clearTimeout(liveTimer);
      if (confirmTimer !== null) clearTimeout(confirmTimer);
      if (retryTimer !== null) clearTimeout(retryTimer);
    },
  };
}
