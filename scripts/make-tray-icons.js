#!/usr/bin/env node
// @ts-check
/**
 * Draws the tray icons and the app icon and writes them as PNG files:
 *
 *   build/icons/tray/tray<State>Template.png (16x16) and @2x (32x32)   macOS template images:
 *                                                                        black + alpha only
 *   build/icons/tray/tray-<state>.png (32x32) and @2x (64x64)           coloured, for Windows/Linux
 *   build/icon.png (512x512)                                            the app icon
 *
 * States: stopped, transition, running, failed. Plain Node (no dependencies): shapes are signed
 * distance functions sampled 4x4 per pixel, PNGs are encoded with node:zlib and a CRC32.
 * The output is deterministic for a given Node (zlib) version: run `node scripts/make-tray-icons.js`
 * and commit the files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRAY_DIR = path.join(ROOT, 'build', 'icons', 'tray');

/** @typedef {'stopped' | 'transition' | 'running' | 'failed'} IconState */
/** @typedef {[number, number, number, number]} Rgba straight (not premultiplied), 0..255 */
/** @typedef {(x: number, y: number) => boolean} Shape a point in unit space [0,1]² is inside */
/** @typedef {{ shape: Shape, color: Rgba }} Layer */

/** @type {readonly IconState[]} */
export const STATES = ['stopped', 'transition', 'running', 'failed'];

// ---------------------------------------------------------------------------------------------
// Shapes (unit space, y down)

/** Signed distance to a rounded rectangle centred at (cx, cy). */
function roundedRectDistance(/** @type {number} */ x, /** @type {number} */ y, cx = 0.5, cy = 0.5, half = 0.4, radius = 0.12) {
  const qx = Math.abs(x - cx) - (half - radius);
  const qy = Math.abs(y - cy) - (half - radius);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  const inside = Math.min(Math.max(qx, qy), 0);
  return outside + inside - radius;
}

/** Distance from a point to the segment (ax, ay)–(bx, by). */
function segmentDistance(
  /** @type {number} */ x,
  /** @type {number} */ y,
  /** @type {number} */ ax,
  /** @type {number} */ ay,
  /** @type {number} */ bx,
  /** @type {number} */ by,
) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

/** @returns {Shape} */
const boxFill = (half = 0.4, radius = 0.12) => (x, y) => roundedRectDistance(x, y, 0.5, 0.5, half, radius) <= 0;

/** @returns {Shape} */
const boxOutline = (half = 0.4, radius = 0.12, width = 0.1) => (x, y) => {
  const d = roundedRectDistance(x, y, 0.5, 0.5, half, radius);
  return d <= 0 && d >= -width;
};

/** @returns {Shape} */
const disc = (r = 0.19) => (x, y) => Math.hypot(x - 0.5, y - 0.5) <= r;

/** @returns {Shape} */
const ring = (r = 0.2, width = 0.09) => (x, y) => {
  const d = Math.hypot(x - 0.5, y - 0.5);
  return d <= r && d >= r - width;
};

/** @returns {Shape} */
const cross = (size = 0.15, width = 0.1) => (x, y) =>
  segmentDistance(x, y, 0.5 - size, 0.5 - size, 0.5 + size, 0.5 + size) <= width / 2 ||
  segmentDistance(x, y, 0.5 - size, 0.5 + size, 0.5 + size, 0.5 - size) <= width / 2;

/** The mark inside the box for each state; stopped is the empty box. @type {Record<IconState, Shape | null>} */
const GLYPHS = {
  stopped: null,
  transition: ring(),
  running: disc(),
  failed: cross(),
};

// ---------------------------------------------------------------------------------------------
// Icons

/** @type {Rgba} */ const BLACK = [0, 0, 0, 255];
/** @type {Rgba} */ const WHITE = [255, 255, 255, 255];

/** Fill and border per state for the coloured icons: readable on light and dark trays. @type {Record<IconState, { fill: Rgba, border: Rgba }>} */
const COLOURS = {
  stopped: { fill: [138, 143, 152, 255], border: [52, 56, 62, 255] },
  transition: { fill: [232, 154, 28, 255], border: [110, 66, 0, 255] },
  running: { fill: [38, 164, 79, 255], border: [14, 84, 38, 255] },
  failed: { fill: [215, 58, 73, 255], border: [112, 16, 28, 255] },
};

