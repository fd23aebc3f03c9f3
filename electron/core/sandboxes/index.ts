/** The sandboxes core: what the server runs, read from disk; the public face for IPC, tray and window. */
export { listSandboxes, SandboxCatalog, type CatalogOptions } from './catalog.ts';
export { SandboxMonitor, type MonitorOptions, type ViewListener } from './sandbox-monitor.ts';
export {
  stopSandboxViaServer,
  stopSandboxDirectly,
  type StopOutcome,
  type StopErrorCode,
  type StopViaServerOptions,
  type StopDirectlyOptions,
} from './sandbox-stop.ts';
export { sandboxLogPath, tailSandboxLog, MAX_TAIL_LINES, DEFAULT_TAIL_LINES, type SandboxLogTail } from './logs.ts';
export { sqlWasmPath } from './sqlite.ts';
export * from '../../../shared/sandboxes.ts';
export {
  createSandboxesService,
  type SandboxesService,
  type SandboxesServiceDeps,
  type LineScrubber,
} from './service.ts';
