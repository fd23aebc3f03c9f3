import type { MsbBridge } from '../../shared/bridge.ts';

declare global {
  interface Window {
    /** The preload bridge: the only way the window talks to the main process. */
    readonly msb: MsbBridge;
  }
}

export {};
