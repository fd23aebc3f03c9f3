import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.ts';
import type { StartAtLoginPort } from './desktop-ports.ts';

export const AUTOSTART_FILE_NAME = 'microsandbox-tray.desktop';

export interface LinuxAutostartOptions {
  /** Where `XDG_CONFIG_HOME`, `HOME` and `APPIMAGE` are read from. */
  readonly env?: NodeJS.ProcessEnv;
  /** The executable to start; `$APPIMAGE` wins when set (the AppImage, not its mount point). */
  readonly execPath: string;
  readonly args?: readonly string[];
  /** Fallback home when `HOME` is unset. */
  readonly homeDir?: string;
  readonly name?: string;
}

/**
 * The autostart directory of the XDG Base Directory spec: `$XDG_CONFIG_HOME/autostart` when that
 * is an absolute path (relative values are to be ignored), else `~/.config/autostart`.
 */
export function autostartDir(env: NodeJS.ProcessEnv = process.env, homeDir: string = os.homedir()): string {
  const configHome = env['XDG_CONFIG_HOME'];
  if (configHome !== undefined && configHome !== '' && path.isAbsolute(configHome)) {
    return path.join(configHome, 'autostart');
  }
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homeDir;
  return path.join(home, '.config', 'autostart');
}

// Characters the Desktop Entry spec reserves in an Exec argument: an argument containing any of
// them (or empty) must be double-quoted.
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;
// Inside double quotes these four are escaped with a backslash.
const QUOTED_ESCAPES = /["`$\\]/g;

export class AutostartError extends Error {
  override name = 'AutostartError';
}

/**
 * One Exec argument, written as the Desktop Entry spec asks: quoted when it holds a reserved
 * character, `"`, `` ` ``, `$` and `\` escaped inside the quotes, `%` doubled (field codes), and
 * then the string-value escape of `\` applied on top — so a literal backslash becomes four.
 */
export function quoteExecArg(arg: string): string {
  // Control characters (newline, tab...) have no reliable form in an Exec argument; refuse them.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(arg)) {
    throw new AutostartError('The path to start at login contains control characters.');
  }
  let quoted = arg === '' || RESERVED.test(arg) ? `"${arg.replace(QUOTED_ESCAPES, (c) => `\\${c}`)}"` : arg;
  quoted = quoted.replace(/%/g, '%%');
  return quoted.replace(/\\/g, '\\\\');
}

/** A string value of a desktop entry key (Name, Comment): escapes `\` and control characters. */
function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
}

/**
 * The command the entry starts. GLib (`gio launch`, most desktops) looks the program up by the
 * first Exec word *before* it expands `%%`, so a program path with a `%` is not found there; it is
 * started through `env` instead (found on PATH, as the spec allows), which `env` would misread as a
 * variable assignment if the path also held `=`: that one is refused.
 */
export function execArgv(executable: string, args: readonly string[] = []): string[] {
  if (!executable.includes('%')) return [executable, ...args];
  if (executable.includes('=')) {
    throw new AutostartError(
      `The path to start at login (${executable}) holds both % and =, which no desktop entry can start.`,
    );
  }
  return ['env', executable, ...args];
}

