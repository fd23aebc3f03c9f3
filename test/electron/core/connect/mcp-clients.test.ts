import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectMcpClient,
  disconnectMcpClient,
  mcpBackupPath,
  mcpClients,
  mcpConfigPath,
  runningClientPids,
  type McpEntry,
} from '../../../../electron/core/connect/index.ts';
import { waitFor } from '../../../support/wait-for.ts';

const CLAUDE_STANDIN = fileURLToPath(new URL('../../../fixtures/claude', import.meta.url));
const KEY = 'msb_eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjEsImlhdCI6MSwibmFtZXNwYWNlIjoiKiJ9.c2lnbmF0dXJl';
const SERVER: McpEntry = { kind: 'server', url: 'http://127.0.0.1:5555/mcp', key: KEY };
const RUNTIME: McpEntry = { kind: 'runtime' };

let home: string;
let emptyBin: string;
let env: NodeJS.ProcessEnv;
const children: ChildProcess[] = [];

beforeEach(async () => {
  home = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-mcp-'));
  emptyBin = path.join(home, 'empty-bin');
  await fsp.mkdir(emptyBin);
  env = { HOME: home, PATH: emptyBin };
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await fsp.rm(home, { recursive: true, force: true });
});

const linux = (): { userHome: string; platform: NodeJS.Platform; env: NodeJS.ProcessEnv } => ({
  userHome: home,
  platform: 'linux',
  env,
});

async function writeConfig(file: string, text: string, mode = 0o644): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, text, { mode });
  await fsp.chmod(file, mode);
}

const read = (file: string): Promise<string> => fsp.readFile(file, 'utf8');
/** The servers of a client file, parsed. */
const serversIn = async (file: string, key = 'mcpServers'): Promise<Record<string, unknown>> =>
  (JSON.parse(await read(file)) as Record<string, Record<string, unknown>>)[key] ?? {};
const modeOf = async (file: string): Promise<number> => (await fsp.stat(file)).mode & 0o777;

describe('where each client keeps its configuration', () => {
  it('follows each OS layout', () => {
    const at = (platform: NodeJS.Platform, extra: NodeJS.ProcessEnv = {}) => ({
      userHome: platform === 'win32' ? 'C:\\Users\\ada' : '/home/ada',
      platform,
      env: extra,
    });
    expect(mcpConfigPath('claude-desktop', at('darwin'))).toBe(
      '/home/ada/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(mcpConfigPath('claude-desktop', at('linux'))).toBe('/home/ada/.config/Claude/claude_desktop_config.json');
    expect(mcpConfigPath('claude-desktop', at('linux', { XDG_CONFIG_HOME: '/x' }))).toBe(
      '/x/Claude/claude_desktop_config.json',
    );
    expect(mcpConfigPath('claude-desktop', at('win32', { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }))).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    );
    expect(mcpConfigPath('vscode', at('darwin'))).toBe('/home/ada/Library/Application Support/Code/User/mcp.json');
    expect(mcpConfigPath('vscode', at('linux'))).toBe('/home/ada/.config/Code/User/mcp.json');
    expect(mcpConfigPath('vscode', at('win32'))).toBe('C:\\Users\\ada\\AppData\\Roaming\\Code\\User\\mcp.json');
    expect(mcpConfigPath('cursor', at('win32'))).toBe('C:\\Users\\ada\\.cursor\\mcp.json');
    expect(mcpConfigPath('windsurf', at('darwin'))).toBe('/home/ada/.codeium/windsurf/mcp_config.json');
    expect(mcpConfigPath('claude-code', at('linux'))).toBe('/home/ada/.claude.json');
  });
});

