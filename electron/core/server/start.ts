/**
 * The start procedure, as `msb server start` does it but without its races: under the home's
 * lock, look at `server.pid` again, locate msbserver, check the port, choose the key, spawn it
 * detached in its own session with its output in the log, record it, and wait until the server
 * that answers its health check is known to be this one (readiness.ts).
 */
import type { FailureCode, ServerSnapshot } from '../../../shared/server-status.ts';
import { exposureRefusal } from '../../../shared/exposure.ts';
import type { Settings } from '../../../shared/settings-schema.ts';
import {
  MSBRUN_UNSAFE_FIX,
  MSBRUN_UNSAFE_WHY,
  msbrunUnsafeText,
  platformName,
  serverRunsOn,
} from '../../../shared/setup.ts';
import { chooseStartKey } from '../keys/server-key.ts';
import { errorText } from '../base/logger.ts';
import { isRunningChild, type OwnChild, spawnServer } from './child.ts';
import { type ExitStatus, type ServerContext, withLock } from './context.ts';
import { LockAbortedError } from './start-lock.ts';
import { waitForHealth } from './health.ts';
import { homeFileProblem, prepareHome } from './home.ts';
import { locateMsbrun, locateMsbserver, msbrunWarning } from '../programs/locate.ts';
import { adoptFromPidFile, adoptInstead } from './observe.ts';
import { failed, type Outcome, type Progress, seconds, type TrackedServer, UNCHANGED } from './outcome.ts';
import { removePidFileIf, writePidFile } from './pid-file.ts';
import { portInUse } from './port-check.ts';
import { processStartTime } from '../process/process-identity.ts';
import { homeServerOnPort, ownListener, pidFileNames, portHolderText, trackHandedOff } from './readiness.ts';
import { groupAlive, processGroupOf } from '../process/process-groups.ts';
import { redactArgs, serverArgs } from './server-args.ts';
import type { StartOptions } from './server-control.ts';
import { openServerLog } from './server-log.ts';
import { clearServerRecord, writeServerRecord } from '../process/server-record.ts';
import { serverUrl } from '../../../shared/server-url.ts';
import { describeExit } from './signals.ts';
import { killNow } from './terminate.ts';

export interface StartRequest {
  readonly options: StartOptions;
  /** Aborted by Stop (the start gives way at once) and by quitting (the server is left to come up). */
  readonly signal: AbortSignal;
  readonly current: ServerSnapshot;
  readonly progress: (step: Progress) => void;
}

interface Run {
  readonly ctx: ServerContext;
  readonly request: StartRequest;
  readonly settings: Settings;
  readonly url: string;
  readonly warnings: string[];
  /** The child once spawned, so that nothing started on the way is left behind. */
  own: TrackedServer | null;
}

export async function startServer(ctx: ServerContext, request: StartRequest): Promise<Outcome> {
  const settings = ctx.settings();
  const url = serverUrl(settings.host, settings.port);
  request.progress({ kind: 'starting', url, devMode: settings.devMode, warnings: request.current.warnings });
  if (!serverRunsOn(ctx.platform)) {
    return failed(
      ctx,
      'unsupported-platform',
      `msbserver does not run natively on ${platformName(ctx.platform)}. Run microsandbox inside WSL 2.`,
    );
  }
  // The window cannot ask for it any more, but a settings file of an earlier version (or edited
  // by hand) still could: development mode is never opened to the network.
  const refusal = exposureRefusal(settings);
  if (refusal !== null) return failed(ctx, 'unsafe-settings', `${refusal} The server was not started.`);
  const run: Run = { ctx, request, settings, url, warnings: [], own: null };
  try {
    run.warnings.push(...(await prepareHome(ctx)));
    return await withLock(ctx, () => startLocked(run), request.signal);
  } catch (error) {
    // Stop pressed while another holder kept the lock: nothing was started, nothing to say.
    if (error instanceof LockAbortedError) return UNCHANGED;
    // startLocked answers every failure itself: what arrives here is the home's or the lock's.
    return failed(ctx, 'home-error', `Could not prepare ${ctx.paths.home}: ${errorText(error)}`);
  }
}