export function desktopEntry(executable: string, args: readonly string[] = [], name = 'Microsandbox Tray'): string {
  const exec = execArgv(executable, args).map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${escapeValue(name)}`,
    'Comment=Start and stop the microsandbox server from the tray',
    `Exec=${exec}`,
    'Terminal=false',
    'Hidden=false',
    'NoDisplay=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Reads an Exec value as the Desktop Entry spec does: the string-value escapes first (`\\`, `\s`,
 * `\n`, `\t`, `\r`; any other is an error), then the quoting rules (a reserved character only
 * inside double quotes, where a backslash escapes `"`, `` ` ``, `$` and `\` and nothing else),
 * then `%%` → `%` (any other field code is an error: the app writes none). Throws `AutostartError`.
 */
export function parseExecValue(value: string): string[] {
  let text = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (c !== '\\') {
      text += c;
      continue;
    }
    const escaped = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' }[value.charAt(++i)];
    if (escaped === undefined) throw new AutostartError('The Exec line has an escape the spec does not define.');
    text += escaped;
  }
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === ' ') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === '"') {
      word ??= '';
      for (i++; text.charAt(i) !== '"'; i++) {
        if (i >= text.length) throw new AutostartError('The Exec line has an unterminated quote.');
        if (text.charAt(i) === '\\') {
          if (!/["`$\\]/.test(text.charAt(i + 1))) throw new AutostartError('The Exec line has a stray backslash.');
          i++;
        }
        word += text.charAt(i);
      }
    } else {
      if (RESERVED.test(c)) throw new AutostartError(`The Exec line has an unquoted ${JSON.stringify(c)}.`);
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words.map((arg) => {
    if (/%[^%]/.test(arg.replace(/%%/g, ''))) throw new AutostartError('The Exec line has a field code.');
    if (arg.replace(/%%/g, '').includes('%')) throw new AutostartError('The Exec line has a lone %.');
    return arg.replace(/%%/g, '%');
  });
}

/** The keys of the `[Desktop Entry]` group (later duplicates win, comments skipped). */
export function readDesktopEntryGroup(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  let inGroup = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      inGroup = line === '[Desktop Entry]';
      continue;
    }
    if (!inGroup) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    keys.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return keys;
}

/**
 * Start at login on Linux through an XDG autostart entry,
 * `$XDG_CONFIG_HOME/autostart/microsandbox-tray.desktop`. Enabling writes the entry atomically;
 * disabling removes it. `isEnabled` reads it back, so a user who removes or hides the entry (a
 * session settings tool may write `Hidden=true` or `X-GNOME-Autostart-enabled=false`) sees it
 * off in the app too.
 */
export class LinuxAutostart implements StartAtLoginPort {
  readonly file: string;
  readonly #executable: string;
  readonly #args: readonly string[];
  readonly #name: string;

  constructor(options: LinuxAutostartOptions) {
    const env = options.env ?? process.env;
    this.file = path.join(autostartDir(env, options.homeDir ?? os.homedir()), AUTOSTART_FILE_NAME);
    const appImage = env['APPIMAGE'];
    this.#executable = appImage !== undefined && appImage !== '' ? appImage : options.execPath;
    this.#args = options.args ?? [];
    this.#name = options.name ?? 'Microsandbox Tray';
  }

  /** The entry `enable()` writes. */
  entry(): string {
    return desktopEntry(this.#executable, this.#args, this.#name);
  }

  /**
   * Writes the entry, then reads it back and parses it as the spec does: an entry that would not
   * start this very program (a path the file's encoding cannot hold, a quoting fault) is removed
   * and reported, rather than the app saying Start at Login is on.
   */
  async enable(): Promise<void> {
    const wanted = execArgv(this.#executable, this.#args);
    const text = this.entry();
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, text, { mode: 0o644 });
    let problem: string | null = null;
    try {
      const exec = readDesktopEntryGroup(await fsp.readFile(this.file, 'utf8')).get('Exec');
      const written = exec === undefined ? null : parseExecValue(exec);
      if (written === null || written.length !== wanted.length || written.some((arg, i) => arg !== wanted[i]))
        problem = `it would start ${JSON.stringify(written)} rather than ${JSON.stringify(wanted)}`;
      else if (written[0]?.includes('%') === true) problem = 'its program path holds a %, which GLib cannot look up';
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (problem === null) return;
    await this.disable();
    throw new AutostartError(
      `The start-at-login entry ${this.file} did not read back as written (${problem}), so it was removed.`,
    );
  }

  async disable(): Promise<void> {
    try {
      await fsp.unlink(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await (enabled ? this.enable() : this.disable());
  }

  async isEnabled(): Promise<boolean> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const keys = readDesktopEntryGroup(text);
    if (!keys.has('Exec')) return false;
    if (keys.get('Hidden')?.toLowerCase() === 'true') return false;
    if (keys.get('X-GNOME-Autostart-enabled')?.toLowerCase() === 'false') return false;
    return true;
  }
}
