/**
 * The one gate every native question of the app goes through (the window's, the tray's, the
 * quit question): one dialog at a time, the others waiting their turn in order, so two native
 * dialogs are never open at once and an answer is never given to a question that was not yet
 * in front of the user. Plain Node: it wraps the dialog ports main builds.
 */
import type { ChoicePort, ConfirmPort, FileChooserPort } from './desktop-ports.ts';

export type DialogPorts = ConfirmPort & ChoicePort & FileChooserPort;

export class QuestionGate {
  #tail: Promise<unknown> = Promise.resolve();
  #open = 0;

  /** True while a question is open or waiting. */
  get busy(): boolean {
    return this.#open > 0;
  }

  /** Runs `ask` once every question before it has been answered (or failed). */
  run<T>(ask: () => Promise<T>): Promise<T> {
    this.#open += 1;
    const turn = this.#tail.then(ask);
    // The next question waits for this one to end, however it ends; its own caller sees a failure.
    this.#tail = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn.finally(() => {
      this.#open -= 1;
    });
  }

  /** The same ports, each question through this gate. */
  gated(ports: DialogPorts): DialogPorts {
    return {
      confirm: (question) => this.run(() => ports.confirm(question)),
      choose: (question) => this.run(() => ports.choose(question)),
      chooseFile: (options) => this.run(() => ports.chooseFile(options)),
    };
  }
}