async function startLocked(run: Run): Promise<Outcome> {
  const { ctx } = run;
  try {
    return await prepareAndSpawn(run);
  } catch (error) {
    // Whatever went wrong, a server started on the way must not be left behind.
    if (run.own !== null && isRunningChild(run.own.child)) {
      await killNow(ctx, run.own);
      await removePidFileIf(ctx.paths.pidFile, run.own.pid);
      await clearServerRecord(ctx, run.own.pid);
    }
    const problem = homeFileProblem(ctx, error);
    if (problem !== null) return failed(ctx, 'home-error', problem, { warnings: run.warnings });
    return failed(ctx, 'spawn-error', `Starting msbserver failed: ${errorText(error)}`, { warnings: run.warnings });
  }
}

async function prepareAndSpawn(run: Run): Promise<Outcome> {
  const { ctx, settings, warnings } = run;
  // Under the lock, look again: the CLI or another instance may have started one meanwhile.
  const adopted = await adoptFromPidFile(ctx, run.request.current);
  warnings.push(...(adopted?.warnings ?? []));
  if (adopted !== null && adopted.kind !== 'unchanged') return { ...adopted, warnings };
  if (run.request.signal.aborted) return UNCHANGED;

  const located = await locateMsbserver({
    env: ctx.env,
    settingsPath: settings.msbserverPath,
    platform: ctx.platform,
    userHome: ctx.userHome,
  });
  if (!located.found) {
    const code: FailureCode =
      located.reason === 'unsafe'
        ? 'unsafe-executable'
        : located.reason === 'not-executable'
          ? 'not-executable'
          : 'not-found';
    return failed(ctx, code, `${located.problem} ${located.hint}`, { searched: located.searched, warnings });
  }
  const msbrunLocation = await locateMsbrun(located.path, ctx.env);
  // msbserver runs msbrun for every sandbox: one others could change is not started at all.
  if (msbrunLocation.unsafe !== undefined)
    return failed(
      ctx,
      'unsafe-msbrun',
      `${msbrunUnsafeText(msbrunLocation.unsafe)} ${MSBRUN_UNSAFE_WHY} ${MSBRUN_UNSAFE_FIX}`,
      {
        searched: msbrunLocation.searched,
        warnings,
      },
    );
  const msbrun = msbrunWarning(msbrunLocation);
  if (msbrun !== null) warnings.push(msbrun);
  if (await portInUse(settings.host, settings.port)) {
    // The CLI may have started this home's server a moment ago, before its PID file was written.
    const running = await homeServerOnPort(ctx, settings.port);
    if (running !== null) return adoptInstead(ctx, running, null, warnings);
    const holder = await portHolderText(ctx, settings.port);
    return failed(
      ctx,
      'port-in-use',
      `Port ${settings.port} on ${settings.host} is already in use by ${holder ?? 'another program'}. ` +
        `Stop it or choose another port in Settings.`,
      { warnings },
    );
  }
  let key: string | null = null;
  if (!settings.devMode) {
    try {
      key = await chooseStartKey(ctx.paths.keyFile, {
        ...run.request.options,
        onWarning: (warning) => warnings.push(warning),
      });
    } catch (error) {
      return failed(ctx, 'home-error', `Could not prepare the server key: ${errorText(error)}`, { warnings });
    }
  }
  if (run.request.signal.aborted) return UNCHANGED;
  return spawnAndWait(run, located.path, serverArgs(settings, key));
}

