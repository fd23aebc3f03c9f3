/**
 * One shape for every problem the window shows (first run, msbrun missing or unsafe, an unsupported
 * platform, a failed start, a crash, a hung server): what happened, why, what the app saw, and
 * the next step, with at most a few actions that lead there.
 */
import type { Settings } from '../../shared/settings-schema.ts';

/** `hung`: as the hung server's pill, neither a failure's red nor a warning's amber. */
export type ProblemTone = 'bad' | 'warn' | 'busy' | 'hung';

export type ProblemAction =
  /** Main's native file chooser for msbserver. */
  | { readonly kind: 'locate' }
  /** Settings, with this field focused. */
  | { readonly kind: 'setting'; readonly key: keyof Settings; readonly label: string }
  /** Calls off the automatic restart after a crash. */
  | { readonly kind: 'cancel-restart' };

export interface ProblemView {
  /** What the problem is about; a block is rebuilt only when its view changes. */
  readonly kind: string;
  readonly tone: ProblemTone;
  /** What happened, as a heading. */
  readonly title: string;
  /** Why, in a sentence or two. */
  readonly why: string;
  /** A fact that adds to why (`Exit code 3`), or ''. */
  readonly detail: string;
  /** Places looked at, with what they are (shown as code unless `plain`: sentences). */
  readonly list: { readonly label: string; readonly items: readonly string[]; readonly plain?: boolean } | null;
  /** The last lines of the server log. */
  readonly log: readonly string[];
  /** A command to run in a terminal (shown as code, copied by main). */
  readonly command: string | null;
  /** What to do now. */
  readonly next: string;
  readonly actions: readonly ProblemAction[];
}

export function problem(
  fields: Pick<ProblemView, 'kind' | 'tone' | 'title' | 'why' | 'next'> & Partial<ProblemView>,
): ProblemView {
  return { detail: '', list: null, log: [], command: null, actions: [], ...fields };
}

/** Whether two views would render the same block. */
export function sameProblem(a: ProblemView | null, b: ProblemView | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
