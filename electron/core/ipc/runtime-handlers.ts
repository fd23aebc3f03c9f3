/**
 * The runtime generation's IPC handlers (msb 0.3 and later). The window names a sandbox; only one
 * in the current list is acted on. The table in handlers.ts checks sender, channel and payload
 * first; questions go through its one-question gate (`confirmAll`).
 */
import type { AppInfo, InvokeChannel, RuntimeActRequest } from '../../../shared/contract.ts';
import {
  RUNTIME_UNKNOWN,
  runtimeActions,
  runtimeNameProblem,
  type RuntimeSandboxInfo,
  type RuntimeView,
} from '../../../shared/runtime.ts';
import type { RuntimeFeed } from '../desktop/runtime-feed.ts';
import type { RuntimeService } from '../runtime/api.ts';
import { HandlerError, type Handler } from './handler-error.ts';
import type { UserQuestion } from '../desktop/desktop-ports.ts';
import { forceStopQuestion, removeSandboxQuestion } from '../desktop/sandbox-questions.ts';
import { doctorFixQuestion } from './user-decisions.ts';

export type RuntimeChannel = Extract<InvokeChannel, `runtime:${string}`>;

export interface RuntimeHandlerDeps {
  readonly appInfo: AppInfo;
  readonly runtime?: Pick<RuntimeFeed, 'view' | 'service' | 'watchFromWindow'>;
  readonly fixHost?: () => Promise<void>;
}

export interface RuntimeHandlers {
  readonly handlers: { readonly [C in RuntimeChannel]: Handler<C> };
  /** The listed sandbox of that name, or a `refused` HandlerError. */
  readonly listed: (name: string) => RuntimeSandboxInfo;
}

export function createRuntimeHandlers(
  deps: RuntimeHandlerDeps,
  confirmAll: (questions: readonly UserQuestion[]) => Promise<void>,
): RuntimeHandlers {
  const runtimeView = (): RuntimeView => deps.runtime?.view() ?? RUNTIME_UNKNOWN;

  const runtimeService = (): RuntimeService => {
    const service = deps.runtime?.service() ?? null;
    if (service === null)
      throw new HandlerError(
        'refused',
        'The app is not using the runtime generation of microsandbox (msb 0.3 or later) now; see Status.',
      );
    return service;
  };

  const listed = (name: string): RuntimeSandboxInfo => {
    const sandboxes = runtimeView().state?.sandboxes ?? [];
    const problem = runtimeNameProblem(name, sandboxes);
    const sandbox = sandboxes.find((candidate) => candidate.name === name);
    if (problem !== null || sandbox === undefined) throw new HandlerError('refused', problem ?? 'No such sandbox.');
    return sandbox;
  };

  /** The sandbox, if the action is one its status allows now. */
  const allowedNow = (request: RuntimeActRequest): RuntimeSandboxInfo => {
    const sandbox = listed(request.name);
    const capabilities = runtimeView().state?.capabilities ?? { pause: false };
    if (!runtimeActions(sandbox.status, capabilities)[request.action])
      throw new HandlerError('refused', `${sandbox.name} is ${sandbox.status}: it cannot ${request.action} now.`);
    return sandbox;
  };

  const runtimeAct = async (request: RuntimeActRequest): Promise<RuntimeView> => {
    const service = runtimeService();
    allowedNow(request);
    const force = request.action === 'stop' && request.force === true;
    if (force) await confirmAll([forceStopQuestion(request.name)]);
    if (request.action === 'remove') await confirmAll([removeSandboxQuestion(request.name)]);
    // The list may have moved on while the user was asked: decide again on what it is now.
    allowedNow(request);
    await service.act(request.name, request.action, force ? { force: true } : undefined);
    await service.refresh();
    return runtimeView();
  };

  const fixHost = async (): Promise<RuntimeView> => {
    const service = runtimeService();
    if (deps.appInfo.platform !== 'win32' || deps.fixHost === undefined)
      throw new HandlerError(
        'refused',
        '`msb doctor --fix` is offered on Windows only; follow the fixes shown instead.',
      );
    await confirmAll([doctorFixQuestion()]);
    await deps.fixHost();
    await service.checkHost();
    return runtimeView();
  };

  const handlers: RuntimeHandlers['handlers'] = {
    'runtime:state': () => runtimeView(),
    'runtime:act': runtimeAct,
    'runtime:check-host': async () => {
      await runtimeService().checkHost();
      return runtimeView();
    },
    'runtime:fix-host': fixHost,
    'runtime:log-tail': async (request) => {
      const service = runtimeService();
      const { name } = listed(request.name);
      return { name, lines: await service.logTail(name, request.lines) };
    },
    'runtime:watch': (request) => {
      // Not refused without the runtime: the window may say it stopped looking whatever is in use.
      if (request.log !== null) listed(request.log);
      deps.runtime?.watchFromWindow(request);
    },
  };
  return { handlers, listed };
}
