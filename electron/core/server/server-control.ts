import type { LocateResult } from '../../../shared/contract.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';

export interface StartOptions {
  /** `--key X`: wins over and overwrites `server.key` (secure mode only). */
  readonly customKey?: string;
  /** `--reset-key`: a fresh random key even when `server.key` exists. */
  readonly resetKey?: boolean;
}

/**
 * What the IPC handlers, the tray and main need from the server controller. The controller in
 * `controller.ts` implements it; anything with the same shape can stand in for it.
 */
export interface ServerControl {
  snapshot(): ServerSnapshot;
  /** Called once per transition with the new snapshot; returns an unsubscribe function. */
  onChange(listener: (snapshot: ServerSnapshot) => void): () => void;
  start(options?: StartOptions): Promise<ServerSnapshot>;
  stop(): Promise<ServerSnapshot>;
  restart(options?: StartOptions): Promise<ServerSnapshot>;
  /**
   * Writes a new random `server.key` (every earlier API key stops working) and restarts a running
   * secure-mode server so that it uses it.
   */
  resetKey(): Promise<ServerSnapshot>;
  /** Cancels an automatic restart that is scheduled after a crash; the state stays `failed`. */
  cancelRestart(): Promise<ServerSnapshot>;
  locate(): Promise<LocateResult>;
  /** The last `lines` lines of the server log (oldest first). */
  logTail(lines: number): Promise<string[]>;
  readonly logFile: string;
  /** Stops watching; stops the server too when `stopServer` is set (the stop-on-quit setting). */
  dispose(options?: { stopServer?: boolean }): Promise<void>;
}

/** The state machine itself (controller.ts): what main and the tests hold beyond the control. */
export interface Controller extends ServerControl {
  /** Settles once the first look at the PID file (adopting a running server) is done. */
  readonly ready: Promise<void>;
  /** Re-reads the PID file and the process table now. */
  refresh(): Promise<ServerSnapshot>;
}
