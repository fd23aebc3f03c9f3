/**
 * One validator per IPC channel: `unknown` in, the typed request or an `invalid-input` error out.
 * Requests come from the renderer, which is treated as untrusted: only plain objects with exactly
 * the documented fields pass, values are read from own data properties (never through getters),
 * and the typed request is rebuilt from known fields so nothing else travels further.
 */
import { SDK_LANGUAGES, type SdkLanguage } from '../../../shared/snippets.ts';
import type {
  CopyRequest,
  InvokeChannel,
  KeyCopyFormat,
  LogTailRequest,
  MintKeyRequest,
  RequestOf,
  RevealRequest,
} from '../../../shared/contract.ts';
import { RUNTIME_INSTALL_METHODS } from '../../../shared/runtime.ts';
import type { RuntimeInstallMethod } from '../../../shared/runtime.ts';
import { formatDuration, MAX_KEY_SECONDS, parseDuration } from '../../../shared/duration.ts';
import { nameProblem, namespaceProblem } from '../../../shared/namespace.ts';
import { isPlainObject } from '../../../shared/plain-object.ts';
import { validateSettingsPatch } from '../../../shared/settings-schema.ts';
import type {
  SandboxLogRequest,
  SandboxRef,
  SandboxStopRequest,
  SandboxWatchRequest,
} from '../../../shared/sandboxes.ts';
import type { FieldErrors, Settings } from '../../../shared/settings-schema.ts';
import {
  clip,
  describeType,
  fieldsOf,
  FORBIDDEN_KEYS,
  invalid,
  MAX_LOG_LINES,
  valid,
  type Validation,
} from './field-checks.ts';
import {
  MAX_RUNTIME_NAME,
  runtimeNameShape,
  validateRuntimeActRequest,
  validateRuntimeLogRequest,
  validateRuntimeWatchRequest,
} from './runtime-validation.ts';
import { validateConnectCopyRequest, validateConnectRequest } from './connect-validation.ts';

export { describeType, isPlainObject, MAX_LOG_LINES, MAX_RUNTIME_NAME, type Validation };
export { validateRuntimeActRequest, validateRuntimeLogRequest, validateRuntimeWatchRequest };

/** Far longer than any duration msb accepts (`9223372036854775807mo` is 21 characters). */
export const MAX_EXPIRY_LENGTH = 32;
/** A token is under 300 characters; anything far longer is not one. */
export const MAX_TOKEN_LENGTH = 4096;
const KEY_COPY_FORMATS: readonly KeyCopyFormat[] = ['token', 'export-line', 'dotenv', 'mcp-config'];
/** `msb_` and a compact JWT, as `msb server keygen` and the mint service make them. */
const TOKEN_SHAPE = /^msb_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Longest text a setting takes (paths included). */
export const MAX_SETTING_TEXT = 4096;
const MAX_FIELD_MESSAGE = 300;

function voidRequest(channel: InvokeChannel): (payload: unknown) => Validation<undefined> {
  return (payload) =>
    payload === undefined
      ? valid(undefined)
      : invalid(`${channel} takes no argument, but it was given ${describeType(payload)}.`);
}

