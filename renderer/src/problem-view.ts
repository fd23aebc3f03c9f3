import type { Settings } from '../../shared/settings-schema.ts';
import { copyButton } from './copy-button.ts';
import { errorMessage, h, replace, setText, uid } from './dom.ts';
import type { ProblemAction, ProblemView } from './problem-model.ts';
import { sameProblem } from './problem-model.ts';

export interface ProblemHandlers {
  /** Main copies the install command (the window names it, main builds it). */
  readonly copyCommand: () => Promise<void>;
  /** Main's own file chooser; the answer says what it did. */
  readonly locate: () => Promise<string>;
  readonly openSetting: (key: keyof Settings) => void;
  readonly cancelRestart: () => Promise<void>;
  readonly announce: (text: string) => void;
}

export interface ProblemBlock {
  readonly element: HTMLElement;
  /** Shows `view` (or hides the block for null); the same view again changes nothing. */
  render(view: ProblemView | null): void;
}

/**
 * The one way the window shows a problem: what (the heading), why, what the app saw (places
 * looked at, the log lines), a command to run, and the next step with the actions that lead there.
 * `prefix` names the parts for tests and for the app harness (`failure-message`, `failure-log`).
 */
export function createProblemBlock(prefix: string, testid: string, handlers: ProblemHandlers): ProblemBlock {
  const element = h('section', { class: 'problem', 'data-testid': testid, hidden: true });
  let shown: ProblemView | null = null;
  const say = (outcome: HTMLElement, text: string): void => {
    setText(outcome, text);
    handlers.announce(text);
  };

  function actionButton(action: ProblemAction, outcome: HTMLElement): HTMLButtonElement {
    switch (action.kind) {
      case 'locate': {
        const button = h('button', { type: 'button' }, 'Locate msbserver…');
        button.addEventListener('click', () => {
          button.disabled = true;
          setText(outcome, '');
          handlers
            .locate()
            .then(
              (text) => say(outcome, text),
              (error: unknown) => say(outcome, errorMessage(error)),
            )
            .finally(() => {
              button.disabled = false;
            });
        });
        return button;
      }
      case 'setting': {
        const button = h('button', { type: 'button' }, action.label);
        button.addEventListener('click', () => handlers.openSetting(action.key));
        return button;
      }
      case 'cancel-restart': {
        const button = h('button', { type: 'button', class: 'primary' }, 'Cancel restart');
        button.addEventListener('click', () => {
          button.disabled = true;
          setText(outcome, '');
          handlers.cancelRestart().then(
            () => undefined,
            (error: unknown) => {
              button.disabled = false;
              say(outcome, `The restart was not cancelled: ${errorMessage(error)}`);
            },
          );
        });
        return button;
      }
    }
  }

  function render(view: ProblemView | null): void {
    if (sameProblem(view, shown)) return;
    shown = view;
    element.hidden = view === null;
    if (view === null) {
      replace(element);
      delete element.dataset['tone'];
      return;
    }
    element.dataset['tone'] = view.tone;
    element.dataset['kind'] = view.kind;
    const titleId = uid(`${prefix}-title`);
    element.setAttribute('aria-labelledby', titleId);
    // Said to screen readers through the window's notices: the pill stays the one status region.
    const outcome = h('p', { class: 'problem-outcome', 'data-testid': `${prefix}-outcome` });
    const command =
      view.command === null
        ? null
        : h(
            'div',
            { class: 'command' },
            h('code', { class: 'command-text', 'data-testid': `${prefix}-command` }, view.command),
            copyButton({
              label: 'Copy',
              className: 'small',
              copy: handlers.copyCommand,
              done: () => 'Copied',
              announce: handlers.announce,
              testid: `${prefix}-copy-command`,
            }),
          );
    const actions = view.actions.map((action) => actionButton(action, outcome));
    replace(
      element,
      h('h2', { id: titleId }, view.title),
      h('p', { 'data-testid': `${prefix}-message` }, view.why),
      view.detail !== '' ? h('p', { class: 'muted', 'data-testid': `${prefix}-detail` }, view.detail) : null,
      view.log.length > 0
        ? h(
            'div',
            { class: 'problem-part' },
            h('p', { class: 'muted' }, 'Last lines of the server log:'),
            h('pre', { class: 'log-excerpt', tabindex: '0', 'data-testid': `${prefix}-log` }, view.log.join('\n')),
          )
        : null,
      view.list !== null && view.list.items.length > 0
        ? h(
            'div',
            { class: 'problem-part' },
            ...(view.list.label === '' ? [] : [h('p', { class: 'muted' }, view.list.label)]),
            h(
              'ul',
              { class: view.list.plain === true ? 'plain-list' : 'mono searched', 'data-testid': `${prefix}-searched` },
              ...view.list.items.map((item) => h('li', {}, item)),
            ),
          )
        : null,
      h('p', { class: 'problem-next', 'data-testid': `${prefix}-next` }, h('strong', {}, 'Next: '), view.next),
      command,
      actions.length > 0 ? h('div', { class: 'actions' }, ...actions) : null,
      outcome,
    );
  }

  return { element, render };
}
