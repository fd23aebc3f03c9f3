/** A sandbox's microVM log: where it is and its last lines (reusing the server log's tail). */
import { promises as fsp } from 'node:fs';
import { tailLines } from '../base/log-tail.ts';
import { sandboxLogPath } from './sandbox-paths.ts';
import { openSandboxLog } from './safe-read.ts';
import { probe } from '../base/probe.ts';

export { sandboxLogPath };

export const MAX_TAIL_LINES = 1_000;
export const DEFAULT_TAIL_LINES = 200;

export interface SandboxLogTail {
  readonly path: string;
  /** False when the sandbox has written no log yet (never started, or cleaned). */
  readonly exists: boolean;
  /** Oldest first, terminal codes stripped. Not yet scrubbed of secrets: the caller does that. */
  readonly lines: readonly string[];
}

export async function tailSandboxLog(options: {
  readonly namespacesDir: string;
  readonly namespace: string;
  readonly name: string;
  /** Clamped to 1…MAX_TAIL_LINES; DEFAULT_TAIL_LINES when omitted. */
  readonly lines?: number;
}): Promise<SandboxLogTail> {
  // Validates both names: the path stays inside the namespaces folder.
  const file = sandboxLogPath(options.namespacesDir, options.namespace, options.name);
  const count = Math.min(MAX_TAIL_LINES, Math.max(1, Math.floor(options.lines ?? DEFAULT_TAIL_LINES)));
  // lstat and a no-follow open (safe-read.ts): a log linked elsewhere (`~/.ssh/id_ed25519`) or a
  // FIFO is not read.
  const exists = (await probe(fsp.lstat(file)))?.isFile() ?? false;
  return { path: file, exists, lines: exists ? await tailLines(file, count, 0, openSandboxLog) : [] };
}
