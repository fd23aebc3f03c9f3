/**
 * msbserver's one name rule, for namespaces and sandbox names alike (upstream's validate_namespace, and the
 * msbserver contract's "Names"), and the namespace a key is for, which may also be `*`. Every check of a
 * name in tray, window and main comes from here.
 */

/** The namespace value that lets a token reach every namespace. */
export const ALL_NAMESPACES = '*';

/** The longest name: upstream counts bytes, and only ASCII is allowed, so bytes are characters. */
export const MAX_NAME_LENGTH = 63;
/** The characters a name is made of... */
const NAME_CHAR = /^[A-Za-z0-9_-]$/;
/** ...and the ones it may start with. */
const NAME_START = /^[A-Za-z0-9]/;

/** What a name names; only the words of a message depend on it, upstream's rule is the same. */
export type NameKind = 'sandbox' | 'namespace';

const LABELS: Readonly<Record<NameKind, string>> = { sandbox: 'A sandbox name', namespace: 'A namespace' };

/**
 * Why `name` is not a sandbox or namespace name msbserver accepts, or null when it is: 1–63
 * characters of `[A-Za-z0-9_-]`, starting with a letter or digit. Such a name is always a single,
 * harmless path component (no `/`, `\`, `.` or `..`, nothing hidden), so it is safe to join to a
 * folder. `*` is not a name: it selects namespaces in a key or a query and names no folder.
 */
export function nameProblem(name: unknown, kind: NameKind): string | null {
  const label = LABELS[kind];
  if (typeof name !== 'string') return `${label} must be text.`;
  if (name === '') return `${label} cannot be empty.`;
  // Before the characters are looked at: a name from the window may be of any length.
  if (name.length > MAX_NAME_LENGTH) {
    return `${label} can be at most ${MAX_NAME_LENGTH} characters long; this one has ${name.length}.`;
  }
  const bad = [...name].find((char) => !NAME_CHAR.test(char));
  if (bad !== undefined) {
    if (bad === ALL_NAMESPACES && kind === 'namespace')
      return 'Use * on its own to mean all namespaces; it cannot be part of a name.';
    return `${label} may contain only letters A–Z, digits, "_" and "-", not ${describeChar(bad)}.`;
  }
  if (!NAME_START.test(name)) return `${label} must start with a letter or a digit.`;
  return null;
}

export function isSandboxName(name: unknown): name is string {
  return nameProblem(name, 'sandbox') === null;
}

export function isNamespaceName(name: unknown): name is string {
  return nameProblem(name, 'namespace') === null;
}

/**
 * Why `ns` is not a namespace a key can be for, or null when it is: a namespace name, or `*` for
 * all of them (as `msb server keygen --namespace` takes it).
 */
export function namespaceProblem(ns: unknown): string | null {
  if (ns === ALL_NAMESPACES) return null;
  if (ns === '') return 'Enter a namespace, or * for all namespaces.';
  return nameProblem(ns, 'namespace');
}

function describeChar(char: string): string {
  if (/^\s$/u.test(char)) return 'spaces or line breaks';
  // Invisible characters are named by code point, since quoting them would show nothing.
  if (/^\p{C}$/u.test(char)) return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${char}"`;
}
