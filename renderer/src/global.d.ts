import type { MsbApi } from '../../shared/contract.ts';

declare global {
  interface Window {
    /** The preload bridge: the only way the window talks to the main process. */
    readonly msb: MsbApi;
  }
}

export {};
