#!/usr/bin/env node
// @ts-check
/**
 * Renders every icon of the app from ONE source image, `build/icon-source.svg`, with sharp
 * (libvips + librsvg):
 *
 *   icon.png                                  1024x1024  the app icon; electron-builder derives
 *                                                        the macOS .icns and the Windows .ico from it
 *   icons/linux/<n>x<n>.png                   16..512    the Linux icon set (hicolor theme sizes)
 *   icons/tray/tray<State>Template.png        16x16      macOS menu-bar template images: black and
 *   icons/tray/tray<State>Template@2x.png     32x32      alpha only (macOS tints them)
 *   icons/tray/tray-<state>.png               32x32      coloured tray images for Windows and Linux,
 *   icons/tray/tray-<state>@2x.png            64x64      with an outline that reads on light and dark
 *
 * for the states stopped, transition, running, unhealthy and failed (the names `trayIconName` in
 * electron/core/desktop/tray-menu.ts produces). The app icon is the source as drawn; the tray images
 * reuse its mark (`#mark-top`, `#mark-edges`) with a badge per state: none (stopped), a ring
 * (transition), a dot (running), an exclamation mark (running but not answering), a cross (failed).
 *
 * Usage: `npm run icons` (writes into build/), or `node scripts/make-icons.js --out <dir>`.
 * The output is byte-for-byte reproducible for a given sharp version: PNGs carry no metadata
 * (no time, no text, no colour profile), only IHDR, IDAT and IEND.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE = path.join(ROOT, 'build', 'icon-source.svg');
export const DEFAULT_OUT = path.join(ROOT, 'build');

/** @typedef {'stopped' | 'transition' | 'running' | 'unhealthy' | 'failed'} IconState */
/**
 * @typedef {{ file: string, size: number, kind: 'app' }
 *   | { file: string, size: number, kind: 'template' | 'coloured', state: IconState }} IconSpec
 */

/** @type {readonly IconState[]} */
export const STATES = Object.freeze(['stopped', 'transition', 'running', 'unhealthy', 'failed']);

/** Sizes of the Linux icon set (freedesktop hicolor theme). */
export const LINUX_SIZES = Object.freeze([16, 24, 32, 48, 64, 128, 256, 512]);

const capitalise = (/** @type {string} */ s) => s.charAt(0).toUpperCase() + s.slice(1);

/** Every file this script writes, relative to the output folder (build/ by default). @returns {IconSpec[]} */
export function iconSpecs() {
  /** @type {IconSpec[]} */
  const specs = [{ file: 'icon.png', size: 1024, kind: 'app' }];
  for (const size of LINUX_SIZES) specs.push({ file: `icons/linux/${size}x${size}.png`, size, kind: 'app' });
  for (const state of STATES) {
    specs.push({ file: `icons/tray/tray${capitalise(state)}Template.png`, size: 16, kind: 'template', state });
    specs.push({ file: `icons/tray/tray${capitalise(state)}Template@2x.png`, size: 32, kind: 'template', state });
    specs.push({ file: `icons/tray/tray-${state}.png`, size: 32, kind: 'coloured', state });
    specs.push({ file: `icons/tray/tray-${state}@2x.png`, size: 64, kind: 'coloured', state });
  }
  return specs;
}

// ---------------------------------------------------------------------------------------------
// SVG composition

/** The `d` of the element with this id in the source SVG. */
export function pathData(/** @type {string} */ svg, /** @type {string} */ id) {
  const element = new RegExp(`<path\\b[^>]*\\bid="${id}"[^>]*>`).exec(svg);
  const d = element === null ? null : /\sd="([^"]+)"/.exec(element[0]);
  if (d === null || d[1] === undefined) throw new Error(`icon-source.svg has no <path id="${id}" d="...">`);
  return d[1];
}

/** The source with its rendering size set to `size` pixels (the viewBox keeps the drawing). */
export function appIconSvg(/** @type {string} */ source, /** @type {number} */ size) {
  const root = /<svg\b[^>]*>/.exec(source);
  if (root === null) throw new Error('icon-source.svg has no <svg> element');
  const sized = root[0].replace(/\swidth="[^"]*"/, ` width="${size}"`).replace(/\sheight="[^"]*"/, ` height="${size}"`);
  return source.replace(root[0], sized);
}

