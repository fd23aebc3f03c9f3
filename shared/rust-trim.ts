// Rust's `str::trim` strips the Unicode White_Space property, which differs from JavaScript's
// `trim` (JS also strips U+FEFF and keeps U+0085). msb trims what it reads this way.
const WHITE_SPACE = String.raw`[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]`;
const EDGE_WHITESPACE = new RegExp(`^${WHITE_SPACE}+|${WHITE_SPACE}+$`, 'g');

export function rustTrim(text: string): string {
  return text.replace(EDGE_WHITESPACE, '');
}