export function validateMintKeyRequest(payload: unknown): Validation<MintKeyRequest> {
  const checked = fieldsOf(payload, 'key request', ['namespace', 'expiresIn']);
  if (!checked.ok) return checked;
  const namespace = checked.fields.get('namespace');
  const expiresIn = checked.fields.get('expiresIn');
  const request: { namespace?: string; expiresIn?: string } = {};
  if (namespace !== undefined) {
    if (typeof namespace !== 'string') return invalid(`The namespace must be text, not ${describeType(namespace)}.`);
    const problem = namespaceProblem(namespace);
    if (problem !== null) return invalid(problem);
    request.namespace = namespace;
  }
  if (expiresIn !== undefined) {
    if (typeof expiresIn !== 'string')
      return invalid(`The expiry must be text such as 24h, not ${describeType(expiresIn)}.`);
    if (expiresIn.length > MAX_EXPIRY_LENGTH) {
      return invalid(`The expiry can be at most ${MAX_EXPIRY_LENGTH} characters long, such as 24h or 30d.`);
    }
    let seconds: number;
    try {
      seconds = parseDuration(expiresIn);
    } catch (error) {
      return invalid(error instanceof Error ? error.message : 'The expiry is not a valid duration.');
    }
    if (seconds <= 0) return invalid('The expiry must be longer than zero.');
    if (seconds > MAX_KEY_SECONDS) return invalid(`A key can last at most ${formatDuration(MAX_KEY_SECONDS)} (10y).`);
    request.expiresIn = expiresIn;
  }
  return valid(request);
}

const OTHER_COPIES = ['server-url', 'sdk-example', 'install-command', 'runtime-install', 'exec-command'] as const;

/** The window names what to copy; it never sends the text (main builds it). */
export function validateCopyRequest(payload: unknown): Validation<CopyRequest> {
  const checked = fieldsOf(payload, 'copy request', ['what', 'token', 'language', 'method', 'name']);
  if (!checked.ok) return checked;
  const what = checked.fields.get('what');
  if (what !== 'runtime-install' && checked.fields.has('method'))
    return invalid('Only an install command takes a method.');
  if (what !== 'exec-command' && checked.fields.has('name'))
    return invalid('Only a shell command takes a sandbox name.');
  if (what === 'runtime-install' || what === 'exec-command') {
    if (checked.fields.has('token') || checked.fields.has('language'))
      return invalid(
        `Copying ${what === 'exec-command' ? 'a shell command' : 'an install command'} takes no key and no language.`,
      );
    if (what === 'exec-command') {
      const name = runtimeNameShape(checked.fields.get('name'));
      return name.ok ? valid({ what, name: name.value }) : name;
    }
    const method = checked.fields.get('method');
    if (typeof method !== 'string' || !(RUNTIME_INSTALL_METHODS as readonly string[]).includes(method))
      return invalid(`"method" must be one of ${RUNTIME_INSTALL_METHODS.map((name) => `"${name}"`).join(', ')}.`);
    return valid({ what, method: method as RuntimeInstallMethod });
  }
  const token = checked.fields.get('token');
  const language = checked.fields.get('language');
  if (what !== 'sdk-example' && checked.fields.has('language')) return invalid('Only an SDK example takes a language.');
  if (what === 'server-url' || what === 'install-command') {
    if (checked.fields.has('token'))
      return invalid(`Copying ${what === 'server-url' ? 'the server URL' : 'the install command'} takes no key.`);
    return valid({ what });
  }
  if (what === 'sdk-example') {
    if (checked.fields.has('token')) return invalid('Copying an SDK example takes no key.');
    if (typeof language !== 'string' || !(SDK_LANGUAGES as readonly string[]).includes(language)) {
      return invalid(`"language" must be one of ${SDK_LANGUAGES.map((name) => `"${name}"`).join(', ')}.`);
    }
    return valid({ what, language: language as SdkLanguage });
  }
  if (typeof what !== 'string' || !(KEY_COPY_FORMATS as readonly string[]).includes(what)) {
    return invalid(
      `"what" must be one of ${[...KEY_COPY_FORMATS, ...OTHER_COPIES].map((format) => `"${format}"`).join(', ')}.`,
    );
  }
  if (typeof token !== 'string') return invalid(`The key to copy must be text, not ${describeType(token)}.`);
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return invalid('That is not an msb_ key.');
  return valid({ what: what as KeyCopyFormat, token });
}

