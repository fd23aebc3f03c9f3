import type { AppInfo, MsbApi, SettingsView } from '../../shared/contract.ts';
import type { ServerSnapshot } from '../../shared/server-status.ts';
import type { FieldErrors, Settings } from '../../shared/settings-schema.ts';
import { exposureOf } from '../../shared/exposure.ts';
import { errorCode, errorMessage, h, setText } from './dom.ts';
import { trackRestartNeeded } from './restart-needed.ts';
import { ALL_FIELDS, SETTINGS_GROUPS, buildPatch, checkField, placeholderOf, rawOf } from './settings-model.ts';
import type { FieldSpec, RawValue } from './settings-model.ts';
import { fieldRow, networkList, readRaw, writeRaw, type ChooserActions, type FieldControl } from './settings-fields.ts';
import type { Signal } from './signal.ts';
import type { View } from './status-view.ts';

export interface SettingsDeps {
  readonly api: MsbApi;
  readonly settings: Signal<SettingsView | null>;
  readonly snapshot: Signal<ServerSnapshot>;
  readonly appInfo: Signal<AppInfo | null>;
  readonly announce: (text: string) => void;
  /** The window's one answer to "does a change wait for a restart" (Status shows it too). */
  readonly restartNeeded?: Signal<boolean>;
}

export interface SettingsScreen extends View {
  /** Focuses a field (the Status view's "Raise the start timeout"). */
  focusField(key: keyof Settings): void;
}

/** `2 fields need attention`: said in the footer, where Save was pressed. */
export function attentionText(count: number): string {
  return count === 1 ? '1 field needs attention.' : `${count} fields need attention.`;
}

/**
 * Every setting, validated as it is edited, saved together; main's own errors shown per field.
 * Some changes main asks the user about in a native dialog first (dev mode, a host others reach,
 * another namespaces folder); the msbserver path is chosen only in main's own file dialog.
 */
