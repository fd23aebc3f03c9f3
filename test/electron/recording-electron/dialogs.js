// @ts-check
/**
 * The recording `dialog`: every message box, file chooser and error box is recorded with an id
 * (`dialog.<method>` with `{ id, kind, sync, window, options }`) and answered the way a user
 * would, by the test:
 *
 * - from a queue the test filled ahead (`dialog-queue` command: an answer, optionally only for a
 *   kind of dialog or one whose title, message or detail contains a text), first match wins;
 * - otherwise it stays open. An async dialog (`showMessageBox`, `showOpenDialog`,
 *   `showSaveDialog`) waits for the `dialog-answer` command, for as long as it takes, as a real
 *   one does. A sync dialog (`…Sync`) blocks main's thread as in Electron, so no command can
 *   arrive: it waits for an answer file `<RECORDING_ELECTRON_DIALOG_DIR>/<id>.json` (written by
 *   the test, temp file + rename), and after `RECORDING_ELECTRON_DIALOG_TIMEOUT_MS` (30 s) gives
 *   the cancel answer and says so on stderr, so a forgotten dialog fails a test instead of hanging it.
 *
 * Every answer is recorded as `dialog.answered` with `{ id, answer, source }` (`queue`, `test`,
 * `timeout`); an answer that does not fit the dialog (a button it does not have) as
 * `dialog.answer-refused`, leaving the dialog open. `showErrorBox` needs no answer.
 *
 * Answers, by kind: message `{ response: n }` or `{ button: 'Label' }` (plus `checkboxChecked`);
 * open `{ filePaths: [...] }` or `{ canceled: true }`; save `{ filePath }` or `{ canceled: true }`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { addCommand, record } from './record.js';

const DIALOG_DIR = process.env['RECORDING_ELECTRON_DIALOG_DIR'];
const SYNC_TIMEOUT_MS = Number(process.env['RECORDING_ELECTRON_DIALOG_TIMEOUT_MS'] || 30_000);

/** @typedef {'message' | 'open' | 'save' | 'error'} DialogKind */
/**
 * @typedef {{ response?: number, button?: string, checkboxChecked?: boolean, canceled?: boolean,
 *   filePaths?: string[], filePath?: string }} DialogAnswer
 */
/** @typedef {{ kind?: DialogKind, text?: string }} DialogMatch */
/** @typedef {{ id: number, kind: DialogKind, options: Record<string, any> }} OpenDialog */

let nextId = 0;
/** @type {{ answer: DialogAnswer, match: DialogMatch }[]} */
const queue = [];
/** @type {Map<number, { dialog: OpenDialog, settle: (answer: unknown) => void }>} */
const pending = new Map();

/**
 * Which window a dialog belongs to: Electron's `(window, options)` or `(options)`; a window is
 * anything with a numeric `id` and `webContents`.
 * @param {unknown[]} args
 * @returns {{ window: number | null, options: Record<string, any> }}
 */
function split(args) {
  const [first, second] = args;
  const candidate = /** @type {{ id?: unknown, webContents?: unknown } | null} */ (
    typeof first === 'object' ? first : null
  );
  if (candidate !== null && candidate.webContents !== undefined && typeof candidate.id === 'number') {
    return { window: candidate.id, options: /** @type {Record<string, any>} */ (second ?? {}) };
  }
  return { window: null, options: /** @type {Record<string, any>} */ (first ?? {}) };
}

/**
 * @param {DialogMatch} match
 * @param {OpenDialog} dialog
 */
function matches(match, dialog) {
  if (match.kind !== undefined && match.kind !== dialog.kind) return false;
  if (match.text === undefined || match.text === '') return true;
  const { title, message, detail } = dialog.options;
  return [title, message, detail].some(
    (part) => typeof part === 'string' && part.includes(/** @type {string} */ (match.text)),
  );
}