export function validateLogTailRequest(payload: unknown): Validation<LogTailRequest> {
  const checked = fieldsOf(payload, 'log request', ['lines']);
  if (!checked.ok) return checked;
  const lines = checked.fields.get('lines');
  if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 1 || lines > MAX_LOG_LINES) {
    return invalid(
      `"lines" must be a whole number from 1 to ${MAX_LOG_LINES}, not ` +
        `${describeType(lines)}${typeof lines === 'number' && Number.isFinite(lines) ? ` ${lines}` : ''}.`,
    );
  }
  return valid({ lines });
}

export function validateRevealRequest(payload: unknown): Validation<RevealRequest> {
  const checked = fieldsOf(payload, 'reveal request', ['target']);
  if (!checked.ok) return checked;
  const target = checked.fields.get('target');
  if (target !== 'log' && target !== 'home') return invalid('"target" must be "log" or "home".');
  return valid({ target });
}

export function validateSettingsSetRequest(payload: unknown): Validation<Partial<Settings>> {
  if (!isPlainObject(payload)) return invalid(`The settings update must be an object, not ${describeType(payload)}.`);
  for (const key of Reflect.ownKeys(payload)) {
    if (typeof key !== 'string') return invalid('The settings update has a field that is not named by text.');
    if (FORBIDDEN_KEYS.has(key))
      return invalid(`The settings update has a field named "${key}", which is never accepted.`);
  }
  for (const key of Object.keys(payload)) {
    const value: unknown = Object.getOwnPropertyDescriptor(payload, key)?.value;
    // Longer than any path a file system takes; refused before a message could quote it.
    if (typeof value === 'string' && value.length > MAX_SETTING_TEXT) {
      return invalid(`The setting "${clip(key)}" can be at most ${MAX_SETTING_TEXT} characters long.`);
    }
  }
  const checked = validateSettingsPatch(payload);
  if (checked.ok) return valid(checked.value);
  const parts: string[] = [];
  if (checked.unknownKeys.length > 0) {
    const shown = checked.unknownKeys.slice(0, 5).map((key) => `"${clip(key)}"`);
    parts.push(
      `Unknown setting${checked.unknownKeys.length === 1 ? '' : 's'}: ` +
        `${shown.join(', ')}${checked.unknownKeys.length > 5 ? ', …' : ''}.`,
    );
  }
  const fields: FieldErrors = {};
  for (const [key, message] of Object.entries(checked.errors) as [keyof Settings, string][]) {
    fields[key] = clip(message, MAX_FIELD_MESSAGE);
    parts.push(fields[key]);
  }
  return invalid(parts.length > 0 ? parts.join(' ') : 'The settings update was refused.', fields);
}

// ---------------------------------------------------------------------------------------------
// Sandboxes: names by upstream's rule (shared/namespace.ts's `nameProblem`), so a name is always
// one harmless path component; `*` names no sandbox.

function validateRefFields(fields: Map<string, unknown>): Validation<SandboxRef> {
  const namespace = fields.get('namespace');
  const name = fields.get('name');
  const problem = nameProblem(namespace, 'namespace') ?? nameProblem(name, 'sandbox');
  if (problem !== null) return invalid(problem);
  return valid({ namespace: namespace as string, name: name as string });
}

function validateSandboxRef(payload: unknown, what: string): Validation<SandboxRef> {
  const checked = fieldsOf(payload, what, ['namespace', 'name']);
  if (!checked.ok) return checked;
  return validateRefFields(checked.fields);
}

export function validateSandboxStopRequest(payload: unknown): Validation<SandboxStopRequest> {
  if (isPlainObject(payload) && Object.hasOwn(payload, 'all')) {
    const checked = fieldsOf(payload, 'stop request', ['all']);
    if (!checked.ok) return checked;
    if (checked.fields.get('all') !== true)
      return invalid('"all" can only be true; to stop one sandbox, give its namespace and name.');
    return valid({ all: true });
  }
  return validateSandboxRef(payload, 'stop request');
}

