// The window: shipped bundle sizes after gzip, and navigation → first status shown in Chromium.
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createRig, launchChromium, requireChromium, serveRenderer } from '../test/e2e-browser/harness.ts';
import { summarize, type Summary } from './stats.ts';

const gz = promisify(gzip);
const run = promisify(execFile);

export interface WindowFigures {
  readonly jsGzipBytes: number;
  readonly cssGzipBytes: number;
  readonly firstStatus: Summary;
}

/** Sizes of what the app ships: `electron-vite build`'s out/renderer/assets. */
async function shippedSizes(): Promise<{ js: number; css: number }> {
  const root = fileURLToPath(new URL('../', import.meta.url));
  await run('npx', ['electron-vite', 'build'], { cwd: root });
  const assets = path.join(root, 'out', 'renderer', 'assets');
  let js = 0;
  let css = 0;
  for (const file of await fsp.readdir(assets)) {
    const size = (await gz(await fsp.readFile(path.join(assets, file)), { level: 9 })).length;
    if (file.endsWith('.js')) js += size;
    if (file.endsWith('.css')) css += size;
  }
  return { js, css };
}

export async function measureWindow(runs: number): Promise<WindowFigures> {
  requireChromium();
  const sizes = await shippedSizes();
  const site = await serveRenderer();
  const browser = await launchChromium();
  const samples: number[] = [];
  try {
    const rig = await createRig(browser, site);
    try {
      for (let i = 0; i < runs + 3; i++) {
        await rig.page.goto(site.url);
        const ms = await rig.page.evaluate(async () => {
          for (;;) {
            const [mark] = performance.getEntriesByName('msb:first-status');
            if (mark !== undefined) return mark.startTime;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        });
        if (i >= 3) samples.push(ms); // the first loads fill caches
      }
    } finally {
      await rig.dispose();
    }
  } finally {
    await browser.close();
    await site.close();
  }
  return { jsGzipBytes: sizes.js, cssGzipBytes: sizes.css, firstStatus: summarize(samples) };
}