async function spawnAndWait(run: Run, executable: string, args: string[]): Promise<Outcome> {
  const { ctx, settings, url, warnings, request } = run;
  let log;
  try {
    log = await openServerLog(
      ctx.logFile,
      `--- ${new Date(ctx.clock.now()).toISOString()} Microsandbox Tray starts ${executable} ` +
        `${redactArgs(args).join(' ')}`,
    );
  } catch (error) {
    return failed(ctx, 'home-error', `Could not open the server log ${ctx.logFile}: ${errorText(error)}`, { warnings });
  }
  let child: OwnChild;
  try {
    child = await spawnServer(ctx, executable, args, { fd: log.handle.fd, offset: log.offset });
  } catch (error) {
    return failed(ctx, 'spawn-error', `Could not start ${executable}: ${errorText(error)}`, { warnings });
  } finally {
    await log.handle.close();
  }
  // Detached: the child leads a session, and so a process group, of its own.
  const own: TrackedServer = {
    pid: child.pid,
    pgid: child.pid,
    startTime: await processStartTime(child.pid, ctx.platform),
    child,
  };
  run.own = own;
  request.progress({ kind: 'spawned', child });
  // The record first: whoever reads server.pid next (another instance, a look of our own) can
  // then tell this process is the app's, whatever it is named.
  await recordOwn(ctx, own, executable, settings, url);
  try {
    await writePidFile(ctx.paths.pidFile, child.pid);
  } catch (error) {
    await killNow(ctx, own);
    await clearServerRecord(ctx, child.pid);
    const problem = homeFileProblem(ctx, error) ?? `Could not write ${ctx.paths.pidFile}: ${errorText(error)}`;
    return failed(ctx, 'home-error', problem, { warnings });
  }

  const deadline = ctx.clock.now() + settings.readinessTimeoutMs;
  const raceOver = new AbortController();
  const outcome = await Promise.race([
    child.exited.then((exit) => ({ kind: 'exited' as const, ...exit })),
    waitForHealth(url, {
      timeoutMs: settings.readinessTimeoutMs,
      signal: AbortSignal.any([request.signal, raceOver.signal]),
    }).then((result) => ({ kind: result })),
  ]);
  raceOver.abort(); // the health polling ends with the race
  // Stop pressed, or the app quits: the procedure gives way; a stop (if any) comes next.
  if (outcome.kind === 'aborted' || request.signal.aborted) return UNCHANGED;

  if (outcome.kind === 'healthy') return answeredHealth(run, own, child);
  if (outcome.kind === 'exited') return exitedEarly(run, own, child, outcome, deadline);
  const exit = await killNow(ctx, own);
  await forget(ctx, child.pid);
  return failed(
    ctx,
    'timeout',
    `The app stopped msbserver after ${seconds(settings.readinessTimeoutMs)} without a health answer ` +
      `(the readiness timeout in Settings).`,
    {
      exitCode: exit.code,
      signal: exit.signal,
      logOffset: child.logOffset,
      warnings,
    },
  );
}

/** The health check answered: running, once it is known the answer came from the app's own start. */
async function answeredHealth(run: Run, own: TrackedServer, child: OwnChild): Promise<Outcome> {
  const { ctx, settings, url, warnings } = run;
  const listener = await ownListener(ctx, child, settings.port);
  if (listener === 'cannot-tell' || listener === child.pid) return running(run, own);
  if (listener !== null) {
    // A member of the group the app created (a wrapper without exec): the group is what Stop ends.
    if (isRunningChild(child) && (await processGroupOf(listener, ctx.platform)) === child.pid) return running(run, own);
    // A descendant in a session of its own (`setsid` in the wrapper): that process is the server.
    const handed = await trackHandedOff(ctx, child, listener, settings, url);
    if (handed !== null) return running(run, handed);
  }
  // Someone else answered: the CLI's server won the port. Adopt it if it is this home's.
  const stillRunning = isRunningChild(child);
  if (stillRunning) await killNow(ctx, own);
  const winner = await homeServerOnPort(ctx, settings.port, child.pid);
  if (winner !== null) return adoptInstead(ctx, winner, child.pid, warnings);
  // Ours answered and died at once: its exit handler reports the crash.
  if (!stillRunning) return running(run, own);
  await forget(ctx, child.pid);
  const holder = await portHolderText(ctx, settings.port);
  return failed(
    ctx,
    'port-in-use',
    `Port ${settings.port} on ${settings.host} was taken by ${holder ?? 'another program'} while msbserver started. ` +
      `Stop it or choose another port in Settings.`,
    {
      warnings,
      logOffset: child.logOffset,
    },
  );
}