describe('mcpClients', () => {
  it('lists every client, found only where its folder exists, connected only with the app entry', async () => {
    await writeConfig(mcpConfigPath('cursor', linux()), JSON.stringify({ mcpServers: { other: { command: 'x' } } }));
    await fsp.mkdir(path.dirname(mcpConfigPath('windsurf', linux())), { recursive: true });
    expect(await connectMcpClient({ ...linux(), client: 'windsurf', entry: RUNTIME })).toMatchObject({
      kind: 'written',
    });
    const list = await mcpClients(linux());
    expect(list.map((client) => [client.id, client.found, client.connected])).toEqual([
      ['claude-desktop', false, false],
      ['cursor', true, false],
      ['windsurf', true, true],
      ['vscode', false, false],
      ['claude-code', false, false],
    ]);
    expect(list.find((client) => client.id === 'cursor')?.configPath).toBe(path.join(home, '.cursor', 'mcp.json'));
  });

  it('sees a change to a file it looked at before, even of the same size and time', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(
      file,
      JSON.stringify({ mcpServers: { microsandbox: { command: 'npx', args: ['-y', 'microsandbox-mcp'] } } }),
    );
    const connected = async (): Promise<boolean | undefined> =>
      (await mcpClients(linux())).find((client) => client.id === 'cursor')?.connected;
    expect(await connected()).toBe(true);
    expect(await connected()).toBe(true);
    const { atime, mtime } = await fsp.stat(file);
    await fsp.writeFile(file, (await read(file)).replace('"microsandbox"', '"microsandboX"'));
    await fsp.utimes(file, atime, mtime);
    expect(await connected()).toBe(false);
  });

  it('lays out macOS paths under Library/Application Support', async () => {
    const mac = { userHome: home, platform: 'darwin' as const, env };
    await fsp.mkdir(path.join(home, 'Library', 'Application Support', 'Claude'), { recursive: true });
    expect(await connectMcpClient({ ...mac, client: 'claude-desktop', entry: RUNTIME })).toMatchObject({
      kind: 'written',
    });
    const text = await read(path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json'));
    expect(JSON.parse(text)).toEqual({
      mcpServers: { microsandbox: { command: 'npx', args: ['-y', 'microsandbox-mcp'] } },
    });
    expect((await mcpClients(mac)).find((client) => client.id === 'claude-desktop')?.connected).toBe(true);
  });
});

