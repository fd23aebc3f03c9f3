/**
 * The names a Sandboxfile defines: the keys of its `sandboxes:` map. Parsed with `yaml` (a small,
 * dependency-free, well-kept YAML 1.2 parser) rather than by hand: the file is written by
 * serde_yaml and by people, and quoting, flow maps, anchors and comments are all legal there.
 */
import { parse } from 'yaml';

export type SandboxfileRead = { readonly ok: true; readonly names: readonly string[] } | { readonly ok: false; readonly message: string };

export function sandboxNamesIn(text: string): SandboxfileRead {
  let doc: unknown;
  try {
    // A small alias budget: the file is local, but a billion-laughs file must not hang the app.
    doc = parse(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (error) {
    return { ok: false, message: `Sandboxfile is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  // An empty file, and upstream's default (`sandboxes:` with nothing under it), define nothing.
  if (doc === null || doc === undefined) return { ok: true, names: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, message: 'Sandboxfile is not a YAML map' };
  const sandboxes = (doc as Record<string, unknown>)['sandboxes'];
  if (sandboxes === null || sandboxes === undefined) return { ok: true, names: [] };
  if (typeof sandboxes !== 'object' || Array.isArray(sandboxes)) return { ok: false, message: 'Sandboxfile: `sandboxes` is not a map' };
  return { ok: true, names: Object.keys(sandboxes) };
}
