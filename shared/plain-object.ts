/**
 * Whether `value` is a plain object (`{…}` or `Object.create(null)`): what JSON and structured
 * clone give, and the only kind of object a payload or the settings file may be. A class
 * instance, an array or a proxy of another prototype is not.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
