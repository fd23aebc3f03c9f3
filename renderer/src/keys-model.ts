import type { KeyCheck, MintKeyRequest } from '../../shared/contract.ts';
import { checkExpiry, checkNamespace } from './format.ts';
import type { DateFormatOptions, ExpiryCheck, NamespaceCheck } from './format.ts';

export interface KeyFormCheck {
  readonly namespace: NamespaceCheck;
  readonly expiry: ExpiryCheck;
  /** The request to send, or null when a field is invalid (then nothing is sent). */
  readonly request: MintKeyRequest | null;
}

export function checkKeyForm(namespace: string, expiresIn: string, nowMs: number, options: DateFormatOptions = {}): KeyFormCheck {
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
