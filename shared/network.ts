/**
 * Everything the app itself sends over the network beyond this computer, with the setting that
 * turns it off (null: it happens only when the user asks, each time). Settings and the README
 * show this list; a new use of the network is added here first.
 */
import type { Settings } from './settings-schema.ts';

/** The settings that turn a use off; Settings shows each beside its use. */
export type NetworkSwitch = Extract<keyof Settings, 'checkForAppUpdates' | 'checkForMicrosandboxUpdates'>;

export interface NetworkUse {
  readonly id: 'app-update-check' | 'app-update-download' | 'microsandbox-release-check' | 'microsandbox-self-update';
  /** What is asked, in a person's words. */
  readonly what: string;
  readonly where: string;
  readonly when: string;
  readonly setting: NetworkSwitch | null;
}

export const NETWORK_USES: readonly NetworkUse[] = Object.freeze([
  {
    id: 'app-update-check',
    what: 'Is there a newer Microsandbox Tray? (the release feed, latest*.yml)',
    where: 'github.com (the app’s releases)',
    when: 'A minute after launch, then once a day',
    setting: 'checkForAppUpdates',
  },
  {
    id: 'app-update-download',
    what: 'The newer app’s package, downloaded in the background',
    where: 'github.com (the app’s releases)',
    when: 'When a check found a newer version',
    setting: 'checkForAppUpdates',
  },
  {
    id: 'microsandbox-release-check',
    what: 'microsandbox’s latest release (version only)',
    where: 'api.github.com/repos/superradcompany/microsandbox/releases/latest',
    when: 'At most once a day, runtime generation only',
    setting: 'checkForMicrosandboxUpdates',
  },
  {
    id: 'microsandbox-self-update',
    what: '`msb self update`: msb downloads and installs its latest release',
    where: 'What msb itself reaches (GitHub releases)',
    when: 'Only when you choose Update microsandbox',
    setting: null,
  },
] satisfies NetworkUse[]);
