import type { SenderInfo } from '../desktop/desktop-ports.ts';
import type { HandlerTable } from './handlers.ts';

/** The slice of Electron's `IpcMainInvokeEvent` that registration reads. */
export interface InvokeEventLike {
  /** The web contents; `mainFrame` is its top frame (Electron's `WebFrameMain`, one object per frame). */
  readonly sender: { readonly id: number; readonly mainFrame?: object | null };
  readonly senderFrame?: { readonly url: string } | null;
}

/** The slice of Electron's `ipcMain` that registration uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler?(channel: string): void;
}

/**
 * Who sent an invoke: its webContents id, the URL of the sending frame ('' when unknown), and
 * whether the sending frame is the very object of the contents' main frame. Comparing the frame
 * itself is stronger than comparing URLs: an iframe showing the app's own page is still not the
 * window.
 */
export function senderInfo(event: InvokeEventLike): SenderInfo {
  // Reading a destroyed frame can throw; an unknown sender is then simply not trusted.
  try {
    const frame = event.senderFrame ?? null;
    const mainFrame = event.sender.mainFrame ?? null;
    return { id: event.sender.id, url: frame?.url ?? '', isMainFrame: frame !== null && frame === mainFrame };
  } catch {
    // Not swallowed: an unreadable frame becomes the untrusted sender, which the table refuses.
    return { id: -1, url: '', isMainFrame: false };
  }
}

/**
 * Registers exactly the contract's channels on `ipcMain`, each answering through the table.
 * Returns a function that removes them again.
 */
export function registerHandlers(ipc: IpcMainLike, table: HandlerTable): () => void {
  for (const channel of table.channels) {
    ipc.handle(channel, (event, ...args) =>
      table.handle(channel, senderInfo(event), ...(args as [unknown, ...unknown[]])),
    );
  }
  return () => {
    for (const channel of table.channels) ipc.removeHandler?.(channel);
  };
}
