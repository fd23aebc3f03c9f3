import { describe, expect, it } from 'vitest';
import { QuestionGate, type DialogPorts } from '../../../../electron/core/desktop/question-gate.ts';

/** Dialogs that stay open until the test answers them, recording how many are open at once. */
function openDialogs(): { ports: DialogPorts; shown: string[]; answer(value: unknown): void; maxOpen(): number } {
  const pending: ((value: unknown) => void)[] = [];
  const shown: string[] = [];
  let open = 0;
  let most = 0;
  const show = <T>(title: string): Promise<T> => {
    shown.push(title);
    open += 1;
    most = Math.max(most, open);
    return new Promise<T>((resolve) => {
      pending.push((value) => {
        open -= 1;
        resolve(value as T);
      });
    });
  };
  return {
    ports: {
      confirm: (question) => show<boolean>(question.title),
      choose: (question) => show<number>(question.title),
      chooseFile: (options) => show<string | null>(options.title),
    },
    shown,
    answer: (value) => pending.shift()?.(value),
    maxOpen: () => most,
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('QuestionGate', () => {
  it('shows one native question at a time, in the order asked, whoever asks (window, tray, quit)', async () => {
    const dialogs = openDialogs();
    const gate = new QuestionGate();
    const ports = gate.gated(dialogs.ports);
    const fromWindow = ports.confirm({ title: 'window', message: '' });
    const fromTray = ports.choose({ title: 'tray', message: '', buttons: ['Stop', 'Cancel'], cancelIndex: 1 });
    const atQuit = ports.confirm({ title: 'quit', message: '' });
    await settle();
    expect(dialogs.shown).toEqual(['window']);
    expect(gate.busy).toBe(true);
    dialogs.answer(false);
    expect(await fromWindow).toBe(false);
    await settle();
    expect(dialogs.shown).toEqual(['window', 'tray']);
    dialogs.answer(0);
    expect(await fromTray).toBe(0);
    await settle();
    dialogs.answer(true);
    expect(await atQuit).toBe(true);
    expect(dialogs.maxOpen()).toBe(1);
    expect(gate.busy).toBe(false);
  });

  it('goes on to the next question when one fails, and the failure reaches its own caller', async () => {
    const gate = new QuestionGate();
    const failing = gate.run(() => Promise.reject(new Error('no display')));
    const next = gate.run(() => Promise.resolve('asked'));
    await expect(failing).rejects.toThrow('no display');
    expect(await next).toBe('asked');
  });
});