/** Where the badge sits on the 24x24 grid, and the gap cut around it. */
const BADGE = { cx: 18, cy: 18, r: 5, gap: 1.6 };

/** The state's badge in one colour (`ink`), centred on BADGE; null when the state has none. */
function badge(/** @type {IconState} */ state, /** @type {string} */ ink) {
  const { cx, cy, r } = BADGE;
  switch (state) {
    case 'stopped':
      return null;
    case 'running':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${ink}"/>`;
    case 'transition':
      return `<circle cx="${cx}" cy="${cy}" r="${r - 1}" fill="none" stroke="${ink}" stroke-width="2"/>`;
    case 'unhealthy':
      return (
        `<path d="M${cx} ${cy - r + 0.6}V${cy + 0.8}" fill="none" stroke="${ink}" stroke-width="2.4" ` +
        `stroke-linecap="round"/><circle cx="${cx}" cy="${cy + r - 1}" r="1.3" fill="${ink}"/>`
      );
    case 'failed': {
      const a = r * 0.62;
      return (
        `<path d="M${cx - a} ${cy - a}L${cx + a} ${cy + a}M${cx - a} ${cy + a}L${cx + a} ${cy - a}" fill="none" ` +
        `stroke="${ink}" stroke-width="2.4" stroke-linecap="round"/>`
      );
    }
  }
}

/** A mask that keeps everything but a disc around the badge, so the badge stands apart. */
function badgeCut() {
  const { cx, cy, r, gap } = BADGE;
  return (
    '<mask id="cut" maskUnits="userSpaceOnUse" x="0" y="0" width="24" height="24">' +
    `<rect width="24" height="24" fill="#fff"/><circle cx="${cx}" cy="${cy}" r="${r + gap}" fill="#000"/>` +
    '</mask>'
  );
}

const svgOpen = (/** @type {number} */ size) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 24 24">`;

/**
 * macOS template image: the mark and the badge in black; macOS draws it in the menu bar's colour.
 * @param {{ top: string, edges: string }} mark
 */
export function templateSvg(mark, /** @type {IconState} */ state, /** @type {number} */ size) {
  const glyph = badge(state, '#000');
  const cut = glyph === null ? '' : ' mask="url(#cut)"';
  return [
    svgOpen(size),
    glyph === null ? '' : `<defs>${badgeCut()}</defs>`,
    `<g${cut}>`,
    `<path d="${mark.top}" fill="#000"/>`,
    `<path d="${mark.edges}" fill="none" stroke="#000" stroke-width="2" stroke-linejoin="round" ` +
      `stroke-linecap="round"/>`,
    '</g>',
    glyph ?? '',
    '</svg>',
  ].join('');
}

/** Fill and outline per state: a mid-tone tile that shows on dark trays, a dark rim for light ones. */
export const COLOURS = Object.freeze({
  stopped: { fill: '#8a909a', rim: '#2f343b' },
  transition: { fill: '#e8961c', rim: '#5c3600' },
  running: { fill: '#28a55a', rim: '#0c4421' },
  unhealthy: { fill: '#c9700a', rim: '#4d2a00' },
  failed: { fill: '#d83a4a', rim: '#6a0d18' },
});

/**
 * Coloured tray image: a rounded tile in the state's colour with a dark rim, the mark in white on
 * it, and the badge in white on a disc with the same rim over the bottom-right corner.
 * @param {{ top: string, edges: string }} mark
 */
