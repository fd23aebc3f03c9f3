import { describe, expect, it } from 'vitest';
import { namespaceDir, sandboxLogPath, SandboxNameError } from '../../electron/core/sandboxes/sandbox-paths.ts';

describe('sandbox paths', () => {
  it('path builders refuse anything that could leave the namespaces folder', () => {
    expect(namespaceDir('/n', 'team')).toBe('/n/team');
    expect(sandboxLogPath('/n', 'team', 'web')).toBe('/n/team/.menv/log/Sandboxfile/web.log');
    expect(() => namespaceDir('/n', '..')).toThrow(SandboxNameError);
    expect(() => sandboxLogPath('/n', 'team', '../../x')).toThrow(SandboxNameError);
    expect(() => sandboxLogPath('/n', '/etc', 'x')).toThrow(SandboxNameError);
  });
});
