/**
 * Connecting AI clients through the whole built app (see driver.ts): the window's Connect view and
 * the tray's Connect AI Client submenu, main's native question, and the client's file in the
 * launch's temporary HOME. The server generation here: the entry holds the stand-in's /mcp URL and
 * a key minted in main.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AppHarness } from './driver.ts';
import { findMenuEntry } from './driver.ts';
import { startFromTray, text, useAppSuite } from './suite.ts';
import { WindowView } from './window-view.ts';

const { launch } = useAppSuite('app-harness-connect');

/** Main's answer may take a `claude` run or a key check on a loaded machine: more than poll's 1 s. */
const OUTCOME = { timeout: 15_000 };
const CLAUDE_STANDIN = fileURLToPath(new URL('../fixtures/claude', import.meta.url));
const OTHER = { command: 'node', args: ['other-server.js'] };

async function writeClientFile(file: string, text: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await fsp.writeFile(file, text, { mode: 0o644 });
}

const serversIn = async (file: string): Promise<Record<string, { url?: string; headers?: Record<string, string> }>> =>
  (JSON.parse(await fsp.readFile(file, 'utf8')) as { mcpServers: Record<string, never> }).mcpServers;

/** A click main sees arrive from the system: after a no, the same question may be asked again. */
async function userGesture(app: AppHarness): Promise<void> {
  const reply = await app.app.ask({ cmd: 'contents-event', event: 'input-event', input: { type: 'mouseDown' } });
  expect(reply.ok).toBe(true);
}

describe('connecting an AI client from the window', () => {
  it(
    'connects Cursor after the native yes, keeping its other servers; a no writes nothing; Disconnect removes ' +
      'only the entry',
    async () => {
      const app = await launch();
      const cursor = path.join(app.userHome, '.cursor', 'mcp.json');
      const windsurf = path.join(app.userHome, '.codeium', 'windsurf', 'mcp_config.json');
      const before = `${JSON.stringify({ mcpServers: { other: OTHER } }, null, 2)}\n`;
      await writeClientFile(cursor, before);
      await writeClientFile(windsurf, '{ "mcpServers": { ');
      const { page } = await app.openWindowFromTray();
      const view = new WindowView(page);
      await startFromTray(app, view);
      await page.getByRole('tab', { name: 'Connect' }).click();

      // A file the app cannot parse: refused in words, and no question asked.
      await page.getByTestId('connect-connect-windsurf').click();
      const refusal = page.getByTestId('connect-outcome-windsurf');
      await expect.poll(() => text(refusal), OUTCOME).toContain('cannot be read as JSON');
      expect(await refusal.getAttribute('data-kind')).toBe('refused');
      expect(app.dialogs()).toEqual([]);

      // The native no: nothing written.
      await page.getByTestId('connect-connect-cursor').click();
      const asked = await app.waitForDialog({ kind: 'message', text: 'Connect Cursor' });
      expect(asked.options['buttons']).toEqual(['Cancel', 'Connect']);
      const detail = String(asked.options['detail']);
      expect(detail).toContain(cursor);
      expect(detail).toContain(`http://127.0.0.1:${app.port}/mcp`);
      expect(detail).toContain('secret on disk');
      expect(detail).not.toMatch(/Bearer msb_[A-Za-z0-9_-]{8}/);
      await app.answerDialog(asked.id, { button: 'Cancel' });
      await expect
        .poll(() => page.getByTestId('connect-outcome-cursor').getAttribute('data-kind'), OUTCOME)
        .toBe('cancelled');
      expect(await fsp.readFile(cursor, 'utf8')).toBe(before);

      // The yes: the entry beside the other server, with a key the window never saw.
      await userGesture(app);
      await page.getByTestId('connect-connect-cursor').click();
      const again = await app.waitForDialog({ kind: 'message', text: 'Connect Cursor' });
      await app.answerDialog(again.id, { button: 'Connect' });
      await expect
        .poll(() => text(page.getByTestId('connect-outcome-cursor')), OUTCOME)
        .toContain('Cursor is connected');
      const servers = await serversIn(cursor);
      expect(servers['other']).toEqual(OTHER);
      expect(servers['microsandbox']?.url).toBe(`http://127.0.0.1:${app.port}/mcp`);
      const auth = servers['microsandbox']?.headers?.['Authorization'] ?? '';
      expect(auth).toMatch(/^Bearer msb_/);
      expect(await page.content()).not.toContain(auth.slice('Bearer '.length));
      await expect
        .poll(() => page.getByTestId('connect-row-cursor').getAttribute('data-state'), OUTCOME)
        .toBe('Connected');

      await page.getByTestId('connect-disconnect-cursor').click();
      const disconnect = await app.waitForDialog({ kind: 'message', text: 'Disconnect Cursor' });
      await app.answerDialog(disconnect.id, { button: 'Disconnect' });
      await expect
        .poll(() => text(page.getByTestId('connect-outcome-cursor')), OUTCOME)
        .toContain('no longer connected');
      expect(await serversIn(cursor)).toEqual({ other: OTHER });

      await app.clickTray('stop');
      await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Stopped');
    },
  );

  it('offers no Connect while no server runs, and says to start it', async () => {
    const app = await launch();
    await writeClientFile(path.join(app.userHome, '.cursor', 'mcp.json'), '{}');
    const { page } = await app.openWindowFromTray();
    await page.getByRole('tab', { name: 'Connect' }).click();
    const row = page.getByTestId('connect-row-cursor');
    await expect.poll(() => text(row), OUTCOME).toContain('Start the server first');
    expect(await row.getByRole('button').count()).toBe(0);
  });
});