export function validateSandboxLogRequest(payload: unknown): Validation<SandboxLogRequest> {
  const checked = fieldsOf(payload, 'sandbox log request', ['namespace', 'name', 'lines']);
  if (!checked.ok) return checked;
  const ref = validateRefFields(checked.fields);
  if (!ref.ok) return ref;
  const lines = checked.fields.get('lines');
  if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 1 || lines > MAX_LOG_LINES) {
    return invalid(
      `"lines" must be a whole number from 1 to ${MAX_LOG_LINES}, not ` +
        `${describeType(lines)}${typeof lines === 'number' && Number.isFinite(lines) ? ` ${lines}` : ''}.`,
    );
  }
  return valid({ ...ref.value, lines });
}

export function validateSandboxWatchRequest(payload: unknown): Validation<SandboxWatchRequest> {
  const checked = fieldsOf(payload, 'watch request', ['visible', 'log']);
  if (!checked.ok) return checked;
  const visible = checked.fields.get('visible');
  if (typeof visible !== 'boolean') return invalid(`"visible" must be true or false, not ${describeType(visible)}.`);
  const log = checked.fields.get('log');
  if (log === null) return valid({ visible, log: null });
  const ref = validateSandboxRef(log, 'sandbox whose log is followed');
  if (!ref.ok) return ref;
  return valid({ visible, log: ref.value });
}

export type RequestValidators = { readonly [C in InvokeChannel]: (payload: unknown) => Validation<RequestOf<C>> };

export const REQUEST_VALIDATORS: RequestValidators = Object.freeze({
  'server:status': voidRequest('server:status'),
  'server:start': voidRequest('server:start'),
  'server:stop': voidRequest('server:stop'),
  'server:restart': voidRequest('server:restart'),
  'server:cancel-restart': voidRequest('server:cancel-restart'),
  'server:reset-key': voidRequest('server:reset-key'),
  'server:locate': voidRequest('server:locate'),
  'keys:mint': validateMintKeyRequest,
  'clipboard:copy': validateCopyRequest,
  'settings:get': voidRequest('settings:get'),
  'settings:set': validateSettingsSetRequest,
  'settings:choose-msbserver': voidRequest('settings:choose-msbserver'),
  'settings:clear-msbserver': voidRequest('settings:clear-msbserver'),
  'logs:tail': validateLogTailRequest,
  'shell:reveal': validateRevealRequest,
  'app:info': voidRequest('app:info'),
  'app:setup': voidRequest('app:setup'),
  'sandboxes:list': voidRequest('sandboxes:list'),
  'sandboxes:stop': validateSandboxStopRequest,
  'sandboxes:log-tail': validateSandboxLogRequest,
  'sandboxes:watch': validateSandboxWatchRequest,
  'runtime:state': voidRequest('runtime:state'),
  'runtime:act': validateRuntimeActRequest,
  'runtime:check-host': voidRequest('runtime:check-host'),
  'runtime:fix-host': voidRequest('runtime:fix-host'),
  'runtime:log-tail': validateRuntimeLogRequest,
  'runtime:watch': validateRuntimeWatchRequest,
  'settings:choose-msb': voidRequest('settings:choose-msb'),
  'settings:clear-msb': voidRequest('settings:clear-msb'),
  'connect:list': voidRequest('connect:list'),
  'connect:connect': validateConnectRequest,
  'connect:disconnect': validateConnectRequest,
  'connect:copy-command': validateConnectCopyRequest,
  'updates:microsandbox': voidRequest('updates:microsandbox'),
  'updates:update-microsandbox': voidRequest('updates:update-microsandbox'),
  'updates:open-runtime-install': voidRequest('updates:open-runtime-install'),
});

export function validateRequest<C extends InvokeChannel>(channel: C, payload: unknown): Validation<RequestOf<C>> {
  const validator = REQUEST_VALIDATORS[channel] as (payload: unknown) => Validation<RequestOf<C>>;
  return validator(payload);
}
