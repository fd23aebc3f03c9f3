import { VIEW_NAMES } from '../../shared/contract.ts';
import type { ViewName } from '../../shared/contract.ts';

/**
 * The view a key press asks for: Ctrl+1…5 (Cmd+1…5 on macOS) in tab order, and Cmd+, for
 * Settings on macOS as every Mac app has it. The digit is read from the key's place (`Digit1`),
 * so layouts whose top row types other characters (AZERTY) work too.
 */
export function shortcutView(
  event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
  mac: boolean,
): ViewName | null {
  const command = mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  if (!command || event.altKey || event.shiftKey) return null;
  if (mac && event.key === ',') return 'settings';
  const digit = /^Digit([1-9])$/.exec(event.code)?.[1] ?? (/^[1-9]$/.test(event.key) ? event.key : null);
  if (digit === null) return null;
  return VIEW_NAMES[Number(digit) - 1] ?? null;
}

/** The shortcut's name as the platform writes it, for the tabs' `aria-keyshortcuts`. */
export function shortcutLabel(view: ViewName, mac: boolean): string {
  return `${mac ? 'Meta' : 'Control'}+${VIEW_NAMES.indexOf(view) + 1}`;
}
