/**
 * A window's or the tray's stop request carried out on a fresh listing. Only a sandbox the listing
 * shows running is stopped: a stale row is upstream's to clear, and nothing that writes is done
 * for it. The way is the running server's `sandbox.stop` when it serves the folder shown,
 * authenticated with a token that lives for a minute, minted per namespace from `server.key` (the
 * key never leaves main; a dev-mode server needs none). Without such a server, or when it cannot
 * be reached, the app sends the same SIGTERM itself, to the one PID confirmed to be that
 * sandbox's `msbrun supervisor` (sandbox-stop.ts).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import {
  findSandbox,
  runningSandboxes,
  sandboxRefProblem,
  type SandboxesView,
  type SandboxRef,
  type SandboxStopFailure,
  type SandboxStopRequest,
  type SandboxStopResult,
} from '../../../shared/sandboxes.ts';
import type { ServerSnapshot } from '../../../shared/server-status.ts';
import type { Clock } from '../base/clock.ts';
import { errorText, type Logger } from '../base/logger.ts';
import { readServerKey } from '../keys/server-key.ts';
import { mintToken } from '../keys/token.ts';
import { readProcessArgv } from '../process/process-identity.ts';
import { stopSandboxDirectly, stopSandboxViaServer, type StopOutcome } from './sandbox-stop.ts';

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface StopRequestDeps {
  /** `<home>/namespaces`: what a server started without `--path` serves. */
  readonly defaultNamespacesDir: string;
  /** The namespaces folder shown now. */
  readonly namespacesDir: () => string;
  readonly server: () => ServerSnapshot;
  readonly keyFile: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fetch?: FetchLike;
  readonly platform?: NodeJS.Platform;
  /** How long the stop token lives, seconds (default 60). */
  readonly tokenSeconds?: number;
}

type Way =
  | { readonly kind: 'server'; readonly url: string; readonly token: (namespace: string) => Promise<string> }
  | { readonly kind: 'direct' }
  | { readonly kind: 'no-key'; readonly message: string };

/** Stops what the request names among what `view` (a listing made just now) shows running. */
export async function stopRequested(
  deps: StopRequestDeps,
  view: SandboxesView,
  request: SandboxStopRequest,
): Promise<SandboxStopResult> {
  const running = runningSandboxes(view);
  const refs: SandboxRef[] =
    'all' in request
      ? running.map(({ namespace, name }) => ({ namespace, name }))
      : [{ namespace: request.namespace, name: request.name }];
  const failed: SandboxStopFailure[] = [];
  const targets: SandboxRef[] = [];
  for (const ref of refs) {
    const problem = sandboxRefProblem(ref);
    const info = problem === null ? findSandbox(view, ref) : null;
    if (problem !== null) failed.push({ ...ref, message: problem });
    else if (info === null)
      failed.push({ ...ref, message: `There is no sandbox ${ref.namespace}/${ref.name} in ${view.namespacesDir}.` });
    else if (info.state === 'stale') {
      failed.push({
        ...ref,
        message:
          `${ref.namespace}/${ref.name} is not running: its supervisor is gone and the row is stale. Nothing was ` +
          `signalled.`,
      });
    } else if (info.state !== 'running')
      failed.push({ ...ref, message: `${ref.namespace}/${ref.name} is not running.` });
    else targets.push(ref);
  }
  if (targets.length === 0) return { stopped: [], failed, via: 'none' };

  const way = await stopWay(deps);
  const stopped: SandboxRef[] = [];
  let via: SandboxStopResult['via'] = way.kind === 'server' ? 'server' : 'signal';
  const outcomes = await Promise.all(
    targets.map(async (ref) => ({ ref, ...(await stopOne(deps, ref, way, view.namespacesDir)) })),
  );
  for (const { ref, outcome, signalled } of outcomes) {
    if (signalled) via = 'signal';
    if (outcome.ok) stopped.push(ref);
    else failed.push({ ...ref, message: outcome.message });
  }
  return { stopped, failed, via: stopped.length > 0 ? via : 'none' };
}

/**
 * Whether the running server serves the folder shown: its `--path`/`-p` (absolute), else its
 * default `<home>/namespaces`. Another folder (the setting changed while it ran, a CLI start with
 * `--path`), or one that cannot be told, means its `sandbox.stop` would act elsewhere.
 */
async function servesShownFolder(deps: StopRequestDeps, pid: number | null): Promise<boolean> {
  if (pid === null) return false;
  const argv = await readProcessArgv(pid, deps.platform ?? process.platform);
  if (argv === null) return false;
  let served: string | undefined = deps.defaultNamespacesDir;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--path' || arg === '-p') served = argv[i + 1];
    else if (arg.startsWith('--path=')) served = arg.slice('--path='.length);
  }
  if (served === undefined || !path.isAbsolute(served)) return false;
  const real = (dir: string): Promise<string> => fsp.realpath(dir).catch(() => path.resolve(dir));
  return (await real(served)) === (await real(deps.namespacesDir()));
}

/** How a stop goes now: through the running server (with a token unless dev mode), or directly. */
async function stopWay(deps: StopRequestDeps): Promise<Way> {
  const snapshot = deps.server();
  if (snapshot.state !== 'running' || snapshot.url === null) return { kind: 'direct' };
  if (!(await servesShownFolder(deps, snapshot.pid))) {
    deps.logger.info(`sandboxes: the running server does not serve ${deps.namespacesDir()}; stopping directly`);
    return { kind: 'direct' };
  }
  if (snapshot.devMode === true) return { kind: 'server', url: snapshot.url, token: () => Promise.resolve('') };
  let key: string | null;
  try {
    key = await readServerKey(deps.keyFile);
  } catch (error) {
    return {
      kind: 'no-key',
      message: `The server key ${deps.keyFile} cannot be read (${errorText(error)}), so the server cannot be asked.`,
    };
  }
  if (key === null)
    return {
      kind: 'no-key',
      message: `There is no server key (${deps.keyFile}), so the server cannot be asked.`,
    };
  const secret = key;
  const expiresIn = deps.tokenSeconds ?? 60;
  // One token per stop, for that sandbox's namespace only: one that leaked (a server's request
  // log) reaches no other namespace.
  const token = async (namespace: string): Promise<string> =>
    (await mintToken({ key: secret, namespace, expiresIn, now: deps.clock.now() })).token;
  return { kind: 'server', url: snapshot.url, token };
}

async function stopOne(
  deps: StopRequestDeps,
  ref: SandboxRef,
  way: Way,
  namespacesDir: string,
): Promise<{ outcome: StopOutcome; signalled: boolean }> {
  const direct = async (): Promise<{ outcome: StopOutcome; signalled: boolean }> => ({
    outcome: await stopSandboxDirectly({
      namespacesDir,
      namespace: ref.namespace,
      name: ref.name,
      logger: deps.logger,
      ...(deps.platform === undefined ? {} : { platform: deps.platform }),
    }),
    signalled: true,
  });
  if (way.kind === 'direct') return direct();
  if (way.kind === 'no-key')
    return { outcome: { ok: false, code: 'unauthorized', message: way.message }, signalled: false };
  const outcome = await stopSandboxViaServer({
    url: way.url,
    token: await way.token(ref.namespace),
    namespace: ref.namespace,
    name: ref.name,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  // The server went away meanwhile: stopping no longer needs it.
  if (!outcome.ok && outcome.code === 'unreachable') {
    deps.logger.info(`sandboxes: ${outcome.message}; stopping ${ref.namespace}/${ref.name} directly`);
    return direct();
  }
  return { outcome, signalled: false };
}
