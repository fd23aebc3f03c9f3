/**
 * Who listens on a TCP port: the only way to tell that a health answer came from the app's own
 * child and not from a server the CLI started at the same moment on the same port.
 */
import { promises as fsp } from 'node:fs';

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
    const inodes = await listeningInodes(port);
    if (inodes === null) return null;
    const holders: number[] = [];
    for (const pid of candidates) if (await holdsAny(pid, inodes)) holders.push(pid);
    return holders;
  }
  if (platform === 'win32') return null;
  const all = await lsofListeners(port);
  return all === null ? null : candidates.filter((pid) => all.includes(pid));
}

/** Inodes of the sockets listening on `port` (IPv4 and IPv6), or null when /proc/net is unreadable. */
async function listeningInodes(port: number): Promise<Set<string> | null> {
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((file) => fsp.readFile(file, 'utf8').catch(() => null)));
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

async function holdsAny(pid: number, inodes: ReadonlySet<string>): Promise<boolean> {
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = await fsp.readdir(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or not ours to look at
  }
  for (const fd of fds) {
    const target = await fsp.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined && inodes.has(inode)) return true;
  }
  return false;
}

async function lsofListeners(port: number): Promise<number[] | null> {
  try {
    const { execa } = await import('execa');
    const { stdout, exitCode } = await execa('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { timeout: 5_000, reject: false });
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
export async function listenersOn(port: number, platform: NodeJS.Platform = process.platform): Promise<number[] | null> {
  if (platform === 'linux') {
    const inodes = await listeningInodes(port);
    if (inodes === null) return null;
    if (inodes.size === 0) return [];
    const entries = await fsp.readdir('/proc').catch(() => [] as string[]);
    const holders: number[] = [];
    await Promise.all(
      entries
        .filter((entry) => /^\d+$/.test(entry))
        .map(async (entry) => {
          if (await holdsAny(Number(entry), inodes)) holders.push(Number(entry));
        }),
    );
    return holders.sort((a, b) => a - b);
  }
  if (platform === 'win32') return null;
  return lsofListeners(port);
}
