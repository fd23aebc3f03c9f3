/**
 * How the app harness shows a page main serves from a custom scheme (`protocol.handle`) in a
 * Chromium that knows nothing of that scheme: each `<scheme>://<host>` becomes its own origin
 * `http://<host>.<scheme>.scheme.localhost`, which the harness intercepts (`context.route`) and
 * answers through main's handler with the original URL. `*.localhost` is a secure context in
 * Chromium, so the page gets what a `secure` privileged scheme gives it; relative URLs resolve
 * against the mapped origin and so reach the handler too. Every URL that goes back to main
 * (the sender frame's URL, a request) is mapped back first, so main only ever sees its own scheme.
 *
 *   app://bundle/index.html?x#y   ⇄  http://bundle.app.scheme.localhost/index.html?x#y
 *   app://bundle:8080/a           ⇄  http://bundle.app.scheme.localhost:8080/a
 *   app:///index.html (no host)   ⇄  http://app.scheme.localhost/index.html
 *
 * Schemes Chromium serves itself (file, http, https, data, about, blob, …) are loaded as they are.
 * A scheme must be a DNS label (letters, digits, '-') to map; an absolute custom-scheme URL written
 * in page code is not rewritten (Chromium would not know it).
 */

export const MAPPED_SUFFIX = '.scheme.localhost';

const NATIVE_SCHEMES: ReadonlySet<string> = new Set([
  'file',
  'http',
  'https',
  'data',
  'about',
  'blob',
  'javascript',
  'chrome',
  'devtools',
  'ws',
  'wss',
]);

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

function schemeOf(url: string): string {
  const colon = url.indexOf(':');
  return colon <= 0 ? '' : url.slice(0, colon).toLowerCase();
}

/** True for a URL whose scheme Chromium does not serve itself: main's protocol handler must. */
export function isCustomSchemeUrl(url: string): boolean {
  const scheme = schemeOf(url);
  return scheme !== '' && !NATIVE_SCHEMES.has(scheme);
}

/** The URL to open in Chromium for a URL main loads. */
export function toPageUrl(url: string): string {
  if (!isCustomSchemeUrl(url)) return url;
  const parsed = new URL(url);
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  if (!LABEL.test(scheme))
    throw new Error(
      `the app harness cannot serve the scheme ${JSON.stringify(scheme)}: it must be a DNS label (letters, ` +
        `digits, '-')`,
    );
  if (!url.slice(scheme.length + 1).startsWith('//'))
    throw new Error(`the app harness serves only <scheme>://<host>/<path> URLs, not ${url}`);
  if (parsed.username !== '' || parsed.password !== '')
    throw new Error(`the app harness does not map credentials in ${url}`);
  const host = parsed.hostname.toLowerCase();
  for (const label of host === '' ? [] : host.split('.')) {
    if (!LABEL.test(label)) throw new Error(`the app harness cannot map the host ${JSON.stringify(host)} of ${url}`);
  }
  const hostname = `${host === '' ? '' : `${host}.`}${scheme}${MAPPED_SUFFIX}`;
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  const pathname = parsed.pathname === '' ? '/' : parsed.pathname;
  return `http://${hostname}${port}${pathname}${parsed.search}${parsed.hash}`;
}

/** True for a URL in Chromium that stands for a custom-scheme URL (see `toPageUrl`). */
export function isMappedUrl(url: URL | string): boolean {
  const parsed = typeof url === 'string' ? safeUrl(url) : url;
  return parsed !== null && parsed.protocol === 'http:' && parsed.hostname.endsWith(MAPPED_SUFFIX);
}

/** The URL main would see for a URL in Chromium: a mapped one back in its scheme, others as they are. */
export function fromPageUrl(url: string): string {
  const parsed = safeUrl(url);
  if (parsed === null || !isMappedUrl(parsed)) return url;
  const labels = parsed.hostname.slice(0, -MAPPED_SUFFIX.length).split('.');
  const scheme = labels.pop() ?? '';
  const host = labels.join('.');
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  return `${scheme}://${host}${port}${parsed.pathname}${parsed.search}${parsed.hash}`;
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    // not a URL: the caller refuses it
    return null;
  }
}
