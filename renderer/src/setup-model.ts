/**
 * The first-run state as pure data: whether microsandbox is there to run (shared/setup.ts), and
 * what the window says when it is not.
 */
import type { AppInfo } from '../../shared/contract.ts';
import type { FailureCode } from '../../shared/server-status.ts';
import {
  INSTALL_COMMAND,
  MSBRUN_UNSAFE_FIX,
  MSBRUN_UNSAFE_WHY,
  msbrunUnsafeText,
  unsupportedPlatform,
} from '../../shared/setup.ts';
import type { SetupState } from '../../shared/setup.ts';
import { problem } from './problem-model.ts';
import type { ProblemView } from './problem-model.ts';

/** The failures a setup problem already explains: the failure card would say it a second time. */
export const SETUP_FAILURES: ReadonlySet<FailureCode> = new Set<FailureCode>([
  'not-found',
  'not-executable',
  'unsafe-executable',
  'unsafe-msbrun',
  'unsupported-platform',
]);

const AFTER_INSTALL = 'The app then finds it by itself and Start becomes available.';

/**
 * `serverRuns`: a server started outside the app runs although the app finds no msbserver of its
 * own (the CLI found one on a PATH the app does not see): then nothing is "not installed".
 */
export function setupProblem(setup: SetupState, info: AppInfo | null, serverRuns = false): ProblemView | null {
  const platform = unsupportedPlatform(setup, info?.platform ?? null);
  if (platform !== null) {
    return problem({
      kind: 'unsupported',
      tone: 'warn',
      title: `microsandbox does not run natively on ${platform}`,
      why: 'msbserver runs its sandboxes as microVMs on Linux and macOS only, so Start stays off here.',
      next: 'Install and run microsandbox inside WSL 2 (or on a Linux machine) and use its msb CLI there.',
    });
  }
  if (setup.kind === 'missing') {
    const { locate } = setup;
    const notInstalled = locate.reason !== 'unsafe' && locate.problem.startsWith('msbserver was not found');
    if (notInstalled && serverRuns) {
      return problem({
        kind: 'not-found-while-running',
        tone: 'warn',
        title: 'The app cannot find msbserver',
        why:
          'A server started outside the app runs, but the app finds no msbserver where it looks, ' +
          'so it could not start or restart one itself.',
        list: { label: 'Places looked at:', items: locate.searched },
        next: 'Locate the msbserver you use so the app can start it too; the running server is not touched.',
        actions: [{ kind: 'locate' }],
      });
    }
    if (notInstalled) {
      return problem({
        kind: 'first-run',
        tone: 'warn',
        title: 'microsandbox is not installed',
        why: 'The app runs microsandbox’s msbserver, and there is none where it looks.',
        list: { label: 'Places looked at:', items: locate.searched },
        command: INSTALL_COMMAND,
        next: `Install it with this command in a terminal, or locate an msbserver you have. ${AFTER_INSTALL}`,
        actions: [{ kind: 'locate' }],
      });
    }
    return problem({
      kind: 'unusable',
      tone: 'bad',
      title: locate.reason === 'unsafe' ? 'msbserver was not run' : 'msbserver cannot be used',
      why: locate.problem,
      list: locate.searched.length > 0 ? { label: 'Places looked at:', items: locate.searched } : null,
      command: locate.reason === 'unsafe' ? null : INSTALL_COMMAND,
      next:
        locate.reason === 'unsafe'
          ? 'Fix the file or folder as said above, or locate another msbserver. The app looks again by itself.'
          : `Install microsandbox with this command, or locate another msbserver. ${AFTER_INSTALL}`,
      actions: [{ kind: 'locate' }],
    });
  }
  if (setup.kind === 'msbrun-unsafe') {
    return problem({
      kind: 'msbrun-unsafe',
      tone: 'bad',
      title: 'msbrun is unsafe: the app will not start the server',
      why: `${msbrunUnsafeText(setup.msbrun.problem)} ${MSBRUN_UNSAFE_WHY}`,
      detail: `msbserver: ${setup.msbserver}`,
      list: setup.msbrun.searched.length > 0 ? { label: 'msbrun looked at:', items: setup.msbrun.searched } : null,
      next: `${MSBRUN_UNSAFE_FIX} The app looks again by itself.`,
    });
  }
  if (setup.kind === 'ready' && !setup.msbrun.found) {
    return problem({
      kind: 'msbrun-missing',
      tone: 'warn',
      title: 'msbrun is missing beside msbserver: sandboxes cannot start',
      why:
        `The server can run (${setup.msbserver}), but every sandbox is started by msbrun, and ` +
        `there is none beside it.`,
      list: setup.msbrun.searched.length > 0 ? { label: 'Places looked at:', items: setup.msbrun.searched } : null,
      command: INSTALL_COMMAND,
      next: 'Install microsandbox again with this command: it puts msbrun beside msbserver. The app sees it by itself.',
    });
  }
  return null;
}
