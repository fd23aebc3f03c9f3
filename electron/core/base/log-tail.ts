/**
 * A log's tail as the app shows it, whoever wrote the log (msbserver, a sandbox's supervisor):
 * read backwards up to a bound, each line plain text and capped, never cut inside a secret.
 */
import { promises as fsp } from 'node:fs';

const TAIL_CHUNK = 64 * 1024;
/** The longest line anything shows; a server that writes megabytes without a newline is cut. */
export const MAX_LINE_CHARS = 4 * 1024;
/** The most a tail reads, and so the most a tail, a failure or an event carries. */
export const MAX_TAIL_BYTES = 512 * 1024;

/**
 * The characters of an `msb_` token and of a server key: a run of them cut in two may be half a
 * secret. Keys and msb's tokens are far shorter than `MAX_SECRET_RUN`; a longer run is data (a
 * runaway line of one character), shown cut as it is.
 */
const SECRET_RUN_START = /^[A-Za-z0-9_.-]+/;
const SECRET_RUN_END = /[A-Za-z0-9_.-]+$/;
const MAX_SECRET_RUN = 2048;

/**
 * The line as shown: at most `MAX_LINE_CHARS`, marked where it was cut. `cutBefore` bytes of its
 * start were not read; `dropped` characters after what is given were already let go, the first
 * of them `droppedHead`.
 *
 * A cut never leaves part of a key or a token at its edge: the scrubber runs on what is shown and
 * knows secrets only whole, and half a secret is still one. So a run of token characters
 * (`[A-Za-z0-9_.-]`, up to `MAX_SECRET_RUN` long) touching a cut goes with what was cut.
 */
export function capLine(
  line: string,
  options: { readonly cutBefore?: number; readonly dropped?: number; readonly droppedHead?: string } = {},
): string {
  let text = line;
  let cutStart = options.cutBefore ?? 0;
  if (cutStart > 0) {
    const run = SECRET_RUN_START.exec(text)?.[0].length ?? 0;
    if (run <= MAX_SECRET_RUN) {
      text = text.slice(run);
      cutStart += run;
    }
  }
  const head = cutStart > 0 ? `[… ${cutStart} bytes cut] ` : '';
  const total = text.length + (options.dropped ?? 0);
  if (total <= MAX_LINE_CHARS) return head + text;
  let shown = text.slice(0, MAX_LINE_CHARS);
  // Cut inside a run, the run goes too. With characters already let go (`dropped`), what follows
  // the shown part is the first of them (`droppedHead`; unknown, it is taken to go on with a run).
  const dropped = options.dropped ?? 0;
  const next =
    dropped > 0 ? (options.droppedHead ?? 'x') : text.length > MAX_LINE_CHARS ? text.charAt(MAX_LINE_CHARS) : 'x';
  const run = SECRET_RUN_END.exec(shown)?.[0].length ?? 0;
  if (SECRET_RUN_START.test(next) && run <= MAX_SECRET_RUN) shown = shown.slice(0, shown.length - run);
  return `${head}${shown} [… ${total - shown.length} more characters cut]`;
}

/**
 * The last `count` lines of the file (from `fromOffset` on, when given), oldest first, each
 * capped (`capLine`). Reads backwards at most `MAX_TAIL_BYTES`: a line longer than what is read
 * shows only its end, marked as cut.
 */
export async function tailLines(
  file: string,
  count: number,
  fromOffset = 0,
  open: (file: string) => Promise<fsp.FileHandle> = (name) => fsp.open(name, 'r'),
): Promise<string[]> {
  if (count <= 0) return [];
  let handle: fsp.FileHandle;
  try {
    handle = await open(file);
  } catch {
    return []; // no log yet (or, for a sandbox's, not a file the app reads): an empty tail
  }
  try {
    const { size } = await handle.stat();
    const floor = Math.max(fromOffset, size - MAX_TAIL_BYTES);
    let start = size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    // Read backwards in chunks until enough line breaks are seen. The bytes are decoded only once
    // they are joined: a chunk boundary may fall inside a multi-byte character.
    while (start > floor) {
      const length = Math.min(TAIL_CHUNK, start - floor);
      start -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, start);
      chunks.unshift(buffer);
      newlines += countNewlines(buffer);
      if (newlines > count) break;
    }
    const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    // Stopped at the byte cap inside a line: its start lies before what was read.
    const cutFirst = start > fromOffset && start === floor && newlines <= count ? start - fromOffset : 0;
    const shown = lines.slice(-count);
    return shown.map((line, i) =>
      capLine(stripTerminalCodes(line), { cutBefore: i === 0 && shown.length === lines.length ? cutFirst : 0 }),
    );
  } finally {
    await handle.close();
  }
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** msbserver's tracing output is coloured when it thinks it may be; a log view wants plain text. */
export function stripTerminalCodes(line: string): string {
  // CSI sequences (colours, cursor movement) and OSC sequences (titles, links).
  // eslint-disable-next-line no-control-regex -- matching escape characters is the point here
  return line.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '').replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '');
}
