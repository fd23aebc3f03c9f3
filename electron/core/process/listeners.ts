/**
 * Who listens on a TCP port: the only way to tell that a health answer came from the app's own
 * child and not from a server the CLI started at the same moment on the same port.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * PIDs among `candidates` that hold a listening socket on `port`, or null when this cannot be
 * told here (no /proc, or lsof missing). Linux: /proc/net/tcp{,6} give the listening sockets'
 * inodes, each candidate's /proc/<pid>/fd links name the sockets it holds.
 */
export async function listenersAmong(
  candidates: readonly number[],
  port: number,
  platform: NodeJS.Platform = process.platform,
): Promise<number[] | null> {
  if (platform === 'linux') {
    const inodes = listeningInodes(port);
    if (inodes === null) return null;
    const holders: number[] = [];
    for (const pid of candidates) if (holdsAny(pid, inodes)) holders.push(pid);
    return holders;
  }
  if (platform === 'win32') return null;
  const all = await lsofListeners(port);
  return all === null ? null : candidates.filter((pid) => all.includes(pid));
}

/** Inodes of the sockets listening on `port` (IPv4 and IPv6), or null when /proc/net is unreadable. */
function listeningInodes(port: number): Set<string> | null {
  const tables = ['/proc/net/tcp', '/proc/net/tcp6'].map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return null; // no IPv6, or no /proc/net here
    }
  });
  if (tables.every((table) => table === null)) return null;
  const inodes = new Set<string>();
  for (const table of tables) {
    for (const line of (table ?? '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // st 0A is TCP_LISTEN; the inode is the tenth field.
      if (local === undefined || fields[3] !== '0A' || fields[9] === undefined) continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/**
 * Synchronous on purpose, as every procfs read here: procfs answers from memory, never from a
 * disk, and a read costs far less than its round trip through the thread pool (a start waits on it).
 */
function holdsAny(pid: number, inodes: ReadonlySet<string>): boolean {
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or not ours to look at
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed since the listing
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined && inodes.has(inode)) return true;
  }
  return false;
}

async function lsofListeners(port: number): Promise<number[] | null> {
  try {
    const { execa } = await import('execa');
    const { stdout, exitCode } = await execa('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], {
      timeout: 5_000,
      reject: false,
    });
    // lsof exits 1 when nothing matched.
    if (exitCode !== 0 && stdout.trim() === '') return exitCode === 1 ? [] : null;
    return stdout
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return null; // no lsof: ownership cannot be told, and the caller trusts the health answer
  }
}

/**
 * Every PID that holds a socket listening on `port` (the ones this user may look at), or null
 * when this cannot be told here. Scans every process: for the rare moments the app must find out
 * who answers on its port.
 */
export async function listenersOn(
  port: number,
  platform: NodeJS.Platform = process.platform,
): Promise<number[] | null> {
  if (platform === 'linux') {
    const inodes = listeningInodes(port);
    if (inodes === null) return null;
    if (inodes.size === 0) return [];
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      // no /proc here: no holder found
      return [];
    }
    return entries
      .filter((entry) => /^\d+$/.test(entry) && holdsAny(Number(entry), inodes))
      .map(Number)
      .sort((a, b) => a - b);
  }
  if (platform === 'win32') return null;
  return lsofListeners(port);
}
