import { platformName, serverRunsOn, type SetupState } from '../../../shared/setup.ts';
import { locateMsbrun, locateMsbserver } from '../programs/locate.ts';

export interface SetupCheckOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly settingsPath: string | null;
  readonly platform: NodeJS.Platform;
  readonly userHome: string;
}

/** Looks for msbserver (and msbrun beside it) the way a start would, and judges them as it does. */
export async function checkSetup(options: SetupCheckOptions): Promise<SetupState> {
  if (!serverRunsOn(options.platform)) return { kind: 'unsupported', platformName: platformName(options.platform) };
  const located = await locateMsbserver({
    env: options.env,
    settingsPath: options.settingsPath,
    platform: options.platform,
    userHome: options.userHome,
  });
  if (!located.found) return { kind: 'missing', locate: located };
  const msbrun = await locateMsbrun(located.path, options.env);
  // A start refuses it (start.ts): said before anyone presses Start, with which file and why.
  if (msbrun.unsafe !== undefined)
    return {
      kind: 'msbrun-unsafe',
      msbserver: located.path,
      msbrun: { searched: msbrun.searched, problem: msbrun.unsafe },
    };
  return { kind: 'ready', msbserver: located.path, msbrun: { found: msbrun.found, searched: msbrun.searched } };
}
