/**
 * Follows the server log while the window is open: watches the log's folder (the file may not
 * exist yet, and it is rotated by moving it aside) and hands over complete lines appended since
 * the follower started. Plain Node; used by main only while there is a window to send to.
 */
import fs from 'node:fs';
import path from 'node:path';

export class LogFollower {
  readonly #file: string;
  readonly #onLines: (lines: string[]) => void;
  #watcher: fs.FSWatcher | null = null;
  #offset = 0;
  #partial = '';
  #reading = false;
  #again = false;
  #stopped = false;

  constructor(file: string, onLines: (lines: string[]) => void) {
    this.#file = file;
    this.#onLines = onLines;
  }

  /** Starts at the current end of the file: earlier lines come from `logs:tail`. */
  start(): void {
    this.#offset = sizeOf(this.#file);
    const dir = path.dirname(this.#file);
    const name = path.basename(this.#file);
    try {
      fs.mkdirSync(dir, { recursive: true });
      this.#watcher = fs.watch(dir, { persistent: false }, (_event, changed) => {
        if (changed === null || changed.toString() === name) this.#read();
      });
      this.#watcher.on('error', () => this.stop());
    } catch {
      this.#watcher = null;
    }
  }

  stop(): void {
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
    void this.#readAppended().finally(() => {
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
    }
    if (size === this.#offset) return;
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.#file, 'r');
    } catch {
      return;
    }
    try {
      const length = size - this.#offset;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.#offset);
      this.#offset += bytesRead;
      const text = this.#partial + buffer.subarray(0, bytesRead).toString('utf8');
      const parts = text.split(/\r?\n/);
      this.#partial = parts.pop() ?? '';
      if (parts.length > 0 && !this.#stopped) this.#onLines(parts);
    } finally {
      await handle.close();
    }
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
