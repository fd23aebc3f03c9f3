/** The namespace value that lets a token reach every namespace. */
export const ALL_NAMESPACES = '*';

/**
 * msbserver's name rules, for namespaces and sandbox names alike (upstream's validate_namespace):
 * at most this many characters (bytes upstream; only ASCII is allowed)...
 */
export const MAX_NAME_LENGTH = 63;
/** ...of these characters, the first a letter or a digit. */
export const NAME_CHARS = /^[A-Za-z0-9_-]+$/;
export const NAME_START = /^[A-Za-z0-9]/;
const ALLOWED = /^[A-Za-z0-9_-]*$/;

export class NamespaceError extends Error {
  override name = 'NamespaceError';
}

/**
 * Why `ns` is not a namespace msbserver accepts, or null when it is. The rules are the server's
 * name rules (1–63 of `[A-Za-z0-9_-]`, starting with a letter or digit), plus `*` for all.
 */
export function namespaceProblem(ns: string): string | null {
  if (typeof ns !== 'string') return 'A namespace must be text.';
  if (ns === ALL_NAMESPACES) return null;
  if (ns === '') return 'Enter a namespace, or * for all namespaces.';
  if (!ALLOWED.test(ns)) {
    const bad = [...ns].find((char) => !/^[A-Za-z0-9_-]$/.test(char)) ?? '';
    if (bad === '*') return 'Use * on its own to mean all namespaces; it cannot be part of a name.';
    return `A namespace may contain only letters A–Z, digits, "_" and "-", not ${describeChar(bad)}.`;
  }
  if (!NAME_START.test(ns)) return 'A namespace must start with a letter or a digit.';
  if (ns.length > MAX_NAME_LENGTH) {
    return `A namespace can be at most ${MAX_NAME_LENGTH} characters long; this one has ${ns.length}.`;
  }
  return null;
}

export function validateNamespace(ns: string): string {
  const problem = namespaceProblem(ns);
  if (problem !== null) throw new NamespaceError(problem);
  return ns;
}

function describeChar(char: string): string {
  if (/^\s$/u.test(char)) return 'spaces or line breaks';
  // Invisible characters are named by code point, since quoting them would show nothing.
  if (/^\p{C}$/u.test(char)) return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${char}"`;
}
