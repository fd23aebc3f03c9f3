import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../electron/core/base/clock.ts';
import type { Logger } from '../../../../electron/core/base/logger.ts';
import { mcpBackupPath } from '../../../../electron/core/connect/index.ts';
import { createConnectFlow, type ConnectFlow } from '../../../../electron/core/desktop/connect-flow.ts';
import type { UserQuestion } from '../../../../electron/core/desktop/desktop-ports.ts';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { verifyToken } from '../../../../electron/core/keys/token.ts';
import type { ConnectClientView } from '../../../../shared/connect.ts';
import type { Generation } from '../../../../shared/runtime.ts';
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';

const CLAUDE_STANDIN = fileURLToPath(new URL('../../../fixtures/claude', import.meta.url));
const OTHER = { command: 'node', args: ['other-server.js'] };

let home: string;
let env: NodeJS.ProcessEnv;
let generation: Generation;
let snapshot: ServerSnapshot;
let server: http.Server;
let serverUrl: string;
/** How the stand-in server answers a key check: 404 with a JSON-RPC error is "accepted". */
let keyAnswer: 404 | 401;
let logged: string[];
let copied: { text: string; secret: boolean }[];
let asked: UserQuestion[];
let flow: ConnectFlow;

const logger: Logger = {
  debug: (message) => void logged.push(message),
  info: (message) => void logged.push(message),
  warn: (message) => void logged.push(message),
  error: (message) => void logged.push(message),
};

const yes = (question: UserQuestion): Promise<boolean> => {
  asked.push(question);
  return Promise.resolve(true);
};
const no = (question: UserQuestion): Promise<boolean> => {
  asked.push(question);
  return Promise.resolve(false);
};