describe('connectMcpClient', () => {
  it('merges into an existing file, keeping other servers, unknown fields and its indentation', async () => {
    const file = mcpConfigPath('cursor', linux());
    const before =
      '{\n    "mcpServers": {\n        "github": {\n            "url": "https://example.test/mcp"\n        }\n    },\n    "theme": "dark"\n}\n';
    await writeConfig(file, before);
    const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: SERVER });
    expect(outcome).toEqual({ kind: 'written', configPath: file, backupPath: mcpBackupPath(file) });
    const after = await read(file);
    expect(JSON.parse(after)).toEqual({
      mcpServers: {
        github: { url: 'https://example.test/mcp' },
        microsandbox: { url: 'http://127.0.0.1:5555/mcp', headers: { Authorization: `Bearer ${KEY}` } },
      },
      theme: 'dark',
    });
    expect(after).toContain('\n        "microsandbox": {\n            "url"');
    expect(after.endsWith('}\n')).toBe(true);
    expect(await read(mcpBackupPath(file))).toBe(before);
    // The key is a secret on disk: the file and its backup are the user's alone.
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(mcpBackupPath(file))).toBe(0o600);
  });

  it("keeps VS Code's comments and trailing commas and writes under servers", async () => {
    const file = mcpConfigPath('vscode', linux());
    const before =
      '// my servers\n{\n\t"servers": {\n\t\t// the memory one\n\t\t"memory": { "command": "npx", ' +
      '"args": ["-y", "mem"], },\n\t},\n\t"inputs": [],\n}\n';
    await writeConfig(file, before);
    expect(await connectMcpClient({ ...linux(), client: 'vscode', entry: SERVER })).toMatchObject({ kind: 'written' });
    const after = await read(file);
    expect(after).toContain('// my servers');
    expect(after).toContain('// the memory one');
    expect(after).toContain('"memory": { "command": "npx", "args": ["-y", "mem"], },');
    expect(after).toMatch(/\n\t\t"microsandbox": \{\n\t\t\t"type": "http",/);
    expect(after).toContain(`"Authorization": "Bearer ${KEY}"`);
    expect(await disconnectMcpClient({ ...linux(), client: 'vscode' })).toMatchObject({ kind: 'written' });
    expect(await read(file)).not.toContain('microsandbox');
    expect(await read(file)).toContain('// the memory one');
  });

  it('creates the file in an existing folder, and replaces only its own entry on a second connect', async () => {
    const file = mcpConfigPath('windsurf', linux());
    await fsp.mkdir(path.dirname(file), { recursive: true });
    expect(await connectMcpClient({ ...linux(), client: 'windsurf', entry: RUNTIME })).toEqual({
      kind: 'written',
      configPath: file,
      backupPath: null,
    });
    expect(await modeOf(file)).toBe(0o644);
    await connectMcpClient({ ...linux(), client: 'windsurf', entry: SERVER });
    expect(JSON.parse(await read(file))).toEqual({
      mcpServers: { microsandbox: { serverUrl: SERVER.url, headers: { Authorization: `Bearer ${KEY}` } } },
    });
    expect(await connectMcpClient({ ...linux(), client: 'windsurf', entry: SERVER })).toEqual({
      kind: 'unchanged',
      configPath: file,
    });
  });

  it('bridges Claude Desktop to the server through mcp-remote with the header in its env', async () => {
    const file = mcpConfigPath('claude-desktop', linux());
    await writeConfig(file, '{}');
    await connectMcpClient({ ...linux(), client: 'claude-desktop', entry: SERVER });
    expect(JSON.parse(await read(file))).toEqual({
      mcpServers: {
        microsandbox: {
          command: 'npx',
          args: ['-y', 'mcp-remote', SERVER.url, '--allow-http', '--header', 'Authorization:${MSB_AUTH_HEADER}'],
          env: { MSB_AUTH_HEADER: `Bearer ${KEY}` },
        },
      },
    });
    expect((await mcpClients(linux())).find((client) => client.id === 'claude-desktop')?.connected).toBe(true);
  });

  it('writes through a symlinked config to its target and keeps the link', async () => {
    const target = path.join(home, 'dotfiles', 'cursor-mcp.json');
    await writeConfig(target, '{ "mcpServers": {} }\n');
    const file = mcpConfigPath('cursor', linux());
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.symlink(target, file);
    expect(await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME })).toMatchObject({
      kind: 'written',
      backupPath: mcpBackupPath(target),
    });
    expect((await fsp.lstat(file)).isSymbolicLink()).toBe(true);
    expect(await serversIn(target)).toMatchObject({ microsandbox: { command: 'npx' } });
  });

  it('refuses a file it cannot parse and leaves it untouched', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, '{ "mcpServers": { "a": 1, } }');
    const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'unparseable' });
    if (outcome.kind === 'refused') expect(outcome.message).toMatch(/line 1, column \d+/);
    expect(await read(file)).toBe('{ "mcpServers": { "a": 1, } }');
    await expect(fsp.stat(mcpBackupPath(file))).rejects.toThrow();
  });

  it('refuses servers that is not an object', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, '{ "mcpServers": [] }');
    expect(await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME })).toMatchObject({
      kind: 'refused',
      reason: 'not-an-object',
    });
  });

  it('refuses a top level with a __proto__ key instead of reading servers through it', async () => {
    // jsonc-parser makes such a key the object's prototype: its servers would be inherited, not own.
    const file = mcpConfigPath('cursor', linux());
    const text = '{ "__proto__": { "mcpServers": { "a": 1 } } }';
    await writeConfig(file, text);
    expect(await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME })).toMatchObject({
      kind: 'refused',
      reason: 'not-an-object',
    });
    expect(await read(file)).toBe(text);
  });

  it('refuses a read-only file', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, '{}', 0o444);
    const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'read-only' });
    expect(await read(file)).toBe('{}');
  });

  it('refuses when the folder is missing, saying the client is not set up', async () => {
    const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'not-installed' });
    if (outcome.kind === 'refused') expect(outcome.message).toContain('Open Cursor once');
    await expect(fsp.stat(path.join(home, '.cursor'))).rejects.toThrow();
  });

  it('refuses a folder others can write', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, '{}');
    await fsp.chmod(path.dirname(file), 0o777);
    const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'unsafe-folder' });
    expect(await read(file)).toBe('{}');
  });

  it('refuses a file owned by another user', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, '{}');
    const uid = (await fsp.stat(file)).uid;
    const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME, uid: uid + 4242 });
    // Root's files are trusted, but not replaced for another user (see "files the world made").
    if (uid === 0) expect(outcome).toMatchObject({ kind: 'refused', reason: 'read-only' });
    else expect(outcome).toMatchObject({ kind: 'refused', reason: 'unsafe-folder' });
  });

  it('refuses when the file was written while connecting, keeping that write', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, '{}');
    const outcome = await connectMcpClient({
      ...linux(),
      client: 'cursor',
      entry: RUNTIME,
      beforeCommit: () => fsp.writeFile(file, '{ "mcpServers": { "theirs": { "command": "x" } } }'),
    });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'changed-meanwhile' });
    expect(await read(file)).toBe('{ "mcpServers": { "theirs": { "command": "x" } } }');
    expect((await fsp.readdir(path.dirname(file))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to replace a server of the same name that the app did not write', async () => {
    const file = mcpConfigPath('cursor', linux());
    const before = JSON.stringify({ mcpServers: { microsandbox: { command: 'my-own-thing' } } });
    await writeConfig(file, before);
    expect(await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME })).toMatchObject({
      kind: 'refused',
      reason: 'name-taken',
    });
    expect(await disconnectMcpClient({ ...linux(), client: 'cursor' })).toMatchObject({
      kind: 'refused',
      reason: 'name-taken',
    });
    expect(await read(file)).toBe(before);
  });

  it('says to quit Claude Desktop first while it runs', async () => {
    const file = mcpConfigPath('claude-desktop', linux());
    await writeConfig(file, '{}');
    // A real process whose program is named Claude: a link to sleep in its own folder.
    const fakeApp = path.join(home, 'Claude.app-bin', 'Claude');
    await fsp.mkdir(path.dirname(fakeApp));
    await fsp.symlink('/bin/sleep', fakeApp);
    const child = spawn(fakeApp, ['60'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    const outcome = await connectMcpClient({ ...linux(), client: 'claude-desktop', entry: RUNTIME });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'client-running' });
    if (outcome.kind === 'refused') expect(outcome.message).toMatch(/^Quit Claude Desktop first/);
    expect(await read(file)).toBe('{}');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The check is machine-wide: another suite's Claude stand-in may still run for a moment.
    await waitFor(async () => (await runningClientPids('claude-desktop', 'linux')).length === 0, {
      timeout: 15_000,
      every: 50,
      what: 'no Claude Desktop left running',
    });
    expect(await connectMcpClient({ ...linux(), client: 'claude-desktop', entry: RUNTIME })).toMatchObject({
      kind: 'written',
    });
  });
});

