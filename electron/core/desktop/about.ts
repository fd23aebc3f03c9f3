/**
 * What "About Microsandbox Tray" says, for a person and for a bug report: the app's and its
 * runtime's versions, the msbserver in use and the version of the `msb` beside it, and where the
 * logs and settings are. Main shows it in a native dialog and copies it on request.
 */
import path from 'node:path';
import { errorText, type Logger } from '../logger.ts';

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
}

/** `msb --version` beside msbserver (as the installer puts them), or null. Bounded: 3 s. */
export async function msbVersionBeside(msbserver: string | null, logger: Logger): Promise<string | null> {
  if (msbserver === null) return null;
  const msb = path.join(path.dirname(msbserver), 'msb');
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
  ].join('\n');
}
