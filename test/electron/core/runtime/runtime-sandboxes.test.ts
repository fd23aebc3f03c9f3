import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeSandboxes } from '../../../../electron/core/runtime/runtime-sandboxes.ts';
import { REAL_MSB, REAL_MSB_MISSING, RuntimeHome } from '../../../fixtures/runtime-home.ts';
import { removeWhenUnused } from '../../../support/remove-when-unused.ts';

const homes: RuntimeHome[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await home.disposeWhenUnused();
});

function seeded(): RuntimeHome {
  const home = new RuntimeHome().init();
  homes.push(home);
  return home;
}

const exited = (child: {
  exitCode: number | null;
  signalCode: string | null;
  once: (e: 'exit', f: () => void) => void;
}) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', resolve);
  });

describe.skipIf(REAL_MSB_MISSING !== null)('the runtime sandboxes, against the real msb', () => {
  const open = (home: RuntimeHome) => createRuntimeSandboxes({ msbPath: REAL_MSB ?? '', home: home.home });

  it('lists Running, Stopped and Crashed sandboxes with their image, time and resources', async () => {
    const home = seeded();
    const live = home.ownedProcess();
    home.seed([
      { name: 'web', status: 'Running', pid: live.pid, image: 'nginx', cpus: 2, memoryMib: 256 },
      { name: 'idle', status: 'Stopped' },
      { name: 'broken', status: 'Crashed' },
    ]);
    const list = await open(home).list();
    expect(list.map(({ name, status }) => [name, status]).sort()).toEqual([
      ['broken', 'Crashed'],
      ['idle', 'Stopped'],
      ['web', 'Running'],
    ]);
    const web = list.find((sandbox) => sandbox.name === 'web');
    expect(web).toMatchObject({ image: 'nginx', cpus: 2, memoryMib: 256, ports: [] });
    expect(web?.createdAt).toBe(Date.UTC(2026, 11, 7, 1, 0, 0));
  });

  it('shows a Running sandbox whose process is gone as Crashed', async () => {
    const home = seeded();
    home.seed([{ name: 'ghost', status: 'Running', pid: await home.deadPid() }]);
    const [ghost] = await open(home).list();
    expect(ghost?.status).toBe('Crashed');
  });

  it('lists 200 sandboxes and names at upstream limits', async () => {
    const home = seeded();
    const longest = `a${'b'.repeat(126)}9`;
    const names = [longest, '0.dots_and-dashes', ...Array.from({ length: 198 }, (_, i) => `sb-${i}`)];
    home.seed(names.map((name) => ({ name, status: 'Stopped' })));
    const list = await open(home).list();
    expect(list).toHaveLength(200);
    expect(new Set(list.map((sandbox) => sandbox.name))).toEqual(new Set(names));
    expect(longest).toHaveLength(128);
  });

  it('rejects with msb’s own message when the database holds a status this msb does not know', async () => {
    const home = seeded();
    home.seed([{ name: 'odd', status: 'Hibernating' }]);
    await expect(open(home).list()).rejects.toThrow(/unexpected value for SandboxStatus enum: Hibernating/);
  });

  it('stops a running sandbox: the process the test owns really ends', async () => {
    const home = seeded();
    const live = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: live.pid }]);
    const sandboxes = open(home);
    await sandboxes.stop('web');
    await exited(live);
    expect(live.signalCode ?? live.exitCode).not.toBeNull();
    expect((await sandboxes.list())[0]?.status).not.toBe('Running');
  });

  it('force-stops with -f', async () => {
    const home = seeded();
    const live = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: live.pid }]);
    await open(home).stop('web', { force: true });
    await exited(live);
    expect(live.signalCode).not.toBeNull();
  });

  it('refuses to remove a running sandbox, with msb’s words, and removes a stopped one', async () => {
    const home = seeded();
    const live = home.ownedProcess();
    home.seed([
      { name: 'web', status: 'Running', pid: live.pid },
      { name: 'idle', status: 'Stopped' },
    ]);
    const sandboxes = open(home);
    await expect(sandboxes.remove('web')).rejects.toThrow(/still running/);
    expect(live.exitCode).toBeNull();
    await sandboxes.remove('idle');
    expect((await sandboxes.list()).map((sandbox) => sandbox.name)).toEqual(['web']);
  });

  it('rejects an action on an unknown sandbox with msb’s message, without the error: prefix', async () => {
    const home = seeded();
    await expect(open(home).stop('nosuch')).rejects.toThrow(/^sandbox not found: nosuch$/);
  });

  it('refuses a name msb would read as a flag before running anything', async () => {
    const home = seeded();
    await expect(open(home).remove('--all')).rejects.toThrow(/is not a sandbox name/);
    await expect(open(home).start('a b')).rejects.toThrow(/is not a sandbox name/);
  });

  it('tails the log from exec.log, scrubbed', async () => {
    const home = seeded();
    home.seed([{ name: 'web', status: 'Stopped' }]);
    home.writeExecLog('web', [
      { s: 'stdout', d: 'token msb_abcdef.ghijk.lmnop\n', t: '2026-01-01T00:00:00.000Z' },
      { s: 'stderr', d: 'oops\n', t: '2026-01-01T00:00:01.000Z' },
      { s: 'stdout', d: 'last\n', t: '2026-01-01T00:00:02.000Z' },
    ]);
    const tail = await open(home).logTail('web', 2);
    expect(tail).toEqual([
      { source: 'stderr', text: 'oops\n', time: Date.UTC(2026, 0, 1, 0, 0, 1) },
      { source: 'stdout', text: 'last\n', time: Date.UTC(2026, 0, 1, 0, 0, 2) },
    ]);
    const all = await open(home).logTail('web', 10);
    expect(all[0]?.text).toBe('token msb_[token hidden]\n');
  });

  it('reads a sandbox’s details from msb inspect', async () => {
    const home = seeded();
    home.seed([{ name: 'web', status: 'Stopped', image: 'python:3.12', cpus: 4, memoryMib: 2048 }]);
    expect(await open(home).inspect('web')).toEqual({
      name: 'web',
      status: 'Stopped',
      createdAt: Date.UTC(2026, 11, 7, 1, 0, 0),
      updatedAt: Date.UTC(2026, 11, 7, 1, 0, 0),
      image: 'python:3.12',
      cpus: 4,
      memoryMib: 2048,
      labels: {},
      ephemeral: false,
      pendingChanges: 0,
    });
    await expect(open(home).inspect('nosuch')).rejects.toThrow(/^sandbox not found: nosuch$/);
  });

  it('refuses to work after dispose', async () => {
    const home = seeded();
    const sandboxes = open(home);
    sandboxes.dispose();
    await expect(sandboxes.list()).rejects.toThrow(/disposed/);
  });
});

describe('a failed listing', () => {
  it('answers only once both msb runs have ended: no ps is left writing the home after ls failed', async (ctx) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-list-'));
    ctx.onTestFinished(() => removeWhenUnused(dir, dir));
    const marker = path.join(dir, 'ps-ended');
    const msb = path.join(dir, 'msb');
    // `ls` fails at once; `ps` takes a moment, then leaves its mark (as msb's WAL write would).
    writeFileSync(
      msb,
      [
        '#!/bin/sh',
        'case "$1" in',
        '  ls) echo "error: database error: unexpected value" >&2; exit 1 ;;',
        `  ps) sleep 0.3; : > '${marker}'; echo '[]' ;;`,
        'esac',
      ].join('\n') + '\n',
      { mode: 0o755 },
    );
    await expect(createRuntimeSandboxes({ msbPath: msb, home: dir }).list()).rejects.toThrow(/unexpected value/);
    expect(existsSync(marker)).toBe(true);
  });
});
