/**
 * The MCP client channels' handlers. The window names a client of the fixed list; main finds its
 * file, asks natively first (through the table's one-question gate, `confirmAll`) and makes the
 * key. The window gets the list without paths and an outcome in words, never a key.
 */
import { type ConnectView } from '../../../shared/connect.ts';
import type { InvokeChannel } from '../../../shared/contract.ts';
import type { ConnectFlow } from '../desktop/connect-flow.ts';
import { HandlerError, type Handler } from './handler-error.ts';
import type { UserQuestion } from '../desktop/desktop-ports.ts';

export type ConnectChannel = Extract<InvokeChannel, `connect:${string}`>;

export interface ConnectHandlerDeps {
  /** Without it the channels answer an empty list and refuse Connect. */
  readonly connect?: ConnectFlow;
}

export function createConnectHandlers(
  deps: ConnectHandlerDeps,
  confirmAll: (questions: readonly UserQuestion[]) => Promise<void>,
): { readonly [C in ConnectChannel]: Handler<C> } {
  const flow = (): ConnectFlow => {
    if (deps.connect === undefined) throw new HandlerError('refused', 'This app cannot connect MCP clients.');
    return deps.connect;
  };

  /** A no is an outcome the window shows (`cancelled`); a question refused (asked again too soon) stays an error. */
  const ask = async (question: UserQuestion): Promise<boolean> => {
    try {
      await confirmAll([question]);
      return true;
    } catch (error) {
      if (error instanceof HandlerError && error.code === 'declined') return false;
      throw error;
    }
  };

  return {
    'connect:list': async (): Promise<ConnectView> =>
      deps.connect === undefined ? { clients: [], target: 'none' } : deps.connect.refresh(),
    'connect:connect': (request) => flow().connect(request.client, ask),
    'connect:disconnect': (request) => flow().disconnect(request.client, ask),
    'connect:copy-command': async (request) => {
      const outcome = await flow().copyCommand(request.client, request.action);
      if (outcome.kind !== 'done') throw new HandlerError('refused', outcome.message);
    },
  };
}
