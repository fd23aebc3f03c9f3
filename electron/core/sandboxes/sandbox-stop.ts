/**
 * Stopping a sandbox: through the server's JSON-RPC `sandbox.stop` while it runs, or, without a
 * server, by the same SIGTERM sent to the one PID confirmed to be that sandbox's supervisor
 * (which then stops the microVM and writes STOPPED). Both return an outcome; neither throws for
 * an expected failure.
 */
import { nameProblem } from '../../../shared/namespace.ts';
import { errorText as describeError, silentLogger, type Logger } from '../base/logger.ts';
import { menvDir, namespaceDir, sandboxDbPath } from './sandbox-paths.ts';
import { readSandboxDb } from './sandbox-db.ts';
import { supervisorExpectation } from './catalog.ts';
import { identifySupervisor, type SupervisorIdentity } from '../process/supervisor-identity.ts';
import { probe } from '../base/probe.ts';

export type StopErrorCode =
  | 'invalid-input'
  /** No answer: refused, reset, DNS, … */
  | 'unreachable'
  | 'timeout'
  /** 401: the key was refused. */
  | 'unauthorized'
  /** 403: the key is for another namespace. */
  | 'forbidden'
  /** The server refused the request (400) or could not do it (5xx). */
  | 'server-error'
  /** A redirect, or an answer that is not msbserver's. */
  | 'unexpected-response'
  /** Direct stop: no such sandbox in the database. */
  | 'not-found'
  /** Direct stop: its row does not say RUNNING. */
  | 'not-running'
  /** Direct stop: the recorded supervisor PID is not that sandbox's msbrun supervisor. */
  | 'not-supervisor'
  | 'signal-failed';

export type StopOutcome =
  | { readonly ok: true; readonly message: string; readonly pid?: number }
  | { readonly ok: false; readonly code: StopErrorCode; readonly message: string };

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface StopViaServerOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:5555`. */
  readonly url: string;
  /** An `msb_` token (a `*` key or one for `namespace`); never written into a message. */
  readonly token: string;
  readonly namespace: string;
  readonly name: string;
  readonly fetch?: FetchLike;
  /** Default 10 s: upstream only signals the supervisor, an answer comes at once. */
  readonly timeoutMs?: number;
}

const fail = (code: StopErrorCode, message: string): StopOutcome => ({ ok: false, code, message });

export async function stopSandboxViaServer(options: StopViaServerOptions): Promise<StopOutcome> {
  const problem = nameProblem(options.namespace, 'namespace') ?? nameProblem(options.name, 'sandbox');
  if (problem !== null) return fail('invalid-input', problem);
  let endpoint: URL;
  try {
    const base = new URL(options.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http');
    endpoint = new URL('api/v1/rpc', base.href.endsWith('/') ? base.href : `${base.href}/`);
  } catch {
    return fail('invalid-input', 'The server URL is not an http:// or https:// URL.');
  }
  const scrub = (text: string): string => (options.token === '' ? text : text.split(options.token).join('[key]'));
  const body = JSON.stringify({
    jsonrpc: '2.0',
    method: 'sandbox.stop',
    params: { sandbox: options.name, namespace: options.namespace },
    id: 1,
  });
  const what = `${options.namespace}/${options.name}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(endpoint.href, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body,
      // A redirect could carry the key elsewhere: never follow one.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return fail(
        'timeout',
        `The server at ${endpoint.origin} did not answer within ${Math.round((options.timeoutMs ?? 10_000) / 1000)} s.`,
      );
    }
    return fail(
      'unreachable',
      scrub(
        `Could not reach the server at ${endpoint.origin}: ` +
          `${describeError((error as { cause?: unknown }).cause ?? error)}`,
      ),
    );
  }
  const text = (await probe(response.text())) ?? '';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the status and the text describe the answer
    json = undefined;
  }
  const field = (key: string): unknown =>
    typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[key] : undefined;
  const serverMessage = typeof field('error') === 'string' ? ` (${scrub(String(field('error')))})` : '';
  if (response.status >= 300 && response.status < 400) {
    return fail('unexpected-response', `The server answered ${response.status} with a redirect; it was not followed.`);
  }
  if (response.status === 200) {
    const result = field('result');
    if (typeof result === 'string') return { ok: true, message: scrub(result) };
    return fail('unexpected-response', 'The server answered 200 without a JSON-RPC result.');
  }
  if (response.status === 401) return fail('unauthorized', `The server refused the key${serverMessage}.`);
  if (response.status === 403)
    return fail('forbidden', `The key is not valid for namespace ${options.namespace}${serverMessage}.`);
  if (response.status === 400) return fail('server-error', `The server refused to stop ${what}${serverMessage}.`);
  if (response.status >= 500)
    return fail('server-error', `The server could not stop ${what} (${response.status}); its log may say why.`);
  return fail('unexpected-response', `The server answered ${response.status}${serverMessage}; is it msbserver?`);
}

