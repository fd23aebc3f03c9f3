/**
 * The server generation's sandbox channels. The payloads were checked by the table; what may be
 * stopped and which log may be followed is the sandboxes service's to decide (sandboxes/service.ts).
 */
import type { InvokeChannel } from '../../../shared/contract.ts';
import type { SandboxesService } from '../sandboxes/service.ts';
import type { HandlerGroup } from './handler-error.ts';

export type SandboxChannel = Extract<InvokeChannel, `sandboxes:${string}`>;

export function createSandboxHandlers(
  sandboxes: Pick<SandboxesService, 'list' | 'stop' | 'logTail' | 'watch'>,
): HandlerGroup<SandboxChannel> {
  return {
    'sandboxes:list': () => sandboxes.list(),
    'sandboxes:stop': (request) => sandboxes.stop(request),
    'sandboxes:log-tail': (request) => sandboxes.logTail(request),
    'sandboxes:watch': (request) => {
      sandboxes.watch(request);
    },
  };
}
