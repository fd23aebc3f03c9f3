/**
 * What every IPC validator shares: the result type, the refusal, and reading a plain object's own
 * data fields (never through getters). Split from request-validation.ts so the per-generation
 * validators can use it without importing each other.
 */
import type { IpcError } from '../../../shared/contract.ts';
import { isPlainObject } from '../../../shared/plain-object.ts';
import type { FieldErrors } from '../../../shared/settings-schema.ts';

export type Validation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

export const MAX_LOG_LINES = 1000;

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function invalid(message: string, fields?: FieldErrors): { ok: false; error: IpcError } {
  return {
    ok: false,
    error: fields === undefined ? { code: 'invalid-input', message } : { code: 'invalid-input', message, fields },
  };
}

export function valid<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** A short, safe description of what arrived, for messages: never the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return 'an infinite number';
    return 'a number';
  }
  if (typeof value === 'object') return isPlainObject(value) ? 'an object' : 'a non-plain object';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'true or false';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

/**
 * The own data properties of a plain object whose keys are all in `allowed`, or the reason it is
 * refused. Symbol keys, accessors, `__proto__`/`constructor`/`prototype` and unknown keys are
 * all refused.
 */
export function fieldsOf(
  input: unknown,
  what: string,
  allowed: readonly string[],
): { ok: true; fields: Map<string, unknown> } | { ok: false; error: IpcError } {
  if (!isPlainObject(input)) return invalid(`The ${what} must be an object, not ${describeType(input)}.`);
  const fields = new Map<string, unknown>();
  for (const key of Reflect.ownKeys(input)) {
    if (typeof key !== 'string') return invalid(`The ${what} has a field that is not named by text.`);
    if (FORBIDDEN_KEYS.has(key)) return invalid(`The ${what} has a field named "${key}", which is never accepted.`);
    if (!allowed.includes(key)) {
      return invalid(`The ${what} has an unknown field "${clip(key)}"; it takes only ${list(allowed)}.`);
    }
    const descriptor = Object.getOwnPropertyDescriptor(input, key);
    if (descriptor === undefined || !('value' in descriptor)) {
      return invalid(`The ${what} field "${key}" must be a plain value.`);
    }
    fields.set(key, descriptor.value);
  }
  return { ok: true, fields };
}

export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function list(keys: readonly string[]): string {
  if (keys.length === 0) return 'no fields';
  return keys.map((key) => `"${key}"`).join(' and ');
}