export interface StopDirectlyOptions {
  readonly namespacesDir: string;
  readonly namespace: string;
  readonly name: string;
  readonly platform?: NodeJS.Platform;
  readonly logger?: Logger;
  /** Default process.kill; tests may record instead. */
  readonly kill?: (pid: number, signal: NodeJS.Signals) => void;
}

function describeIdentity(identity: SupervisorIdentity): string {
  switch (identity.kind) {
    case 'dead':
      return 'no longer running (the row is stale)';
    case 'other-user':
      return "another user's process";
    case 'unknown':
      return 'a process whose command line cannot be read';
    case 'other-process':
    case 'supervisor':
      return "not this sandbox's msbrun supervisor";
  }
}

export async function stopSandboxDirectly(options: StopDirectlyOptions): Promise<StopOutcome> {
  const problem = nameProblem(options.namespace, 'namespace') ?? nameProblem(options.name, 'sandbox');
  if (problem !== null) return fail('invalid-input', problem);
  const logger = options.logger ?? silentLogger;
  const platform = options.platform ?? process.platform;
  const what = `${options.namespace}/${options.name}`;
  const db = await readSandboxDb(sandboxDbPath(options.namespacesDir, options.namespace), { logger });
  if (db.kind === 'missing')
    return fail(
      'not-found',
      `${what} has never run (no ${menvDir(options.namespacesDir, options.namespace)}/sandbox.db).`,
    );
  if (db.kind !== 'ok') return fail('signal-failed', `Cannot tell which process runs ${what}: ${db.message}.`);
  const row = db.rows.find((r) => r.name === options.name);
  if (row === undefined) return fail('not-found', `${what} has no entry in its namespace's database.`);
  if (row.status !== 'RUNNING') return fail('not-running', `${what} is not running.`);
  const pid = row.supervisorPid;
  if (pid === null || pid <= 1)
    return fail('not-supervisor', `${what} has no usable supervisor PID; nothing was signalled.`);

  const expected = await supervisorExpectation(namespaceDir(options.namespacesDir, options.namespace), options.name);
  const first = await identifySupervisor(pid, expected, platform);
  if (first.kind !== 'supervisor')
    return fail('not-supervisor', `PID ${pid} is ${describeIdentity(first)}; nothing was signalled.`);
  // Look again right before signalling: the process may have ended and its PID been reused.
  const again = await identifySupervisor(pid, expected, platform);
  if (again.kind !== 'supervisor')
    return fail('not-supervisor', `PID ${pid} is ${describeIdentity(again)}; nothing was signalled.`);
  try {
    (options.kill ?? ((p, s) => process.kill(p, s)))(pid, 'SIGTERM');
  } catch (error) {
    logger.debug(`sandboxes: SIGTERM to ${pid} failed`, error);
    return fail('signal-failed', `Could not signal the supervisor of ${what} (PID ${pid}): ${describeError(error)}.`);
  }
  logger.info(`sandboxes: sent SIGTERM to the supervisor of ${what} (PID ${pid})`);
  return { ok: true, message: `Asked ${what} to stop (SIGTERM to its supervisor, PID ${pid}).`, pid };
}
