// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectView } from '../../shared/connect.ts';
import { createConnectView } from '../../renderer/src/connect-view.ts';
import type { View } from '../../renderer/src/status-view.ts';
import { fakeMsb, flush, IpcFailure } from './fake-msb.ts';
import type { FakeMsb } from './fake-msb.ts';

let msb: FakeMsb;
let view: View;
let announced: string[];

const LIST: ConnectView = {
  target: 'runtime',
  clients: [
    {
      id: 'claude-desktop',
      name: 'Claude Desktop',
      found: false,
      connected: false,
      canConnect: false,
      note: 'Claude Desktop is not set up for this user.',
    },
    { id: 'cursor', name: 'Cursor', found: true, connected: false, canConnect: true, note: null },
    { id: 'vscode', name: 'VS Code', found: true, connected: true, canConnect: true, note: null },
    {
      id: 'claude-code',
      name: 'Claude Code',
      found: true,
      connected: false,
      canConnect: true,
      note: '`claude` is not on PATH: the app gives you the command to run instead.',
    },
  ],
};

const byTestId = (id: string): HTMLElement | null => view.element.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(async () => {
  msb = fakeMsb();
  msb.answers.connectClients = () => LIST;
  announced = [];
  view = createConnectView({ api: msb.api, announce: (text) => announced.push(text), clearSeconds: () => 30 });
  document.body.append(view.element);
  view.show();
  await flush();
});

afterEach(() => {
  view.element.remove();
});

describe('the Connect view', () => {
  it('lists found clients first, each with the one button it can use', () => {
    const rows = [...view.element.querySelectorAll('.connect-row')].map((row) => row.getAttribute('data-testid'));
    expect(rows).toEqual([
      'connect-row-cursor',
      'connect-row-vscode',
      'connect-row-claude-code',
      'connect-row-claude-desktop',
    ]);
    expect(byTestId('connect-connect-cursor')?.textContent).toBe('Connect');
    expect(byTestId('connect-disconnect-vscode')?.textContent).toBe('Disconnect');
    expect(byTestId('connect-row-claude-desktop')?.querySelector('button')).toBeNull();
    expect(byTestId('connect-row-claude-desktop')?.textContent).toContain('Not found on this computer');
  });

  it('names only the client when it connects, and shows the outcome', async () => {
    msb.answers.connectClient = () => ({ kind: 'done', message: 'Cursor is connected to microsandbox.' });
    byTestId('connect-connect-cursor')?.click();
    await flush();
    expect(msb.calls.filter((call) => call.method === 'connectClient')).toEqual([
      { method: 'connectClient', payload: { client: 'cursor' } },
    ]);
    expect(byTestId('connect-outcome-cursor')?.textContent).toBe('Cursor is connected to microsandbox.');
    expect(announced).toContain('Cursor is connected to microsandbox.');
    // The list is asked for again, so the row shows what the file says now.
    expect(msb.calls.filter((call) => call.method === 'connectClients')).toHaveLength(2);
  });

  it('shows a refusal as an error, in main’s words', async () => {
    msb.answers.connectClient = () => ({ kind: 'refused', message: 'mcp.json cannot be read as JSON.' });
    byTestId('connect-connect-cursor')?.click();
    await flush();
    const outcome = byTestId('connect-outcome-cursor');
    expect(outcome?.dataset['kind']).toBe('refused');
    expect(outcome?.className).toContain('inline-error');
    expect(outcome?.textContent).toBe('mcp.json cannot be read as JSON.');
  });

  it('shows an IPC failure (a question asked again too soon) as a refusal', async () => {
    msb.answers.disconnectClient = () => {
      throw new IpcFailure('refused', 'Click in the window to be asked again.');
    };
    byTestId('connect-disconnect-vscode')?.click();
    await flush();
    expect(byTestId('connect-outcome-vscode')?.textContent).toBe('Click in the window to be asked again.');
  });

  it('offers the command with the key hidden, and Copy asks main for the real one', async () => {
    msb.answers.connectClient = () => ({
      kind: 'copy-command',
      message: '`claude` is not on PATH.',
      command:
        "claude mcp add --scope user --transport http microsandbox http://127.0.0.1:5555/mcp --header 'Authorization: Bearer msb_[key hidden]'",
    });
    byTestId('connect-connect-claude-code')?.click();
    await flush();
    expect(byTestId('connect-command-claude-code')?.textContent).toContain('msb_[key hidden]');
    byTestId('connect-copy-claude-code')?.click();
    await flush();
    expect(msb.calls.filter((call) => call.method === 'copyConnectCommand')).toEqual([
      { method: 'copyConnectCommand', payload: { client: 'claude-code', action: 'connect' } },
    ]);
    expect(byTestId('connect-copy-claude-code')?.textContent).toBe('Copied — clears in 30 s');
  });

  it('says what is wrong when the list cannot be had', async () => {
    msb.answers.connectClients = () => {
      throw new IpcFailure('internal', 'boom');
    };
    view.show();
    await flush();
    expect(byTestId('connect-error')?.textContent).toBe('Could not look for AI clients: boom');
  });
});
