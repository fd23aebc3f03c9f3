/**
 * The public face of MCP client setup: which clients are here and connected, Connect and
 * Disconnect. These write without asking: main shows `mcpConfirmation` natively first, and the
 * window never names a path, a client file or an entry.
 */
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';
import { scrubSecrets } from '../base/scrub.ts';
import { MCP_CLIENT_IDS, MCP_CLIENTS, type McpClientId, mcpConfigPath, type McpPlace } from './clients.ts';
import { commitConfig, editServers, type McpRefusalReason, McpRefused, readConfig } from './config-file.ts';
import {
  appEntryKeys,
  claudeCodeAddArgs,
  claudeCodeRemoveArgs,
  isAppEntry,
  MCP_ENTRY_NAME,
  type McpEntry,
  mcpEntryValue,
  shellCommand,
  shownAppEntry,
} from './entries.ts';
import { checkServerExecutable } from '../programs/executable-check.ts';
import { MsbCommandError, msbErrorMessage, type MsbResult, runMsb } from '../runtime/msb-runner.ts';
import { runningClientPids } from './running.ts';
import { probe } from '../base/probe.ts';

/** How long one `claude mcp` run may take (it starts Node and may check for updates). */
export const CLAUDE_TIMEOUT_MS = 30_000;
/** More than any honest `claude mcp` answer. */
const CLAUDE_OUTPUT_CAP = 1024 * 1024;

export interface McpClientInfo {
  readonly id: McpClientId;
  readonly name: string;
  readonly configPath: string;
  /** The client is set up for this user (its folder exists; for Claude Code, `claude` is on PATH). */
  readonly found: boolean;
  /** Its configuration holds the app's entry. */
  readonly connected: boolean;
  /** The server keys that entry holds (none for the runtime's): main's to check, never the window's. */
  readonly keys: readonly string[];
}

export type McpOutcome =
  | { readonly kind: 'written'; readonly configPath: string; readonly backupPath: string | null }
  | { readonly kind: 'unchanged'; readonly configPath: string }
  /** Claude Code changed through its CLI; `command` is shown with the key hidden. */
  | { readonly kind: 'ran'; readonly command: string }
  /** `claude` is not on PATH: the command to copy (it holds the key: clipboard only, never the window). */
  | { readonly kind: 'copy-command'; readonly command: string }
  | { readonly kind: 'refused'; readonly reason: McpRefusalReason; readonly message: string };

export interface McpClientOptions extends McpPlace {
  readonly client: McpClientId;
  readonly logger?: Logger;
  /** The user whose files are trusted besides root's; the app's own by default. */
  readonly uid?: number | null;
  /** Runs just before the new file replaces the old: a test seam for a write made meanwhile. */
  readonly beforeCommit?: () => Promise<void>;
  /** How long one `claude mcp` run may take; CLAUDE_TIMEOUT_MS by default. */
  readonly claudeTimeoutMs?: number;
}

export async function mcpClients(place: McpPlace): Promise<McpClientInfo[]> {
  return Promise.all(
    MCP_CLIENT_IDS.map(async (id) => {
      const configPath = mcpConfigPath(id, place);
      const found =
        id === 'claude-code'
          ? (await findOnPath('claude', place)) !== null || (await exists(configPath))
          : await isDirectory(path.dirname(configPath));
      const entry = found ? await readEntry(id, configPath) : undefined;
      const connected = isAppEntry(entry);
      return { id, name: MCP_CLIENTS[id].name, configPath, found, connected, keys: appEntryKeys(entry) };
    }),
  );
}

export async function connectMcpClient(options: McpClientOptions & { readonly entry: McpEntry }): Promise<McpOutcome> {
  return outcomeOf(async () => {
    if (MCP_CLIENTS[options.client].viaCli) return claudeCode(options, options.entry);
    return changeFile(options, mcpEntryValue(options.client, options.entry), options.entry.kind === 'server');
  });
}

export async function disconnectMcpClient(options: McpClientOptions): Promise<McpOutcome> {
  return outcomeOf(async () => {
    if (MCP_CLIENTS[options.client].viaCli) return claudeCode(options, null);
    return changeFile(options, undefined, false);
  });
}

async function outcomeOf(run: () => Promise<McpOutcome>): Promise<McpOutcome> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof McpRefused) return { kind: 'refused', reason: error.reason, message: error.message };
    return { kind: 'refused', reason: 'write-failed', message: errorText(error) };
  }
}

