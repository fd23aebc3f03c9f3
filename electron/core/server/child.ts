import { spawn, type ChildProcess } from 'node:child_process';
import type { ExitStatus, ServerContext } from './context.ts';
import { serverEnvironment } from '../programs/locate.ts';

/** The msbserver process this app spawned: the only server whose exit it hears at once. */
export interface OwnChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  /** Set before the app itself signals it, so its exit is not taken for a crash. */
  expectingExit: boolean;
  /** Where this run's output starts in the server log. */
  readonly logOffset: number;
}

export function isRunningChild(child: OwnChild | null): child is OwnChild {
  return child !== null && child.process.exitCode === null && child.process.signalCode === null;
}

/**
 * Spawns msbserver detached, in a new session, with its output on the log file's descriptor.
 *
 * node:child_process rather than execa here: the server's output must go to the log file's
 * descriptor directly (execa pipes a `{ file }` target through this process, which would break
 * the server's stdout when the app quits), and a detached daemon needs none of execa's promises.
 */
export async function spawnServer(
  ctx: ServerContext,
  executable: string,
  args: readonly string[],
  log: { readonly fd: number; readonly offset: number },
): Promise<OwnChild> {
  const logLevel = ctx.settings().logLevel;
  // NO_COLOR: the output goes to a file, where colour codes are noise.
  // MICROSANDBOX_HOME: the server finds its namespaces in the very home the app works in.
  const base = {
    NO_COLOR: '1',
    ...ctx.env,
    MICROSANDBOX_HOME: ctx.paths.home,
    ...(logLevel === null ? {} : { RUST_LOG: logLevel }),
  };
  const child = spawn(executable, [...args], {
    // A new session, so the server outlives the app and a terminal's signals, as with msb.
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: await serverEnvironment(base, executable, ctx.platform, ctx.userHome),
    cwd: ctx.paths.home,
    windowsHide: true,
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () =>
      child.pid === undefined ? reject(new Error('the process has no PID')) : resolve(child.pid),
    );
    child.once('error', reject);
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signalName) => resolve({ code, signal: signalName }));
  });
  child.unref();
  return { process: child, pid, exited, expectingExit: false, logOffset: log.offset };
}
