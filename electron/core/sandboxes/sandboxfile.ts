/**
 * The names a Sandboxfile defines: the keys of its `sandboxes:` map. Parsed with `yaml` (a small,
 * dependency-free, well-kept YAML 1.2 parser) rather than by hand: the file is written by
 * serde_yaml and by people, and quoting, flow maps, anchors and comments are all legal there.
 *
 * But a full parse costs about a third of a millisecond for an ordinary file, which made it half
 * of a first listing of 100 namespaces. So a file in the plain block style msbserver writes
 * (`key: value` lines, `- item` lines, comments, consistent indentation, keys of sandboxes that
 * begin with a letter) is read line by line first; the moment a line is anything else (a flow
 * collection, a quoted or complex key, an anchor, alias or tag, a block or multi-line scalar, a
 * tab, a document marker, a duplicate key, indentation YAML would refuse), the whole file goes to
 * the full parser, which also gives the exact error. The line reader answers only when its answer
 * is the full parser's (a property test holds it to that).
 */
import type * as Yaml from 'yaml';

/**
 * The parser, loaded on the first file the line reader does not take: importing it costs tens of
 * milliseconds, paid at app launch by every user otherwise, and most never need it.
 */
let yaml: typeof Yaml | null = null;
let loading: Promise<typeof Yaml> | null = null;

/** Loads the full parser (once); `fullParse` needs it loaded. */
export async function loadYamlParser(): Promise<void> {
  loading ??= import('yaml');
  yaml = await loading;
}

function yamlParser(): typeof Yaml {
  if (yaml === null) throw new Error('The YAML parser is not loaded yet (loadYamlParser).');
  return yaml;
}

export type SandboxfileRead =
  { readonly ok: true; readonly names: readonly string[] } | { readonly ok: false; readonly message: string };

export async function sandboxNamesIn(text: string): Promise<SandboxfileRead> {
  const quick = plainBlockNames(text);
  if (quick !== null) return { ok: true, names: quick };
  await loadYamlParser();
  return fullParse(text);
}

