/**
 * The tray in the runtime generation through the whole built app (see driver.ts): main finds the
 * real msb (0.6.18, the devDependency's, chosen in Settings) for a temporary MSB_HOME seeded as
 * ../fixtures/runtime-home.ts does. The Running row holds the PID of a `sleep` this test spawned.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { REAL_MSB, REAL_MSB_MISSING, RuntimeHome } from '../fixtures/runtime-home.ts';
import { findMenuEntry } from './driver.ts';
import type { MenuEntry } from './driver.ts';
import { useAppSuite } from './suite.ts';

const { launch } = useAppSuite('app-harness-runtime-tray');

const labels = (menu: readonly MenuEntry[]): string[] =>
  menu.flatMap((item) => [item.label ?? '', ...labels(item.submenu ?? [])]);

describe.skipIf(REAL_MSB_MISSING !== null)('the tray with the runtime generation (real msb)', () => {
  it(
    'shows the version, the running count and the host problem, ' + 'no server items; Stop ends the sandbox’s process',
    async () => {
      const home = new RuntimeHome().init();
      try {
        const sleeper = home.ownedProcess();
        home.seed([
          { name: 'web', status: 'Running', pid: sleeper.pid },
          { name: 'idle', status: 'Stopped' },
        ]);
        const app = await launch({
          msbserver: 'missing',
          env: { MSB_HOME: home.home },
          settings: { msbPath: REAL_MSB },
        });
        const ready = await app.waitForTray(
          (t) =>
            findMenuEntry(t.menu, 'runtime-stop:web') !== undefined && labels(t.menu).some((l) => l.startsWith('⚠')),
          'the tray to list the running sandbox and the host check',
        );
        const shown = labels(ready.menu);
        expect(shown).toContain('microsandbox 0.6.18 · 1 sandbox running');
        // This machine has no KVM: the host check's problem, in one line.
        expect(shown.find((label) => label.startsWith('⚠ Sandboxes cannot start'))).toMatch(/virtualization/i);
        expect(shown).toContain('web · Running');
        expect(shown).toContain('idle · Stopped');
        expect(findMenuEntry(ready.menu, 'start')).toBeUndefined();
        expect(findMenuEntry(ready.menu, 'runtime-remove:web')).toBeUndefined();

        const ended = new Promise<NodeJS.Signals | null>((resolve) =>
          sleeper.once('exit', (_c, signal) => resolve(signal)),
        );
        await app.clickTray('runtime-stop:web');
        expect(await ended).not.toBeNull();
        await app.waitForTray((t) => labels(t.menu).includes('web · Stopped'), 'the row to turn Stopped');
      } finally {
        // After the suite's afterEach has ended the app that uses the home.
        onTestFinished(() => home.disposeWhenUnused());
      }
    },
  );
});
