/**
 * The icons: every file the packaging configuration and the tray code name exists with the
 * right size; macOS template images are black and alpha only; the PNGs carry no metadata; and
 * scripts/make-icons.js renders the committed files again, byte for byte, from
 * build/icon-source.svg.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../electron-builder.config.ts';
import { trayIconName } from '../../electron/core/desktop/tray-menu.ts';
import type { ServerState } from '../../shared/server-status.ts';
import { LINUX_SIZES, STATES, iconSpecs, parseArgs } from '../../scripts/make-icons.js';

const run = promisify(execFile);

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BUILD = path.join(ROOT, 'build');
const TRAY = path.join(BUILD, 'icons', 'tray');
const SCRIPT = path.join(ROOT, 'scripts', 'make-icons.js');

const SERVER_STATES: readonly ServerState[] = ['stopped', 'starting', 'running', 'stopping', 'failed'];
const PLATFORMS: readonly NodeJS.Platform[] = ['darwin', 'linux', 'win32', 'freebsd'];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
}

/** Width, height, depth and colour type from the IHDR chunk (bytes 8..33 of any PNG). */
function pngHeader(bytes: Buffer): PngHeader {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
  return {
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
    bitDepth: bytes[24] ?? -1,
    colourType: bytes[25] ?? -1,
  };
}

function pngChunkTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let offset = 8; offset < bytes.length; offset += 12 + bytes.readUInt32BE(offset)) {
    types.push(bytes.toString('latin1', offset + 4, offset + 8));
  }
  return types;
}

function sizeOf(file: string): { width: number; height: number } {
  const { width, height } = pngHeader(fs.readFileSync(file));
  return { width, height };
}

async function rgba(file: string): Promise<Buffer> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(4);
  return data;
}

/** Every file below `dir`, relative, with `/` separators. */
function filesBelow(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('the tray images the tray code asks for', () => {
  for (const platform of PLATFORMS) {
    for (const [state, healthy] of [...SERVER_STATES.map((s) => [s, null] as const), ['running', false] as const]) {
      const name = trayIconName(state, platform, healthy);
      it(`${platform} / ${state}${healthy === false ? ' (not answering)' : ''}: ${name}`, () => {
        const file = path.join(TRAY, name);
        const hiDpi = path.join(TRAY, name.replace(/\.png$/, '@2x.png'));
        expect(fs.existsSync(file)).toBe(true);
        expect(fs.existsSync(hiDpi)).toBe(true);
        if (platform === 'darwin') {
          // Electron makes a template image of a name ending in "Template".
          expect(name).toMatch(/^tray[A-Z][a-z]+Template\.png$/);
          expect(sizeOf(file)).toEqual({ width: 16, height: 16 });
          expect(sizeOf(hiDpi)).toEqual({ width: 32, height: 32 });
        } else {
          expect(name).toMatch(/^tray-[a-z]+\.png$/);
          expect(sizeOf(file)).toEqual({ width: 32, height: 32 });
          expect(sizeOf(hiDpi)).toEqual({ width: 64, height: 64 });
        }
      });
    }
  }

  it('there is no tray image the code never asks for', () => {
    const named = new Set<string>();
    for (const platform of PLATFORMS) {
      for (const state of SERVER_STATES) {
        for (const healthy of [true, false, null]) {
          const name = trayIconName(state, platform, healthy);
          named.add(name).add(name.replace(/\.png$/, '@2x.png'));
        }
      }
    }
    expect(fs.readdirSync(TRAY).sort()).toEqual([...named].sort());
  });
});

describe('the icons the packaging configuration names', () => {
  it('the app icon (icns and ico are derived from it) is 1024x1024', () => {
    expect(config.icon).toBe('build/icon.png');
    expect(sizeOf(path.join(ROOT, 'build', 'icon.png'))).toEqual({ width: 1024, height: 1024 });
  });

  it('the Linux icon set has an NxN.png for every hicolor size it promises', () => {
    const dir = config.linux?.icon;
    expect(dir).toBe('build/icons/linux');
    const files = fs.readdirSync(path.join(ROOT, dir ?? '')).sort();
    expect(files).toEqual(LINUX_SIZES.map((size) => `${size}x${size}.png`).sort());
    for (const size of LINUX_SIZES)
      expect(sizeOf(path.join(ROOT, dir ?? '', `${size}x${size}.png`))).toEqual({ width: size, height: size });
    expect(LINUX_SIZES).toContain(256);
    expect(LINUX_SIZES).toContain(512);
  });

  it('extraResources copies the tray folder to icons/tray, the first folder the adapter tries', () => {
    const resources = config.extraResources;
    expect(Array.isArray(resources)).toBe(true);
    const entries = (resources as { from: string; to: string; filter?: string[] }[]).filter(
      (entry) => entry.to === 'icons/tray',
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]?.from).toBe('build/icons/tray');
    expect(
      fs.readdirSync(path.join(ROOT, 'build', 'icons', 'tray')).filter((file) => file.endsWith('.png')),
    ).not.toHaveLength(0);
  });

  it('the entitlements file exists and grants only JIT', () => {
    expect(config.mac?.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac?.entitlementsInherit).toBe('build/entitlements.mac.plist');
    const plist = fs.readFileSync(path.join(ROOT, 'build', 'entitlements.mac.plist'), 'utf8');
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((match) => match[1])).toEqual([
      'com.apple.security.cs.allow-jit',
    ]);
  });
});

