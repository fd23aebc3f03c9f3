import { describe, expect, it } from 'vitest';
import { isMicrosandboxVariable, withoutMicrosandboxVariables } from './tester-environment.ts';

describe("the tester's environment", () => {
  it("marks microsandbox's variables for removal and keeps the rest", () => {
    const env = withoutMicrosandboxVariables({
      MSB_HOME: '/home/tester/msb',
      MSB_CONFIG_PATH: '/home/tester/msb.json',
      MSB_STANDIN_PIDFILE: '/tmp/pid',
      MICROSANDBOX_HOME: '/home/tester/.microsandbox',
      MSBSERVER_EXE: '/usr/local/bin/msbserver',
      RUST_LOG: 'debug',
      PATH: '/usr/bin',
      HOME: '/home/tester',
    });
    expect(env).toEqual({
      MSB_HOME: undefined,
      MSB_CONFIG_PATH: undefined,
      MSB_STANDIN_PIDFILE: undefined,
      MICROSANDBOX_HOME: undefined,
      MSBSERVER_EXE: undefined,
      RUST_LOG: undefined,
      PATH: '/usr/bin',
      HOME: '/home/tester',
    });
    expect(isMicrosandboxVariable('MSBX')).toBe(false);
  });
});