/**
 * The value Electron would resolve with for this answer, or a reason it does not fit.
 * @param {OpenDialog} dialog
 * @param {DialogAnswer} answer
 * @returns {{ ok: true, value: Record<string, unknown> } | { ok: false, reason: string }}
 */
function shape(dialog, answer) {
  const { kind, options } = dialog;
  if (kind === 'message') {
    const buttons = Array.isArray(options['buttons']) ? options['buttons'].map(String) : ['OK'];
    let response = answer.response;
    if (answer.button !== undefined) {
      response = buttons.indexOf(answer.button);
      if (response < 0)
        return {
          ok: false,
          reason: `no button ${JSON.stringify(answer.button)} (buttons: ${JSON.stringify(buttons)})`,
        };
    }
    if (response === undefined || !Number.isInteger(response) || response < 0 || response >= buttons.length) {
      return { ok: false, reason: `a message box answer needs a button or a response from 0 to ${buttons.length - 1}` };
    }
    return {
      ok: true,
      value: { response, checkboxChecked: answer.checkboxChecked ?? options['checkboxChecked'] === true },
    };
  }
  if (kind === 'open') {
    const filePaths = answer.filePaths ?? [];
    return { ok: true, value: { canceled: answer.canceled ?? filePaths.length === 0, filePaths } };
  }
  if (kind === 'save') {
    const filePath = answer.filePath ?? '';
    return { ok: true, value: { canceled: answer.canceled ?? filePath === '', filePath } };
  }
  return { ok: true, value: {} };
}

/** @param {OpenDialog} dialog */
function cancelAnswer(dialog) {
  if (dialog.kind === 'message') {
    const cancelId = dialog.options['cancelId'];
    return /** @type {DialogAnswer} */ ({ response: Number.isInteger(cancelId) ? cancelId : 0 });
  }
  return /** @type {DialogAnswer} */ ({ canceled: true });
}

/**
 * The first queued answer for this dialog that fits it, taken off the queue.
 * @param {OpenDialog} dialog
 * @returns {Record<string, unknown> | undefined}
 */
function fromQueue(dialog) {
  const index = queue.findIndex((entry) => matches(entry.match, dialog));
  if (index < 0) return undefined;
  const [entry] = queue.splice(index, 1);
  if (entry === undefined) return undefined;
  const shaped = shape(dialog, entry.answer);
  if (!shaped.ok) {
    record('event', 'dialog.answer-refused', { id: dialog.id, source: 'queue', reason: shaped.reason });
    return undefined;
  }
  record('event', 'dialog.answered', { id: dialog.id, answer: shaped.value, source: 'queue' });
  return shaped.value;
}

/**
 * @param {string} method
 * @param {DialogKind} kind
 * @param {unknown[]} args
 * @param {boolean} sync
 * @returns {OpenDialog}
 */
function open(method, kind, args, sync) {
  const { window, options } = split(args);
  const dialog = { id: ++nextId, kind, options };
  record('call', `dialog.${method}`, { id: dialog.id, kind, sync, window, options });
  return dialog;
}

/**
 * @template T
 * @param {string} method
 * @param {DialogKind} kind
 * @param {(value: Record<string, unknown>) => T} result  the answer as the method resolves with it
 * @returns {(...args: unknown[]) => Promise<T>}
 */
function asyncDialog(method, kind, result) {
  return (...args) => {
    const dialog = open(method, kind, args, false);
    const queued = fromQueue(dialog);
    if (queued !== undefined) return Promise.resolve(result(queued));
    return new Promise((resolve) => {
      pending.set(dialog.id, {
        dialog,
        settle: (value) => resolve(result(/** @type {Record<string, unknown>} */ (value))),
      });
    });
  };
}

/**
 * Blocks main's thread, as a sync dialog does, until the test writes an answer file.
 * @param {OpenDialog} dialog
 * @returns {Record<string, unknown>}
 */
