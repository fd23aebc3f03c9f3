/**
 * Is a client running? Looked up the way the server generation finds msbserver processes: the
 * command lines in /proc on Linux, `ps` on macOS and the BSDs. Windows is not looked at (no
 * process listing without a helper), so nothing is refused there for it.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { readProcFile, runPs } from '../process/process-identity.ts';
import type { McpClientId } from './clients.ts';

/** Executable names of each client's main process (Linux builds of Claude Desktop are unofficial). */
const PROCESS_NAMES: Partial<Record<McpClientId, readonly string[]>> = {
  'claude-desktop': ['Claude', 'claude-desktop', 'Claude.exe'],
};

/** The PIDs of the client's running processes (empty when none, or when it cannot be told). */
export async function runningClientPids(client: McpClientId, platform: NodeJS.Platform): Promise<number[]> {
  const names = PROCESS_NAMES[client];
  if (names === undefined || platform === 'win32') return [];
  const matches = (program: string): boolean => names.includes(path.basename(program));
  if (platform === 'linux') {
    const entries = await fsp.readdir('/proc').catch(() => [] as string[]);
    const found: number[] = [];
    await Promise.all(
      entries
        .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
        .map(async (entry) => {
          const raw = await readProcFile(Number(entry), 'cmdline');
          const program = raw?.split('\0')[0];
          if (program !== undefined && program !== '' && matches(program)) found.push(Number(entry));
        }),
    );
    return found.sort((a, b) => a - b);
  }
  try {
    // `comm` is the executable's full path on macOS (spaces and all), one per line.
    const out = await runPs(['-A', '-o', 'pid=,comm=']);
    return out
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null && matches((match[2] ?? '').trim()))
      .map((match) => Number(match[1]));
  } catch {
    // ps failed: it cannot be told whether the client runs; the write goes ahead (nothing is lost
    // but this one edit, which the backup beside the file still holds).
    return [];
  }
}
