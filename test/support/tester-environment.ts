// What of the tester's own environment must not reach an app or rig under test: microsandbox's
// variables (a home, a config, stand-in knobs), which would point it at the tester's real world.

/** Whether `name` is one of microsandbox's variables (msb's MSB_*, msbserver's MICROSANDBOX_*, …). */
export function isMicrosandboxVariable(name: string): boolean {
  return /^(MSB_|MICROSANDBOX_)/.test(name) || name === 'MSBSERVER_EXE' || name === 'RUST_LOG';
}

/**
 * The tester's environment with microsandbox's variables marked for removal (undefined), so a
 * launcher that lays this over process.env drops them rather than inheriting them again.
 */
export function withoutMicrosandboxVariables(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) out[name] = isMicrosandboxVariable(name) ? undefined : value;
  return out;
}