function waitForAnswerFile(dialog) {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  const file = DIALOG_DIR === undefined || DIALOG_DIR === '' ? null : path.join(DIALOG_DIR, `${dialog.id}.json`);
  while (file !== null && Date.now() < deadline) {
    let text = null;
    try {
      text = fs.readFileSync(file, 'utf8');
      fs.rmSync(file, { force: true });
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
    }
    if (text !== null) {
      const shaped = shape(dialog, /** @type {DialogAnswer} */ (JSON.parse(text)));
      if (shaped.ok) {
        record('event', 'dialog.answered', { id: dialog.id, answer: shaped.value, source: 'test' });
        return shaped.value;
      }
      record('event', 'dialog.answer-refused', { id: dialog.id, source: 'test', reason: shaped.reason });
    }
    Atomics.wait(cell, 0, 0, 20);
  }
  const fallback = shape(dialog, cancelAnswer(dialog));
  const value = fallback.ok ? fallback.value : {};
  console.error(
    `recording electron: sync dialog ${dialog.id} ` +
      `(${JSON.stringify(dialog.options['message'] ?? dialog.options['title'] ?? '')}) had no answer; cancelled`,
  );
  record('event', 'dialog.answered', { id: dialog.id, answer: value, source: 'timeout' });
  return value;
}

/**
 * @param {string} method
 * @param {DialogKind} kind
 * @param {(value: Record<string, unknown>) => unknown} result
 * @returns {(...args: unknown[]) => unknown}
 */
function syncDialog(method, kind, result) {
  return (...args) => {
    const dialog = open(method, kind, args, true);
    return result(fromQueue(dialog) ?? waitForAnswerFile(dialog));
  };
}

// The answers' types are the fake's own (shape() makes them so), for follows-electron.ts to hold to Electron's.
export const dialog = {
  showMessageBox: asyncDialog(
    'showMessageBox',
    'message',
    (value) => /** @type {{ response: number, checkboxChecked: boolean }} */ (value),
  ),
  showOpenDialog: asyncDialog(
    'showOpenDialog',
    'open',
    (value) => /** @type {{ canceled: boolean, filePaths: string[] }} */ (value),
  ),
  showSaveDialog: asyncDialog(
    'showSaveDialog',
    'save',
    (value) => /** @type {{ canceled: boolean, filePath: string }} */ (value),
  ),
  showMessageBoxSync: syncDialog('showMessageBoxSync', 'message', (value) => value['response']),
  // Electron: the chosen paths, or undefined when cancelled; the chosen path, or '' when cancelled.
  showOpenDialogSync: syncDialog('showOpenDialogSync', 'open', (value) =>
    value['canceled'] === true ? undefined : value['filePaths'],
  ),
  showSaveDialogSync: syncDialog('showSaveDialogSync', 'save', (value) =>
    value['canceled'] === true ? '' : value['filePath'],
  ),
  /** @param {string} title @param {string} content */
  showErrorBox(title, content) {
    record('call', 'dialog.showErrorBox', {
      id: ++nextId,
      kind: 'error',
      sync: true,
      window: null,
      options: { title, message: content },
    });
  },
};

addCommand('dialog-queue', (command) => {
  queue.push({ answer: command['answer'] ?? {}, match: command['match'] ?? {} });
  return queue.length;
});

addCommand('dialog-answer', (command) => {
  const id = Number(command['id']);
  const open = pending.get(id);
  if (open === undefined)
    throw new Error(`no open async dialog ${id} (answered already, or a sync one: answer it with a file)`);
  const shaped = shape(open.dialog, command['answer'] ?? {});
  if (!shaped.ok) {
    record('event', 'dialog.answer-refused', { id, source: 'test', reason: shaped.reason });
    throw new Error(`dialog ${id}: ${shaped.reason}`);
  }
  pending.delete(id);
  record('event', 'dialog.answered', { id, answer: shaped.value, source: 'test' });
  open.settle(shaped.value);
  return shaped.value;
});
