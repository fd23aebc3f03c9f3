import path from 'node:path';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

/**
 * main:     electron/main.ts     → out/main/main.js        (ES module; package.json "type": "module")
 * preload:  electron/preload.ts  → out/preload/preload.cjs (CommonJS: sandboxed preloads cannot be ESM)
 * renderer: renderer/index.html  → out/renderer/
 *
 * The main bundle keeps the runtime dependencies (electron-store, jose, execa) external: they are
 * loaded from node_modules (electron-vite's `externalizeDeps`, on by default, externalises every
 * `dependencies` entry of package.json). Electron itself and Node built-ins are always external.
 * The preload bundles everything it uses (only `shared/`), since a sandboxed preload can
 * `require` nothing but `electron` and a few built-ins.
 */
export default defineConfig({
  main: {
    build: {
      outDir: path.join(root, 'out', 'main'),
      externalizeDeps: true,
      sourcemap: true,
      rolldownOptions: {
        input: { main: path.join(root, 'electron', 'main.ts') },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: path.join(root, 'out', 'preload'),
      externalizeDeps: false,
      sourcemap: true,
      rolldownOptions: {
        input: { preload: path.join(root, 'electron', 'preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path.join(root, 'renderer'),
    build: {
      outDir: path.join(root, 'out', 'renderer'),
      // The window's bundle budget (30 KB JS, 10 KB CSS after gzip) counts what ships.
      minify: true,
      rolldownOptions: {
        input: { index: path.join(root, 'renderer', 'index.html') },
      },
    },
  },
});
