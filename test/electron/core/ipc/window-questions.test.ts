// The window's native questions: one at a time, and after a no the same kind is asked again only
// once the user did something real in the window. The dialogs are ports main fills with Electron's;
// here they are answered by the test, which also holds them open.
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../../electron/core/base/logger.ts';
import type { ChoicePort, ConfirmPort } from '../../../../electron/core/desktop/desktop-ports.ts';
import { HandlerError } from '../../../../electron/core/ipc/handler-error.ts';
import { forceStopQuestion, removeSandboxQuestion } from '../../../../electron/core/desktop/sandbox-questions.ts';
import { createWindowQuestions } from '../../../../electron/core/ipc/window-questions.ts';

/** Dialogs the test answers one by one; each stays open until answered. */
function dialogs() {
  const open: { title: string; answer: (yes: boolean | Error) => void }[] = [];
  const confirm: ConfirmPort = {
    confirm: (question) =>
      new Promise<boolean>((resolve, reject) => {
        open.push({ title: question.title, answer: (yes) => (yes instanceof Error ? reject(yes) : resolve(yes)) });
      }),
  };
  const choices: string[] = [];
  const choice: ChoicePort = {
    choose: (question) => {
      choices.push(question.title);
      return Promise.resolve(0);
    },
  };
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message) => void warnings.push(message), error() {} };
  return { open, confirm, choice, choices, warnings, logger };
}

async function refusal(promise: Promise<unknown>): Promise<HandlerError> {
  const error: unknown = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HandlerError);
  return error as HandlerError;
}

describe('window questions', () => {
  it('refuses a second question while one is open, and asks it once the first was answered', async () => {
    const d = dialogs();
    const questions = createWindowQuestions(d);
    const first = questions.confirmAll([forceStopQuestion('web')]);
    await expect.poll(() => d.open.length).toBe(1);
    const second = await refusal(questions.confirmAll([removeSandboxQuestion('db')]));
    expect(second.code).toBe('refused');
    expect(second.message).toMatch(/already waiting for your answer/);
    d.open[0]?.answer(true);
    await expect(first).resolves.toBeUndefined();
    const again = questions.confirmAll([removeSandboxQuestion('db')]);
    await expect.poll(() => d.open.length).toBe(2);
    d.open[1]?.answer(true);
    await expect(again).resolves.toBeUndefined();
  });

  it('after a no, refuses the same kind without asking until a user gesture, and asks other kinds', async () => {
    const d = dialogs();
    const questions = createWindowQuestions(d);
    const asked = questions.confirmAll([forceStopQuestion('web')]);
    await expect.poll(() => d.open.length).toBe(1);
    d.open[0]?.answer(false);
    expect((await refusal(asked)).code).toBe('declined');

    const repeated = await refusal(questions.confirmAll([forceStopQuestion('web')]));
    expect(repeated.code).toBe('refused');
    expect(repeated.message).toMatch(/said no .* a moment ago/);
    expect(d.open).toHaveLength(1);

    const other = questions.confirmAll([removeSandboxQuestion('web')]);
    await expect.poll(() => d.open.length).toBe(2);
    d.open[1]?.answer(true);
    await expect(other).resolves.toBeUndefined();

    questions.noteUserGesture();
    const afterGesture = questions.confirmAll([forceStopQuestion('web')]);
    await expect.poll(() => d.open.length).toBe(3);
    d.open[2]?.answer(true);
    await expect(afterGesture).resolves.toBeUndefined();
  });

  it('takes a dialog that fails for a no, and logs why', async () => {
    const d = dialogs();
    const questions = createWindowQuestions(d);
    const asked = questions.confirmAll([forceStopQuestion('web')]);
    await expect.poll(() => d.open.length).toBe(1);
    d.open[0]?.answer(new Error('no display'));
    expect((await refusal(asked)).code).toBe('declined');
    expect(d.warnings).toEqual([expect.stringMatching(/could not be shown, so the answer is no: no display/)]);
  });

  it("holds a flow's turn from its first question to its end; a flow that asks nothing takes none", async () => {
    const d = dialogs();
    const questions = createWindowQuestions(d);
    await expect(questions.withQuestionTurn(() => Promise.resolve('quiet'))).resolves.toBe('quiet');

    let finish: () => void = () => undefined;
    const flow = questions.withQuestionTurn(async (choice) => {
      await choice.choose({
        title: 'Stop the sandboxes too?',
        message: 'm',
        buttons: ['Yes', 'Cancel'],
        cancelIndex: 1,
      });
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return choice.choose({ title: 'And the server?', message: 'm', buttons: ['Yes', 'Cancel'], cancelIndex: 1 });
    });
    await expect.poll(() => d.choices.length).toBe(1);
    // Between the flow's two questions, the window's own question is not let in.
    expect((await refusal(questions.confirmAll([forceStopQuestion('web')]))).code).toBe('refused');
    finish();
    await expect(flow).resolves.toBe(0);
    expect(d.choices).toEqual(['Stop the sandboxes too?', 'And the server?']);

    const after = questions.confirmAll([forceStopQuestion('web')]);
    await expect.poll(() => d.open.length).toBe(1);
    d.open[0]?.answer(true);
    await expect(after).resolves.toBeUndefined();
  });
});
