import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * The suites that run on every platform the app ships for, Windows included: pure models, the
 * window under happy-dom, the build configuration. No msbserver stand-in (a script with a `#!`
 * line), no POSIX signals or file modes, no browser; test/support's own tests that need them
 * say so and skip on Windows (describeOnPosix). The macOS and Linux jobs run every project;
 * the Windows job runs only this one (`vitest run --project portable`). Folders where possible,
 * so a file that moves inside them stays selected; test/build/workflows.test.ts checks that
 * every entry still matches a test file.
 */
export const PORTABLE_TESTS: readonly string[] = [
  'test/shared/**/*.test.ts',
  'test/renderer/**/*.test.ts',
  'test/electron/core/desktop/tray-menu.test.ts',
  'test/electron/core/desktop/notifications.test.ts',
  'test/electron/core/desktop/window-policy.test.ts',
  'test/electron/core/home-paths.test.ts',
  'test/electron/core/server/server-args.test.ts',
  'test/electron/core/keys/token.test.ts',
  'test/build/builder-config.test.ts',
  'test/build/workflows.test.ts',
  'test/support/**/*.test.ts',
];

export const ALL_TESTS = 'test/**/*.test.ts';

/** Each test file is in exactly one project: `vitest run --project <name>` runs one of them. */
export const PROJECTS: readonly TestProjectInlineConfiguration[] = [
  { extends: true, test: { name: 'portable', include: [...PORTABLE_TESTS] } },
  {
    // Real processes, signals, file modes, the stand-in, Chromium: Linux and macOS. Tests that
    // need Linux itself skip elsewhere with a line that says so (test/support/platform.ts).
    extends: true,
    test: { name: 'posix', include: [ALL_TESTS], exclude: [...configDefaults.exclude, ...PORTABLE_TESTS] },
  },
];

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for a condition; vitest's own 1 s bound was met by a setup check under a
    // loaded machine's second suite, not by a wrong window. A failure still shows within 10 s.
    expect: { poll: { timeout: 10_000 } },
    // Lifecycle tests spawn real servers on real ports; two workers match the CI machine's cores.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [...PROJECTS],
  },
});