export function colouredSvg(mark, /** @type {IconState} */ state, /** @type {number} */ size) {
  const { fill, rim } = COLOURS[state];
  const glyph = badge(state, '#fff');
  const { cx, cy, r } = BADGE;
  return [
    svgOpen(size),
    `<rect x="1" y="1" width="22" height="22" rx="5" fill="${fill}" stroke="${rim}" stroke-width="1.5"/>`,
    // The mark at 70 % on the tile, centred.
    '<g transform="translate(3.6 3.6) scale(0.7)">',
    `<path d="${mark.top}" fill="#fff"/>`,
    `<path d="${mark.edges}" fill="none" stroke="#fff" stroke-width="2.6" stroke-linejoin="round" ` +
      `stroke-linecap="round"/>`,
    '</g>',
    glyph === null
      ? ''
      : `<circle cx="${cx}" cy="${cy}" r="${r + 0.9}" fill="${rim}"/><circle cx="${cx}" cy="${cy}" r="${r}" ` +
        `fill="${fill}"/>`,
    glyph ?? '',
    '</svg>',
  ].join('');
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** RGBA pixels of an SVG rendered at its own width and height. */
async function rasterise(/** @type {string} */ svg) {
  const { data, info } = await sharp(Buffer.from(svg), { density: 72 })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected RGBA, got ${info.channels} channels`);
  return { data, width: info.width, height: info.height };
}

/** The chunks a PNG keeps: the image and nothing about it. */
const CRITICAL_CHUNKS = new Set(['IHDR', 'IDAT', 'IEND']);

/**
 * The PNG without its ancillary chunks (libvips writes a pHYs resolution; a time, text or colour
 * profile chunk would go too). Chunks stand alone, so dropping some leaves the others' CRCs valid.
 */
export function stripPng(/** @type {Buffer} */ png) {
  const SIGNATURE = 8;
  const kept = [png.subarray(0, SIGNATURE)];
  let offset = SIGNATURE;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (CRITICAL_CHUNKS.has(type)) kept.push(png.subarray(offset, end));
    offset = end;
  }
  return Buffer.concat(kept);
}

/** An 8-bit RGBA PNG without metadata. */
async function encode(/** @type {{ data: Buffer, width: number, height: number }} */ image) {
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
    .png({ compressionLevel: 9, adaptiveFiltering: true, palette: false })
    .toBuffer();
  return stripPng(png);
}

/** Renders one icon to PNG bytes. */
export async function renderIcon(/** @type {string} */ source, /** @type {IconSpec} */ spec) {
  const mark = { top: pathData(source, 'mark-top'), edges: pathData(source, 'mark-edges') };
  switch (spec.kind) {
    case 'app':
      return encode(await rasterise(appIconSvg(source, spec.size)));
    case 'coloured':
      return encode(await rasterise(colouredSvg(mark, spec.state, spec.size)));
    case 'template': {
      const image = await rasterise(templateSvg(mark, spec.state, spec.size));
      // Black and alpha only: whatever antialiasing left in the colour channels goes.
      for (let i = 0; i < image.data.length; i += 4) image.data.fill(0, i, i + 3);
      return encode(image);
    }
  }
}

/** Renders every icon into `outDir` (build/ by default); returns what it wrote. */
export async function makeIcons(outDir = DEFAULT_OUT, sourceFile = SOURCE) {
  sharp.cache(false);
  const source = await readFile(sourceFile, 'utf8');
  /** @type {{ file: string, size: number, bytes: number }[]} */
  const written = [];
  for (const spec of iconSpecs()) {
    const png = await renderIcon(source, spec);
    const target = path.join(outDir, spec.file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, png);
    written.push({ file: spec.file, size: spec.size, bytes: png.length });
  }
  return written;
}

/** `--out <dir>` or `--out=<dir>`; build/ otherwise. */
export function parseArgs(/** @type {readonly string[]} */ argv) {
  let out = DEFAULT_OUT;
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (arg === '--out') {
      const value = argv[++i];
      if (value === undefined || value === '') throw new Error('--out needs a folder');
      out = path.resolve(value);
    } else if (arg.startsWith('--out=')) {
      out = path.resolve(arg.slice('--out='.length));
    } else {
      throw new Error(`unknown argument: ${arg} (usage: make-icons.js [--out <dir>])`);
    }
  }
  return { out };
}

async function main() {
  const { out } = parseArgs(process.argv.slice(2));
  for (const icon of await makeIcons(out)) {
    console.log(
      `${path.join(path.relative(ROOT, out) || '.', icon.file)} ${icon.size}x${icon.size} ${icon.bytes} bytes`,
    );
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((/** @type {unknown} */ error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