/**
 * The child exited before it answered: a wrapper that handed the server off (to the background
 * of its group, or to a session of its own) and left, the CLI's server that won the port, or a
 * real failure that leaves nothing.
 */
async function exitedEarly(
  run: Run,
  own: TrackedServer,
  child: OwnChild,
  exit: ExitStatus,
  deadline: number,
): Promise<Outcome> {
  const { ctx, settings, url, warnings, request } = run;
  if (exit.code === 0 || (await groupAlive(child.pid, ctx.platform))) {
    const health = await waitForHealth(url, {
      timeoutMs: Math.max(0, deadline - ctx.clock.now()),
      signal: request.signal,
    });
    // Stop pressed, or the app quits: the group the app created is still tracked, for Stop to end.
    if (health === 'aborted' || request.signal.aborted) return UNCHANGED;
    if (health === 'healthy') {
      const listener = await ownListener(ctx, child, settings.port);
      const handedTo = typeof listener === 'number' ? listener : await handedOffServer(ctx, settings.port, child.pid);
      const handed = handedTo === null ? null : await trackHandedOff(ctx, child, handedTo, settings, url);
      if (handed !== null) return running(run, handed);
    }
  }
  if (request.signal.aborted) return UNCHANGED;
  const winner = await homeServerOnPort(ctx, settings.port, child.pid);
  if (winner !== null) return adoptInstead(ctx, winner, child.pid, warnings);
  await killNow(ctx, own); // whatever the child left in its group
  await forget(ctx, child.pid);
  return failed(ctx, 'exited', `msbserver exited before it was ready (${describeExit(exit)}).`, {
    exitCode: exit.code,
    signal: exit.signal,
    logOffset: child.logOffset,
    warnings,
  });
}

/**
 * This home's server on the port after the app's wrapper exited 0, when nothing links it to the
 * wrapper any more (a session of its own, its parent gone): the app's, unless server.pid names
 * it — then the CLI started it, and it is adopted as such.
 */
async function handedOffServer(ctx: ServerContext, port: number, childPid: number): Promise<number | null> {
  const found = await homeServerOnPort(ctx, port, childPid);
  if (found === null || (await pidFileNames(ctx, found.pid))) return null;
  return found.pid;
}

function running(run: Run, server: TrackedServer): Outcome {
  return {
    kind: 'running',
    server,
    url: run.url,
    devMode: run.settings.devMode,
    startedAt: run.ctx.clock.now(),
    external: false,
    healthy: true,
    warnings: run.warnings,
  };
}

async function recordOwn(
  ctx: ServerContext,
  own: TrackedServer,
  executable: string,
  settings: Settings,
  url: string,
): Promise<void> {
  // A wrapper that exits at once may be reaped before its start time is read: the spawn time is as good.
  const startTime = own.startTime ?? ctx.clock.now();
  try {
    await writeServerRecord(ctx, {
      pid: own.pid,
      pgid: own.pid,
      startTime,
      executable,
      url,
      devMode: settings.devMode,
      startedAt: ctx.clock.now(),
    });
  } catch (error) {
    ctx.logger.warn(
      `Could not record the started server; after an app restart it is recognised by its name only: ` +
        `${errorText(error)}`,
    );
  }
}

async function forget(ctx: ServerContext, pid: number): Promise<void> {
  await removePidFileIf(ctx.paths.pidFile, pid);
  await clearServerRecord(ctx, pid);
}
