import { describe, expect, it } from 'vitest';
import { isNamespaceName, isSandboxName, sandboxNameProblem, sandboxRefProblem } from '../../shared/sandboxes.ts';
import { namespaceDir, sandboxLogPath, SandboxNameError } from '../../electron/core/sandboxes/sandbox-paths.ts';

describe('sandbox and namespace names (upstream rules)', () => {
  it('accepts 1–63 of [A-Za-z0-9_-] starting with a letter or digit', () => {
    for (const name of ['a', 'web_1', '9lives', 'A-b_c', `a${'b'.repeat(62)}`])
      expect(isSandboxName(name), name).toBe(true);
    for (const name of [
      '',
      '-lead',
      '_x',
      `a${'b'.repeat(63)}`,
      'no spaces',
      'ünï',
      '.',
      '..',
      'a/b',
      'a\\b',
      '*',
      'a.b',
      '\0',
    ]) {
      expect(isSandboxName(name), name).toBe(false);
      expect(isNamespaceName(name), name).toBe(false);
    }
    expect(sandboxNameProblem(5)).toMatch(/text/);
    expect(sandboxRefProblem({ namespace: 'team', name: 'web' })).toBeNull();
    expect(sandboxRefProblem({ namespace: '..', name: 'web' })).toMatch(/namespace/i);
    expect(sandboxRefProblem(null)).not.toBeNull();
  });

  it('path builders refuse anything that could leave the namespaces folder', () => {
    expect(namespaceDir('/n', 'team')).toBe('/n/team');
    expect(sandboxLogPath('/n', 'team', 'web')).toBe('/n/team/.menv/log/Sandboxfile/web.log');
    expect(() => namespaceDir('/n', '..')).toThrow(SandboxNameError);
    expect(() => sandboxLogPath('/n', 'team', '../../x')).toThrow(SandboxNameError);
    expect(() => sandboxLogPath('/n', '/etc', 'x')).toThrow(SandboxNameError);
  });
});
