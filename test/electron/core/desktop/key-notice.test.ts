import { describe, expect, it } from 'vitest';
import { mintedKeyNotice } from '../../../../electron/core/desktop/key-notice.ts';

describe('mintedKeyNotice', () => {
  it('copies an accepted key and says for which namespace and when the clipboard clears', () => {
    expect(mintedKeyNotice({ namespace: '*', check: { result: 'accepted' } }, 30)).toEqual({
      copy: true,
      notification: {
        title: 'API key copied',
        body: 'A key for all namespaces is on the clipboard. The clipboard clears in 30 s.',
      },
    });
    expect(
      mintedKeyNotice({ namespace: 'team-a', check: { result: 'not-checked', message: 'not running' } }, 0),
    ).toEqual({
      copy: true,
      notification: {
        title: 'API key copied',
        body: 'A key for the namespace team-a is on the clipboard. The clipboard is not cleared automatically.',
      },
    });
  });

  it('does not copy a refused key, and carries the check message', () => {
    expect(
      mintedKeyNotice({ namespace: '*', check: { result: 'refused', message: 'Restart the server.' } }, 30),
    ).toEqual({
      copy: false,
      notification: { title: 'The server refused the new key', body: 'Restart the server.' },
    });
  });
});
