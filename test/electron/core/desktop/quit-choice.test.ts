import { describe, expect, it } from 'vitest';
import { QuitChoice } from '../../../../electron/core/desktop/quit-choice.ts';

describe('QuitChoice', () => {
  it('does what the setting says unless the tray item chosen says otherwise, and forgets a cancelled choice', () => {
    const choice = new QuitChoice();
    expect([choice.stopsServer({ stopServerOnQuit: true }), choice.stopsServer({ stopServerOnQuit: false })]).toEqual([
      true,
      false,
    ]);
    choice.choose('leave');
    expect(choice.stopsServer({ stopServerOnQuit: true })).toBe(false);
    choice.choose('stop');
    expect(choice.stopsServer({ stopServerOnQuit: false })).toBe(true);
    choice.reset();
    expect(choice.stopsServer({ stopServerOnQuit: false })).toBe(false);
  });
});
