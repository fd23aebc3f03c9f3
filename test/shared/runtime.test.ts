import { describe, expect, it } from 'vitest';
import {
  chooseGeneration,
  execCommand,
  RUNTIME_STATUSES,
  runtimeActions,
  runtimeNameProblem,
  type RuntimeActionName,
} from '../../shared/runtime.ts';

function offered(status: string, pause: boolean): RuntimeActionName[] {
  const actions = runtimeActions(status, { pause });
  return (Object.keys(actions) as RuntimeActionName[]).filter((action) => actions[action]);
}

describe('the one rule for runtime actions', () => {
  it.each([
    ['Created', false, ['start']],
    ['Starting', false, ['stop']],
    ['Running', false, ['stop', 'restart']],
    ['Running', true, ['stop', 'restart', 'pause']],
    ['Draining', true, ['stop']],
    ['Paused', false, ['stop']],
    ['Paused', true, ['stop', 'resume']],
    ['Stopped', true, ['start', 'remove']],
    ['Crashed', false, ['start', 'remove']],
  ] as const)('%s (pause and resume installed: %s)', (status, pause, expected) => {
    expect(offered(status, pause)).toEqual(expected);
  });

  it('offers Remove only for a stopped or crashed sandbox', () => {
    const removable = RUNTIME_STATUSES.filter((status) => runtimeActions(status, { pause: true }).remove);
    expect(removable).toEqual(['Stopped', 'Crashed']);
  });

  it('offers nothing that writes for a status it does not know, nor for another spelling', () => {
    expect(offered('Hibernating', true)).toEqual([]);
    expect(offered('running', true)).toEqual([]);
    expect(offered('', true)).toEqual([]);
  });
});

describe('chooseGeneration', () => {
  it('takes the runtime when found in Automatic, else the server, else none', () => {
    expect(chooseGeneration('automatic', { runtime: true, server: true })).toBe('runtime');
    expect(chooseGeneration('automatic', { runtime: false, server: true })).toBe('server');
    expect(chooseGeneration('automatic', { runtime: false, server: false })).toBe('none');
  });

  it('keeps a forced generation even when only the other one is found', () => {
    expect(chooseGeneration('server', { runtime: true, server: false })).toBe('server');
    expect(chooseGeneration('runtime', { runtime: false, server: true })).toBe('runtime');
  });
});

describe('runtimeNameProblem', () => {
  const list = [{ name: 'web' }, { name: 'db-1' }];

  it('accepts a name of the current list', () => {
    expect(runtimeNameProblem('web', list)).toBeNull();
  });

  it('refuses a name not in the list, a non-string and an empty or overlong name', () => {
    expect(runtimeNameProblem('other', list)).toMatch(/no sandbox named/);
    expect(runtimeNameProblem('../web', list)).toMatch(/no sandbox named/);
    expect(runtimeNameProblem(7, list)).toMatch(/text/);
    expect(runtimeNameProblem('', list)).toMatch(/not a sandbox name/);
    expect(runtimeNameProblem('a'.repeat(256), [{ name: 'a'.repeat(256) }])).toMatch(/not a sandbox name/);
  });
});

describe('execCommand', () => {
  it('writes a plain name as it is', () => {
    expect(execCommand('web-1.dev')).toBe('msb exec web-1.dev -- sh');
  });

  it('single-quotes a name a shell would read otherwise', () => {
    expect(execCommand('a b')).toBe("msb exec 'a b' -- sh");
    expect(execCommand("it's;rm -rf")).toBe("msb exec 'it'\\''s;rm -rf' -- sh");
    expect(execCommand('$(x)')).toBe("msb exec '$(x)' -- sh");
  });
});
