/**
 * What the app's scheme (`app://microsandbox-tray/…`, window-policy.ts) serves: only the files the
 * renderer build made, listed once at startup by walking the built folder (symlinks refused), and
 * nothing else. A request is resolved by a pure function against that list, so `..`, encoded
 * separators, backslashes, NUL and absolute paths never reach the file system: a name that is not
 * in the list is a 404, whatever it says.
 *
 * Plain Node; the Electron adapter (adapters/app-protocol.ts) only hands `protocol.handle`'s
 * requests to `rendererResponse`.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../../shared/csp.ts';
import { errorText, type Logger } from '../base/logger.ts';
import { APP_HOST, APP_SCHEME } from './window-policy.ts';

/** The built renderer: request path (`index.html`, `assets/index-ab12.js`) → absolute file. */
export interface RendererFiles {
  readonly root: string;
  readonly files: ReadonlyMap<string, string>;
}

/** Types of what a Vite build emits; a file of any other type is not served. */
export const RENDERER_MIME_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
});

/** A build has a handful of files; anything far beyond this is not a renderer build. */
const MAX_FILES = 5_000;
const MAX_DEPTH = 16;

/**
 * Lists the built renderer under `root` (its real path: the folder main computed itself). Only
 * regular files and folders are followed; a symlink anywhere inside is skipped and logged, so
 * nothing outside the folder can be reached through one. Files whose type is not in
 * `RENDERER_MIME_TYPES` (source maps, say) are left out too.
 */
export async function listRendererFiles(root: string, logger: Logger): Promise<RendererFiles> {
  const realRoot = await fsp.realpath(root);
  const files = new Map<string, string>();
  const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) {
      logger.warn(`The renderer folder ${dir} is nested too deeply; what is below it is not served.`);
      return;
    }
    const entries = await fsp.readdir(dir);
    for (const name of entries.sort()) {
      const full = path.join(dir, name);
      const relative = prefix === '' ? name : `${prefix}/${name}`;
      const stat = await fsp.lstat(full);
      if (stat.isSymbolicLink()) {
        logger.warn(`The renderer build holds a symlink, which is not served: ${full}`);
      } else if (stat.isDirectory()) {
        await walk(full, relative, depth + 1);
      } else if (stat.isFile() && isServableName(relative)) {
        if (files.size >= MAX_FILES)
          throw new Error(`The renderer folder ${realRoot} holds more than ${MAX_FILES} files.`);
        files.set(relative, full);
      }
    }
  };
  await walk(realRoot, '', 0);
  if (!files.has('index.html'))
    logger.warn(`The renderer folder ${realRoot} has no index.html: the window will be empty.`);
  return { root: realRoot, files };
}

function isServableName(relative: string): boolean {
  return mimeTypeOf(relative) !== null && !relative.includes('\\') && !relative.includes('\0');
}

export function mimeTypeOf(name: string): string | null {
  const extension = path.posix.extname(name).toLowerCase();
  return Object.hasOwn(RENDERER_MIME_TYPES, extension) ? (RENDERER_MIME_TYPES[extension] ?? null) : null;
}

export type RendererResolution =
  | { readonly ok: true; readonly name: string; readonly file: string; readonly mimeType: string }
  | { readonly ok: false; readonly status: 400 | 404 | 405; readonly reason: string };

/**
 * Which built file a request names, or why none. Pure: it looks only at the URL, the method and
 * the list. `GET`/`HEAD` only; the URL must be exactly the app's origin (no user, password or
 * port); the path is decoded once and must then be a plain relative name without `..`, `.`, empty
 * segments, backslashes or NUL, and encoded separators (`%2f`, `%5c`) are refused before decoding.
 * `/` is `index.html`; query and fragment are ignored.
 */
export function resolveRendererRequest(url: string, method: string, files: RendererFiles): RendererResolution {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, reason: `${method} is not served` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // the answer says why: refused as not a URL
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.hostname.toLowerCase() !== APP_HOST)
    return { ok: false, status: 404, reason: 'another origin' };
  if (parsed.username !== '' || parsed.password !== '' || parsed.port !== '')
    return { ok: false, status: 400, reason: 'credentials or a port' };
  const raw = parsed.pathname;
  if (!raw.startsWith('/')) return { ok: false, status: 400, reason: 'not an absolute path' };
  // An encoded separator or NUL would turn into structure once decoded: refused as it is.
  if (/%(2f|5c|00)/i.test(raw) || raw.includes('\\') || raw.includes('\0'))
    return { ok: false, status: 400, reason: 'an encoded separator, backslash or NUL' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.slice(1));
  } catch {
    // the answer says why: refused as bad percent-encoding
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  const name = decoded === '' ? 'index.html' : decoded;
  const segments = name.split('/');
  if (
    segments.some((segment) => segment === '' || segment === '.' || segment === '..') ||
    name.includes('\\') ||
    name.includes('\0')
  ) {
    return { ok: false, status: 400, reason: 'a dot segment, an empty segment or a separator' };
  }
  if (path.isAbsolute(name) || /^[A-Za-z]:/.test(name)) return { ok: false, status: 400, reason: 'an absolute path' };
  const file = files.files.get(name);
  const mimeType = mimeTypeOf(name);
  if (file === undefined || mimeType === null) return { ok: false, status: 404, reason: 'not a file of the build' };
  return { ok: true, name, file, mimeType };
}

/** Headers of every answer: the window's CSP (also for a page whose meta tag is lost) and no sniffing. */
function baseHeaders(): Record<string, string> {
  return { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
}

/** The answer to one request of the app's scheme: the built file, or a bodiless error status. */
export async function rendererResponse(
  request: { readonly url: string; readonly method: string },
  files: RendererFiles,
  logger: Logger,
): Promise<Response> {
  const resolved = resolveRendererRequest(request.url, request.method, files);
  if (!resolved.ok) {
    logger.debug(`${APP_SCHEME}: refused ${clip(request.url)} with ${resolved.status}: ${resolved.reason}`);
    return new Response(null, { status: resolved.status, headers: baseHeaders() });
  }
  let body: Buffer;
  try {
    // Listed as a regular file at startup; should a link have taken its place since, it is not followed.
    if (!(await fsp.lstat(resolved.file)).isFile()) throw new Error('it is no longer a regular file');
    body = await fsp.readFile(resolved.file);
  } catch (error) {
    logger.warn(`${APP_SCHEME}: could not read ${resolved.file}: ${errorText(error)}`);
    return new Response(null, { status: 404, headers: baseHeaders() });
  }
  const headers = { ...baseHeaders(), 'Content-Type': resolved.mimeType, 'Content-Length': String(body.byteLength) };
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
