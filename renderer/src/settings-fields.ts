/**
 * One setting's row in Settings: its control (checkbox, select, text, a number with its unit
 * beside it, or a read-only chooser with its two buttons), its error and hint, and the list of
 * everything that reaches the network. The view (settings-view.ts) wires editing, validation and
 * saving.
 */
import { h } from './dom.ts';
import { networkUseRows } from './settings-model.ts';
import type { FieldSpec, RawValue } from './settings-model.ts';

export interface FieldControl {
  readonly spec: FieldSpec;
  readonly control: HTMLInputElement | HTMLSelectElement;
  readonly error: HTMLElement;
  dirty: boolean;
}

/** A chooser's buttons: main's own file dialog, or back to where the CLI looks. */
export interface ChooserActions {
  readonly choose: () => void;
  readonly automatic: () => void;
}

export function readRaw(c: FieldControl): RawValue {
  return c.control instanceof HTMLInputElement && c.control.type === 'checkbox' ? c.control.checked : c.control.value;
}

export function writeRaw(c: FieldControl, raw: RawValue): void {
  if (c.control instanceof HTMLInputElement && c.control.type === 'checkbox') c.control.checked = raw === true;
  else c.control.value = typeof raw === 'string' ? raw : '';
}

/** The row of one setting; `chooser` gives a chooser's buttons their actions. */
export function fieldRow(
  spec: FieldSpec,
  chooser: ChooserActions | null,
): { readonly row: HTMLElement; readonly entry: FieldControl } {
  const id = `setting-${spec.key}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const unitId = `${id}-unit`;
  // The unit is part of what to type: read with the input, before its error and hint.
  const unit = spec.kind === 'number' && spec.unit !== null ? spec.unit : null;
  const describedBy = [unit === null ? null : unitId, errorId, spec.hint === undefined ? null : hintId]
    .filter((part) => part !== null)
    .join(' ');
  const error = h('p', { id: errorId, class: 'field-error', 'data-testid': `error-${spec.key}` });
  const hint = spec.hint === undefined ? null : h('p', { id: hintId, class: 'field-hint' }, spec.hint);
  const label = h('label', { for: id }, spec.label);
  let control: HTMLInputElement | HTMLSelectElement;
  let row: HTMLElement;
  if (spec.kind === 'chooser') {
    // Read-only: the window cannot set the path, only ask main to show its file dialog.
    control = h('input', {
      id,
      name: spec.key,
      type: 'text',
      readonly: true,
      class: 'mono',
      placeholder: spec.placeholder,
      'aria-describedby': describedBy,
    });
    // Two choosers share the page: each button's name says which path it sets.
    const choose = h('button', { type: 'button', class: 'small', 'aria-label': `Choose ${spec.label}…` }, 'Choose…');
    const automatic = h(
      'button',
      { type: 'button', class: 'small', 'aria-label': `Use automatic ${spec.label}` },
      'Use automatic',
    );
    if (chooser !== null) {
      choose.addEventListener('click', chooser.choose);
      automatic.addEventListener('click', chooser.automatic);
    }
    row = h(
      'div',
      { class: 'field' },
      label,
      h('div', { class: 'chooser-line' }, control, choose, automatic),
      error,
      hint,
    );
  } else if (spec.kind === 'toggle') {
    control = h('input', { id, type: 'checkbox', name: spec.key, 'aria-describedby': describedBy });
    row = h('div', { class: 'field field-check' }, h('div', { class: 'check-line' }, control, label), error, hint);
  } else {
    if (spec.kind === 'choice') {
      control = h(
        'select',
        { id, name: spec.key, 'aria-describedby': describedBy },
        ...spec.options.map((o) => h('option', { value: o.value }, o.label)),
      );
    } else {
      control = h('input', {
        id,
        name: spec.key,
        type: 'text',
        autocomplete: 'off',
        spellcheck: 'false',
        autocapitalize: 'off',
        inputmode: spec.kind !== 'number' ? null : spec.storage.stored === 'thousandths' ? 'decimal' : 'numeric',
        'aria-describedby': describedBy,
        class: spec.kind === 'number' ? 'narrow' : spec.kind === 'path' ? 'mono' : null,
      });
    }
    const line =
      unit === null
        ? control
        : h('div', { class: 'unit-line' }, control, h('span', { id: unitId, class: 'field-unit' }, unit));
    row = h('div', { class: 'field' }, label, line, error, hint);
  }
  return { row, entry: { spec, control, error, dirty: false } };
}

/** Every use of the network (shared/network.ts) with its switch: nothing reaches out unlisted. */
export function networkList(): HTMLElement {
  return h(
    'ul',
    { class: 'network-uses', 'data-testid': 'network-uses' },
    ...networkUseRows().map((row) =>
      h(
        'li',
        { 'data-testid': `network-use-${row.id}` },
        h('strong', {}, row.what),
        h('span', { class: 'field-hint' }, ` — ${row.where}; ${row.when}. ${row.switch}.`),
      ),
    ),
  );
}
