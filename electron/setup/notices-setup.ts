/**
 * main's part for what the user is told and asked: notifications, scrubbed of the server key and
 * tokens, and the native questions, one at a time.
 */
import type { BrowserWindow } from 'electron';
import { dialogPorts } from '../adapters/dialogs.ts';
import { notifierPort } from '../adapters/electron-ports.ts';
import type { Logger } from '../core/base/logger.ts';
import { SecretScrubber } from '../core/keys/key-scrubber.ts';
import type { NotifierPort } from '../core/desktop/desktop-ports.ts';
import { scrubbingNotifier } from '../core/desktop/notifications.ts';
import { QuestionGate, type DialogPorts } from '../core/desktop/question-gate.ts';

export interface NoticesDeps {
  /** The server key, hidden from whatever is shown. */
  readonly keyFile: string;
  /** The window the questions attach to, while it is open. */
  readonly parentWindow: () => BrowserWindow | null;
  readonly logger: Logger;
}

export interface Notices {
  readonly scrubber: SecretScrubber;
  readonly notifier: NotifierPort;
  readonly dialogs: DialogPorts;
}

export function setupNotices(deps: NoticesDeps): Notices {
  // What the window and notifications show passes through here first: no server key, no token.
  const scrubber = new SecretScrubber(deps.keyFile, deps.logger);
  const notifier = scrubbingNotifier(notifierPort, scrubber, deps.logger);
  // What the window may not decide alone is asked here, natively, attached to the window.
  // One gate for all of them (window, tray, quit): never two native dialogs at once.
  const dialogs = new QuestionGate().gated(dialogPorts(deps.parentWindow));
  return { scrubber, notifier, dialogs };
}