describe('disconnectMcpClient', () => {
  it('removes only the app entry and leaves the rest', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, '{\n  "mcpServers": {\n    "github": { "command": "gh" }\n  }\n}\n');
    await connectMcpClient({ ...linux(), client: 'cursor', entry: SERVER });
    expect(await disconnectMcpClient({ ...linux(), client: 'cursor' })).toMatchObject({ kind: 'written' });
    expect(JSON.parse(await read(file))).toEqual({ mcpServers: { github: { command: 'gh' } } });
    // The backup holds the file as it was, but not the key the app wrote: none is left on disk.
    expect(await read(mcpBackupPath(file))).toContain(
      '"Authorization": "Bearer msb_[key removed by Microsandbox Tray]"',
    );
    for (const name of await fsp.readdir(path.dirname(file)))
      expect(await read(path.join(path.dirname(file), name))).not.toContain(KEY);
    expect(await disconnectMcpClient({ ...linux(), client: 'cursor' })).toEqual({
      kind: 'unchanged',
      configPath: file,
    });
  });
});

describe('Claude Code', () => {
  async function withClaude(): Promise<string> {
    const bin = path.join(home, 'bin');
    await fsp.mkdir(bin);
    await fsp.symlink(CLAUDE_STANDIN, path.join(bin, 'claude'));
    const log = path.join(home, 'claude-calls.log');
    env = { HOME: home, PATH: `${bin}:${path.dirname(process.execPath)}`, CLAUDE_STANDIN_LOG: log };
    return log;
  }

  it('connects and disconnects through `claude mcp` at user scope', async () => {
    const log = await withClaude();
    expect((await mcpClients(linux())).find((client) => client.id === 'claude-code')).toMatchObject({
      found: true,
      connected: false,
    });
    const outcome = await connectMcpClient({ ...linux(), client: 'claude-code', entry: SERVER });
    expect(outcome.kind).toBe('ran');
    if (outcome.kind === 'ran') expect(outcome.command).not.toContain(KEY);
    expect((await serversIn(path.join(home, '.claude.json')))['microsandbox']).toEqual({
      type: 'http',
      url: SERVER.url,
      headers: { Authorization: `Bearer ${KEY}` },
    });
    expect((await mcpClients(linux())).find((client) => client.id === 'claude-code')?.connected).toBe(true);
    // Connecting again replaces the app's own entry: remove, then add.
    await connectMcpClient({ ...linux(), client: 'claude-code', entry: RUNTIME });
    expect(await disconnectMcpClient({ ...linux(), client: 'claude-code' })).toMatchObject({ kind: 'ran' });
    expect(await serversIn(path.join(home, '.claude.json'))).toEqual({});
    const calls = (await read(log))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string[]);
    expect(calls.map((args) => args.slice(0, 2).join(' '))).toEqual(['mcp add', 'mcp remove', 'mcp add', 'mcp remove']);
    expect(calls[0]).toEqual([
      'mcp',
      'add',
      '--scope',
      'user',
      '--transport',
      'http',
      'microsandbox',
      SERVER.url,
      '--header',
      `Authorization: Bearer ${KEY}`,
    ]);
  });

  it('reports a failing claude with what it said', async () => {
    await withClaude();
    env['CLAUDE_STANDIN_FAIL'] = '1';
    expect(await connectMcpClient({ ...linux(), client: 'claude-code', entry: RUNTIME })).toMatchObject({
      kind: 'refused',
      reason: 'cli-failed',
      message: expect.stringContaining('something went wrong') as unknown,
    });
  });

  /** A `claude` on PATH that runs `body` (Node) instead of the stand-in. */
  async function withOddClaude(body: string): Promise<void> {
    const bin = path.join(home, 'odd-bin');
    await fsp.mkdir(bin);
    await fsp.writeFile(path.join(bin, 'claude'), `#!/usr/bin/env node\n${body}\n`, { mode: 0o755 });
    env = { HOME: home, PATH: `${bin}:${path.dirname(process.execPath)}` };
  }

  it('stops a claude that hangs, ignoring SIGTERM, and says it did not answer', async () => {
    await withOddClaude(`process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`);
    const outcome = await connectMcpClient({ ...linux(), client: 'claude-code', entry: RUNTIME, claudeTimeoutMs: 300 });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'cli-failed' });
    if (outcome.kind === 'refused') expect(outcome.message).toMatch(/^claude mcp add did not answer within 0\.3 s/);
  });

  it('is not held by a child claude leaves behind with its output', async () => {
    await withOddClaude(
      `require('node:child_process').spawn('/bin/sleep', ['30'], { stdio: 'inherit', detached: true }).unref();`,
    );
    expect(await connectMcpClient({ ...linux(), client: 'claude-code', entry: RUNTIME })).toMatchObject({
      kind: 'ran',
    });
  }, 10_000);

  it('keeps the key out of what a failing claude printed', async () => {
    await withOddClaude(`console.log('junk \\x1b[31m' + process.argv.join(' ')); process.exit(3);`);
    const outcome = await connectMcpClient({ ...linux(), client: 'claude-code', entry: SERVER });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'cli-failed' });
    if (outcome.kind === 'refused') {
      expect(outcome.message).not.toContain(KEY.slice(4, 40));
      expect(outcome.message).not.toContain('\x1b');
    }
  });

  it('says to update Claude Code when its claude lacks --transport', async () => {
    await withOddClaude(
      `if (process.argv.includes('--transport')) { console.error("error: unknown option ` +
        `'--transport'"); process.exit(1); }`,
    );
    const outcome = await connectMcpClient({ ...linux(), client: 'claude-code', entry: SERVER });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'cli-failed' });
    if (outcome.kind === 'refused') expect(outcome.message).toContain('claude update');
  });

  it('does not run a claude others could have changed', async () => {
    const log = await withClaude();
    await fsp.chmod(path.join(home, 'bin'), 0o777);
    const outcome = await connectMcpClient({ ...linux(), client: 'claude-code', entry: SERVER });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'cli-failed' });
    if (outcome.kind === 'refused') expect(outcome.message).toContain('chmod go-w');
    await expect(fsp.stat(log)).rejects.toThrow();
  });

  it('gives the command to copy when claude is not on PATH', async () => {
    expect(await connectMcpClient({ ...linux(), client: 'claude-code', entry: RUNTIME })).toEqual({
      kind: 'copy-command',
      command: 'claude mcp add --scope user microsandbox -- npx -y microsandbox-mcp',
    });
    await expect(fsp.stat(path.join(home, '.claude.json'))).rejects.toThrow();
  });
});

