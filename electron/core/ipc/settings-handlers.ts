/**
 * The settings channels' handlers: what the window may change alone is applied, what it may not
 * decide alone (user-decisions.ts) is asked natively first, and the two program paths are chosen
 * only through the native file chooser and checked before they are kept.
 */
import os from 'node:os';
import path from 'node:path';
import type { InvokeChannel, SettingsView } from '../../../shared/contract.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import type { FileChooserPort } from '../desktop/desktop-ports.ts';
import { runId } from '../keys/mint-service.ts';
import { checkServerExecutable } from '../programs/executable-check.ts';
import type { ServerControl } from '../server/server-control.ts';
import type { SettingsStore } from '../settings.ts';
import { HandlerError, type HandlerGroup } from './handler-error.ts';
import type { QuestionKind } from '../desktop/desktop-ports.ts';
import { settingsDecision } from './user-decisions.ts';
import type { WindowQuestions } from './window-questions.ts';

export type SettingsChannel = Extract<InvokeChannel, `settings:${string}`>;

export interface SettingsHandlerDeps {
  readonly control: Pick<ServerControl, 'snapshot'>;
  readonly settings: SettingsStore;
  readonly fileChooser: FileChooserPort;
}

export interface SettingsHandlers {
  readonly handlers: HandlerGroup<SettingsChannel>;
  /** The settings as the window sees them, with whether the running server still needs a restart. */
  readonly settingsView: () => SettingsView;
  /** Settings' Choose… for msbserver (the tray's Locate msbserver… too). */
  readonly chooseMsbserver: () => Promise<SettingsView>;
}

type ProgramSetting = 'msbserverPath' | 'msbPath';

export function createSettingsHandlers(
  deps: SettingsHandlerDeps,
  questions: Pick<WindowQuestions, 'oneQuestionAtATime' | 'confirmAll'>,
): SettingsHandlers {
  /** The run that was live when a restart setting last changed. */
  let restartPendingFor: string | null = null;

  const settingsView = (): SettingsView => {
    const id = runId(deps.control.snapshot());
    return { settings: deps.settings.get(), restartNeeded: id !== null && id === restartPendingFor };
  };

  const applySettings = (patch: Partial<Settings>): SettingsView => {
    const result = deps.settings.update(patch);
    if (!result.ok) {
      // The request was validated with the same rules, so this is not expected.
      throw new HandlerError('invalid-input', 'The settings update was refused.');
    }
    if (result.restartNeeded) restartPendingFor = runId(deps.control.snapshot()) ?? restartPendingFor;
    return settingsView();
  };

  const setSettings = async (patch: Partial<Settings>): Promise<SettingsView> => {
    const decision = settingsDecision(deps.settings.get(), patch);
    if (decision.kind === 'refuse') throw new HandlerError('refused', decision.message);
    if (decision.questions.length === 0) return applySettings(patch);
    await questions.confirmAll(decision.questions);
    // The settings may have changed while the dialog was open: decide again on what they are now,
    // and apply only what the user was asked about.
    const now = settingsDecision(deps.settings.get(), patch);
    if (now.kind === 'refuse') throw new HandlerError('refused', now.message);
    const asked = new Set<QuestionKind>(decision.questions.map((question) => question.kind));
    if (now.questions.some((question) => !asked.has(question.kind))) {
      throw new HandlerError('refused', 'The settings changed while you were asked; nothing was saved. Try again.');
    }
    return applySettings(patch);
  };

  /** The native chooser for one program's path; what is chosen is checked as a start would check it. */
  const chooseProgram = async (
    setting: ProgramSetting,
    program: string,
    defaultDir: readonly string[],
  ): Promise<SettingsView> => {
    const current = deps.settings.get()[setting];
    const chosen = await questions.oneQuestionAtATime(() =>
      deps.fileChooser.chooseFile({
        title: `Choose ${program}`,
        buttonLabel: `Use This ${program}`,
        defaultPath: current ?? path.join(os.homedir(), ...defaultDir),
      }),
    );
    if (typeof chosen !== 'string' || chosen === '')
      throw new HandlerError('declined', `No file was chosen: the ${program} path is unchanged.`);
    const verdict = await checkServerExecutable(chosen);
    if (!verdict.ok) throw new HandlerError('refused', `${verdict.problem} The ${program} path is unchanged.`);
    return applySettings(setting === 'msbPath' ? { msbPath: chosen } : { msbserverPath: chosen });
  };

  const chooseMsbserver = (): Promise<SettingsView> => chooseProgram('msbserverPath', 'msbserver', ['.local', 'bin']);

  const handlers: SettingsHandlers['handlers'] = {
    'settings:get': () => settingsView(),
    'settings:set': setSettings,
    'settings:choose-msbserver': chooseMsbserver,
    'settings:clear-msbserver': () => applySettings({ msbserverPath: null }),
    'settings:choose-msb': () => chooseProgram('msbPath', 'msb', ['.microsandbox', 'bin']),
    'settings:clear-msb': () => applySettings({ msbPath: null }),
  };
  return { handlers, settingsView, chooseMsbserver };
}
