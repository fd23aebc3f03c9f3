import { describe, expect, it } from 'vitest';
import { ALL_NAMESPACES, NamespaceError, namespaceProblem, validateNamespace } from '../../shared/namespace.ts';

describe('namespaces', () => {
  const valid = ['*', 'default', 'a', '0', 'Team-1', 'team_1', 'a-', 'a_', '9lives', 'x'.repeat(63), 'A'.repeat(63)];
  it.each(valid)('accepts %j', (ns) => {
    expect(namespaceProblem(ns)).toBeNull();
    expect(validateNamespace(ns)).toBe(ns);
  });

  const invalid: [string, RegExp][] = [
    ['', /Enter a namespace/],
    ['x'.repeat(64), /at most 63 characters long; this one has 64/],
    ['-team', /start with a letter or a digit/],
    ['_team', /start with a letter or a digit/],
    ['-', /start with a letter or a digit/],
    ['team.one', /not "\."/],
    ['team one', /not spaces or line breaks/],
    [' default', /not spaces or line breaks/],
    ['default ', /not spaces or line breaks/],
    ['**', /\* on its own/],
    ['*a', /\* on its own/],
    ['a*', /\* on its own/],
    ['café', /not "é"/],
    ['名前', /not "名"/],
    ['emoji😀', /not "😀"/],
    ['a/b', /not "\/"/],
    ['a\nb', /not spaces or line breaks/],
    ['a\0b', /not U\+0000/],
    ['a\u200Bb', /not U\+200B/],
  ];
  it.each(invalid)('rejects %j', (ns, message) => {
    expect(namespaceProblem(ns)).toMatch(message);
    expect(() => validateNamespace(ns)).toThrow(NamespaceError);
  });

  it('exports the all-namespaces value', () => {
    expect(ALL_NAMESPACES).toBe('*');
  });

  it('says what is wrong with a value that is not text', () => {
    expect(namespaceProblem(42 as unknown as string)).toMatch(/must be text/);
  });

  it('names its error class', () => {
    expect(() => validateNamespace('')).toThrow(expect.objectContaining({ name: 'NamespaceError' }));
  });
});