describe('files the world made', () => {
  it(
    'refuses a file owned by root when the app is not root, though root may write it',
    // Only a root-owned file shows it: the test makes it as root and plays an app run by someone else.
    { skip: process.getuid?.() !== 0, meta: { needs: 'needs root (it makes a root-owned file)' } },
    async () => {
      const file = mcpConfigPath('cursor', linux());
      await writeConfig(file, '{}', 0o644);
      const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME, uid: 4242 });
      expect(outcome).toMatchObject({ kind: 'refused', reason: 'read-only' });
      if (outcome.kind === 'refused') expect(outcome.message).toContain('root');
      expect(await read(file)).toBe('{}');
    },
  );

  it('merges into a file that starts with a byte order mark, and keeps the mark', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, `\uFEFF${JSON.stringify({ mcpServers: { other: { command: 'x' } } }, null, 2)}\n`);
    expect(await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME })).toMatchObject({
      kind: 'written',
    });
    const text = await read(file);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(Object.keys((JSON.parse(text.slice(1)) as { mcpServers: object }).mcpServers)).toEqual([
      'other',
      'microsandbox',
    ]);
    expect(await disconnectMcpClient({ ...linux(), client: 'cursor' })).toMatchObject({ kind: 'written' });
    expect(await read(file)).toBe(`\uFEFF${JSON.stringify({ mcpServers: { other: { command: 'x' } } }, null, 2)}\n`);
  });

  it('keeps CRLF line endings', async () => {
    const file = mcpConfigPath('vscode', linux());
    const before = '{\r\n  // mine\r\n  "servers": {\r\n    "other": { "command": "x" },\r\n  },\r\n}\r\n';
    await writeConfig(file, before);
    expect(await connectMcpClient({ ...linux(), client: 'vscode', entry: RUNTIME })).toMatchObject({
      kind: 'written',
    });
    const text = await read(file);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain('// mine');
    expect(await disconnectMcpClient({ ...linux(), client: 'vscode' })).toMatchObject({ kind: 'written' });
    expect(await read(file)).toBe(before);
  });

  it('refuses a link that leads to itself, saying it is a loop', async () => {
    const file = mcpConfigPath('cursor', linux());
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.symlink(path.basename(file), file);
    const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'not-a-file' });
    if (outcome.kind === 'refused') expect(outcome.message).toContain('loop');
  });

  it('refuses a link to a file in a folder others can write', async () => {
    const file = mcpConfigPath('cursor', linux());
    const shared = path.join(home, 'shared');
    await fsp.mkdir(shared, { mode: 0o777 });
    await fsp.chmod(shared, 0o777);
    await writeConfig(path.join(shared, 'mcp.json'), '{}');
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.symlink(path.join(shared, 'mcp.json'), file);
    expect(await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME })).toMatchObject({
      kind: 'refused',
      reason: 'unsafe-folder',
    });
    expect(await read(path.join(shared, 'mcp.json'))).toBe('{}');
  });

  it('refuses a link in a folder others can write, though its target is safe', async () => {
    const file = mcpConfigPath('cursor', linux());
    const dotfiles = path.join(home, 'dotfiles');
    await writeConfig(path.join(dotfiles, 'cursor.json'), '{}');
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.chmod(path.dirname(file), 0o777);
    // Anyone could point this link at another JSON file of the user's before the app reads it.
    await fsp.symlink(path.join(dotfiles, 'cursor.json'), file);
    expect(await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME })).toMatchObject({
      kind: 'refused',
      reason: 'unsafe-folder',
    });
    expect(await read(path.join(dotfiles, 'cursor.json'))).toBe('{}');
  });

  it('refuses a config that is a folder', async () => {
    const file = mcpConfigPath('cursor', linux());
    await fsp.mkdir(file, { recursive: true });
    expect(await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME })).toMatchObject({
      kind: 'refused',
      reason: 'not-a-file',
    });
  });

  it('refuses a file too large to be a client configuration without reading it whole', async () => {
    const file = mcpConfigPath('cursor', linux());
    await writeConfig(file, '{}');
    await fsp.truncate(file, 64 * 1024 * 1024);
    const outcome = await connectMcpClient({ ...linux(), client: 'cursor', entry: RUNTIME });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'too-large' });
    expect((await fsp.stat(file)).size).toBe(64 * 1024 * 1024);
  });
});
