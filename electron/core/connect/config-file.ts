/**
 * Reading and changing one client's configuration file in place: the app's entry is added,
 * replaced or removed and everything else (other servers, unknown fields, comments, indentation,
 * line endings) stays as it was. The write is atomic, keeps a backup beside the file, goes through
 * a symlinked config to its target, and is refused, with a message saying what to do, for a file
 * that cannot be parsed, is read-only, or sits in a folder others can write.
 */
import { promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import {
  applyEdits,
  findNodeAtLocation,
  format,
  type FormattingOptions,
  type Node as JsonNode,
  modify,
  parse,
  parseTree,
  type ParseError,
  printParseErrorCode,
} from 'jsonc-parser';
import { isPlainObject } from '../../../shared/plain-object.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import { errorText, type Logger } from '../base/logger.ts';
import type { McpClientSpec } from './clients.ts';
import type { JsonValue } from './entries.ts';
import { probe } from '../base/probe.ts';

export type McpRefusalReason =
  | 'not-installed'
  | 'unparseable'
  | 'not-an-object'
  | 'not-a-file'
  | 'too-large'
  | 'read-only'
  | 'unsafe-folder'
  | 'unsafe-file'
  | 'client-running'
  | 'name-taken'
  | 'changed-meanwhile'
  | 'cli-failed'
  | 'write-failed';

/** A refusal with the words a person reads; thrown inside this folder, returned as an outcome. */
export class McpRefused extends Error {
  readonly reason: McpRefusalReason;
  constructor(reason: McpRefusalReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The backup beside the file, written before each change: the file as it was just before. */
export function mcpBackupPath(target: string): string {
  return `${target}.microsandbox-tray.bak`;
}

export interface ConfigRead {
  /** The file really written: the config path, or the target of its symbolic link. */
  readonly target: string;
  /** null: the file does not exist yet (its folder does). Without its byte order mark, if any. */
  readonly text: string | null;
  /** The file's UTF-8 byte order mark ('\uFEFF', as Windows editors write it) or ''; kept on write. */
  readonly bom: string;
  readonly stat: Stats | null;
  /** The parsed top level, `{}` for a missing or empty file. */
  readonly root: Record<string, unknown>;
}

const GROUP_OR_WORLD_WRITABLE = 0o022;
/** What stands in the backup for a key the app wrote earlier. */
export const FORGOTTEN_KEY = 'msb_[key removed by Microsandbox Tray]';
const STICKY = 0o1000;
/**
 * No client's configuration comes near this; a bigger file is not read whole into memory (the
 * list reads every client's file each time the tray's menu opens).
 */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;
const BOM = '\uFEFF';

/** Reads and checks the file; throws McpRefused for anything the app must not write through. */
export async function readConfig(spec: McpClientSpec, configPath: string, uid: number | null): Promise<ConfigRead> {
  const target = await resolveTarget(configPath);
  // The link's own folder too: whoever can change it chooses which of the user's files is written.
  if (target !== configPath) await checkFolder(path.dirname(configPath), uid, spec.name);
  await checkFolder(path.dirname(target), uid, spec.name);
  let stat: Stats | null = null;
  let text: string | null = null;
  try {
    stat = await fsp.stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (stat !== null) {
    const shown = target === configPath ? configPath : `${configPath} (which is ${target})`;
    if (!stat.isFile()) throw new McpRefused('not-a-file', `${shown} is not a regular file.`);
    // Root may write anything, so the mode bits, not access(), say what the user meant.
    if ((stat.mode & 0o200) === 0)
      throw new McpRefused(
        'read-only',
        `${shown} is read-only. Make it writable (chmod u+w) if you want the app to change it, or ` +
          `add the entry yourself.`,
      );
    if ((stat.mode & GROUP_OR_WORLD_WRITABLE) !== 0 || !trustedOwner(stat, uid))
      throw new McpRefused(
        'unsafe-file',
        `${shown} can be changed by other users, so the app does not add to it. Run chmod go-w on it first.`,
      );
    // Root's write bit says nothing about the user: replacing root's file (renamed over in the
    // user's folder) would undo what whoever made it root's meant.
    if (uid !== null && uid !== 0 && stat.uid !== uid)
      throw new McpRefused(
        'read-only',
        `${shown} is owned by root, so the app does not replace it. Give it to your user (sudo ` +
          `chown) if you want the app to change it, or add the entry yourself.`,
      );
    if (stat.size > MAX_CONFIG_BYTES)
      throw new McpRefused(
        'too-large',
        `${shown} is ${Math.round(stat.size / (1024 * 1024))} MB, far larger than a client ` +
          `configuration, so the app leaves it alone.`,
      );
    text = await fsp.readFile(target, 'utf8');
  }
  const bom = text?.startsWith(BOM) === true ? BOM : '';
  if (bom !== '') text = (text ?? '').slice(bom.length);
  return { target, text, bom, stat, root: parseRoot(spec, text ?? '', configPath) };
}

function parseRoot(spec: McpClientSpec, text: string, shown: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, {
    allowTrailingComma: spec.jsonc,
    disallowComments: !spec.jsonc,
    allowEmptyContent: true,
  });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw new McpRefused(
      'unparseable',
      `${shown} cannot be read as ${spec.jsonc ? 'JSON with comments' : 'JSON'} ` +
        `(${printParseErrorCode(first.error)} at line ${line}, column ${column}), so the app ` +
        `leaves it alone. Fix the file, then connect again.`,
    );
  }
  // Plain, not any object: jsonc-parser makes a `"__proto__"` key the object's prototype, and
  // what it holds would be read as if it were the file's own.
  if (!isPlainObject(value)) throw new McpRefused('not-an-object', `${shown} does not hold a JSON object at its top.`);
  const servers = value[spec.serversKey];
  if (servers !== undefined && !isPlainObject(servers))
    throw new McpRefused(
      'not-an-object',
      `"${spec.serversKey}" in ${shown} is not an object, so the app leaves it alone.`,
    );
  return value;
}

/** The text with `servers[name]` set to `value` (or removed for undefined), formatting kept. */
export function editServers(
  spec: McpClientSpec,
  text: string | null,
  name: string,
  value: JsonValue | undefined,
): string {
  let out = text === null || text.trim() === '' ? '{}' : text;
  const keyPath = [spec.serversKey, name];
  // Unformatted edits change only the entry; jsonc-parser's own formatting would reflow the
  // whole line around it (a one-line sibling entry, say).
  const existing = findNodeAtLocation(parseTree(out) ?? emptyTree, keyPath);
  if (value === undefined) {
    if (existing !== undefined)
      out = removeLines(out, existing) ?? applyEdits(out, modify(out, keyPath, undefined, {}));
  } else if (existing !== undefined) {
    out = replaceFormatted(out, existing, value);
  } else {
    out = insertFormatted(out, keyPath, value);
  }
  const eol = out.includes('\r\n') ? '\r\n' : '\n';
  if ((text === null || text.trim() === '' || text.endsWith('\n')) && !out.endsWith('\n')) out += eol;
  return out;
}

const emptyTree = parseTree('{}') as JsonNode;

/**
 * Inserts the entry on lines of its own, indented like its siblings, and formats only those
 * lines with the file's own indentation unit and line ending.
 */
function insertFormatted(text: string, keyPath: string[], value: JsonValue): string {
  const options = formattingOf(text);
  const [edit] = modify(text, keyPath, value, {});
  if (edit === undefined) return text;
  const eol = options.eol ?? '\n';
  const unit = options.insertSpaces === false ? '\t' : ' '.repeat(options.tabSize ?? 2);
  let offset = edit.offset;
  let content = edit.content;
  const afterSibling = content.startsWith(',');
  if (afterSibling) content = content.slice(1);
  const lineIndent = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', offset - 1) + 1))?.[0] ?? '';
  const indent = afterSibling ? lineIndent : lineIndent + unit;
  let before = afterSibling ? ',' : '';
  let after = '';
  // A trailing comma after the last sibling (JSONC) stays last: the entry goes after it and keeps one.
  const trailing = afterSibling ? /^\s*,/.exec(text.slice(offset)) : null;
  if (trailing !== null) {
    offset += trailing[0].length;
    before = '';
    after = ',';
  }
  const rest = text.slice(offset + edit.length);
  const closes = /^\s*[}\]]/.test(rest) && !/^[ \t]*(\r?\n)/.test(rest);
  const head = `${text.slice(0, offset)}${before}${eol}${indent}`;
  const inserted = `${content}${after}`;
  const tail = `${closes ? `${eol}${lineIndent}` : ''}${rest.replace(/^[ \t]+(?=[}\]])/, '')}`;
  const joined = head + inserted + tail;
  const formatEdits = format(
    joined,
    { offset: head.length, length: inserted.length },
    { ...options, keepLines: false },
  );
  return applyEdits(joined, formatEdits);
}