beforeEach(async () => {
  home = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-connect-flow-'));
  const emptyBin = path.join(home, 'empty-bin');
  await fsp.mkdir(emptyBin);
  env = { HOME: home, PATH: emptyBin };
  generation = 'runtime';
  snapshot = INITIAL_SNAPSHOT;
  keyAnswer = 404;
  logged = [];
  copied = [];
  asked = [];
  server = http.createServer((_request, response) => {
    response.writeHead(keyAnswer, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'no such method' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await fsp.mkdir(path.join(home, '.microsandbox'));
  const keyFile = path.join(home, '.microsandbox', 'server.key');
  flow = createConnectFlow({
    place: { userHome: home, platform: 'linux', env },
    generation: () => generation,
    server: () => snapshot,
    settings: () => DEFAULT_SETTINGS,
    mint: createMintService({
      keyFile,
      snapshot: () => snapshot,
      settings: () => DEFAULT_SETTINGS,
      clock: systemClock,
    }),
    keyFile,
    clipboard: {
      copy: (text, secret) => {
        copied.push({ text, secret });
        return Promise.resolve();
      },
    },
    logger,
  });
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fsp.rm(home, { recursive: true, force: true });
});

const cursorFile = (): string => path.join(home, '.cursor', 'mcp.json');

async function writeCursor(text: string): Promise<void> {
  await fsp.mkdir(path.dirname(cursorFile()), { recursive: true });
  await fsp.writeFile(cursorFile(), text, { mode: 0o644 });
}

const serversOf = async (file: string): Promise<Record<string, unknown>> =>
  (JSON.parse(await fsp.readFile(file, 'utf8')) as { mcpServers: Record<string, unknown> }).mcpServers;

function runningServer(): void {
  snapshot = {
    ...INITIAL_SNAPSHOT,
    state: 'running',
    pid: 4321,
    url: serverUrl,
    devMode: false,
    startedAt: 1_000,
    healthy: true,
  };
  generation = 'server';
}

async function withClaude(): Promise<string> {
  const bin = path.join(home, 'bin');
  await fsp.mkdir(bin);
  await fsp.symlink(CLAUDE_STANDIN, path.join(bin, 'claude'));
  const log = path.join(home, 'claude-calls.log');
  env['PATH'] = `${bin}:${path.dirname(process.execPath)}`;
  env['CLAUDE_STANDIN_LOG'] = log;
  return log;
}

const callsIn = async (log: string): Promise<string[][]> =>
  (await fsp.readFile(log, 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as string[]);

describe('the list the window and the tray show', () => {
  it('names each client, found or not, connected or not, and never a path', async () => {
    await writeCursor(JSON.stringify({ mcpServers: { other: OTHER } }));
    const view = await flow.refresh();
    expect(view.target).toBe('runtime');
    expect(view.clients.map((client) => client.id)).toEqual([
      'claude-desktop',
      'cursor',
      'windsurf',
      'vscode',
      'claude-code',
    ]);
    expect(view.clients.find((client) => client.id === 'cursor')).toEqual({
      id: 'cursor',
      name: 'Cursor',
      found: true,
      connected: false,
      canConnect: true,
      note: null,
    });
    expect(view.clients.find((client) => client.id === 'windsurf')).toMatchObject({ found: false, canConnect: false });
    expect(JSON.stringify(view)).not.toContain(home);
    expect(flow.current()).toEqual(view);
  });

  it('says it changed only when it did', async () => {
    let changes = 0;
    const counted = createConnectFlow({
      place: { userHome: home, platform: 'linux', env },
      generation: () => generation,
      server: () => snapshot,
      settings: () => DEFAULT_SETTINGS,
      mint: { mint: () => Promise.reject(new Error('no key in this test')) },
      clipboard: { copy: () => Promise.resolve() },
      logger,
      changed: () => void (changes += 1),
    });
    await counted.refresh();
    expect(changes).toBe(1);
    await counted.refresh();
    expect(changes).toBe(1);
    await writeCursor('{}');
    await counted.refresh();
    expect(changes).toBe(2);
  });

  it('offers no Connect while there is nothing to connect to, and says why', async () => {
    await writeCursor('{}');
    generation = 'server';
    const view = await flow.refresh();
    expect(view.target).toBe('none');
    expect(view.clients.find((client) => client.id === 'cursor')).toMatchObject({
      found: true,
      canConnect: false,
      note: expect.stringContaining('Start the server first') as unknown,
    });
  });
});

describe('Connect and Disconnect', () => {
  it('writes the runtime entry after a yes, keeping the other servers', async () => {
    await writeCursor(JSON.stringify({ mcpServers: { other: OTHER } }, null, 2));
    const outcome = await flow.connect('cursor', yes);
    expect(outcome).toEqual({
      kind: 'done',
      message: 'Cursor is connected to microsandbox. Restart Cursor (or reload its MCP servers) to use it.',
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ kind: 'mcp-connect', confirmLabel: 'Connect' });
    expect(asked[0]?.detail).toContain(cursorFile());
    expect(await serversOf(cursorFile())).toEqual({
      other: OTHER,
      microsandbox: { command: 'npx', args: ['-y', 'microsandbox-mcp'] },
    });
    expect(flow.current().clients.find((client) => client.id === 'cursor')?.connected).toBe(true);
  });

  it('writes nothing after a no', async () => {
    const before = JSON.stringify({ mcpServers: { other: OTHER } });
    await writeCursor(before);
    expect(await flow.connect('cursor', no)).toMatchObject({ kind: 'cancelled' });
    expect(await fsp.readFile(cursorFile(), 'utf8')).toBe(before);
    await expect(fsp.stat(mcpBackupPath(cursorFile()))).rejects.toThrow();
  });

  it('writes the server entry with a fresh * key the question never shows, and logs no key', async () => {
    await writeCursor(JSON.stringify({ mcpServers: { other: OTHER } }));
    runningServer();
    expect(await flow.connect('cursor', yes)).toMatchObject({ kind: 'done' });
    expect(asked[0]?.detail).toContain('secret on disk');
    expect(asked[0]?.detail).toContain(`${serverUrl}/mcp`);
    const entry = (await serversOf(cursorFile()))['microsandbox'] as {
      url: string;
      headers: { Authorization: string };
    };
    expect(entry.url).toBe(`${serverUrl}/mcp`);
    const token = entry.headers.Authorization.replace(/^Bearer /, '');
    expect(JSON.stringify(asked)).not.toContain(token);
    const key = await fsp.readFile(path.join(home, '.microsandbox', 'server.key'), 'utf8');
    const verdict = await verifyToken(token, key);
    if (!verdict.valid) throw new Error(verdict.reason);
    const { claims } = verdict;
    expect(claims.namespace).toBe('*');
    // A year, not the default day: a client's key should not break tomorrow.
    expect(claims.exp - claims.iat).toBeGreaterThan(300 * 24 * 3600);
    expect((await fsp.stat(cursorFile())).mode & 0o777).toBe(0o600);
    expect(logged.join('\n')).not.toContain(token);
    expect(await serversOf(cursorFile())).toMatchObject({ other: OTHER });
  });

  it('refuses without asking while the server generation has no server running', async () => {
    await writeCursor('{}');
    generation = 'server';
    expect(await flow.connect('cursor', yes)).toEqual({
      kind: 'refused',
      message: expect.stringContaining('Start the server first') as unknown,
    });
    expect(asked).toEqual([]);
    expect(await fsp.readFile(cursorFile(), 'utf8')).toBe('{}');
  });

  it('refuses when the running server does not take the keys the app makes', async () => {
    await writeCursor('{}');
    runningServer();
    keyAnswer = 401;
    expect(await flow.connect('cursor', yes)).toMatchObject({ kind: 'refused' });
    expect(await fsp.readFile(cursorFile(), 'utf8')).toBe('{}');
  });

  it('refuses when the server stopped while the user was asked', async () => {
    await writeCursor('{}');
    runningServer();
    const stopWhileAsked = (question: UserQuestion): Promise<boolean> => {
      snapshot = INITIAL_SNAPSHOT;
      return yes(question);
    };
    expect(await flow.connect('cursor', stopWhileAsked)).toMatchObject({ kind: 'refused' });
    expect(await fsp.readFile(cursorFile(), 'utf8')).toBe('{}');
  });

  it('refuses a file it cannot parse before asking, and leaves it as it is', async () => {
    await writeCursor('{ "mcpServers": { ');
    const outcome = await flow.connect('cursor', yes);
    expect(outcome.kind).toBe('refused');
    expect(outcome.message).toContain('cannot be read as JSON');
    expect(asked).toEqual([]);
    expect(await fsp.readFile(cursorFile(), 'utf8')).toBe('{ "mcpServers": { ');
  });

  it('disconnects after a yes, removing only its own entry', async () => {
    await writeCursor(JSON.stringify({ mcpServers: { other: OTHER } }));
    await flow.connect('cursor', yes);
    expect(await flow.disconnect('cursor', no)).toMatchObject({ kind: 'cancelled' });
    expect(Object.keys(await serversOf(cursorFile()))).toEqual(['other', 'microsandbox']);
    expect(await flow.disconnect('cursor', yes)).toEqual({
      kind: 'done',
      message: 'Cursor is no longer connected to microsandbox.',
    });
    expect(asked.map((question) => question.kind)).toEqual(['mcp-connect', 'mcp-disconnect', 'mcp-disconnect']);
    expect(await serversOf(cursorFile())).toEqual({ other: OTHER });
  });

  it('refuses a client that is not set up before asking', async () => {
    expect(await flow.connect('windsurf', yes)).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('Open Windsurf once') as unknown,
    });
    expect(asked).toEqual([]);
  });

  it('refuses a file that turned unreadable while the user was asked', async () => {
    await writeCursor('{}');
    const breakWhileAsked = async (question: UserQuestion): Promise<boolean> => {
      await fsp.writeFile(cursorFile(), '{ broken');
      return yes(question);
    };
    expect(await flow.connect('cursor', breakWhileAsked)).toMatchObject({ kind: 'refused' });
    expect(await fsp.readFile(cursorFile(), 'utf8')).toBe('{ broken');
  });
});

describe('Claude Code', () => {
  it('runs claude mcp add and remove at user scope after a yes', async () => {
    const log = await withClaude();
    runningServer();
    expect(await flow.connect('claude-code', yes)).toMatchObject({ kind: 'done' });
    expect(await flow.disconnect('claude-code', yes)).toMatchObject({ kind: 'done' });
    const calls = await callsIn(log);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.slice(0, 8)).toEqual([
      'mcp',
      'add',
      '--scope',
      'user',
      '--transport',
      'http',
      'microsandbox',
      `${serverUrl}/mcp`,
    ]);
    expect(calls[0]?.[9]).toMatch(/^Authorization: Bearer msb_/);
    expect(calls[1]).toEqual(['mcp', 'remove', '--scope', 'user', 'microsandbox']);
    expect(asked[0]?.detail).not.toMatch(/Bearer msb_[A-Za-z0-9]/);
  });

  it('runs nothing after a no', async () => {
    const log = await withClaude();
    expect(await flow.connect('claude-code', no)).toMatchObject({ kind: 'cancelled' });
    expect(await callsIn(log)).toEqual([]);
  });

  it('without claude on PATH, gives the command with the key hidden and copies the real one', async () => {
    runningServer();
    const outcome = await flow.connect('claude-code', yes);
    expect(outcome).toMatchObject({ kind: 'copy-command' });
    if (outcome.kind !== 'copy-command') return;
    expect(outcome.command).toContain('msb_[key hidden]');
    expect(asked).toEqual([]);
    expect(await flow.copyCommand('claude-code', 'connect')).toMatchObject({ kind: 'done' });
    expect(copied).toHaveLength(1);
    expect(copied[0]?.secret).toBe(true);
    expect(copied[0]?.text).toMatch(
      /^claude mcp add --scope user --transport http microsandbox .*'Authorization: Bearer msb_/,
    );
  });

  it('copying the command never runs claude, even one on PATH', async () => {
    const log = await withClaude();
    expect(await flow.copyCommand('claude-code', 'connect')).toMatchObject({ kind: 'done' });
    expect(copied).toEqual([
      { text: 'claude mcp add --scope user microsandbox -- npx -y microsandbox-mcp', secret: false },
    ]);
    expect(await callsIn(log)).toEqual([]);
  });

  it('copies a command only for Claude Code', async () => {
    expect(await flow.copyCommand('cursor', 'connect')).toMatchObject({ kind: 'refused' });
    expect(copied).toEqual([]);
  });
});

describe('what the question must already know', () => {
  const USERS_OWN = { command: 'npx', args: ['-y', 'my-own-microsandbox-bridge'] };

  it("refuses before asking when the user's own server is named microsandbox", async () => {
    const before = JSON.stringify({ mcpServers: { microsandbox: USERS_OWN } });
    await writeCursor(before);
    const outcome = await flow.connect('cursor', yes);
    expect(outcome).toMatchObject({ kind: 'refused', message: expect.stringContaining('did not write') as unknown });
    expect(await flow.disconnect('cursor', yes)).toMatchObject({ kind: 'refused' });
    expect(asked).toEqual([]);
    expect(await fsp.readFile(cursorFile(), 'utf8')).toBe(before);
  });

  it('says in the question that it replaces the entry it wrote before', async () => {
    await writeCursor('{}');
    await flow.connect('cursor', yes);
    await flow.connect('cursor', yes);
    expect(asked[0]?.detail).not.toContain('replaces');
    expect(asked[1]?.detail).toContain('replaces');
  });

  it('says to quit Claude Desktop before asking while it runs', async () => {
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, '{}');
    // A real process whose program is named Claude: a link to sleep in its own folder.
    const fakeApp = path.join(home, 'Claude.app-bin', 'Claude');
    await fsp.mkdir(path.dirname(fakeApp));
    await fsp.symlink('/bin/sleep', fakeApp);
    const child = spawn(fakeApp, ['60'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(await flow.connect('claude-desktop', yes)).toMatchObject({
        kind: 'refused',
        message: expect.stringMatching(/^Quit Claude Desktop first/) as unknown,
      });
      expect(asked).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await fsp.readFile(file, 'utf8')).toBe('{}');
  });

  it('names the file a linked config leads to in the question', async () => {
    const dotfiles = path.join(home, 'dotfiles');
    await fsp.mkdir(dotfiles);
    await fsp.writeFile(path.join(dotfiles, 'cursor.json'), '{}');
    await fsp.mkdir(path.dirname(cursorFile()));
    await fsp.symlink(path.join(dotfiles, 'cursor.json'), cursorFile());
    expect(await flow.connect('cursor', yes)).toMatchObject({ kind: 'done' });
    expect(asked[0]?.detail).toContain(`${cursorFile()} (a link to ${path.join(dotfiles, 'cursor.json')})`);
  });

  it('merges into the file as it is after the yes, not as it was before the question', async () => {
    await writeCursor(JSON.stringify({ mcpServers: { other: OTHER } }));
    const editWhileAsked = async (question: UserQuestion): Promise<boolean> => {
      await fsp.writeFile(cursorFile(), JSON.stringify({ mcpServers: { other: OTHER, added: OTHER } }));
      return yes(question);
    };
    expect(await flow.connect('cursor', editWhileAsked)).toMatchObject({ kind: 'done' });
    expect(Object.keys(await serversOf(cursorFile()))).toEqual(['other', 'added', 'microsandbox']);
  });
});

describe('the server generation', () => {
  it("says a client's key no longer works once the server key was reset", async () => {
    await writeCursor('{}');
    runningServer();
    expect(await flow.connect('cursor', yes)).toMatchObject({ kind: 'done' });
    const cursor = (): ConnectClientView | undefined => flow.current().clients.find((client) => client.id === 'cursor');
    expect(cursor()).toMatchObject({ connected: true, note: null });
    await fsp.writeFile(path.join(home, '.microsandbox', 'server.key'), 'a'.repeat(32));
    await flow.refresh();
    expect(cursor()).toMatchObject({ connected: true, canConnect: true });
    expect(cursor()?.note).toContain('no longer works');
    expect(JSON.stringify(flow.current())).not.toContain('msb_');
  });

  it('points a client at the loopback address when the server listens on every address', async () => {
    await writeCursor('{}');
    runningServer();
    const port = new URL(serverUrl).port;
    snapshot = { ...snapshot, url: `http://0.0.0.0:${port}` };
    expect(await flow.connect('cursor', yes)).toMatchObject({ kind: 'done' });
    expect(asked[0]?.detail).toContain(`http://127.0.0.1:${port}/mcp`);
    expect(((await serversOf(cursorFile()))['microsandbox'] as { url: string }).url).toBe(
      `http://127.0.0.1:${port}/mcp`,
    );
  });
});
