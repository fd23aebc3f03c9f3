/**
 * SQLite for reading `sandbox.db`: sql.js, SQLite compiled to WebAssembly.
 *
 * Why sql.js: it runs unchanged under Node 20 (the tests) and in Electron 45's main process,
 * with no native module to rebuild and nothing downloaded at install (the wasm file ships in
 * the npm package). It works on a copy of the database in memory, so the app takes no lock at
 * all and can never block, or be blocked by, the supervisor writing the file. Native bindings
 * (better-sqlite3, sqlite3) need a rebuild per Electron ABI; `node:sqlite` is missing in Node 20.
 *
 * The wasm file is handed to sql.js as bytes, found through Node's resolver from this module:
 * in development that is node_modules/sql.js/dist/sql-wasm.wasm; in a packaged app sql.js is
 * a production dependency, kept external by electron-vite and packed into app.asar by
 * electron-builder, and Electron's fs reads the file from inside the archive. No locateFile,
 * no fetch, no asarUnpack needed.
 */
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** Where the wasm file is, resolved the way a packaged app resolves it. */
export function sqlWasmPath(): string {
  return createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
}

/** sql.js, initialised once per process (the first call compiles the wasm: a few tens of ms). */
export function loadSqlite(): Promise<SqlJsStatic> {
  loading ??= (async () => {
    const [{ default: initSqlJs }, bytes] = await Promise.all([import('sql.js'), fsp.readFile(sqlWasmPath())]);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return initSqlJs({ wasmBinary });
  })();
  // A failed load is not cached: the next listing tries again.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
