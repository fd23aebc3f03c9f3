/**
 * The core's public face: what main, the benchmarks and anything outside the test suite may use.
 * Each folder is a feature (server/, keys/, ipc/, desktop/); the top holds what all of them use.
 */
// What everything uses
export * from './home-paths.ts';
export * from './atomic-file.ts';
export * from './settings.ts';
export * from './base/logger.ts';
export * from './base/clock.ts';
export * from './base/disposable.ts';
export * from './base/delay.ts';
export * from '../../shared/actions.ts';
export * from '../../shared/duration.ts';
export * from '../../shared/namespace.ts';
export * from '../../shared/settings-schema.ts';
// server/: the lifecycle
export * from './server/controller.ts';
export * from './server/server-control.ts';
export * from './server/pid-file.ts';
export * from './process/process-identity.ts';
export * from './server/start-lock.ts';
export * from './programs/locate.ts';
export * from './programs/executable-check.ts';
export * from './server/server-log.ts';
export * from './base/log-tail.ts';
export * from './server/health.ts';
export * from './server/port-check.ts';
export * from './server/server-args.ts';
export * from './process/msbserver-argv.ts';
export * from '../../shared/server-url.ts';
// keys/
export * from './keys/server-key.ts';
export * from './keys/token.ts';
export * from './keys/key-check.ts';
export * from './keys/mint-service.ts';
export * from './keys/key-scrubber.ts';
// ipc/
export * from './ipc/handlers.ts';
export * from './ipc/register.ts';
export * from './ipc/request-validation.ts';
// sandboxes/
export * from './sandboxes/index.ts';
export * from './server/setup-check.ts';
export * from './server/setup-watch.ts';
// connect/: MCP clients
export * from './connect/index.ts';
// updates/: the app's and microsandbox's
export * from './updates/index.ts';
export * from '../../shared/version.ts';
export * from '../../shared/network.ts';

// desktop/
export * from './desktop/tray-menu.ts';
export * from './desktop/tray-actions.ts';
export * from './desktop/notifications.ts';
export * from './desktop/clipboard-guard.ts';
export * from './desktop/window-policy.ts';
export * from './desktop/renderer-files.ts';
export * from './desktop/autostart-linux.ts';
export * from './base/log-follower.ts';
export * from './desktop/key-notice.ts';
export * from './desktop/feeds.ts';
export * from './desktop/stop-flow.ts';
export * from './desktop/sandbox-feed.ts';
export * from './desktop/start-at-login.ts';
export * from './desktop/launch.ts';
export * from './desktop/desktop-ports.ts';
export * from './desktop/setup-feed.ts';
export * from './desktop/quit-choice.ts';
export * from './desktop/about.ts';

// runtime/: the runtime generation (microsandbox 0.3 and later, `msb` without a server)
export * from './runtime/api.ts';
export * from './runtime/find.ts';
export * from './runtime/host-check.ts';
export * from './runtime/runtime-sandboxes.ts';
export * from './runtime/runtime-service.ts';
export * from './runtime/msb-runner.ts';
export * from './runtime/msb-output.ts';