/** @returns {Layer[]} */
export function templateLayers(/** @type {IconState} */ state) {
  /** @type {Layer[]} */
  const layers = [{ shape: boxOutline(), color: BLACK }];
  const glyph = GLYPHS[state];
  if (glyph !== null) layers.push({ shape: glyph, color: BLACK });
  return layers;
}

/** @returns {Layer[]} */
export function colouredLayers(/** @type {IconState} */ state) {
  const { fill, border } = COLOURS[state];
  const glyph = GLYPHS[state] ?? boxOutline(0.2, 0.05, 0.08);
  return [
    { shape: boxFill(0.44, 0.13), color: border },
    { shape: boxFill(0.44 - 0.07, 0.13 - 0.05), color: fill },
    { shape: glyph, color: WHITE },
  ];
}

/** @returns {Layer[]} */
export function appIconLayers() {
  return [
    { shape: boxFill(0.46, 0.2), color: [31, 41, 55, 255] },
    { shape: boxOutline(0.27, 0.08, 0.055), color: WHITE },
    { shape: disc(0.1), color: [52, 199, 89, 255] },
  ];
}

/**
 * Rasterises layers (painted in order, each opaque where its shape holds) with 4x4 supersampling.
 * @returns {Buffer} RGBA rows, straight alpha
 */
export function rasterise(/** @type {number} */ size, /** @type {Layer[]} */ layers, samples = 4) {
  const pixels = Buffer.alloc(size * size * 4);
  const n = samples * samples;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          for (let i = layers.length - 1; i >= 0; i--) {
            const layer = /** @type {Layer} */ (layers[i]);
            if (layer.shape(x, y)) {
              const alpha = layer.color[3] / 255;
              r += layer.color[0] * alpha;
              g += layer.color[1] * alpha;
              b += layer.color[2] * alpha;
              a += alpha;
              break;
            }
          }
        }
      }
      const offset = (py * size + px) * 4;
      if (a > 0) {
        pixels[offset] = Math.round(r / a);
        pixels[offset + 1] = Math.round(g / a);
        pixels[offset + 2] = Math.round(b / a);
      }
      pixels[offset + 3] = Math.round((a / n) * 255);
    }
  }
  return pixels;
}

// ---------------------------------------------------------------------------------------------
// PNG

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(/** @type {Uint8Array} */ bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = /** @type {number} */ (CRC_TABLE[(c ^ byte) & 0xff]) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(/** @type {string} */ type, /** @type {Buffer} */ data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGBA PNG, no interlace, filter 0 on every row. */
export function encodePng(/** @type {number} */ width, /** @type {number} */ height, /** @type {Buffer} */ rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  header[10] = 0; // deflate
  header[11] = 0; // filter method
  header[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------

const capitalise = (/** @type {string} */ s) => s.charAt(0).toUpperCase() + s.slice(1);

/** Every file this script writes, relative to the repository root, with its pixels. */
export function icons() {
  /** @type {{ file: string, size: number, layers: Layer[] }[]} */
  const out = [];
  for (const state of STATES) {
    out.push({ file: `build/icons/tray/tray${capitalise(state)}Template.png`, size: 16, layers: templateLayers(state) });
    out.push({ file: `build/icons/tray/tray${capitalise(state)}Template@2x.png`, size: 32, layers: templateLayers(state) });
    out.push({ file: `build/icons/tray/tray-${state}.png`, size: 32, layers: colouredLayers(state) });
    out.push({ file: `build/icons/tray/tray-${state}@2x.png`, size: 64, layers: colouredLayers(state) });
  }
  out.push({ file: 'build/icon.png', size: 512, layers: appIconLayers() });
  return out;
}

function main() {
  mkdirSync(TRAY_DIR, { recursive: true });
  for (const icon of icons()) {
    const png = encodePng(icon.size, icon.size, rasterise(icon.size, icon.layers));
    writeFileSync(path.join(ROOT, icon.file), png);
    console.log(`${icon.file} ${icon.size}x${icon.size} ${png.length} bytes`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
