/**
 * The native questions the window's requests lead to. One at a time: while one is open, a request
 * that would need another is refused. Consent by repetition (a window asking again and again
 * until a yes) does not work: after a no, the same kind of question is asked again only once the
 * user has done something real in the window since (`noteUserGesture`).
 */
import { errorText, type Logger } from '../base/logger.ts';
import type { ChoicePort, ConfirmPort } from '../desktop/desktop-ports.ts';
import { HandlerError } from './handler-error.ts';
import type { QuestionKind, UserQuestion } from '../desktop/desktop-ports.ts';

export interface WindowQuestionDeps {
  readonly confirm: ConfirmPort;
  readonly choice: ChoicePort;
  readonly logger: Logger;
}

export interface WindowQuestions {
  /** Runs `ask` (one native question) unless another is open: then a `refused` HandlerError. */
  readonly oneQuestionAtATime: <T>(ask: () => Promise<T>) => Promise<T>;
  /**
   * Runs a flow that may ask native questions (Stop's): the first question takes the one-question
   * turn (refused while another is open), which is held until the flow ends, so its later
   * questions are not overtaken either. A flow that asks nothing takes no turn.
   */
  readonly withQuestionTurn: <T>(flow: (choice: ChoicePort) => Promise<T>) => Promise<T>;
  /** Asks each question in turn; the first no (or a dialog that fails) ends it with `declined`. */
  readonly confirmAll: (questions: readonly UserQuestion[]) => Promise<void>;
  /** A real user gesture in the window: a question the user said no to may be asked again. */
  readonly noteUserGesture: () => void;
}

const BUSY = 'Microsandbox Tray is already waiting for your answer to another question; answer it first.';

export function createWindowQuestions(deps: WindowQuestionDeps): WindowQuestions {
  /** Set while a native question is open; another one is not stacked on it. */
  let asking = false;
  let gestures = 0;
  /** The gesture count at each kind's last no. */
  const declinedAt = new Map<QuestionKind, number>();

  const oneQuestionAtATime = async <T>(ask: () => Promise<T>): Promise<T> => {
    if (asking) throw new HandlerError('refused', BUSY);
    asking = true;
    try {
      return await ask();
    } finally {
      asking = false;
    }
  };

  const withQuestionTurn = async <T>(flow: (choice: ChoicePort) => Promise<T>): Promise<T> => {
    let held = false;
    const choice: ChoicePort = {
      choose: (question) => {
        if (!held) {
          if (asking) return Promise.reject(new HandlerError('refused', BUSY));
          asking = true;
          held = true;
        }
        return deps.choice.choose(question);
      },
    };
    try {
      return await flow(choice);
    } finally {
      if (held) asking = false;
    }
  };

  const confirmAll = (questions: readonly UserQuestion[]): Promise<void> =>
    oneQuestionAtATime(async () => {
      for (const question of questions) {
        if (declinedAt.get(question.kind) === gestures)
          throw new HandlerError(
            'refused',
            `You said no to "${question.title}" a moment ago; click in the window (or press a key there) to be ` +
              `asked again.`,
          );
      }
      for (const question of questions) {
        const { kind: _kind, declined, ...asked } = question;
        let yes = false;
        try {
          yes = (await deps.confirm.confirm(asked)) === true;
        } catch (error) {
          deps.logger.warn(
            `The question "${question.title}" could not be shown, so the answer is no: ${errorText(error)}`,
          );
        }
        if (!yes) {
          declinedAt.set(question.kind, gestures);
          throw new HandlerError('declined', declined);
        }
        declinedAt.delete(question.kind);
      }
    });

  const noteUserGesture = (): void => {
    gestures += 1;
  };

  return { oneQuestionAtATime, withQuestionTurn, confirmAll, noteUserGesture };
}
