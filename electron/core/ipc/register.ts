import type { SenderInfo } from '../desktop/ports.ts';
import type { HandlerTable } from './handlers.ts';

/** The slice of Electron's `IpcMainInvokeEvent` that registration reads. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame?: { readonly url: string } | null;
}

/** The slice of Electron's `ipcMain` that registration uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler?(channel: string): void;
}

/** Who sent an invoke: its webContents id and the URL of the sending frame ('' when unknown). */
export function senderInfo(event: InvokeEventLike): SenderInfo {
  // Reading a destroyed frame can throw; an unknown sender is then simply not trusted.
  try {
    return { id: event.sender.id, url: event.senderFrame?.url ?? '' };
  } catch {
    // Not swallowed: an unreadable frame becomes the untrusted sender, which the table refuses.
    return { id: -1, url: '' };
  }
}

/**
 * Registers exactly the contract's channels on `ipcMain`, each answering through the table.
 * Returns a function that removes them again.
 */
export function registerHandlers(ipc: IpcMainLike, table: HandlerTable): () => void {
  for (const channel of table.channels) {
    ipc.handle(channel, (event, ...args) => table.handle(channel, senderInfo(event), ...(args as [unknown, ...unknown[]])));
  }
  return () => {
    for (const channel of table.channels) ipc.removeHandler?.(channel);
  };
}