async function changeFile(
  options: McpClientOptions,
  value: ReturnType<typeof mcpEntryValue> | undefined,
  secret: boolean,
): Promise<McpOutcome> {
  const spec = MCP_CLIENTS[options.client];
  const logger = options.logger ?? silentLogger;
  const configPath = mcpConfigPath(options.client, options);
  const read = await readConfig(
    spec,
    configPath,
    options.uid === undefined ? (process.getuid?.() ?? null) : options.uid,
  );
  const current = ownEntry(options.client, configPath, read.root);
  if (value === undefined && current === undefined) return { kind: 'unchanged', configPath };
  await refuseWhileRunning(options, configPath);
  const text = editServers(spec, read.text, MCP_ENTRY_NAME, value);
  if (text === read.text) return { kind: 'unchanged', configPath };
  const backupPath = await commitConfig(read, text, {
    secret,
    forget: appEntryKeys(current),
    logger,
    ...(options.beforeCommit === undefined ? {} : { beforeCommit: options.beforeCommit }),
  });
  logger.info(`${value === undefined ? 'Removed' : 'Wrote'} the ${MCP_ENTRY_NAME} MCP entry in ${read.target}.`);
  return { kind: 'written', configPath, backupPath };
}

/** What a Connect or Disconnect would meet now, known before the user is asked. */
export type McpPrecheck =
  | {
      readonly kind: 'ready';
      /** The entry of the app's shape there now, as the question shows it (`shownAppEntry`), or null. */
      readonly existing: string | null;
      /** The file the question names: the config path, with the file it links to if it is a link. */
      readonly shownPath: string;
    }
  | { readonly kind: 'refused'; readonly reason: McpRefusalReason; readonly message: string };

/**
 * The refusals that can be known before the question (a file the app would not write, a server
 * of the user's own under the app's name, a client that would undo the write): asking first and
 * refusing after the yes would only waste the user's answer. The write checks all again.
 */
export async function mcpPrecheck(options: McpClientOptions): Promise<McpPrecheck> {
  try {
    const configPath = mcpConfigPath(options.client, options);
    if (MCP_CLIENTS[options.client].viaCli) {
      const current = ownEntry(options.client, configPath, {
        mcpServers: { [MCP_ENTRY_NAME]: await readEntry(options.client, configPath) },
      });
      return { kind: 'ready', existing: shown(current), shownPath: configPath };
    }
    const read = await readConfig(
      MCP_CLIENTS[options.client],
      configPath,
      options.uid === undefined ? (process.getuid?.() ?? null) : options.uid,
    );
    const current = ownEntry(options.client, configPath, read.root);
    await refuseWhileRunning(options, configPath);
    const shownPath = read.target === configPath ? configPath : `${configPath} (a link to ${read.target})`;
    return { kind: 'ready', existing: shown(current), shownPath };
  } catch (error) {
    if (error instanceof McpRefused) return { kind: 'refused', reason: error.reason, message: error.message };
    throw error;
  }
}

function shown(current: unknown): string | null {
  return current === undefined ? null : shownAppEntry(current);
}

/** The app's entry in the parsed file, or undefined; a server of the user's own under its name is refused. */
function ownEntry(client: McpClientId, configPath: string, root: Record<string, unknown>): unknown {
  const spec = MCP_CLIENTS[client];
  const servers = root[spec.serversKey] as Record<string, unknown> | undefined;
  const current = servers?.[MCP_ENTRY_NAME];
  if (current !== undefined && !isAppEntry(current))
    throw new McpRefused(
      'name-taken',
      spec.viaCli
        ? `Claude Code already has a server named "${MCP_ENTRY_NAME}" that the app did not add, so the app ` +
            `leaves it alone.`
        : `${configPath} already has a server named "${MCP_ENTRY_NAME}" that the app did not write, so the app ` +
            `leaves it alone.`,
    );
  return current;
}

async function refuseWhileRunning(options: McpClientOptions, configPath: string): Promise<void> {
  const spec = MCP_CLIENTS[options.client];
  if (spec.overwritesWhileRunning && (await runningClientPids(options.client, options.platform)).length > 0)
    throw new McpRefused(
      'client-running',
      `Quit ${spec.name} first: it writes ${path.basename(configPath)} back when it quits, which would undo ` +
        `this change.`,
    );
}

/** Claude Code owns ~/.claude.json and rewrites it often: the app goes through `claude mcp`. */
async function claudeCode(options: McpClientOptions, entry: McpEntry | null): Promise<McpOutcome> {
  const configPath = mcpConfigPath('claude-code', options);
  const claude = await findOnPath('claude', options);
  const current = ownEntry('claude-code', configPath, {
    mcpServers: { [MCP_ENTRY_NAME]: await readEntry('claude-code', configPath) },
  });
  if (entry === null && current === undefined) return { kind: 'unchanged', configPath };
  const steps: string[][] = [];
  if (current !== undefined) steps.push(claudeCodeRemoveArgs());
  if (entry !== null) steps.push(claudeCodeAddArgs(entry));
  if (claude === null)
    return { kind: 'copy-command', command: steps.map((args) => shellCommand('claude', args)).join(' && ') };
  for (const args of steps) await runClaude(claude, args, options);
  const shown = entry === null ? claudeCodeRemoveArgs() : claudeCodeAddArgs(entry, { maskKey: true });
  return { kind: 'ran', command: shellCommand('claude', shown) };
}

