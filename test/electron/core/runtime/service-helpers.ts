// What the runtime service's tests share: a service on a real msb in a temporary home, a stand-in
// msb written by the test, and waiting for a state.
import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeService, RuntimeState } from '../../../../electron/core/runtime/api.ts';
import { createRuntimeService } from '../../../../electron/core/runtime/runtime-service.ts';
import { RuntimeHome } from '../../../fixtures/runtime-home.ts';
import { removeWhenUnused } from '../../../support/remove-when-unused.ts';

/** What a test lets go of when it ends, last made first; one may wait (for a service's processes). */
export type Cleanups = (() => void | Promise<void>)[];

/** Runs every cleanup, even after one fails (what it held is let go all the same), then throws the first failure. */
export async function runCleanups(cleanups: Cleanups): Promise<void> {
  const failures: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

export function until(service: RuntimeService, predicate: (state: RuntimeState) => boolean): Promise<RuntimeState> {
  return new Promise((resolve) => {
    if (predicate(service.state())) return resolve(service.state());
    const off = service.onChange((state) => {
      if (!predicate(state)) return;
      off();
      resolve(state);
    });
  });
}

export const statusOf = (state: RuntimeState, name: string): string | undefined =>
  state.sandboxes.find((sandbox) => sandbox.name === name)?.status;

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A service on the real msb (counting its runs) in a home of its own. */
export function realMsbService(cleanups: Cleanups, options: { liveCheckMs?: number } = {}) {
  const home = new RuntimeHome().init();
  const msb = home.countingMsb();
  const service = createRuntimeService({ msbPath: msb.path, home: home.home, probeAtStart: false, ...options });
  cleanups.push(
    () => home.disposeWhenUnused(),
    () => service.dispose(),
  );
  return { home, msb, service };
}

/** An msb that is the shell script `body`, in a folder of its own. */
export function standIn(cleanups: Cleanups, body: string): { dir: string; msb: string; home: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-once-'));
  chmodSync(dir, 0o755);
  const msb = path.join(dir, 'msb');
  writeFileSync(msb, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const home = path.join(dir, 'home');
  cleanups.push(() => removeWhenUnused(dir, home));
  return { dir, msb, home };
}

/** A service on the 0.7 stand-in msb (pause, metrics, a recorded command line). */
export function standInService(cleanups: Cleanups) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-service-'));
  const msbPath = path.join(dir, 'msb');
  copyFileSync(fileURLToPath(new URL('../../../fixtures/msb-standin', import.meta.url)), msbPath);
  chmodSync(msbPath, 0o755);
  const pidFile = path.join(dir, 'metrics.pid');
  const record = path.join(dir, 'record');
  writeFileSync(record, '');
  const home = path.join(dir, 'home');
  const service = createRuntimeService({
    msbPath,
    home,
    env: { ...process.env, MSB_STANDIN_PIDFILE: pidFile, MSB_STANDIN_RECORD: record },
  });
  cleanups.push(
    () => removeWhenUnused(dir, home),
    () => service.dispose(),
  );
  return { service, pidFile, record };
}
