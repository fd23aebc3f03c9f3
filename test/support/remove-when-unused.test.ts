import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeOnPosix } from './platform.ts';
import { removeWhenUnused } from './remove-when-unused.ts';
import { goneOrZombie } from './processes.ts';
import { holdsWithin, waitFor } from './wait-for.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempHome(): { dir: string; home: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-unused-'));
  dirs.push(dir);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  return { dir, home };
}

/** A process given `home` as MSB_HOME (spawn returns once it has exec'd, so its environment is set). */
function user(home: string, command: string, args: readonly string[]): ChildProcess {
  const child = spawn(command, [...args], {
    env: { ...process.env, MSB_HOME: home },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  children.push(child);
  return child;
}

describeOnPosix('removeWhenUnused', 'runs sh and reads process environments', () => {
  it('removes the folder only after the last process using the home has written and ended', async () => {
    const { dir, home } = tempHome();
    // Writes into the home once told to, as an msb run still ending writes its WAL.
    const writer = user(home, 'sh', ['-c', 'read go; mkdir -p "$MSB_HOME/db"; echo late > "$MSB_HOME/db/msb.db-wal"']);
    const removal = removeWhenUnused(dir, home);
    // Half a second of the removal's polling with the writer alive: the folder stays.
    expect(await holdsWithin(() => !existsSync(dir), { timeout: 500 })).toBe(false);
    writer.stdin?.end('go\n');
    await waitFor(() => writer.exitCode !== null || writer.signalCode !== null, { what: 'the writer to end' });
    await removal;
    // The writer was let finish (not killed), and the folder went after its write.
    expect(writer.exitCode).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('leaves processes with another home alone', async () => {
    const { dir, home } = tempHome();
    const other = user(`${home}-other`, 'sleep', ['600']);
    await removeWhenUnused(dir, home);
    expect(existsSync(dir)).toBe(false);
    // Not killed: a killed child stays a zombie until Node reaps it, so ask the process table.
    expect(goneOrZombie(other.pid ?? -1)).toBe(false);
  });

  it('fails naming a user still there at the deadline, and still ends it and removes the folder', async () => {
    const { dir, home } = tempHome();
    const stuck = user(home, 'sleep', ['600']);
    await expect(removeWhenUnused(dir, home, { usersEndMs: 300 })).rejects.toThrow(
      new RegExp(`waiting for the processes using .*\\n${stuck.pid} sleep 600`),
    );
    await waitFor(() => stuck.signalCode !== null, { what: 'the stuck user to be ended' });
    expect(stuck.signalCode).toBe('SIGKILL');
    expect(existsSync(dir)).toBe(false);
  });
});
