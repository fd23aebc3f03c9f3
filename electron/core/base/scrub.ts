/**
 * Takes secrets out of text the window or a notification will show: the server key (a server
 * build that logs its argv or key would show it), every `msb_…` token and bare JWT (clients'
 * tokens in a request log), and the value of a `--key`/`-k` flag. The key is also hidden in its
 * base64, base64url and hex forms.
 */

const TOKEN = /msb_[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){0,2}/g;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/**
 * A token whose start was cut off (a tail or a burst read from the middle of a long line): the
 * rest of its header, then the payload (`eyJ…`) and the signature. msb's header never changes,
 * so these pieces alone rebuild the token.
 */
const CUT_JWT = /[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+/g;
/**
 * A flag starts a word (start, whitespace or a quote before it): inside a word, `-k…` is part of
 * a name (`/tmp/msb-tray-lifecycle-kQ2DUA/logs`), not a flag, and must be left as it is.
 */
const KEY_FLAG = /(?<![^\s"'])(--key[= ]|-k[= ]?)(?:"[^"]*"|'[^']*'|\S+)/g;
/** Shorter keys would match ordinary words; a key that short is refused by nothing, but rare. */
const MIN_SCRUBBED_KEY = 6;

export const HIDDEN_TOKEN = 'msb_[token hidden]';
export const HIDDEN_KEY = '[server key hidden]';

/** The text without tokens, JWTs, key flags and (when given) the server key. */
export function scrubSecrets(text: string, serverKey: string | null): string {
  let out = text
    .replace(KEY_FLAG, (_match, flag: string) => `${flag}${HIDDEN_KEY}`)
    .replace(TOKEN, HIDDEN_TOKEN)
    .replace(JWT, '[token hidden]')
    .replace(CUT_JWT, '[token hidden]');
  for (const key of keyForms(serverKey)) out = out.split(key).join(HIDDEN_KEY);
  return out;
}

/**
 * The key as written and trimmed, and each of those encoded as a log might show it (an
 * Authorization header, a debug dump of bytes): base64 with and without padding, base64url, hex.
 * Longest first, so a longer form is not left half replaced by a shorter one inside it.
 */
function keyForms(serverKey: string | null): string[] {
  if (serverKey === null) return [];
  const forms = new Set<string>();
  for (const key of [serverKey, serverKey.trim()]) {
    if (key.length < MIN_SCRUBBED_KEY) continue;
    const raw = Buffer.from(key, 'utf8');
    const base64 = raw.toString('base64');
    const hex = raw.toString('hex');
    for (const form of [key, base64, base64.replace(/=+$/, ''), raw.toString('base64url'), hex, hex.toUpperCase()])
      forms.add(form);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * What a feature needs of the scrubber: lines in, scrubbed lines out. The app has one
 * `SecretScrubber`, made in main and handed to every feature that shows text.
 */
export interface LineScrubber {
  scrubLines(lines: readonly string[]): Promise<string[]>;
}
