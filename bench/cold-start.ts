// Core cold start: a fresh Node process imports the bundled core and produces its first snapshot.
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'vite';
import { summarize, type Summary } from './stats.ts';

const run = promisify(execFile);
const CORE_ENTRY = fileURLToPath(new URL('../electron/core/index.ts', import.meta.url));

/** Bundles the core the way the app ships it (one ESM file, Node built-ins and packages external). */
export async function bundleCore(outDir: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      ssr: CORE_ENTRY,
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'core.js' } },
    },
    ssr: { noExternal: [] },
  });
  return path.join(outDir, 'core.js');
}

const PROBE = `
const t0 = performance.now();
const core = await import(process.env.CORE_FILE);
const controller = core.createController({
  home: process.env.PROBE_HOME,
  logDir: process.env.PROBE_LOGS,
  settings: () => core.DEFAULT_SETTINGS,
  env: {},
  scrubber: new core.SecretScrubber(core.homePaths(process.env.PROBE_HOME).keyFile, core.silentLogger),
});
await controller.ready;
const snapshot = controller.snapshot();
const ms = performance.now() - t0;
await controller.dispose();
process.stdout.write(JSON.stringify({ ms, state: snapshot.state }));
`;

export async function measureColdStart(runs: number): Promise<Summary> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-bench-cold-'));
  try {
    // The bundle lives inside the project so its bare imports (jose) resolve from node_modules.
    const outDir = fileURLToPath(new URL('../out/bench-core/', import.meta.url));
    const coreFile = await bundleCore(outDir);
    const samples: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE], {
        env: {
          ...process.env,
          CORE_FILE: coreFile,
          PROBE_HOME: path.join(dir, 'home'),
          PROBE_LOGS: path.join(dir, 'logs'),
        },
      });
      const { ms, state } = JSON.parse(stdout) as { ms: number; state: string };
      if (state !== 'stopped') throw new Error(`unexpected first state ${state}`);
      if (i >= 2) samples.push(ms); // the first runs warm the disk cache
    }
    return summarize(samples);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
