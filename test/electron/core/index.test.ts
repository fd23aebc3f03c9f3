import { describe, expect, it } from 'vitest';
import * as core from '../../../electron/core/index.ts';
import * as atomicFile from '../../../electron/core/atomic-file.ts';
import * as paths from '../../../electron/core/home-paths.ts';
import * as serverKey from '../../../electron/core/keys/server-key.ts';
import * as settings from '../../../electron/core/settings.ts';
import * as token from '../../../electron/core/keys/token.ts';
import * as duration from '../../../shared/duration.ts';
import * as namespace from '../../../shared/namespace.ts';
import * as settingsSchema from '../../../shared/settings-schema.ts';
import * as actions from '../../../shared/actions.ts';
import * as controller from '../../../electron/core/server/controller.ts';
import * as handlers from '../../../electron/core/ipc/handlers.ts';
import * as trayMenu from '../../../electron/core/desktop/tray-menu.ts';
import * as mintService from '../../../electron/core/keys/mint-service.ts';
import * as logger from '../../../electron/core/base/logger.ts';
import * as sandboxesCore from '../../../electron/core/sandboxes/index.ts';
import * as stopFlow from '../../../electron/core/desktop/stop-flow.ts';
import * as sandboxFeed from '../../../electron/core/desktop/sandbox-feed.ts';
import * as runtimeFind from '../../../electron/core/runtime/find.ts';
import * as runtimeHostCheck from '../../../electron/core/runtime/host-check.ts';
import * as runtimeSandboxes from '../../../electron/core/runtime/runtime-sandboxes.ts';
import * as runtimeService from '../../../electron/core/runtime/runtime-service.ts';
import * as runtimeRunner from '../../../electron/core/runtime/msb-runner.ts';
import * as runtimeOutput from '../../../electron/core/runtime/msb-output.ts';

// `export *` silently drops a name two modules both export; this catches such a clash at once.
describe('the core index', () => {
  const modules = {
    paths,
    atomicFile,
    serverKey,
    token,
    settings,
    duration,
    namespace,
    settingsSchema,
    actions,
    controller,
    handlers,
    trayMenu,
    mintService,
    logger,
    sandboxesCore,
    stopFlow,
    sandboxFeed,
    runtimeFind,
    runtimeHostCheck,
    runtimeSandboxes,
    runtimeService,
    runtimeRunner,
    runtimeOutput,
  };
  for (const [name, exports] of Object.entries(modules)) {
    it(`re-exports everything from ${name}`, () => {
      for (const [key, value] of Object.entries(exports)) expect(core, key).toHaveProperty(key, value);
    });
  }
});

describe('the names the issue promises', () => {
  it.each([
    'createController',
    'createHandlerTable',
    'mintToken',
    'parseDuration',
    'homePaths',
    'resolveHome',
    'DEFAULT_SETTINGS',
    'buildTrayMenu',
    'availableActions',
    'createMintService',
    // Issue 19: the runtime generation's face, used by main, benchmarks and outside checks.
    'findMicrosandbox',
    'createRuntimeSandboxes',
    'checkHost',
    'createRuntimeService',
  ])('%s', (name) => {
    expect(core).toHaveProperty(name);
  });
});
