// Finding of the r2 outside review: while `msb ls` fails (here the database holds a status this
// msb does not know, as a newer msb sharing the home would write), the service has no baseline,
// and every `msb ls` writes db/msb.db-wal itself: the watch sees that write, the debounced
// refresh lists again, fails again and writes again. Nothing changes in the home, yet msb is
// started over and over (measured here: 26 in 3 s, two per listing) for as long as the fault lasts.
// Marked `it.fails` until fixed; the 5 s observation window is the bound of "over and over".
import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeService, RuntimeState } from '../../../../electron/core/runtime/api.ts';
import { createRuntimeService } from '../../../../electron/core/runtime/runtime-service.ts';
import { REAL_MSB_MISSING, RuntimeHome } from '../../../fixtures/runtime-home.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function until(service: RuntimeService, predicate: (state: RuntimeState) => boolean): Promise<RuntimeState> {
  return new Promise((resolve) => {
    if (predicate(service.state())) return resolve(service.state());
    const off = service.onChange((state) => {
      if (!predicate(state)) return;
      off();
      resolve(state);
    });
  });
}

describe.skipIf(REAL_MSB_MISSING !== null)('a listing that keeps failing, against the real msb', () => {
  it.fails('starts no more msb while nothing in the home changes', { timeout: 30_000 }, async () => {
    const home = new RuntimeHome().init();
    home.seed([{ name: 'odd', status: 'Hibernating' }]);
    const msb = home.countingMsb();
    const service = createRuntimeService({ msbPath: msb.path, home: home.home, probeAtStart: false });
    cleanups.push(
      () => home.dispose(),
      () => service.dispose(),
    );
    await until(service, (state) => state.error !== null);
    const before = msb.count();
    const deadline = Date.now() + 5000;
    while (msb.count() < before + 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const after = msb.count();
    console.log(`msb started ${after - before} times while nothing changed`);
    expect(after - before).toBeLessThan(10);
  });
});
