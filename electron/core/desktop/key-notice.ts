/**
 * What the tray does with a key it has just minted: whether to copy it, and the notification
 * that says so. Pure; main.ts carries it out.
 */
import type { MintedKey } from '../../../shared/contract.ts';
import { ALL_NAMESPACES } from '../../../shared/namespace.ts';
import type { Notification } from './desktop-ports.ts';

export interface MintedKeyNotice {
  /** False when the running server refused the key: a key that does not work is not copied. */
  readonly copy: boolean;
  readonly notification: Notification;
}

/**
 * A refused key is not copied and the notification carries the check's message (what happened
 * and what to do). Otherwise the key is copied and the notification names its namespace and
 * when the clipboard clears (`clipboardClearSeconds`; 0 never clears it).
 */
export function mintedKeyNotice(
  minted: Pick<MintedKey, 'namespace' | 'check'>,
  clipboardClearSeconds: number,
): MintedKeyNotice {
  if (minted.check.result === 'refused') {
    return { copy: false, notification: { title: 'The server refused the new key', body: minted.check.message } };
  }
  const scope = minted.namespace === ALL_NAMESPACES ? 'all namespaces' : `the namespace ${minted.namespace}`;
  const clearing =
    Number.isFinite(clipboardClearSeconds) && clipboardClearSeconds > 0
      ? `The clipboard clears in ${clipboardClearSeconds} s.`
      : 'The clipboard is not cleared automatically.';
  return {
    copy: true,
    notification: { title: 'API key copied', body: `A key for ${scope} is on the clipboard. ${clearing}` },
  };
}