/**
 * Removes an entry that has lines of its own, with those lines (and the comma before it when it
 * was the last): null when it shares a line with something else, for jsonc-parser to remove.
 */
function removeLines(text: string, valueNode: JsonNode): string | null {
  const property = valueNode.parent;
  const siblings = property?.parent?.children ?? [];
  if (property === undefined) return null;
  const lineStart = text.lastIndexOf('\n', property.offset - 1) + 1;
  if (text.slice(lineStart, property.offset).trim() !== '') return null;
  const end = property.offset + property.length;
  const tail = /^[ \t]*(,)?[ \t]*(\r?\n|$)/.exec(text.slice(end));
  if (tail === null) return null;
  let out = text.slice(0, lineStart) + text.slice(end + tail[0].length);
  const index = siblings.indexOf(property);
  const previous = index > 0 ? siblings[index - 1] : undefined;
  if (tail[1] === undefined && previous !== undefined && index === siblings.length - 1) {
    // It was the last: the comma after the one before it goes too.
    const previousEnd = previous.offset + previous.length;
    const comma = text.indexOf(',', previousEnd);
    if (comma < 0 || comma >= lineStart || text.slice(previousEnd, comma).trim() !== '') return null;
    out = out.slice(0, comma) + out.slice(comma + 1);
  }
  return out;
}

