import { formatDuration, LONG_KEY_SECONDS, MAX_KEY_SECONDS, parseDuration } from '../../shared/duration.ts';
import { namespaceProblem } from '../../shared/namespace.ts';

/** Compact uptime: `42s`, `3m 05s`, `2h 07m`, `3d 4h`. Negative spans (clock skew) read `0s`. */
export function formatUptime(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export interface DateFormatOptions {
  readonly locale?: string | undefined;
  readonly timeZone?: string | undefined;
}

/** Largest time a JavaScript Date can hold, in milliseconds since the epoch. */
const MAX_DATE_MS = 8.64e15;

/** A date and time the way people read them in their own locale, e.g. `3 Dec 2025, 14:05`. */
export function formatDateTime(ms: number, options: DateFormatOptions = {}): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return 'a date too far away to show';
  return new Intl.DateTimeFormat(options.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  }).format(new Date(ms));
}

export type ExpiryCheck =
  | { readonly ok: true; readonly seconds: number; readonly expiresAt: number; readonly preview: string }
  | { readonly ok: false; readonly error: string };

/**
 * Validates an expiry in msb's grammar and says when a key minted now would expire:
 * `Expires on 3 Dec 2025, 14:05 (in 24 hours)`.
 */
export function checkExpiry(text: string, nowMs: number, options: DateFormatOptions = {}): ExpiryCheck {
  let seconds: number;
  try {
    seconds = parseDuration(text);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : 'Not a valid duration.' };
  }
  const expiresAt = nowMs + seconds * 1000;
  // A key that is expired when it is made is of no use: main refuses it, so the form does too.
  if (seconds === 0) return { ok: false, error: 'A key must last longer than 0: enter a duration such as 1h or 24h.' };
  // The same limits main applies: over ten years is refused, over a year asked about natively.
  if (seconds > MAX_KEY_SECONDS)
    return { ok: false, error: `A key can last at most ${formatDuration(MAX_KEY_SECONDS)} (10y).` };
  const when = formatDateTime(expiresAt, options);
  const preview = `Expires on ${when} (in ${formatDuration(seconds)})`;
  return {
    ok: true,
    seconds,
    expiresAt,
    preview: seconds > LONG_KEY_SECONDS ? `${preview}. Longer than a year: you will be asked to confirm.` : preview,
  };
}

export type NamespaceCheck =
  { readonly ok: true; readonly hint: string } | { readonly ok: false; readonly error: string };

export function checkNamespace(ns: string): NamespaceCheck {
  const problem = namespaceProblem(ns);
  if (problem !== null) return { ok: false, error: problem };
  return {
    ok: true,
    hint: ns === '*' ? 'Works for every namespace (needed for MCP clients).' : `Works only for namespace “${ns}”.`,
  };
}
