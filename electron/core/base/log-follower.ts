/**
 * Follows the server log while the window is open: watches the log's folder (the file may not
 * exist yet, and it is rotated by moving it aside) and hands over complete lines appended since
 * the follower started. Plain Node; used by main only while there is a window to send to. The
 * same follower reads a sandbox's log, in a folder that belongs to upstream: then it creates
 * nothing (`createDir: false`) and reads at most `maxReadBytes` of a burst (the rest is skipped).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Disposable } from './disposable.ts';
import { capLine, MAX_LINE_CHARS, MAX_TAIL_BYTES } from './log-tail.ts';
import { errorText, ignoreFailure, type Logger, silentLogger } from './logger.ts';

export interface LogFollowerOptions {
  /** Create the log's folder when it is missing (default true: the app's own log folder). */
  readonly createDir?: boolean;
  /** The most bytes read per change; older appended bytes are skipped (default and cap: a tail's worth). */
  readonly maxReadBytes?: number;
  /** How the log is opened (default: as is); a sandbox's log is opened without following links. */
  readonly open?: (file: string) => Promise<fs.promises.FileHandle>;
}

export class LogFollower implements Disposable {
  readonly #file: string;
  readonly #onLines: (lines: string[]) => void;
  #watcher: fs.FSWatcher | null = null;
  #offset = 0;
  #partial = '';
  /** Characters of the unfinished line let go beyond what can be shown. */
  #dropped = 0;
  /** The first of them: whether the cut fell inside a key decides what of the line is shown. */
  #droppedHead = '';
  #reading = false;
  #again = false;
  #stopped = false;

  readonly #logger: Logger;
  readonly #options: LogFollowerOptions;

  constructor(
    file: string,
    onLines: (lines: string[]) => void,
    logger: Logger = silentLogger,
    options: LogFollowerOptions = {},
  ) {
    this.#file = file;
    this.#onLines = onLines;
    this.#logger = logger;
    this.#options = options;
  }

  /** Starts at the current end of the file: earlier lines come from `logs:tail`. */
  start(): void {
    this.#offset = sizeOf(this.#file);
    const dir = path.dirname(this.#file);
    const name = path.basename(this.#file);
    try {
      if (this.#options.createDir !== false) fs.mkdirSync(dir, { recursive: true });
      this.#watcher = fs.watch(dir, { persistent: false }, (_event, changed) => {
        if (changed === null || changed.toString() === name) this.#read();
      });
      this.#watcher.on('error', (error) => {
        this.#logger.warn(`Following ${this.#file} stopped: ${errorText(error)}`);
        this.dispose();
      });
    } catch (error) {
      this.#logger.warn(`Could not follow ${this.#file}: ${errorText(error)}`);
      this.#watcher = null;
    }
  }

  dispose(): void {
    this.#stopped = true;
    this.#watcher?.close();
    this.#watcher = null;
  }

  #read(): void {
    if (this.#stopped) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    void this.#readAppended()
      .catch(ignoreFailure(this.#logger, `reading new lines of ${this.#file}`))
      .finally(() => {
        this.#reading = false;
        if (this.#again) {
          this.#again = false;
          this.#read();
        }
      });
  }

  async #readAppended(): Promise<void> {
    const size = sizeOf(this.#file);
    if (size < this.#offset) {
      // Rotated or truncated: the new file is read from its start.
      this.#offset = 0;
      this.#partial = '';
      this.#dropped = 0;
    }
    if (size === this.#offset) return;
    let handle: fs.promises.FileHandle;
    try {
      handle = await (this.#options.open ?? ((file: string) => fs.promises.open(file, 'r')))(this.#file);
    } catch (error) {
      // Moved aside between the size check and here: the next change event reads the new file.
      this.#logger.debug(`Could not open ${this.#file}: ${errorText(error)}`);
      return;
    }
    try {
      // A burst larger than a tail is skipped to its last part: the window shows what a tail shows.
      let skipped = 0;
      const max = Math.min(this.#options.maxReadBytes ?? MAX_TAIL_BYTES, MAX_TAIL_BYTES);
      if (size - this.#offset > max) {
        skipped = size - max - this.#offset;
        this.#offset = size - max;
        this.#partial = '';
        this.#dropped = 0;
      }
      const length = size - this.#offset;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.#offset);
      this.#offset += bytesRead;
      const parts = (this.#partial + buffer.subarray(0, bytesRead).toString('utf8')).split(/\r?\n/);
      const unfinished = parts.pop() ?? '';
      const lines = parts.map((line, i) =>
        i === 0
          ? capLine(line, { cutBefore: skipped, dropped: this.#dropped, droppedHead: this.#droppedHead })
          : capLine(line),
      );
      if (lines.length > 0) this.#dropped = 0;
      // An unfinished line is kept, but never more of it than can be shown: a line without an end.
      this.#partial = unfinished.slice(0, MAX_LINE_CHARS);
      if (this.#dropped === 0) this.#droppedHead = unfinished.charAt(MAX_LINE_CHARS);
      this.#dropped += unfinished.length - this.#partial.length;
      if (lines.length > 0 && !this.#stopped) this.#onLines(lines);
    } finally {
      await handle.close();
    }
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    // no file yet, or gone after a rotation: nothing to read
    return 0;
  }
}
