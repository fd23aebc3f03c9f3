/** Electron's native dialogs behind the core's question ports, attached to the window when one is open. */
import { dialog } from 'electron';
import type { BrowserWindow } from 'electron';
import type { ChoicePort, ConfirmPort, FileChooserPort } from '../core/desktop/desktop-ports.ts';

export function dialogPorts(parent: () => BrowserWindow | null): ConfirmPort & ChoicePort & FileChooserPort {
  const show = async (options: Electron.MessageBoxOptions): Promise<number> => {
    const window = parent();
    const answer =
      window !== null ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
    return answer.response;
  };
  return {
    async confirm(question) {
      const response = await show({
        type: 'question',
        title: question.title,
        message: question.message,
        ...(question.detail === undefined ? {} : { detail: question.detail }),
        buttons: ['Cancel', question.confirmLabel ?? 'Continue'],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      });
      return response === 1;
    },
    choose(question) {
      return show({
        type: 'question',
        title: question.title,
        message: question.message,
        ...(question.detail === undefined ? {} : { detail: question.detail }),
        buttons: [...question.buttons],
        defaultId: question.defaultIndex ?? question.cancelIndex,
        cancelId: question.cancelIndex,
        noLink: true,
      });
    },
    async chooseFile(options) {
      const window = parent();
      const dialogOptions: Electron.OpenDialogOptions = {
        title: options.title,
        properties: ['openFile', 'dontAddToRecent'],
        ...(options.defaultPath === undefined ? {} : { defaultPath: options.defaultPath }),
        ...(options.buttonLabel === undefined ? {} : { buttonLabel: options.buttonLabel }),
      };
      const result =
        window !== null
          ? await dialog.showOpenDialog(window, dialogOptions)
          : await dialog.showOpenDialog(dialogOptions);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
