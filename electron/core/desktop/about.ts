/**
 * What "About Microsandbox Tray" says, for a person and for a bug report: the app's and its
 * runtime's versions, the msbserver in use and the version of the `msb` beside it, and where the
 * logs and settings are. Main shows it in a native dialog and copies it on request.
 */
import path from 'node:path';
import { errorText, type Logger } from '../base/logger.ts';
import { checkServerExecutable } from '../programs/executable-check.ts';
import type { ChoicePort } from './desktop-ports.ts';
import { msbrunUnsafeText, type SetupState } from '../../../shared/setup.ts';
import type { RuntimeView } from '../../../shared/runtime.ts';
import type { AppUpdateOffer } from '../updates/app-updates.ts';

export interface AboutInfo {
  readonly appName: string;
  readonly appVersion: string;
  readonly electron: string;
  readonly chrome: string;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  /** The msbserver the next start runs, or why there is none. */
  readonly msbserver: string;
  /** `msb --version` of the msb beside it, when there is one that answers. */
  readonly msbVersion: string | null;
  readonly home: string;
  readonly appLog: string;
  readonly serverLog: string;
  readonly settingsFile: string;
  /** In the runtime generation: which msb, and the host check line by line; absent otherwise. */
  readonly runtime?: readonly string[];
}

/**
 * `msb --version` beside msbserver (as the installer puts them), or null. Bounded: 3 s. Run only
 * when it passes the checks msbserver itself must pass (nobody but the user or root can change it).
 */
export async function msbVersionBeside(msbserver: string | null, logger: Logger): Promise<string | null> {
  if (msbserver === null) return null;
  const msb = path.join(path.dirname(msbserver), 'msb');
  const verdict = await checkServerExecutable(msb);
  if (!verdict.ok) {
    logger.debug(`msb beside ${msbserver} is not run: ${verdict.problem}`);
    return null;
  }
  try {
    const { execa } = await import('execa');
    const { stdout } = await execa(msb, ['--version'], { timeout: 3_000, reject: true, stdin: 'ignore' });
    const line = stdout.trim().split('\n')[0] ?? '';
    return line === '' ? null : line.slice(0, 200);
  } catch (error) {
    logger.debug(`msb --version beside ${msbserver} gave nothing: ${errorText(error)}`);
    return null;
  }
}

/** What About needs from main that the core cannot know itself. */
export interface AboutFacts {
  readonly appName: string;
  readonly appVersion: string;
  readonly home: string;
  readonly appLog: string;
  readonly serverLog: string;
  readonly settingsFile: string;
}

/** The msbserver line: the one in use, or why there is none. */
export function msbserverFact(setup: SetupState): string {
  switch (setup.kind) {
    case 'ready':
      return setup.msbrun.found ? setup.msbserver : `${setup.msbserver} (no msbrun beside it)`;
    case 'msbrun-unsafe':
      return `${setup.msbserver} (${msbrunUnsafeText(setup.msbrun.problem)})`;
    case 'missing':
      return `not found (${setup.locate.problem})`;
    case 'unsupported':
      return `does not run natively on ${setup.platformName}`;
    case 'unknown':
      return 'not looked for yet';
  }
}

/** Everything About says, from main's facts, the setup and the runtime this process runs in. */
export async function collectAbout(
  facts: AboutFacts,
  setup: SetupState,
  logger: Logger,
  runtime?: RuntimeView,
): Promise<AboutInfo> {
  const runtimeLines = runtime === undefined ? [] : runtimeAboutLines(runtime);
  return {
    ...(runtimeLines.length === 0 ? {} : { runtime: runtimeLines }),
    ...facts,
    electron: process.versions['electron'] ?? 'none (plain Node)',
    chrome: process.versions['chrome'] ?? 'none',
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    msbserver: msbserverFact(setup),
    msbVersion: await msbVersionBeside(
      setup.kind === 'ready' || setup.kind === 'msbrun-unsafe' ? setup.msbserver : null,
      logger,
    ),
  };
}

