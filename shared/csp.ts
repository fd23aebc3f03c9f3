/**
 * The one Content-Security-Policy of the app's window. Main sends it as a response header for
 * the app's own pages and `renderer/index.html` carries the same string in
 * `<meta http-equiv="Content-Security-Policy" content="...">` (a test compares the two).
 * `frame-ancestors` is ignored inside a meta tag; the header form enforces it.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
