import fs from 'node:fs';
import os from 'node:os';
import {
  expandHomePath,
  PATH_KEYS,
  RESTART_KEYS,
  sanitizeSettings,
  validateSettingsPatch,
} from '../../shared/settings-schema.ts';
import type { FieldErrors, Settings } from '../../shared/settings-schema.ts';

/**
 * The part of conf (and of electron-store, which extends it) that the settings need. Taking it
 * as an argument keeps Electron out of the core and lets tests use conf with a temp directory.
 * `store` is only `object` so that a typed `Conf<Settings>` or `Store<Settings>` fits without a
 * cast: its content is validated field by field anyway.
 */
export interface SettingsBackingStore {
  readonly path: string;
  readonly store: object;
  set(values: Record<string, unknown>): void;
}

export interface OpenedSettings {
  store: SettingsStore;
  /** Set when the settings file could not be read and was moved aside. */
  recovered: { movedTo: string; reason: string } | null;
  /** Fields of the file that were invalid and are running on their defaults. */
  invalidFields: (keyof Settings)[];
}

export type SettingsUpdateResult =
  { ok: true; settings: Settings; restartNeeded: boolean } | { ok: false; errors: FieldErrors; unknownKeys: string[] };

/**
 * Validated settings over a backing store. Reads come from a snapshot taken at open and kept
 * current by `update`, so a read never touches the disk and never sees a half-edited file; a
 * change made to the file by hand while the app runs is picked up at the next launch.
 *
 * Invalid values found in the file are not rewritten: the file may have been edited by hand, and
 * replacing a typo with a default would lose what the user meant. They run on their defaults,
 * are reported by `openSettings`, and are replaced when that setting is next saved.
 */
export class SettingsStore {
  readonly #backing: SettingsBackingStore;
  readonly #homeDir: string;
  #current: Settings;
  readonly #listeners = new Set<(settings: Settings) => void>();

  /** `homeDir` expands a path typed as `~/…`: what the app uses and stores is always a full path. */
  constructor(backing: SettingsBackingStore, homeDir: string = os.homedir()) {
    this.#backing = backing;
    this.#homeDir = homeDir;
    this.#current = this.#expanded(sanitizeSettings(backing.store).settings);
  }

  #expanded<T extends Partial<Settings>>(values: T): T {
    const out: T = { ...values };
    for (const key of PATH_KEYS) {
      const value = out[key];
      if (typeof value === 'string') out[key] = expandHomePath(value, this.#homeDir);
    }
    return out;
  }

  get(): Settings {
    return { ...this.#current };
  }

  /** Validates first: when anything is wrong, nothing is written. */
  update(patch: unknown): SettingsUpdateResult {
    const checked = validateSettingsPatch(patch);
    if (!checked.ok) return checked;
    const values = this.#expanded(checked.value);
    const previous = this.#current;
    const next: Settings = { ...previous, ...values };
    const changed = (Object.keys(values) as (keyof Settings)[]).filter((key) => previous[key] !== next[key]);
    if (Object.keys(values).length > 0) this.#backing.set({ ...values });
    this.#current = next;
    const restartNeeded = changed.some((key) => RESTART_KEYS.includes(key));
    // Listeners run like EventEmitter listeners: in order, and a throw reaches the caller.
    if (changed.length > 0) for (const listener of [...this.#listeners]) listener(this.get());
    return { ok: true, settings: this.get(), restartNeeded };
  }

  /** Called after every update that changed a value; returns the unsubscribe function. */
  onChange(listener: (settings: Settings) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

/**
 * Opens the settings. A file that is not valid JSON (conf throws a SyntaxError on it) is moved
 * aside to `<file>.corrupt-<time>` with a note beside it, so nothing the user wrote is lost, and
 * the app starts on defaults. Any other failure, such as a permission error, is thrown: moving
 * the file would not fix it.
 */
export function openSettings(
  createStore: () => SettingsBackingStore,
  settingsFile: string,
  clock: () => Date = () => new Date(),
): OpenedSettings {
  let backing: SettingsBackingStore;
  let recovered: OpenedSettings['recovered'] = null;
  try {
    backing = createStore();
  } catch (error) {
    if (!isParseError(error) || !fs.existsSync(settingsFile)) throw error;
    const when = clock();
    const reason = `The settings file was not valid JSON (${error.message}).`;
    const movedTo = moveAside(settingsFile, when);
    writeNote(`${movedTo}.txt`, settingsFile, reason, when);
    recovered = { movedTo, reason };
    backing = createStore();
  }
  const { invalid } = sanitizeSettings(backing.store);
  return { store: new SettingsStore(backing), recovered, invalidFields: invalid };
}

function isParseError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'SyntaxError';
}

function moveAside(settingsFile: string, when: Date): string {
  const base = `${settingsFile}.corrupt-${when.toISOString().replaceAll(':', '-')}`;
  // rename() silently replaces an existing file, so never reuse a name (two recoveries in the
  // same millisecond, or a clock that went backwards).
  let target = base;
  for (let n = 2; fs.existsSync(target) || fs.existsSync(`${target}.txt`); n += 1) target = `${base}-${n}`;
  fs.renameSync(settingsFile, target);
  return target;
}

/**
 * The note is written directly rather than atomically: it is a courtesy for a human, opening
 * the settings is synchronous, and a torn note would harm nothing.
 */
function writeNote(notePath: string, settingsFile: string, reason: string, when: Date): void {
  const text = [
    `Microsandbox Tray could not read its settings on ${when.toISOString()}.`,
    reason,
    '',
    `The file was moved here unchanged from ${settingsFile},`,
    'and the app started again with default settings.',
    'You can copy any values you need from this copy into the app’s settings, then delete it.',
    '',
  ].join('\n');
  fs.writeFileSync(notePath, text, { encoding: 'utf8', flag: 'wx' });
}
