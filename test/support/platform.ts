// Tests that need more than the platform-neutral Node the rest of the suite uses: Linux (they read
// /proc, run a process as uid 65534, or rely on what only Linux reports), or any POSIX system (a
// shell at /bin/sh). Elsewhere they are skipped, never silently: each skipped test carries why,
// and the summary reporter (test/support/summary-reporter.ts) prints one line per reason.
import { describe, it, type TestContext, type TestFunction, type TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** What this test needs that the platform may lack, set by the helpers below. */
    needs?: string;
  }
}

export const ON_LINUX = process.platform === 'linux';
export const ON_POSIX = process.platform !== 'win32';

type Body = TestFunction;
type SuiteBody = () => void;

function linuxNeed(why: string): string {
  return `needs Linux (${why})`;
}

function posixNeed(why: string): string {
  return `needs a POSIX system (${why})`;
}

/** Why a skipped test did not run, as the reporter prints it. */
export function skipNote(need: string): string {
  return `${need}; this is ${process.platform}`;
}

/** Options for a suite or test that runs only on Linux, for `describe.concurrent(name, onlyOnLinux(why), fn)`. */
export function onlyOnLinux(why: string): TestOptions {
  return { skip: !ON_LINUX, meta: { needs: linuxNeed(why) } };
}

/** A suite that runs only on Linux; `why` says what it needs (say "reads /proc"). */
export function describeOnLinux(name: string, why: string, fn: SuiteBody, options: TestOptions = {}): void {
  describe(name, { ...options, ...onlyOnLinux(why) }, fn);
}

/** A test that runs only on Linux; `why` says what it needs. */
export function itOnLinux(name: string, why: string, fn: Body, options: TestOptions = {}): void {
  it(name, { ...options, ...onlyOnLinux(why) }, fn);
}

/** A suite that runs only where there is a POSIX shell, signals and file modes (not Windows). */
export function describeOnPosix(name: string, why: string, fn: SuiteBody, options: TestOptions = {}): void {
  describe(name, { ...options, skip: !ON_POSIX, meta: { needs: posixNeed(why) } }, fn);
}

/** A test that runs only where there is a POSIX shell, signals and file modes (not Windows). */
export function itOnPosix(name: string, why: string, fn: Body, options: TestOptions = {}): void {
  it(name, { ...options, skip: !ON_POSIX, meta: { needs: posixNeed(why) } }, fn);
}

/** Inside a test (a `test.each` row, say): skips the rest of it unless on Linux. */
export function skipUnlessLinux(ctx: TestContext, why: string): void {
  if (ON_LINUX) return;
  ctx.task.meta.needs = linuxNeed(why);
  ctx.skip(skipNote(linuxNeed(why)));
}
