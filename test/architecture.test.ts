// The plan of the house (docs/architecture.md) held by tests: what the document promises about
// the tree's shape fails here when the tree drifts from it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = process.cwd();
const SOURCE_ROOTS = ['electron', 'shared', 'renderer/src'];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/**
 * The files a module imports by a relative path (type-only imports included: they bind too; a
 * dynamic `import('./…')` too: it is a dependency all the same).
 */
function relativeImports(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const found = [
    ...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gms),
    ...text.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g),
  ];
  return [...found].map((match) => path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1] ?? '')));
}

/** Every strongly connected group of more than one module (Tarjan), each sorted. */
function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const circles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member !== undefined) group.push(member);
    } while (member !== undefined && member !== node);
    if (group.length > 1) circles.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return circles;
}

const CORE = 'electron/core/';
/** The line of docs/architecture.md that declares the core's layers, lowest first. */
const LAYER_LINE = 'Layers of `electron/core`, lowest first:';

/** The declared order: each layer's name (`base/`, `*.ts` for the files at the top, `index.ts`). */
function declaredLayers(doc: string): string[] {
  const line = doc.split('\n').find((text) => text.startsWith(LAYER_LINE));
  if (line === undefined) return [];
  return [...line.slice(LAYER_LINE.length).matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
}

/** A core file's layer: its folder, `index.ts` (the core's face), or `*.ts` for the other top files. */
function layerOf(file: string): string {
  const inner = file.slice(CORE.length);
  const slash = inner.indexOf('/');
  if (slash !== -1) return inner.slice(0, slash + 1);
  return inner === 'index.ts' ? 'index.ts' : '*.ts';
}

/** Every import of a core file that reaches a layer above its own (or one the order does not name). */
function layerViolations(graph: ReadonlyMap<string, readonly string[]>, order: readonly string[]): string[] {
  const rank = new Map(order.map((layer, i) => [layer, i]));
  const found: string[] = [];
  for (const [file, imports] of graph) {
    if (!file.startsWith(CORE)) continue;
    const from = rank.get(layerOf(file));
    for (const target of imports) {
      if (!target.startsWith(CORE)) continue;
      const to = rank.get(layerOf(target));
      if (from === undefined || to === undefined || to > from) found.push(`${file} imports ${target}`);
    }
  }
  return found.sort();
}

const files = SOURCE_ROOTS.flatMap(sourceFiles);

describe('the plan of the house', () => {
  it('describes every folder of electron/core in docs/architecture.md', () => {
    const doc = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
    const folders = readdirSync(path.join(root, 'electron/core'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `electron/core/${entry.name}/`);
    expect(folders.length).toBeGreaterThan(0);
    const rows = doc.split('\n').filter((line) => line.startsWith('| `electron/core/'));
    for (const folder of folders) {
      expect(
        rows.filter((row) => row.startsWith(`| \`${folder}\``)),
        `${folder} has one row in the folder table`,
      ).toHaveLength(1);
    }
  });

  it('has no import circles in electron/, shared/ or the renderer', () => {
    const graph = new Map(files.map((file) => [file, relativeImports(file)]));
    expect(graph.get('electron/main.ts')?.length, 'the import reader finds imports').toBeGreaterThan(5);
    expect(importCircles(graph)).toEqual([]);
  });

  it('finds a circle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCircles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('keeps every import of electron/core at its own layer or below, in the order the document declares', () => {
    const order = declaredLayers(readFileSync(path.join(root, 'docs/architecture.md'), 'utf8'));
    const folders = readdirSync(path.join(root, CORE), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${entry.name}/`);
    expect([...order].sort(), 'the order names every folder, the top files and index.ts once').toEqual(
      [...folders, '*.ts', 'index.ts'].sort(),
    );
    const core = new Map(files.filter((file) => file.startsWith(CORE)).map((file) => [file, relativeImports(file)]));
    expect(layerViolations(core, order)).toEqual([]);
  });

  it(
    'keeps the runtime generation and the server generation (server/, sandboxes/, keys/) from ' +
      'importing each other',
    () => {
      const serverGeneration = ['server/', 'sandboxes/', 'keys/'];
      const crossings = files
        .filter((file) => file.startsWith(CORE))
        .flatMap((file) =>
          relativeImports(file).map((target) => [layerOf(file), layerOf(target), `${file} imports ${target}`]),
        )
        .filter(([from, to]) =>
          from === 'runtime/'
            ? serverGeneration.includes(to ?? '')
            : serverGeneration.includes(from ?? '') && to === 'runtime/',
        )
        .map(([, , line]) => line);
      expect(crossings).toEqual([]);
    },
  );

  it('finds an import that runs up the layers, and one from a layer the order does not name', () => {
    const graph = new Map([
      ['electron/core/base/a.ts', ['electron/core/server/b.ts', 'shared/c.ts']],
      ['electron/core/server/b.ts', ['electron/core/base/a.ts', 'electron/core/server/d.ts']],
      ['electron/core/extra/e.ts', ['electron/core/base/a.ts']],
      ['electron/core/index.ts', ['electron/core/server/b.ts']],
    ]);
    expect(layerViolations(graph, ['base/', 'server/', 'index.ts'])).toEqual([
      'electron/core/base/a.ts imports electron/core/server/b.ts',
      'electron/core/extra/e.ts imports electron/core/base/a.ts',
    ]);
  });

  it("names every part of main (electron/setup/) in docs/architecture.md's folder table", () => {
    const doc = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
    const row = doc.split('\n').find((line) => line.startsWith('| `electron/setup/` |')) ?? '';
    const parts = readdirSync(path.join(root, 'electron/setup')).filter((name) => name.endsWith('.ts'));
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.filter((name) => !row.includes(`\`${name}\``))).toEqual([]);
  });

  it('keeps at most seven files at the top of electron/core', () => {
    const top = readdirSync(path.join(root, 'electron/core'), { withFileTypes: true }).filter((entry) =>
      entry.isFile(),
    );
    expect(top.map((entry) => entry.name).length).toBeLessThanOrEqual(7);
  });

  it('keeps the state machine (server/controller.ts) at most 300 lines', () => {
    const lines = readFileSync(path.join(root, 'electron/core/server/controller.ts'), 'utf8').split('\n');
    expect(lines.length).toBeLessThanOrEqual(300);
  });

  it('gives no two source files the same name, entry points (index, main) apart', () => {
    const byName = new Map<string, string[]>();
    for (const file of files) {
      const name = path.posix.basename(file);
      if (name === 'index.ts' || name === 'main.ts') continue;
      byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    expect([...byName.values()].filter((paths) => paths.length > 1)).toEqual([]);
  });
});