/** The entry's value replaced where it stands, laid out like the lines around it. */
function replaceFormatted(text: string, node: JsonNode, value: JsonValue): string {
  const options = formattingOf(text);
  const unit = options.insertSpaces === false ? '\t' : ' '.repeat(options.tabSize ?? 2);
  const lineIndent = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', node.offset - 1) + 1))?.[0] ?? '';
  const pretty = JSON.stringify(value, null, unit)
    .split('\n')
    .join(`${options.eol ?? '\n'}${lineIndent}`);
  return text.slice(0, node.offset) + pretty + text.slice(node.offset + node.length);
}

/** The file's own indentation and line ending, so an added entry looks like the rest. */
function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (indent?.startsWith('\t') === true) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: indent?.length ?? 2, eol };
}

export interface CommitOptions {
  /** The new text holds a secret: the file is made owner-only. */
  readonly secret: boolean;
  /** Keys the app wrote before, kept out of the backup so a Disconnect leaves none on disk. */
  readonly forget?: readonly string[];
  readonly logger: Logger;
  /** Runs just before the new file replaces the old (tests write the file here meanwhile). */
  readonly beforeCommit?: () => Promise<void>;
}

/**
 * Writes the backup, then the new text atomically, refusing if the file changed since it was read
 * (the client or the user wrote it meanwhile): the change would be lost, so nothing is written.
 */
export async function commitConfig(read: ConfigRead, text: string, options: CommitOptions): Promise<string | null> {
  const oldMode = read.stat === null ? null : read.stat.mode & 0o777;
  const mode = options.secret ? (oldMode ?? 0o600) & 0o700 : (oldMode ?? 0o644);
  let backup: string | null = null;
  if (read.text !== null) {
    backup = mcpBackupPath(read.target);
    // Owner-only: the old file may hold other servers' secrets.
    let copy = read.bom + read.text;
    for (const key of options.forget ?? []) copy = copy.split(key).join(FORGOTTEN_KEY);
    await writeFileAtomic(backup, copy, { mode: (oldMode ?? 0o600) & 0o700, logger: options.logger });
  }
  const unchanged = async (): Promise<void> => {
    await options.beforeCommit?.();
    const now = await fsp.readFile(read.target, 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    });
    if (now !== (read.text === null ? null : read.bom + read.text))
      throw new McpRefused(
        'changed-meanwhile',
        `${read.target} changed while the app was writing it, so the app left it as it is now. Try again.`,
      );
  };
  try {
    await writeFileAtomic(read.target, read.bom + text, {
      mode,
      logger: options.logger,
      ops: {
        rename: async (from, to) => {
          await unchanged();
          await fsp.rename(from, to);
        },
      },
    });
  } catch (error) {
    if (error instanceof McpRefused) throw error;
    throw new McpRefused('write-failed', `${read.target} could not be written: ${errorText(error)}`);
  }
  return backup;
}

/** The config path, or where its symbolic link leads (dotfile managers link these files). */
async function resolveTarget(configPath: string): Promise<string> {
  const link = await probe(fsp.lstat(configPath));
  if (link === null || !link.isSymbolicLink()) return configPath;
  try {
    return await fsp.realpath(configPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new McpRefused(
        'not-a-file',
        `${configPath} is a link that leads back to itself (a loop), so there is no file to change. ` +
          `Fix the link, then connect again.`,
      );
    throw new McpRefused(
      'not-a-file',
      `${configPath} is a link to a file that does not exist; the app does not create it. Fix the ` +
        `link, then connect again.`,
    );
  }
}

async function checkFolder(dir: string, uid: number | null, clientName: string): Promise<void> {
  let stat: Stats;
  try {
    stat = await fsp.stat(dir);
  } catch {
    throw new McpRefused(
      'not-installed',
      `${dir} does not exist: ${clientName} does not seem to be set up for this user. Open ` +
        `${clientName} once, then connect again.`,
    );
  }
  if (!stat.isDirectory()) throw new McpRefused('not-installed', `${dir} is not a folder.`);
  const othersWrite = (stat.mode & GROUP_OR_WORLD_WRITABLE) !== 0 && (stat.mode & STICKY) === 0;
  if (othersWrite || !trustedOwner(stat, uid))
    throw new McpRefused(
      'unsafe-folder',
      `${dir} can be changed by other users, who could swap the file the app writes. Run chmod go-w on it first.`,
    );
}

function trustedOwner(stat: Stats, uid: number | null): boolean {
  return uid === null || stat.uid === 0 || stat.uid === uid;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