describe('connecting an AI client from the tray', () => {
  it('lists the client found, connects it after the native yes and shows the check', async () => {
    const app = await launch();
    const cursor = path.join(app.userHome, '.cursor', 'mcp.json');
    await writeClientFile(cursor, JSON.stringify({ mcpServers: { other: OTHER } }));
    const { page } = await app.openWindowFromTray();
    const view = new WindowView(page);
    await startFromTray(app, view);
    // The window's Connect view looks at the files again; the tray follows.
    await page.getByRole('tab', { name: 'Connect' }).click();
    const listed = await app.waitForTray(
      (t) => findMenuEntry(t.menu, 'mcp-connect:cursor')?.enabled === true,
      'the tray to offer Cursor',
    );
    expect(findMenuEntry(listed.menu, 'Connect AI Client')?.type).toBe('submenu');
    expect(findMenuEntry(listed.menu, 'mcp-connect:cursor')?.checked).toBe(false);

    await app.clickTray('mcp-connect:cursor');
    const asked = await app.waitForDialog({ kind: 'message', text: 'Connect Cursor' });
    await app.answerDialog(asked.id, { button: 'Connect' });
    await app.waitForNotification('Connected');
    expect(Object.keys(await serversIn(cursor))).toEqual(['other', 'microsandbox']);
    const connected = await app.waitForTray(
      (t) => findMenuEntry(t.menu, 'mcp-disconnect:cursor') !== undefined,
      'the tray to show Cursor connected',
    );
    expect(findMenuEntry(connected.menu, 'mcp-disconnect:cursor')?.checked).toBe(true);

    await app.clickTray('stop');
    await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Stopped');
  });
});

describe('connecting Claude Code', () => {
  it('runs `claude mcp add` and `claude mcp remove` at user scope after the native yes', async () => {
    // A stand-in `claude` on main's PATH that records its argv (test/fixtures/claude).
    const bin = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-harness-claude-'));
    try {
      await fsp.symlink(CLAUDE_STANDIN, path.join(bin, 'claude'));
      const log = path.join(bin, 'calls.log');
      const app = await launch({
        env: {
          PATH: [bin, path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
          CLAUDE_STANDIN_LOG: log,
        },
      });
      const { page } = await app.openWindowFromTray();
      const view = new WindowView(page);
      await startFromTray(app, view);
      await page.getByRole('tab', { name: 'Connect' }).click();
      await page.getByTestId('connect-connect-claude-code').click();
      const asked = await app.waitForDialog({ kind: 'message', text: 'Connect Claude Code' });
      expect(String(asked.options['detail'])).toContain('claude mcp add --scope user --transport http microsandbox');
      expect(String(asked.options['detail'])).toContain('msb_[key hidden]');
      await app.answerDialog(asked.id, { button: 'Connect' });
      await expect.poll(() => text(page.getByTestId('connect-outcome-claude-code')), OUTCOME).toContain('is connected');
      await page.getByTestId('connect-disconnect-claude-code').click();
      const disconnect = await app.waitForDialog({ kind: 'message', text: 'Disconnect Claude Code' });
      await app.answerDialog(disconnect.id, { button: 'Disconnect' });
      await expect
        .poll(() => text(page.getByTestId('connect-outcome-claude-code')), OUTCOME)
        .toContain('no longer connected');
      const calls = (await fsp.readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as string[]);
      expect(calls.map((call) => call.slice(0, 4))).toEqual([
        ['mcp', 'add', '--scope', 'user'],
        ['mcp', 'remove', '--scope', 'user'],
      ]);
      expect(calls[0]).toContain(`http://127.0.0.1:${app.port}/mcp`);
      expect(calls[1]).toEqual(['mcp', 'remove', '--scope', 'user', 'microsandbox']);

      await app.clickTray('stop');
      await expect.poll(() => text(view.pill), { timeout: 20_000 }).toBe('Stopped');
    } finally {
      await fsp.rm(bin, { recursive: true, force: true });
    }
  });
});
