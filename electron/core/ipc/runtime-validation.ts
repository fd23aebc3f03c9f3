/**
 * The runtime generation's IPC validators. A name here is only checked for its shape; the handler
 * acts only on a name that is in the current list (`runtimeNameProblem`).
 */
import type { RuntimeActRequest, RuntimeLogRequest, RuntimeWatchRequest } from '../../../shared/contract.ts';
import { RUNTIME_ACTIONS } from '../../../shared/runtime.ts';
import type { RuntimeActionName } from '../../../shared/runtime.ts';
import { describeType, fieldsOf, invalid, MAX_LOG_LINES, valid, type Validation } from './field-checks.ts';

/** Longer than any name upstream accepts. */
export const MAX_RUNTIME_NAME = 255;

export function runtimeNameShape(name: unknown): Validation<string> {
  if (typeof name !== 'string') return invalid(`The sandbox name must be text, not ${describeType(name)}.`);
  if (name === '' || name.length > MAX_RUNTIME_NAME)
    return invalid(`A sandbox name has 1 to ${MAX_RUNTIME_NAME} characters.`);
  // No sandbox is named with a control character; refused before a message could carry one.
  if ([...name].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f))
    return invalid('A sandbox name cannot contain control characters.');
  return valid(name);
}

function linesOf(lines: unknown): Validation<number> {
  if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 1 || lines > MAX_LOG_LINES) {
    return invalid(
      `"lines" must be a whole number from 1 to ${MAX_LOG_LINES}, not ` +
        `${describeType(lines)}${typeof lines === 'number' && Number.isFinite(lines) ? ` ${lines}` : ''}.`,
    );
  }
  return valid(lines);
}

export function validateRuntimeActRequest(payload: unknown): Validation<RuntimeActRequest> {
  const checked = fieldsOf(payload, 'sandbox action', ['name', 'action', 'force']);
  if (!checked.ok) return checked;
  const name = runtimeNameShape(checked.fields.get('name'));
  if (!name.ok) return name;
  const action = checked.fields.get('action');
  if (typeof action !== 'string' || !(RUNTIME_ACTIONS as readonly string[]).includes(action))
    return invalid(`"action" must be one of ${RUNTIME_ACTIONS.map((one) => `"${one}"`).join(', ')}.`);
  if (!checked.fields.has('force')) return valid({ name: name.value, action: action as RuntimeActionName });
  const force = checked.fields.get('force');
  if (typeof force !== 'boolean') return invalid(`"force" must be true or false, not ${describeType(force)}.`);
  if (force && action !== 'stop') return invalid('Only Stop can be forced.');
  return valid({ name: name.value, action: action as RuntimeActionName, force });
}

export function validateRuntimeLogRequest(payload: unknown): Validation<RuntimeLogRequest> {
  const checked = fieldsOf(payload, 'sandbox log request', ['name', 'lines']);
  if (!checked.ok) return checked;
  const name = runtimeNameShape(checked.fields.get('name'));
  if (!name.ok) return name;
  const lines = linesOf(checked.fields.get('lines'));
  if (!lines.ok) return lines;
  return valid({ name: name.value, lines: lines.value });
}

export function validateRuntimeWatchRequest(payload: unknown): Validation<RuntimeWatchRequest> {
  const checked = fieldsOf(payload, 'watch request', ['visible', 'log']);
  if (!checked.ok) return checked;
  const visible = checked.fields.get('visible');
  if (typeof visible !== 'boolean') return invalid(`"visible" must be true or false, not ${describeType(visible)}.`);
  const log = checked.fields.get('log');
  if (log === null) return valid({ visible, log: null });
  const name = runtimeNameShape(log);
  if (!name.ok) return name;
  return valid({ visible, log: name.value });
}
