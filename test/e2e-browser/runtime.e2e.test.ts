/**
 * The window in the runtime generation, end to end in Chromium: the real handler table over the
 * real runtime feed and service, running the real msb (0.6.18, the devDependency's) in a temporary
 * MSB_HOME seeded as ../fixtures/runtime-home.ts does. A Running row only ever holds the PID of a
 * `sleep` this test spawned: `msb stop` signals it.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Page } from 'playwright-core';
import { REAL_MSB, REAL_MSB_MISSING, RuntimeHome } from '../fixtures/runtime-home.ts';
import { button, byTestId, useWindowSuite } from './suite.ts';

const { openWindow } = useWindowSuite();

const row = (page: Page, name: string) => page.locator(`[data-testid="runtime-row"][data-name="${name}"]`);
const rowStatus = (page: Page, name: string) => row(page, name).getByTestId('runtime-status').textContent();

function seededHome(): { home: RuntimeHome; sleeper: ReturnType<RuntimeHome['ownedProcess']> } {
  const home = new RuntimeHome().init();
  const sleeper = home.ownedProcess();
  home.seed([
    { name: 'web', status: 'Running', pid: sleeper.pid },
    { name: 'idle', status: 'Stopped' },
    { name: 'broken', status: 'Crashed' },
  ]);
  home.writeExecLog('idle', [
    { s: 'stdout', d: 'hello from exec.log\n', t: '2026-12-07T01:00:00.000Z' },
    { s: 'stderr', d: 'a warning line\n', t: '2026-12-07T01:00:01.000Z' },
  ]);
  return { home, sleeper };
}

describe.skipIf(REAL_MSB_MISSING !== null)('the window with the runtime generation (real msb)', () => {
  it('Status shows the version, where msb is, the host check problems with their fixes, and the context', async () => {
    const { home } = seededHome();
    try {
      const r = await openWindow({ runtime: { msbPath: REAL_MSB, home: home.home }, msbserver: 'missing' });
      const { page } = r;
      await expect.poll(() => byTestId(page, 'runtime-title').textContent(), { timeout: 20_000 }).toContain('0.6.18');
      expect(await byTestId(page, 'runtime-msb-path').textContent()).toBe(REAL_MSB);
      await expect
        .poll(() => byTestId(page, 'runtime-context').textContent(), { timeout: 20_000 })
        .toBe('Local: sandboxes run on this computer');
      // This machine has no KVM: msb doctor says so, with what to do about it.
      await expect.poll(() => byTestId(page, 'host-problems').textContent(), { timeout: 30_000 }).toMatch(/kvm/i);
      expect(await byTestId(page, 'host-problems').locator('ul.fixes li').count()).toBeGreaterThan(0);
      // No first-run install offer once microsandbox is found.
      expect(await byTestId(page, 'first-run-runtime').count()).toBe(0);
    } finally {
      // After the suite's afterEach has ended the app that uses the home.
      onTestFinished(() => home.disposeWhenUnused());
    }
  });

  it(
    'the Sandboxes tab lists the seeded sandboxes with their statuses; Keys says no key is needed; no server ' +
      'Logs tab',
    async () => {
      const { home } = seededHome();
      try {
        const r = await openWindow({ runtime: { msbPath: REAL_MSB, home: home.home }, msbserver: 'missing' });
        const { page } = r;
        await page.getByRole('tab', { name: 'Sandboxes' }).click();
        await expect.poll(() => page.getByTestId('runtime-row').count(), { timeout: 20_000 }).toBe(3);
        expect(await rowStatus(page, 'web')).toBe('Running');
        expect(await rowStatus(page, 'idle')).toBe('Stopped');
        expect(await rowStatus(page, 'broken')).toBe('Crashed');
        await page.getByRole('tab', { name: 'Keys' }).click();
        expect(await byTestId(page, 'runtime-keys').isVisible()).toBe(true);
        expect(await byTestId(page, 'runtime-keys').textContent()).toContain('need no key');
        expect(await page.getByRole('tab', { name: 'Logs' }).isVisible()).toBe(false);
      } finally {
        // After the suite's afterEach has ended the app that uses the home.
        onTestFinished(() => home.disposeWhenUnused());
      }
    },
  );

  it('Stop on the running sandbox really ends the test’s process and the row turns Stopped', async () => {
    const { home, sleeper } = seededHome();
    try {
      const r = await openWindow({ runtime: { msbPath: REAL_MSB, home: home.home }, msbserver: 'missing' });
      const { page } = r;
      await page.getByRole('tab', { name: 'Sandboxes' }).click();
      await expect.poll(() => rowStatus(page, 'web'), { timeout: 20_000 }).toBe('Running');
      const ended = new Promise<NodeJS.Signals | null>((resolve) =>
        sleeper.once('exit', (_code, signal) => resolve(signal)),
      );
      await row(page, 'web').getByRole('button', { name: 'Stop web', exact: true }).click();
      expect(await ended).not.toBeNull();
      await expect.poll(() => rowStatus(page, 'web'), { timeout: 20_000 }).toBe('Stopped');
      // A plain Stop asks nothing natively; only Force stop and Remove do.
      expect(r.questions).toEqual([]);
    } finally {
      // After the suite's afterEach has ended the app that uses the home.
      onTestFinished(() => home.disposeWhenUnused());
    }
  });

  it('Remove on a stopped sandbox asks natively; No keeps it, Yes removes it and the row disappears', async () => {
    const { home } = seededHome();
    try {
      const r = await openWindow({ runtime: { msbPath: REAL_MSB, home: home.home }, msbserver: 'missing' });
      const { page } = r;
      await page.getByRole('tab', { name: 'Sandboxes' }).click();
      await expect.poll(() => rowStatus(page, 'idle'), { timeout: 20_000 }).toBe('Stopped');
      const remove = row(page, 'idle').getByRole('button', { name: 'Remove idle', exact: true });
      // The user says no in the native dialog: nothing is removed.
      r.confirmAnswers.push(false);
      await remove.click();
      await expect.poll(() => r.questions.length, { timeout: 10_000 }).toBe(1);
      expect(JSON.stringify(r.questions[0])).toContain('idle');
      expect(home.msb(['ls', '--format', 'json'])).toContain('"idle"');
      r.confirmAnswers.push(true);
      await remove.click();
      await expect.poll(() => row(page, 'idle').count(), { timeout: 20_000 }).toBe(0);
      expect(r.questions).toHaveLength(2);
      expect(home.msb(['ls', '--format', 'json'])).not.toContain('"idle"');
      expect(await page.getByTestId('runtime-row').count()).toBe(2);
    } finally {
      // After the suite's afterEach has ended the app that uses the home.
      onTestFinished(() => home.disposeWhenUnused());
    }
  });

  it('the log panel shows the lines of exec.log', async () => {
    const { home } = seededHome();
    try {
      const r = await openWindow({ runtime: { msbPath: REAL_MSB, home: home.home }, msbserver: 'missing' });
      const { page } = r;
      await page.getByRole('tab', { name: 'Sandboxes' }).click();
      await expect.poll(() => rowStatus(page, 'idle'), { timeout: 20_000 }).toBe('Stopped');
      await row(page, 'idle').getByRole('button', { name: 'Log of idle', exact: true }).click();
      await expect
        .poll(() => byTestId(page, 'runtime-log-lines').textContent(), { timeout: 20_000 })
        .toContain('hello from exec.log');
      expect(await byTestId(page, 'runtime-log-lines').textContent()).toContain('a warning line');
    } finally {
      // After the suite's afterEach has ended the app that uses the home.
      onTestFinished(() => home.disposeWhenUnused());
    }
  });
});

describe('a first run with no microsandbox at all', () => {
  it("offers today's install first, with Copy, and says no runtime is in use", async () => {
    const home = new RuntimeHome();
    try {
      const r = await openWindow({ runtime: { msbPath: null, home: home.home }, msbserver: 'missing' });
      const { page } = r;
      await expect.poll(() => byTestId(page, 'first-run-runtime').isVisible(), { timeout: 20_000 }).toBe(true);
      const commands = await byTestId(page, 'runtime-install').locator('code').allTextContents();
      expect(commands.length).toBeGreaterThan(0);
      expect(commands[0]).toContain('microsandbox');
      // Today's install comes before the 0.2.6 server's in the page.
      const order = await page.evaluate(() => {
        const runtime = document.querySelector('[data-testid="first-run-runtime"]');
        const server = document.querySelector('[data-testid="setup-problem"]');
        return runtime !== null && server !== null
          ? runtime.compareDocumentPosition(server) & Node.DOCUMENT_POSITION_FOLLOWING
          : -1;
      });
      expect(order).toBeGreaterThan(0);
      await button(page, 'Copy').first().click();
      await expect.poll(() => r.readClipboard(), { timeout: 10_000 }).toBe(commands[0]);
      expect(r.runtime?.view().generation).toBe('none');
    } finally {
      // After the suite's afterEach has ended the app that uses the home.
      onTestFinished(() => home.disposeWhenUnused());
    }
  });
});
