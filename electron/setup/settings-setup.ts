/**
 * main's settings part: the app's settings in userData, and the microsandbox home every other
 * part reads beside them.
 */
import path from 'node:path';
import { app } from 'electron';
import Store from 'electron-store';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings-schema.ts';
import { notifierPort } from '../adapters/electron-ports.ts';
import type { Logger } from '../core/base/logger.ts';
import { homePaths, resolveHome, type HomePaths } from '../core/home-paths.ts';
import { openSettings, type SettingsStore } from '../core/settings.ts';

export interface SettingsPart {
  readonly settings: SettingsStore;
  /** The microsandbox home, absolute. */
  readonly home: string;
  readonly paths: HomePaths;
}

export function setupSettings(logger: Logger): SettingsPart {
  const settings = openAppSettings(logger);
  // As the controller uses it: msb reads a relative one from its own working directory.
  const home = path.resolve(resolveHome());
  return { settings, home, paths: homePaths(home) };
}

/** The settings in userData; a corrupt file is moved aside and the user told. */
function openAppSettings(log: Logger): SettingsStore {
  const userData = app.getPath('userData');
  const opened = openSettings(
    () => new Store<Settings>({ name: 'settings', cwd: userData, defaults: { ...DEFAULT_SETTINGS } }),
    path.join(userData, 'settings.json'),
  );
  if (opened.invalidFields.length > 0)
    log.warn(`Settings with invalid values run on their defaults: ${opened.invalidFields.join(', ')}`);
  if (opened.recovered !== null)
    notifierPort.notify({ title: 'Settings were reset', body: `${opened.recovered.reason} A copy was kept.` });
  return opened.store;
}
