import { describe, expect, it } from 'vitest';
import {
  ALL_NAMESPACES,
  isNamespaceName,
  isSandboxName,
  MAX_NAME_LENGTH,
  nameProblem,
  namespaceProblem,
} from '../../shared/namespace.ts';
import { sandboxRefProblem } from '../../shared/sandboxes.ts';
import { validateSettingsPatch } from '../../shared/settings-schema.ts';
import { validateMintKeyRequest } from '../../electron/core/ipc/request-validation.ts';
import { copyKeyRequest } from '../../electron/core/desktop/tray-menu.ts';
import { parseTrayAction } from '../../electron/core/desktop/tray-items.ts';
import { DEFAULT_SETTINGS } from '../../shared/settings-schema.ts';
import { checkNamespace } from '../../renderer/src/format.ts';

/** Names upstream accepts: 1–63 of [A-Za-z0-9_-], the first a letter or a digit. */
const NAMES = ['default', 'a', '0', 'Team-1', 'team_1', 'a-', 'a_', '9lives', 'web_1', 'x'.repeat(63), 'A'.repeat(63)];

const NOT_NAMES: [string, RegExp][] = [
  ['x'.repeat(64), /at most 63 characters long; this one has 64/],
  ['-team', /start with a letter or a digit/],
  ['_team', /start with a letter or a digit/],
  ['-', /start with a letter or a digit/],
  ['team.one', /not "\."/],
  ['.', /not "\."/],
  ['..', /not "\."/],
  ['team one', /not spaces or line breaks/],
  [' default', /not spaces or line breaks/],
  ['default ', /not spaces or line breaks/],
  ['café', /not "é"/],
  ['名前', /not "名"/],
  ['emoji😀', /not "😀"/],
  ['a/b', /not "\/"/],
  ['a\\b', /not "\\"/],
  ['a\nb', /not spaces or line breaks/],
  ['a\0b', /not U\+0000/],
  ['\0', /not U\+0000/],
  ['a\u200Bb', /not U\+200B/],
];

describe('the name rule (sandboxes and namespaces alike)', () => {
  it.each(NAMES)('accepts %j as a sandbox name and as a namespace', (name) => {
    expect(nameProblem(name, 'sandbox')).toBeNull();
    expect(nameProblem(name, 'namespace')).toBeNull();
    expect(isSandboxName(name)).toBe(true);
    expect(isNamespaceName(name)).toBe(true);
  });

  it.each(NOT_NAMES)('refuses %j for both kinds, saying why in the same words', (name, message) => {
    const asSandbox = nameProblem(name, 'sandbox');
    const asNamespace = nameProblem(name, 'namespace');
    expect(asSandbox).toMatch(message);
    expect(asNamespace).toMatch(message);
    // Only the label differs: one message, one limit, one character class.
    expect(asSandbox?.replace('A sandbox name', 'X')).toBe(asNamespace?.replace('A namespace', 'X'));
    expect(isSandboxName(name)).toBe(false);
    expect(isNamespaceName(name)).toBe(false);
  });

  it('takes no * as a name: it names no folder', () => {
    expect(nameProblem('*', 'sandbox')).toMatch(/not "\*"/);
    // As a sandbox's namespace `*` is no name at all, so the hint about `*` alone would mislead.
    expect(nameProblem('*', 'namespace')).toBe(
      'A namespace may contain only letters A–Z, digits, "_" and "-", not "*".',
    );
    expect(namespaceProblem('*')).toBeNull();
    expect(isNamespaceName('*')).toBe(false);
  });

  it('refuses an empty name and a value that is not text', () => {
    expect(nameProblem('', 'sandbox')).toBe('A sandbox name cannot be empty.');
    expect(nameProblem('', 'namespace')).toBe('A namespace cannot be empty.');
    expect(nameProblem(5, 'sandbox')).toMatch(/must be text/);
    expect(nameProblem(null, 'namespace')).toMatch(/must be text/);
  });

  it('says a long name is too long before looking at its characters', () => {
    expect(nameProblem(`${'é'.repeat(MAX_NAME_LENGTH + 1)}`, 'sandbox')).toMatch(/at most 63 characters/);
  });

  it('checks a sandbox named by the window with the same rule', () => {
    expect(sandboxRefProblem({ namespace: 'team', name: 'web' })).toBeNull();
    expect(sandboxRefProblem({ namespace: '..', name: 'web' })).toBe(nameProblem('..', 'namespace'));
    expect(sandboxRefProblem({ namespace: 'team', name: 'a b' })).toBe(nameProblem('a b', 'sandbox'));
    expect(sandboxRefProblem(null)).not.toBeNull();
  });
});

describe('the namespace a key is for', () => {
  it.each([ALL_NAMESPACES, ...NAMES])('accepts %j', (ns) => {
    expect(namespaceProblem(ns)).toBeNull();
  });

  it.each([
    ['', /Enter a namespace/],
    ['**', /\* on its own/],
    ['*a', /\* on its own/],
    ['a*', /\* on its own/],
    ...NOT_NAMES,
  ] as [string, RegExp][])('refuses %j', (ns, message) => {
    expect(namespaceProblem(ns)).toMatch(message);
  });

  it('differs from the name rule only in * and the empty value', () => {
    for (const [ns] of NOT_NAMES) expect(namespaceProblem(ns)).toBe(nameProblem(ns, 'namespace'));
    expect(namespaceProblem(42)).toMatch(/must be text/);
  });

  it('gives the same answer in the window, the IPC check, the settings and the tray', () => {
    for (const ns of ['', '*', '**', 'team', 'a b', 'x'.repeat(64), '-x', 'café']) {
      const problem = namespaceProblem(ns);
      const window = checkNamespace(ns);
      expect(window.ok ? null : window.error, ns).toBe(problem);
      const ipc = validateMintKeyRequest({ namespace: ns });
      expect(ipc.ok ? null : ipc.error.message, ns).toBe(problem);
      const settings = validateSettingsPatch({ defaultNamespace: ns });
      expect(settings.ok ? null : settings.errors.defaultNamespace, ns).toBe(problem);
      // The tray offers a key per namespace that exists: a name, never `*`.
      const tray = parseTrayAction(`copy-key-namespace:${ns}`);
      expect(tray?.kind === 'copy-key-namespace' ? copyKeyRequest(tray, DEFAULT_SETTINGS).namespace : null, ns).toBe(
        isNamespaceName(ns) ? ns : null,
      );
    }
  });
});
