import type { KeyCheck, MintKeyRequest } from '../../shared/contract.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import { checkExpiry, checkNamespace } from './format.ts';
import type { DateFormatOptions, ExpiryCheck, NamespaceCheck } from './format.ts';

export interface KeyFormCheck {
  readonly namespace: NamespaceCheck;
  readonly expiry: ExpiryCheck;
  /** The request to send, or null when a field is invalid (then nothing is sent). */
  readonly request: MintKeyRequest | null;
}

export function checkKeyForm(
  namespace: string,
  expiresIn: string,
  nowMs: number,
  options: DateFormatOptions = {},
): KeyFormCheck {
  const ns = checkNamespace(namespace);
  const expiry = checkExpiry(expiresIn, nowMs, options);
  const request = ns.ok && expiry.ok ? { namespace, expiresIn: expiresIn.trim() } : null;
  return { namespace: ns, expiry, request };
}

export interface CheckView {
  readonly tone: 'ok' | 'bad' | 'idle';
  readonly text: string;
}

/** What the server said when the app tried the new key. */
export function keyCheckView(check: KeyCheck): CheckView {
  switch (check.result) {
    case 'accepted':
      return { tone: 'ok', text: 'Checked: the running server accepts this key.' };
    // Main's messages are whole sentences that say what happened and what to do.
    case 'refused':
      return { tone: 'bad', text: check.message };
    case 'not-checked':
      return { tone: 'idle', text: check.message };
  }
}

/** What a key reset did, from the server's state before and after it. */
export function resetOutcomeText(before: ServerSnapshot, after: ServerSnapshot): string {
  if (after.state === 'failed' && after.error?.code === 'home-error')
    return `The key was not reset: ${after.error.message}`;
  if (after.state === 'failed') {
    return (
      `The server key was reset, but the server did not start again: ` + `${after.error?.message ?? 'no reason given.'}`
    );
  }
  const restarted = before.state === 'running' && after.state === 'running' && before.pid !== after.pid;
  if (restarted && after.devMode === true) {
    return (
      'The server key was reset. Earlier keys no longer work. The server restarted in development mode, which ' +
      'needs no key.'
    );
  }
  if (restarted) return 'The server key was reset and the server restarted with it. Earlier keys no longer work.';
  if (after.state === 'running' && after.devMode === true) {
    return (
      'The server key was reset. Earlier keys no longer work once the server runs in secure mode; it runs in ' +
      'development mode now.'
    );
  }
  return 'The server key was reset. Earlier keys no longer work.';
}
