/**
 * microsandbox's updates for the window: the installed version (the runtime feed's `msb`) against
 * the latest release (`MicrosandboxReleaseSource`, asked at most daily and only while
 * `checkForMicrosandboxUpdates` is on), and `msb self update` run on request with every line
 * pushed as it comes (`event:microsandbox-update`). The core's `runMsbSelfUpdate` decides whether
 * it may run (never a downgrade, never while a sandbox starts); one run at a time.
 */
import type { Disposable } from '../base/disposable.ts';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';
import {
  type MicrosandboxReleaseSource,
  microsandboxUpdateStatus,
  runMsbSelfUpdate,
  type SelfUpdateOutcome,
} from '../updates/microsandbox-updates.ts';
import {
  MAX_SELF_UPDATE_LINES,
  type MicrosandboxUpdateView,
  type SelfUpdateLineInfo,
  type SelfUpdateResultInfo,
} from '../../../shared/microsandbox-update.ts';
import type { RuntimeView } from '../../../shared/runtime.ts';
import type { RuntimeService } from '../runtime/api.ts';
import { startingSandboxes } from './app-update-wiring.ts';

export interface MicrosandboxUpdatesDeps {
  readonly runtime: {
    view(): RuntimeView;
    rescan(): Promise<RuntimeView>;
    /** The runtime service in use, whose acts a run holds off and counts. */
    service(): Pick<RuntimeService, 'actsInFlight' | 'holdActs'> | null;
    /** msb's home, where `msb self update` installs the new binary (the one the service lists from). */
    home(): string;
  };
  readonly checksOn: () => boolean;
  readonly source: MicrosandboxReleaseSource;
  readonly env: NodeJS.ProcessEnv;
  /** Every new view (the window's event). */
  readonly send: (view: MicrosandboxUpdateView) => void;
  readonly logger?: Logger;
  /** A bound on one run (the core's default otherwise). */
  readonly timeoutMs?: number;
}

export class MicrosandboxUpdates implements Disposable {
  readonly #deps: MicrosandboxUpdatesDeps;
  readonly #logger: Logger;
  #lines: SelfUpdateLineInfo[] = [];
  #running = false;
  #result: SelfUpdateResultInfo | null = null;
  #ran = false;
  #disposed = false;
  #sendQueued = false;
  #sendPending = false;

  constructor(deps: MicrosandboxUpdatesDeps) {
    this.#deps = deps;
    this.#logger = deps.logger ?? silentLogger;
  }

  /** An `msb self update` is running (an app update restart waits for it). */
  get updating(): boolean {
    return this.#running;
  }

  /** What is known now, asking nobody. */
  view(): MicrosandboxUpdateView {
    const runtime = this.#deps.runtime.view();
    const checksOn = this.#deps.checksOn();
    return {
      checksOn,
      status: microsandboxUpdateStatus({
        generation: runtime.generation,
        installedVersion: runtime.msb?.version ?? null,
        latest: checksOn ? this.#deps.source.cached : null,
      }),
      run: this.#ran ? { running: this.#running, lines: [...this.#lines], result: this.#result } : null,
    };
  }

  /** The view, after asking for the latest release when the switch is on (the source keeps it a day). */
  async refresh(): Promise<MicrosandboxUpdateView> {
    if (this.#deps.checksOn() && this.#deps.runtime.view().generation === 'runtime') await this.#deps.source.latest();
    this.#send();
    return this.view();
  }

  /**
   * Runs `msb self update` (main asked the user first); the result is in the view, never a throw.
   * While one runs, asking again answers the running one's view.
   */
  async update(): Promise<MicrosandboxUpdateView> {
    if (this.#running) return this.view();
    const runtime = this.#deps.runtime.view();
    this.#ran = true;
    this.#lines = [];
    this.#result = null;
    if (runtime.generation !== 'runtime' || runtime.msb === null)
      return this.#finish({
        kind: 'refused',
        message: 'Only the runtime generation (msb 0.3 or later) updates itself.',
      });
    this.#running = true;
    this.#send();
    // Taken before anything is awaited: from here no sandbox starts until msb is replaced, and
    // the starts already in flight are counted below.
    const service = this.#deps.runtime.service();
    const release = service?.holdActs('microsandbox is being updated: try again once the update is done.');
    const starting = startingSandboxes(runtime, service?.actsInFlight());
    let outcome: SelfUpdateOutcome;
    try {
      // Asked again (the source keeps a day's answer): the core refuses without a known latest release.
      const latest = this.#deps.checksOn() ? await this.#deps.source.latest() : this.#deps.source.cached;
      outcome = await runMsbSelfUpdate({
        msbPath: runtime.msb.path,
        env: this.#deps.env,
        home: this.#deps.runtime.home(),
        installedVersion: runtime.msb.version,
        latest,
        sandboxesStarting: starting,
        logger: this.#logger,
        ...(this.#deps.timeoutMs === undefined ? {} : { timeoutMs: this.#deps.timeoutMs }),
        onLine: (line) => {
          this.#lines.push(line);
          if (this.#lines.length > MAX_SELF_UPDATE_LINES) this.#lines.shift();
          this.#sendSoon();
        },
      });
    } finally {
      release?.();
      this.#running = false;
    }
    if (outcome.kind === 'updated') {
      // The new msb answers `--version` with the new version: the runtime view follows.
      await this.#deps.runtime
        .rescan()
        .catch((error: unknown) => this.#logger.warn(`Looking for msb after its update failed: ${errorText(error)}`));
    }
    this.#logger.info(`msb self update: ${outcome.kind}${'message' in outcome ? ` (${outcome.message})` : ''}`);
    return this.#finish(
      outcome.kind === 'updated'
        ? { kind: 'updated', from: outcome.from, to: outcome.to }
        : { kind: outcome.kind, message: outcome.message },
    );
  }

  #finish(result: SelfUpdateResultInfo): MicrosandboxUpdateView {
    this.#result = result;
    this.#send();
    return this.view();
  }

  /**
   * The lines of one chunk of output go out in one message: a message a line would send the whole
   * list to the window once per line (100,000 lines, 100,000 copies).
   */
  #sendSoon(): void {
    // The first line of a burst goes out at once (the window sees the run live), the rest together.
    if (this.#sendQueued) {
      this.#sendPending = true;
      return;
    }
    this.#send();
    this.#sendQueued = true;
    setImmediate(() => {
      this.#sendQueued = false;
      if (!this.#sendPending) return;
      this.#sendPending = false;
      this.#send();
    });
  }

  #send(): void {
    if (!this.#disposed) this.#deps.send(this.view());
  }

  dispose(): void {
    // A running `msb self update` is left to finish: stopping it halfway could leave msb half installed.
    this.#disposed = true;
  }
}
