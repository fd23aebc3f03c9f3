/** What every IPC handler module shares: the handler's type and the error it throws on purpose. */
import type { ErrorCode, InvokeChannel, RequestOf, ResponseOf } from '../../../shared/contract.ts';

/** An error a handler throws on purpose, with the code the envelope carries. */
export class HandlerError extends Error {
  override name = 'HandlerError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export type Handler<C extends InvokeChannel> = (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;

/** The handlers of one group of channels, which the table in handlers.ts merges. */
export type HandlerGroup<C extends InvokeChannel> = { readonly [K in C]: Handler<K> };
