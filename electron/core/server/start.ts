/**
 * The start procedure, as `msb server start` does it but without its races: under the home's
 * lock, look at `server.pid` again, locate msbserver, check the port, choose the key, spawn it
 * detached with its output in the log, record its PID, and wait for its health check.
 */
import { promises as fsp } from 'node:fs';
import type { FailureCode, ServerSnapshot } from '../../../shared/server-status.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import { chooseStartKey } from '../keys/server-key.ts';
import { errorText } from '../logger.ts';
import { isRunningChild, type OwnChild, spawnServer } from './child.ts';
import { type ServerContext, withLock } from './context.ts';
import { waitForHealth } from './health.ts';
import { locateMsbserver } from './locate.ts';
import { adoptFromPidFile } from './observe.ts';
import { failed, type Outcome, type Progress, UNCHANGED } from './outcome.ts';
import { writePidFile, removePidFileIf } from './pid-file.ts';
import { portInUse } from './port-check.ts';
import { redactArgs, serverArgs } from './server-args.ts';
import type { StartOptions } from './server-control.ts';
import { openServerLog } from './server-log.ts';
import { serverUrl } from './server-url.ts';
import { describeExit } from './signals.ts';
import { killChild } from './stop.ts';

export interface StartRequest {
  readonly options: StartOptions;
  /** Aborted when the app quits: the detached server is then left to come up on its own. */
  readonly signal: AbortSignal;
  readonly current: ServerSnapshot;
  readonly progress: (step: Progress) => void;
}

export async function startServer(ctx: ServerContext, request: StartRequest): Promise<Outcome> {
  const settings = ctx.settings();
  const url = serverUrl(settings.host, settings.port);
  request.progress({ kind: 'starting', url, devMode: settings.devMode });
  if (ctx.platform === 'win32') {
    return failed(ctx, 'unsupported-platform', 'msbserver does not run natively on Windows. Run microsandbox inside WSL 2.');
  }
  try {
    await fsp.mkdir(ctx.paths.namespacesDir, { recursive: true });
    return await withLock(ctx, () => startLocked(ctx, request, settings, url));
  } catch (error) {
    // startLocked answers every failure itself: what arrives here is the home's or the lock's.
    return failed(ctx, 'home-error', `Could not prepare ${ctx.paths.home}: ${errorText(error)}`);
  }
}

async function startLocked(ctx: ServerContext, request: StartRequest, settings: Settings, url: string): Promise<Outcome> {
  const spawned: { child: OwnChild | null } = { child: null };
  try {
    return await prepareAndSpawn(ctx, request, settings, url, spawned);
  } catch (error) {
    // Whatever went wrong, a child started on the way must not be left behind.
    if (isRunningChild(spawned.child)) await killChild(ctx, spawned.child);
    return failed(ctx, 'spawn-error', `Starting msbserver failed: ${errorText(error)}`);
  }
}

async function prepareAndSpawn(
  ctx: ServerContext,
  request: StartRequest,
  settings: Settings,
  url: string,
  spawned: { child: OwnChild | null },
): Promise<Outcome> {
  // Under the lock, look again: the CLI or another instance may have started one meanwhile.
  const adopted = await adoptFromPidFile(ctx, request.current);
  if (adopted !== null) return adopted;

  const located = await locateMsbserver({ env: ctx.env, settingsPath: settings.msbserverPath, platform: ctx.platform, userHome: ctx.userHome });
  if (!located.found) {
    const code: FailureCode = located.problem.includes('not an executable') ? 'not-executable' : 'not-found';
    return failed(ctx, code, `${located.problem} ${located.hint}`, { searched: located.searched });
  }
  if (await portInUse(settings.host, settings.port)) {
    return failed(
      ctx,
      'port-in-use',
      `Port ${settings.port} on ${settings.host} is already in use by another program. Stop it or choose another port in Settings.`,
    );
  }
  let key: string | null = null;
  if (!settings.devMode) {
    try {
      key = await chooseStartKey(ctx.paths.keyFile, request.options);
    } catch (error) {
      return failed(ctx, 'home-error', `Could not prepare the server key: ${errorText(error)}`);
    }
  }
  return spawnAndWait(ctx, request, located.path, serverArgs(settings, key), settings, url, spawned);
}

async function spawnAndWait(
  ctx: ServerContext,
  request: StartRequest,
  executable: string,
  args: string[],
  settings: Settings,
  url: string,
  spawned: { child: OwnChild | null },
): Promise<Outcome> {
  let log;
  try {
    log = await openServerLog(
      ctx.logFile,
      `--- ${new Date(ctx.clock.now()).toISOString()} Microsandbox Tray starts ${executable} ${redactArgs(args).join(' ')}`,
    );
  } catch (error) {
    return failed(ctx, 'home-error', `Could not open the server log ${ctx.logFile}: ${errorText(error)}`);
  }
  let child: OwnChild;
  try {
    child = await spawnServer(ctx, executable, args, { fd: log.handle.fd, offset: log.offset });
  } catch (error) {
    return failed(ctx, 'spawn-error', `Could not start ${executable}: ${errorText(error)}`);
  } finally {
    await log.handle.close();
  }
  spawned.child = child;
  request.progress({ kind: 'spawned', child });
  try {
    await writePidFile(ctx.paths.pidFile, child.pid);
  } catch (error) {
    await killChild(ctx, child);
    return failed(ctx, 'home-error', `Could not write ${ctx.paths.pidFile}: ${errorText(error)}`);
  }

  const abort = new AbortController();
  const stopWaiting = (): void => abort.abort();
  request.signal.addEventListener('abort', stopWaiting, { once: true });
  // The request may have been aborted between the spawn and here, before there was a wait.
  if (request.signal.aborted) abort.abort();
  const outcome = await Promise.race([
    child.exited.then((exit) => ({ kind: 'exited' as const, ...exit })),
    waitForHealth(url, { timeoutMs: settings.readinessTimeoutMs, signal: abort.signal }).then((result) => ({ kind: result })),
  ]);
  abort.abort();
  request.signal.removeEventListener('abort', stopWaiting);
  // The app is quitting: the detached server is left as it is (a stop may follow).
  if (outcome.kind === 'aborted') return UNCHANGED;

  if (outcome.kind === 'healthy') {
    return { kind: 'running', pid: child.pid, url, devMode: settings.devMode, startedAt: ctx.clock.now(), external: false, healthy: true, child };
  }
  if (outcome.kind === 'exited') {
    await removePidFileIf(ctx.paths.pidFile, child.pid);
    return failed(ctx, 'exited', `msbserver exited before it was ready (${describeExit(outcome)}).`, {
      exitCode: outcome.code,
      signal: outcome.signal,
      logOffset: child.logOffset,
    });
  }
  const exit = await killChild(ctx, child);
  return failed(
    ctx,
    'timeout',
    `msbserver did not answer its health check within ${Math.round(settings.readinessTimeoutMs / 1000)} s and was stopped.`,
    { exitCode: exit.code, signal: exit.signal, logOffset: child.logOffset },
  );
}