export function createSettingsView(deps: SettingsDeps): SettingsScreen {
  const { api, settings } = deps;
  const controls = new Map<keyof Settings, FieldControl>();
  const restartNeeded = deps.restartNeeded ?? trackRestartNeeded(settings, deps.snapshot);

  /** What a chooser's two buttons ask of main: its own file dialog, or the automatic lookup. */
  function chooserActions(key: keyof Settings): ChooserActions {
    return key === 'msbPath'
      ? {
          choose: () => void pick(() => api.chooseMsb(), 'msb path saved.'),
          automatic: () => void pick(() => api.clearMsb(), 'msb is looked for where installs put it.'),
        }
      : {
          choose: () => void pick(() => api.chooseMsbserver(), 'msbserver path saved.'),
          automatic: () => void pick(() => api.clearMsbserver(), 'msbserver is looked for where msb looks.'),
        };
  }

  function build(spec: FieldSpec): HTMLElement {
    const { row, entry } = fieldRow(spec, spec.kind === 'chooser' ? chooserActions(spec.key) : null);
    controls.set(spec.key, entry);
    // A chooser is read-only: only main's file dialog changes it.
    if (spec.kind === 'chooser') return row;
    const onEdit = (): void => {
      entry.dirty = true;
      say('');
      const check = checkField(spec, readRaw(entry));
      showError(entry, check.ok ? null : check.error);
      updateButtons();
    };
    entry.control.addEventListener('input', onEdit);
    entry.control.addEventListener('change', onEdit);
    return row;
  }

  const save = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Save');
  const revert = h('button', { type: 'button', disabled: true }, 'Undo changes');
  const message = h('p', { class: 'footer-message', 'data-testid': 'settings-message' });
  const restartNow = h('button', { type: 'button', class: 'small' }, 'Restart');
  const restartBanner = h(
    'div',
    { class: 'banner', 'data-testid': 'restart-needed', hidden: true },
    h('p', {}, 'Restart the server to apply the changed settings.'),
    restartNow,
  );
  const about = h('p', { class: 'muted small-text about', 'data-testid': 'app-about' });
  const exposure = h('p', { class: 'note warn', 'data-testid': 'settings-exposure', hidden: true });
  const form = h(
    'form',
    { class: 'settings-form', novalidate: true, 'aria-label': 'Settings' },
    ...SETTINGS_GROUPS.map((group, index) =>
      h(
        'fieldset',
        {},
        h('legend', {}, group.title),
        index === 0 ? exposure : null,
        group.note === undefined ? null : h('p', { class: 'field-hint', 'data-testid': 'settings-note' }, group.note),
        ...group.fields.map(build),
        group.title === 'Network' ? networkList() : null,
      ),
    ),
  );
  const footer = h(
    'div',
    { class: 'settings-footer' },
    restartBanner,
    h('div', { class: 'actions' }, save, revert, message),
  );
  form.append(footer);
  const element = h('section', { class: 'settings-view' }, form, about);

  function say(text: string, bad = false): void {
    setText(message, text);
    if (bad) message.dataset['tone'] = 'bad';
    else delete message.dataset['tone'];
  }

  function showError(c: FieldControl, error: string | null): void {
    setText(c.error, error ?? '');
    if (error === null) c.control.removeAttribute('aria-invalid');
    else c.control.setAttribute('aria-invalid', 'true');
  }

  function raws(): Map<keyof Settings, RawValue> {
    const map = new Map<keyof Settings, RawValue>();
    for (const [key, c] of controls) if (c.dirty) map.set(key, readRaw(c));
    return map;
  }

  function updateButtons(): void {
    const view = settings.get();
    const dirty = [...controls.values()].some((c) => c.dirty);
    save.disabled = view === null || busy || !dirty;
    revert.disabled = busy || !dirty;
  }

  /** Shows stored values; fields being edited keep what the user typed unless `all`. */
  function fill(all: boolean): void {
    const view = settings.get();
    if (view === null) return;
    const open = exposureOf(view.settings.devMode, view.settings.host);
    exposure.hidden = open === null;
    setText(exposure, open === null ? '' : `With these settings the server is ${open}.`);
    for (const c of controls.values()) {
      if (c.dirty && !all) continue;
      c.dirty = false;
      writeRaw(c, rawOf(c.spec, view.settings[c.spec.key]));
      showError(c, null);
    }
    renderBanner();
    updateButtons();
  }

  function renderBanner(): void {
    restartBanner.hidden = !restartNeeded.get();
  }

  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  async function submit(): Promise<void> {
    const view = settings.get();
    if (view === null || busy) return;
    say('');
    const built = buildPatch(view.settings, raws());
    if (!built.ok) {
      showErrors(built.errors);
      return;
    }
    if (Object.keys(built.patch).length === 0) {
      fill(true);
      say('Nothing changed.');
      return;
    }
    busy = true;
    updateButtons();
    try {
      const next = await api.setSettings(built.patch);
      settings.set(next);
      fill(true);
      // When a restart is needed, the banner above says so, with its button.
      say('Saved.');
      deps.announce(next.restartNeeded ? 'Saved. Restart the server to apply the changes.' : 'Saved.');
    } catch (error) {
      const fields = fieldsOf(error);
      // Electron may drop `code` and `fields` when an Error crosses the context bridge; the
      // renderer checked the same rules already, so the message alone is the usual fallback.
      if (
        fields !== null &&
        Object.keys(fields).length > 0 &&
        (errorCode(error) ?? 'invalid-input') === 'invalid-input'
      ) {
        showErrors(fields);
      } else {
        // Declined in main's dialog or refused by main: nothing was saved, and the message says why.
        say(`Not saved: ${errorMessage(error)}`, true);
      }
    } finally {
      busy = false;
      updateButtons();
    }
  }

  /** Marks each field, says how many in the footer (next to Save), and goes to the first. */
  function showErrors(errors: FieldErrors): void {
    let first: FieldControl | null = null;
    let count = 0;
    for (const spec of ALL_FIELDS) {
      const c = controls.get(spec.key);
      const text = errors[spec.key];
      if (c === undefined || text === undefined) continue;
      showError(c, text);
      count += 1;
      first ??= c;
    }
    const summary = count === 0 ? 'Not saved: the settings were refused.' : `Not saved: ${attentionText(count)}`;
    say(summary, true);
    deps.announce(summary);
    first?.control.focus();
  }

  /** Asks main to show its file dialog (or to forget the path); the window only shows the answer. */
  async function pick(action: () => Promise<SettingsView>, done: string): Promise<void> {
    if (busy) return;
    busy = true;
    updateButtons();
    say('');
    try {
      settings.set(await action());
      say(done);
      deps.announce(done);
    } catch (error) {
      // Cancelled in the dialog: say so plainly; anything else: why it was not taken.
      say(
        errorCode(error) === 'declined' ? errorMessage(error) : `Not changed: ${errorMessage(error)}`,
        errorCode(error) !== 'declined',
      );
    } finally {
      busy = false;
      updateButtons();
    }
  }

  revert.addEventListener('click', () => {
    fill(true);
    say('');
  });
  restartNow.addEventListener('click', () => {
    restartNow.disabled = true;
    api
      .restart()
      .then(
        (snapshot) => {
          deps.snapshot.set(snapshot);
          say(
            snapshot.state === 'running'
              ? 'The server restarted with the new settings.'
              : `The server did not start: ${snapshot.error?.message ?? ''}`,
            snapshot.state !== 'running',
          );
        },
        (error: unknown) => say(`Restart failed: ${errorMessage(error)}`, true),
      )
      .finally(() => {
        restartNow.disabled = false;
      });
  });

  settings.subscribe(() => fill(false));
  restartNeeded.subscribe(renderBanner);
  const renderInfo = (info: AppInfo | null): void => {
    setText(about, info === null ? '' : `${info.name} ${info.version} · home ${info.home}`);
    for (const c of controls.values()) {
      if (c.spec.kind === 'chooser' || !(c.control instanceof HTMLInputElement)) continue;
      const placeholder = placeholderOf(c.spec, { home: info?.home ?? null, platform: info?.platform ?? 'linux' });
      if (placeholder === null) c.control.removeAttribute('placeholder');
      else c.control.placeholder = placeholder;
    }
  };
  deps.appInfo.subscribe(renderInfo);
  renderInfo(deps.appInfo.get());
  fill(true);

  return {
    element,
    show() {},
    hide() {},
    focusField(key) {
      const c = controls.get(key);
      if (c === undefined) return;
      c.control.focus();
      if (c.control instanceof HTMLInputElement && c.control.type === 'text') c.control.select();
    },
  };
}

function fieldsOf(error: unknown): FieldErrors | null {
  if (typeof error === 'object' && error !== null && 'fields' in error) {
    const fields: unknown = error.fields;
    if (typeof fields === 'object' && fields !== null) return fields;
  }
  return null;
}