/** The runtime generation's lines of About: the msb used and the host check, each problem with its fixes. */
export function runtimeAboutLines(view: RuntimeView): string[] {
  if (view.generation !== 'runtime') return [];
  const lines = [
    view.msb === null ? 'msb (runtime): not found' : `msb (runtime): ${view.msb.version} at ${view.msb.path}`,
  ];
  const host = view.state?.host ?? null;
  if (host === null) lines.push('Host check: not run yet');
  else if (host.checks.every((check) => check.state === 'ok')) lines.push('Host check: ready');
  else {
    lines.push(`Host check: ${host.ok ? 'ready, with warnings' : 'sandboxes cannot start'}`);
    for (const check of host.checks.filter((one) => one.state !== 'ok')) {
      lines.push(`  ${check.state === 'fail' ? '✗' : '!'} ${check.name} ${check.detail}`.trimEnd());
      for (const fix of check.fixes) lines.push(`    → ${fix}`);
    }
  }
  return lines;
}

/** The text the About dialog shows and copies. */
export function aboutText(info: AboutInfo): string {
  return [
    `${info.appName} ${info.appVersion}`,
    `Electron ${info.electron} · Chrome ${info.chrome} · Node ${info.node}`,
    `Platform: ${info.platform} (${info.arch})`,
    `msbserver: ${info.msbserver}`,
    `msb: ${info.msbVersion ?? 'not found beside msbserver'}`,
    `Microsandbox home: ${info.home}`,
    `App log: ${info.appLog}`,
    `Server log: ${info.serverLog}`,
    `Settings: ${info.settingsFile}`,
    ...(info.runtime ?? []),
  ].join('\n');
}

/** The buttons of the About dialog, in order. */
export const ABOUT_BUTTONS = ['Copy', 'OK'] as const;

export interface AboutDeps {
  readonly info: () => Promise<AboutInfo>;
  readonly choice: ChoicePort;
  /** Puts the text on the clipboard (plain text that stays: it holds no secret). */
  readonly copy: (text: string) => Promise<void>;
  /** The app's own update: its line and, when there is one to act on, its button. */
  readonly update?: {
    readonly offer: () => AppUpdateOffer;
    readonly restartToUpdate: () => void;
    readonly openReleasePage: () => Promise<void>;
  };
}

/** About's line on the app's own update, and the button that acts on it, if any. */
export function aboutUpdate(offer: AppUpdateOffer): { line: string | null; button: string | null } {
  switch (offer.kind) {
    case 'restart-to-update':
      return { line: `Update: ${offer.version} is downloaded`, button: 'Restart to Update' };
    case 'restart-later':
      return { line: `Update: ${offer.version} is downloaded; ${offer.reason} Restart to Update waits.`, button: null };
    case 'release-page':
      return { line: `Update: ${offer.version} is available`, button: 'Open Release Page' };
    case 'downloading':
      return { line: `Update: downloading ${offer.version}`, button: null };
    case 'quiet':
    case 'none':
      return { line: null, button: null };
  }
}

/** Shows About natively; Copy puts all of it on the clipboard for a bug report. */
export async function showAbout(deps: AboutDeps): Promise<void> {
  const info = await deps.info();
  const text = aboutText(info);
  const offer = deps.update?.offer() ?? { kind: 'none' };
  const update = aboutUpdate(offer);
  const buttons = update.button === null ? ABOUT_BUTTONS : (['Copy', update.button, 'OK'] as const);
  const answer = await deps.choice.choose({
    title: `About ${info.appName}`,
    message: `${info.appName} ${info.appVersion}`,
    detail: update.line === null ? text : `${text}\n${update.line}`,
    buttons,
    cancelIndex: buttons.length - 1,
    defaultIndex: buttons.length - 1,
  });
  if (answer === 0) await deps.copy(text);
  else if (answer === 1 && buttons.length === 3) {
    if (offer.kind === 'release-page') await deps.update?.openReleasePage();
    else deps.update?.restartToUpdate();
  }
}
