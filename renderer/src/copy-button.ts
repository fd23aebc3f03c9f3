import { errorMessage, h, setText } from './dom.ts';

export interface CopyButtonOptions {
  readonly label: string;
  /** Asks main to copy; the window never hands it text. */
  readonly copy: () => Promise<void>;
  /** What the button says once copied: `Copied`, or `Copied — clears in 30 s` for a key. */
  readonly done: () => string;
  readonly announce: (text: string) => void;
  readonly className?: string;
  readonly testid?: string;
}

/** How long the button keeps its answer before it reads its label again. */
export const COPY_FEEDBACK_MS = 4_000;

/**
 * A Copy button that answers on itself: the confirmation (or the failure) replaces its label for
 * a few seconds, where the eye already is, instead of a line that may be off-screen. The reason
 * of a failure is in its title and announced, so the label stays short.
 */
export function copyButton(options: CopyButtonOptions): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: options.className ?? null, 'data-testid': options.testid ?? null },
    options.label,
  );
  let timer: ReturnType<typeof setTimeout> | null = null;
  const show = (text: string, state: 'done' | 'failed', reason: string | null): void => {
    if (timer !== null) clearTimeout(timer);
    setText(button, text);
    button.dataset['copy'] = state;
    if (reason === null) button.removeAttribute('title');
    else button.title = reason;
    timer = setTimeout(() => {
      timer = null;
      setText(button, options.label);
      delete button.dataset['copy'];
      button.removeAttribute('title');
    }, COPY_FEEDBACK_MS);
  };
  button.addEventListener('click', () => {
    options.copy().then(
      () => {
        const text = options.done();
        show(text, 'done', null);
        options.announce(text);
      },
      (error: unknown) => {
        const reason = errorMessage(error);
        show('Not copied', 'failed', reason);
        options.announce(`Not copied: ${reason}`);
      },
    );
  });
  return button;
}

/** The confirmation for a key copy: main clears the clipboard after the configured delay. */
export function keyCopiedText(clearSeconds: number): string {
  return clearSeconds > 0 ? `Copied — clears in ${clearSeconds} s` : 'Copied';
}