/** The full YAML parse: every file the line reader does not take (the parser loaded first, `loadYamlParser`). */
export function fullParse(text: string): SandboxfileRead {
  let doc: unknown;
  try {
    // A small alias budget: the file is local, but a billion-laughs file must not hang the app.
    doc = yamlParser().parse(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (error) {
    return {
      ok: false,
      message:
        'Sandboxfile is not valid YAML: ' + `${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
  // An empty file, and upstream's default (`sandboxes:` with nothing under it), define nothing.
  if (doc === null || doc === undefined) return { ok: true, names: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, message: 'Sandboxfile is not a YAML map' };
  const sandboxes = (doc as Record<string, unknown>)['sandboxes'];
  if (sandboxes === null || sandboxes === undefined) return { ok: true, names: [] };
  if (typeof sandboxes !== 'object' || Array.isArray(sandboxes))
    return { ok: false, message: 'Sandboxfile: `sandboxes` is not a map' };
  return { ok: true, names: Object.keys(sandboxes) };
}

// ---------------------------------------------------------------------------------------------
// The line reader.

/**
 * A key the line reader takes: plain, starting with a letter or `_`, so YAML reads it as that very
 * string (a digit could make it a number, `1` and `01` one key) and no indicator starts it.
 */
const KEY = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: (.*))?$/;
/** Keys of sandboxes: names as upstream allows them, starting with a letter. */
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Words YAML (1.2 core, and 1.1 to be safe) reads as something other than a string. */
const NOT_A_STRING =
  /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const SINGLE_QUOTED = /^'(?:[^']|'')*'$/;
const DOUBLE_QUOTED = /^"(?:[^"\\]|\\.)*"$/;

/** A value the line reader takes: a one-line scalar (plain or quoted) that opens nothing. */
function plainValue(raw: string): boolean {
  const value = stripComment(raw);
  if (value === null) return false;
  if (value === '') return true;
  const first = value[0] ?? '';
  if (first === "'") return SINGLE_QUOTED.test(value);
  if (first === '"') return DOUBLE_QUOTED.test(value);
  // Indicators that start something other than a plain scalar: flow collections, anchors,
  // aliases, tags, block scalars, directives, reserved characters, a sequence or an explicit key.
  if ('[]{}&*!|>%@`,#'.includes(first)) return false;
  if (/^[-?:](?: |$)/.test(value)) return false;
  // A `: ` inside a plain value would make it a map (an error here); a trailing colon likewise.
  return !value.includes(': ') && !value.endsWith(':');
}

/** The value without a trailing comment; null when it is not safe to tell where the comment is. */
function stripComment(raw: string): string | null {
  const text = raw.trim();
  // `key: # note`: the space before `#` was the one after the colon.
  if (text.startsWith('#')) return '';
  if (text.startsWith("'") || text.startsWith('"')) {
    // A quoted scalar, then optionally ` # comment`.
    const match = /^('(?:[^']|'')*'|"(?:[^"\\]|\\.)*")\s*(?:#.*)?$/.exec(text);
    return match === null ? null : (match[1] ?? null);
  }
  const hash = text.search(/\s#/);
  return (hash === -1 ? text : text.slice(0, hash)).trimEnd();
}

interface Level {
  readonly indent: number;
  readonly kind: 'map' | 'seq';
  readonly keys: Set<string>;
  /** A sequence written at its key's own indentation (`ports:` then `- 1:2` under it, unindented). */
  readonly compact: boolean;
  /** This is the map under the root's `sandboxes:`. */
  readonly sandboxes: boolean;
}

/** The sandbox names of a plain block-style file, or null when the full parser must decide. */
export function plainBlockNames(text: string): string[] | null {
  // Tabs, a byte order mark and lone carriage returns: YAML has its own rules for them.
  if (text.includes('\t') || text.startsWith('\uFEFF') || /\r(?!\n)/.test(text)) return null;
  const levels: Level[] = [];
  /** The previous line ended in `key:` or `- ` with nothing after it: a nested block may follow. */
  let opener: { indent: number; fromKey: boolean; sandboxes: boolean } | null = null;
  let sawSandboxes = false;
  let names: string[] | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trimEnd();
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    if (content.startsWith('---') || content.startsWith('...') || content.startsWith('%')) return null;
    const indent = line.length - content.length;
    const isSeq = content === '-' || content.startsWith('- ');
    const kind = isSeq ? 'seq' : 'map';

    let opened = false;
    if (opener !== null) {
      const deeper = indent > opener.indent;
      const compact = !deeper && indent === opener.indent && kind === 'seq' && opener.fromKey;
      if (deeper || compact) {
        if (opener.sandboxes && kind !== 'map') return null;
        levels.push({ indent, kind, keys: new Set(), compact, sandboxes: opener.sandboxes });
        if (opener.sandboxes) names = [];
        opened = true;
      }
      opener = null;
    }
    if (!opened) {
      while (levels.length > 0) {
        const top = levels[levels.length - 1];
        if (top === undefined) break;
        if (top.indent > indent || (top.compact && top.indent === indent && kind === 'map')) levels.pop();
        else break;
      }
      if (levels.length === 0) {
        // The document's root: a map at column 0.
        if (indent !== 0 || kind !== 'map') return null;
        levels.push({ indent: 0, kind: 'map', keys: new Set(), compact: false, sandboxes: false });
      }
    }
    const level = levels[levels.length - 1];
    if (level === undefined || level.indent !== indent || level.kind !== kind) return null;

    // What the line holds: `key: value`, `key:`, `- value`, `-`, or `- key: value` / `- key:`.
    let body: string = content;
    let bodyIndent: number = indent;
    if (isSeq) {
      const rest = content.slice(1);
      const item = rest.trimStart();
      if (item === '') {
        opener = { indent, fromKey: false, sandboxes: false };
        continue;
      }
      if (!KEY.test(item)) {
        if (!plainValue(item)) return null;
        continue;
      }
      // `- key: …` opens a map at the key's column.
      bodyIndent = indent + 1 + (rest.length - item.length);
      body = item;
      levels.push({ indent: bodyIndent, kind: 'map', keys: new Set(), compact: false, sandboxes: false });
    }
    const match = KEY.exec(body);
    if (match === null) return null;
    const key = match[1] ?? '';
    const value = match[2] ?? '';
    const current = levels[levels.length - 1];
    if (current === undefined || current.keys.has(key) || NOT_A_STRING.test(key)) return null;
    current.keys.add(key);
    const isRoot = levels.length === 1;
    if (current.sandboxes) {
      if (!NAME.test(key)) return null;
      names?.push(key);
    }
    if (isRoot && key === 'sandboxes') {
      sawSandboxes = true;
      // `sandboxes: {}` and friends: the full parser's business.
      if (stripComment(value) !== '') return null;
    }
    if (!plainValue(value)) return null;
    if (stripComment(value) === '')
      opener = { indent: bodyIndent, fromKey: true, sandboxes: isRoot && key === 'sandboxes' };
  }
  return sawSandboxes ? (names ?? []) : [];
}