describe('what the icons are made of', () => {
  const allPngs = filesBelow(BUILD).filter((file) => file.endsWith('.png'));

  it('every PNG in build/ is 8-bit RGBA with only IHDR, IDAT and IEND (no time, text or profile)', () => {
    expect(allPngs.length).toBe(iconSpecs().length);
    for (const file of allPngs) {
      const bytes = fs.readFileSync(path.join(BUILD, file));
      const header = pngHeader(bytes);
      expect({ file, bitDepth: header.bitDepth, colourType: header.colourType }).toEqual({
        file,
        bitDepth: 8,
        colourType: 6,
      });
      expect([...new Set(pngChunkTypes(bytes))], file).toEqual(['IHDR', 'IDAT', 'IEND']);
    }
  });

  it('macOS template images are black and alpha only, and draw something', async () => {
    for (const state of STATES) {
      for (const suffix of ['', '@2x']) {
        const file = path.join(TRAY, `tray${state.charAt(0).toUpperCase()}${state.slice(1)}Template${suffix}.png`);
        const pixels = await rgba(file);
        let opaque = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i] !== 0 || pixels[i + 1] !== 0 || pixels[i + 2] !== 0)
            throw new Error(`${file}: a pixel that is not black at ${i / 4}`);
          if (pixels[i + 3] === 255) opaque++;
        }
        expect(opaque, file).toBeGreaterThan(pixels.length / 4 / 10);
      }
    }
  });

  it('coloured tray images are coloured, with a dark outline and white on them', async () => {
    for (const state of STATES) {
      const pixels = await rgba(path.join(TRAY, `tray-${state}@2x.png`));
      let dark = 0;
      let white = 0;
      let coloured = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] !== 255) continue;
        const [r, g, b] = [pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0];
        const max = Math.max(r, g, b);
        if (max < 110) dark++;
        else if (Math.min(r, g, b) > 240) white++;
        else coloured++;
      }
      expect(dark, state).toBeGreaterThan(50);
      expect(white, state).toBeGreaterThan(50);
      expect(coloured, state).toBeGreaterThan(500);
    }
  });

  it('the tray images differ per state', () => {
    for (const pattern of [
      (s: string) => `tray${s.charAt(0).toUpperCase()}${s.slice(1)}Template.png`,
      (s: string) => `tray-${s}.png`,
    ]) {
      const contents = new Set(
        STATES.map((state) => fs.readFileSync(path.join(TRAY, pattern(state))).toString('base64')),
      );
      expect(contents.size).toBe(STATES.length);
    }
  });
});

describe('scripts/make-icons.js', () => {
  let temp = '';

  beforeAll(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tray-icons-'));
  });

  afterAll(() => {
    if (temp !== '') fs.rmSync(temp, { recursive: true, force: true });
  });

  it('takes --out <dir> or --out=<dir> and nothing else', () => {
    expect(parseArgs(['--out', 'x']).out).toBe(path.resolve('x'));
    expect(parseArgs(['--out=y']).out).toBe(path.resolve('y'));
    expect(parseArgs([]).out).toBe(BUILD);
    expect(() => parseArgs(['--out'])).toThrow(/needs a folder/);
    expect(() => parseArgs(['--size', '3'])).toThrow(/unknown argument/);
  });

  it('renders the same bytes twice, and the committed files', async () => {
    const first = path.join(temp, 'first');
    const second = path.join(temp, 'second');
    await run(process.execPath, [SCRIPT, '--out', first], { cwd: ROOT });
    await run(process.execPath, [SCRIPT, `--out=${second}`], { cwd: ROOT });

    const files = filesBelow(first);
    expect(files).toEqual(
      iconSpecs()
        .map((spec) => spec.file)
        .sort(),
    );
    expect(filesBelow(second)).toEqual(files);
    for (const file of files) {
      expect(fs.readFileSync(path.join(second, file)).equals(fs.readFileSync(path.join(first, file))), file).toBe(true);
    }

    // The committed icons are this output. They were rendered on Linux x64; librsvg's
    // antialiasing may differ by a shade on another platform, so there the pixels are compared.
    const exact = process.platform === 'linux' && process.arch === 'x64';
    for (const file of files) {
      const committed = path.join(BUILD, file);
      expect(fs.existsSync(committed), `${file} is not committed: run npm run icons`).toBe(true);
      if (exact) {
        expect(
          fs.readFileSync(committed).equals(fs.readFileSync(path.join(first, file))),
          `${file} differs: run npm run icons`,
        ).toBe(true);
      } else {
        const [a, b] = [await rgba(committed), await rgba(path.join(first, file))];
        expect(b.length).toBe(a.length);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
        expect(worst, file).toBeLessThanOrEqual(8);
      }
    }
  }, 60_000);

  it('fails plainly on an unknown argument', async () => {
    await expect(run(process.execPath, [SCRIPT, '--bogus'], { cwd: ROOT })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/unknown argument: --bogus/) as unknown,
    });
  });
});