async function runClaude(claude: string, args: readonly string[], options: McpClientOptions): Promise<void> {
  const what = `claude ${args.slice(0, 2).join(' ')}`;
  // The key goes on its command line: checked as msb and msbserver are (only the user or root can
  // change it and its folders), so nobody else's program gets it.
  const verdict = await checkServerExecutable(
    claude,
    options.uid === undefined || options.uid === null ? {} : { uid: options.uid },
  );
  if (!verdict.ok)
    throw new McpRefused(
      'cli-failed',
      `The app does not run ${claude}: ${verdict.problem.replaceAll('msbserver', 'claude')} Nothing was changed.`,
    );
  const timeoutMs = options.claudeTimeoutMs ?? CLAUDE_TIMEOUT_MS;
  let result: MsbResult;
  try {
    // msb's runner bounds any program the same way: its own process group ended on timeout (a
    // hung claude that ignores SIGTERM included) and its pipes let go shortly after it exits, so
    // a child it leaves behind holding them cannot hold the Connect.
    result = await runMsb({ msbPath: claude, env: options.env }, args, {
      timeoutMs,
      maxOutputBytes: CLAUDE_OUTPUT_CAP,
      allowFailure: true,
    });
  } catch (error) {
    const kind = error instanceof MsbCommandError ? error.kind : 'spawn';
    const why =
      kind === 'timeout'
        ? `did not answer within ${timeoutMs / 1000} s and was stopped`
        : kind === 'output-cap'
          ? `printed more than ${CLAUDE_OUTPUT_CAP / 1024} KB and was stopped`
          : `could not be run (${scrubSecrets(errorText(error), null)})`;
    throw new McpRefused('cli-failed', `${what} ${why}. Nothing else was changed.`);
  }
  if (result.exitCode === 0) return;
  // Its last line, colours stripped and any key hidden (a claude may echo its arguments).
  const said = msbErrorMessage(result.stderr) ?? msbErrorMessage(result.stdout) ?? `exit code ${result.exitCode}`;
  const old = /unknown option|unknown argument|unexpected argument/i.test(said)
    ? ' This claude is older than the app expects: update Claude Code (claude update), then connect again.'
    : '';
  throw new McpRefused('cli-failed', `${what} failed: ${said}.${old}`);
}

/**
 * What each file held when last read, by its stat: the list is looked at each time the tray's menu
 * opens, and Claude Code's ~/.claude.json grows to tens of MB (a 24 MB one took 0.6 s to parse,
 * in main). ctime changes with every write, to the nanosecond where the file system keeps it.
 */
const entriesSeen = new Map<string, { readonly stamp: string; readonly entry: unknown }>();
const ENTRIES_SEEN_MAX = 64;

/** The entry under the app's name, or undefined (also for a file that cannot be read or parsed). */
async function readEntry(client: McpClientId, configPath: string): Promise<unknown> {
  const spec = MCP_CLIENTS[client];
  const stat = await probe(fsp.stat(configPath, { bigint: true }));
  const stamp = stat === null ? null : `${client}:${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  const seen = entriesSeen.get(configPath);
  if (stamp !== null && seen?.stamp === stamp) return seen.entry;
  let entry: unknown;
  try {
    const read = await readConfig(spec, configPath, null);
    const servers = read.root[spec.serversKey] as Record<string, unknown> | undefined;
    entry = servers?.[MCP_ENTRY_NAME];
  } catch {
    // A file the app cannot read holds no entry it could recognise: "not connected" is the answer.
    entry = undefined;
  }
  if (stamp !== null) {
    // Read after the stat: a write in between leaves a newer stamp, so it is read again next time.
    entriesSeen.delete(configPath);
    entriesSeen.set(configPath, { stamp, entry });
    if (entriesSeen.size > ENTRIES_SEEN_MAX) entriesSeen.delete(entriesSeen.keys().next().value as string);
  }
  return entry;
}

/** The program on the environment's PATH, as a shell would find it, or null. */
export async function findOnPath(program: string, place: McpPlace): Promise<string | null> {
  const p = place.platform === 'win32' ? path.win32 : path.posix;
  const dirs = (place.env['PATH'] ?? place.env['Path'] ?? '').split(place.platform === 'win32' ? ';' : ':');
  const names = place.platform === 'win32' ? [`${program}.exe`, `${program}.cmd`] : [program];
  for (const dir of dirs) {
    if (dir === '' || !p.isAbsolute(dir)) continue;
    for (const name of names) {
      const candidate = p.join(dir, name);
      const stat = await probe(fsp.access(candidate, constants.X_OK).then(() => fsp.stat(candidate)));
      if (stat?.isFile() === true) return candidate;
    }
  }
  return null;
}

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(
    () => true,
    () => false,
  );
}

async function isDirectory(dir: string): Promise<boolean> {
  return fsp.stat(dir).then(
    (stat) => stat.isDirectory(),
    () => false,
  );
}
