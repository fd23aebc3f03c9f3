import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RuntimeLogLine, RuntimeService, RuntimeState } from '../../../../electron/core/runtime/api.ts';
import { createRuntimeService } from '../../../../electron/core/runtime/runtime-service.ts';
import { REAL_MSB, REAL_MSB_MISSING, RuntimeHome } from '../../../fixtures/runtime-home.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function until(service: RuntimeService, predicate: (state: RuntimeState) => boolean): Promise<RuntimeState> {
  return new Promise((resolve) => {
    if (predicate(service.state())) return resolve(service.state());
    const off = service.onChange((state) => {
      if (!predicate(state)) return;
      off();
      resolve(state);
    });
  });
}

const statusOf = (state: RuntimeState, name: string): string | undefined =>
  state.sandboxes.find((sandbox) => sandbox.name === name)?.status;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(REAL_MSB_MISSING !== null)('the runtime service, against the real msb', () => {
  function setup(options: { liveCheckMs?: number } = {}) {
    const home = new RuntimeHome().init();
    const msb = home.countingMsb();
    const service = createRuntimeService({ msbPath: msb.path, home: home.home, probeAtStart: false, ...options });
    cleanups.push(
      () => home.dispose(),
      () => service.dispose(),
    );
    return { home, msb, service };
  }

  it('shows a sandbox created outside the app without being asked', async () => {
    const { home, service } = setup();
    await until(service, (state) => state.listedAt !== null);
    home.seed([{ name: 'outside', status: 'Stopped' }]);
    const state = await until(service, (s) => statusOf(s, 'outside') === 'Stopped');
    expect(state.error).toBeNull();
  });

  it('starts no msb when nothing in the home changed since the last listing', async () => {
    const { home, msb, service } = setup();
    home.seed([{ name: 'idle', status: 'Stopped' }]);
    await service.refresh();
    await until(service, (state) => statusOf(state, 'idle') === 'Stopped');
    // Settle: the listings the start and the seed caused are done when one more refresh lists nothing new.
    await service.refresh();
    const before = msb.count();
    const state = await service.refresh();
    expect(msb.count()).toBe(before);
    expect(statusOf(state, 'idle')).toBe('Stopped');
  });

  it('turns a Running sandbox whose process died into Crashed on the slow check', async () => {
    const { home, service } = setup({ liveCheckMs: 200 });
    const sleeper = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
    await until(service, (state) => statusOf(state, 'web') === 'Running');
    const gone = new Promise((resolve) => sleeper.once('exit', resolve));
    sleeper.kill('SIGKILL');
    await gone;
    await until(service, (state) => statusOf(state, 'web') === 'Crashed');
  });

  it('stops a sandbox: the test’s process ends and the view shows it stopped', async () => {
    const { home, service } = setup();
    const sleeper = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
    await until(service, (state) => statusOf(state, 'web') === 'Running');
    const exited = new Promise((resolve) => sleeper.once('exit', resolve));
    await service.act('web', 'stop');
    await exited;
    expect(statusOf(service.state(), 'web')).toBe('Stopped');
  });

  it('refuses to remove a running sandbox with msb’s message', async () => {
    const { home, service } = setup();
    const sleeper = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
    await until(service, (state) => statusOf(state, 'web') === 'Running');
    await expect(service.act('web', 'remove')).rejects.toThrow(
      "sandbox still running: cannot remove sandbox 'web': still running",
    );
    expect(alive(sleeper.pid)).toBe(true);
  });

  it('runs nothing for a name that is not in the list', async () => {
    const { msb, service } = setup();
    await service.refresh();
    const before = msb.count();
    await expect(service.act('--all', 'stop')).rejects.toThrow(/no sandbox named/);
    await expect(service.logTail('nosuch', 10)).rejects.toThrow(/no sandbox named/);
    // The unknown names cost at most one listing (to be sure the list is current), never an action.
    expect(readFileSync(path.join(home(msb.path), 'msb-starts'), 'utf8')).not.toMatch(/^stop|^logs/m);
    expect(msb.count() - before).toBeLessThanOrEqual(2);
  });

  it('has no pause in 0.6.18, and refuses it', async () => {
    const home = new RuntimeHome().init();
    const service = createRuntimeService({ msbPath: REAL_MSB ?? '', home: home.home });
    cleanups.push(
      () => home.dispose(),
      () => service.dispose(),
    );
    home.seed([{ name: 'web', status: 'Stopped' }]);
    await until(service, (state) => state.context !== null && statusOf(state, 'web') === 'Stopped');
    expect(service.state().capabilities.pause).toBe(false);
    expect(service.state().context).toEqual({ kind: 'local', profile: null, apiUrl: null });
    await expect(service.act('web', 'pause')).rejects.toThrow(/cannot pause/);
    const host = await until(service, (state) => state.host !== null);
    expect(host.host?.ok).toBe(false);
  });

  it('follows a sandbox’s log: the tail, then lines written later', async () => {
    const { home, service } = setup();
    const sleeper = home.ownedProcess();
    home.seed([{ name: 'web', status: 'Running', pid: sleeper.pid }]);
    home.writeExecLog('web', [{ s: 'stdout', d: 'first\n', t: '2026-01-01T00:00:00.000Z' }]);
    await until(service, (state) => statusOf(state, 'web') === 'Running');
    const seen: RuntimeLogLine[] = [];
    service.onLogLines((name, lines) => {
      if (name === 'web') seen.push(...lines);
    });
    service.followLog('web');
    await vi.waitFor(() => expect(seen.map((line) => line.text)).toContain('first\n'), { timeout: 10_000 });
    appendFileSync(
      path.join(home.home, 'sandboxes', 'web', 'logs', 'exec.log'),
      `${JSON.stringify({ d: 'later msb_secret.abc.def\n', e: null, id: 2, s: 'stderr', t: '2026-01-01T00:00:05.000Z' })}\n`,
    );
    await vi.waitFor(() => expect(seen.map((line) => line.text)).toContain('later msb_[token hidden]\n'), {
      timeout: 10_000,
    });
    service.followLog(null);
  });
});

function home(msbPath: string): string {
  return path.dirname(path.dirname(msbPath));
}

describe.skipIf(process.platform === 'win32')('the runtime service, with a 0.7 stand-in', () => {
  function setup() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-service-'));
    const msbPath = path.join(dir, 'msb');
    copyFileSync(fileURLToPath(new URL('../../../fixtures/msb-standin', import.meta.url)), msbPath);
    chmodSync(msbPath, 0o755);
    const pidFile = path.join(dir, 'metrics.pid');
    const record = path.join(dir, 'record');
    writeFileSync(record, '');
    const service = createRuntimeService({
      msbPath,
      home: path.join(dir, 'home'),
      env: { ...process.env, MSB_STANDIN_PIDFILE: pidFile, MSB_STANDIN_RECORD: record },
    });
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => service.dispose(),
    );
    return { service, pidFile, record };
  }

  it('shows Paused and unknown statuses, the cloud context, and pauses and resumes', async () => {
    const { service, record } = setup();
    const state = await until(service, (s) => s.capabilities.pause && s.context !== null && s.sandboxes.length === 2);
    expect(state.sandboxes.map(({ name, status }) => [name, status])).toEqual([
      ['web', 'Paused'],
      ['odd', 'Hibernating'],
    ]);
    expect(state.context).toEqual({ kind: 'cloud', profile: 'prod', apiUrl: 'https://api.microsandbox.dev' });
    await service.act('web', 'resume');
    await service.act('web', 'pause');
    expect(readFileSync(record, 'utf8')).toBe('resume -- web\npause -- web\n');
  });

  it('follows metrics only while interest is held, and ends the stream on release', async () => {
    const { service, pidFile } = setup();
    await until(service, (s) => s.sandboxes.length === 2);
    const release = service.watchMetrics();
    const state = await until(service, (s) => s.metrics['web'] !== undefined);
    expect(state.metrics['web']).toEqual({
      name: 'web',
      cpuPercent: 12.5,
      memoryBytes: 104857600,
      memoryLimitBytes: 1073741824,
      diskReadBytes: 4096,
      diskWriteBytes: 8192,
      netRxBytes: 100,
      netTxBytes: 200,
      uptimeSecs: 42,
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    release();
    release();
    expect(service.state().metrics).toEqual({});
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000 });
  });

  it('ends the metrics stream on dispose', async () => {
    const { service, pidFile } = setup();
    service.watchMetrics();
    await vi.waitFor(() => expect(existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '').toBe(true), {
      timeout: 10_000,
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    service.dispose();
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000 });
  });
});

describe.skipIf(REAL_MSB_MISSING !== null)('a listing that keeps failing, against the real msb', () => {
  // Every msb run writes db/msb.db-wal, a failed `msb ls` included: the service must not take that
  // write for news, or it lists, fails and writes again for as long as the fault lasts.
  it('starts no more msb while nothing in the home changes', { timeout: 30_000 }, async () => {
    const runtimeHome = new RuntimeHome().init();
    // A status this msb does not know, as a newer msb sharing the home would write.
    runtimeHome.seed([{ name: 'odd', status: 'Hibernating' }]);
    const msb = runtimeHome.countingMsb();
    const service = createRuntimeService({ msbPath: msb.path, home: runtimeHome.home, probeAtStart: false });
    cleanups.push(
      () => runtimeHome.dispose(),
      () => service.dispose(),
    );
    await until(service, (state) => state.error !== null);
    const before = msb.count();
    // The loop ran 26 msb in 3 s. Now: the retry after 2 s (ls and ps) and at most one listing for
    // a write that landed as the first one ended; the next retry is 4 s later still.
    const deadline = Date.now() + 5000;
    while (msb.count() < before + 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(msb.count() - before).toBeLessThanOrEqual(4);
  });
});

describe.skipIf(process.platform === 'win32')('the runtime service, asked many times at once', () => {
  function standIn(body: string): { dir: string; msb: string; home: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-once-'));
    chmodSync(dir, 0o755);
    const msb = path.join(dir, 'msb');
    writeFileSync(msb, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return { dir, msb, home: path.join(dir, 'home') };
  }

  it("reads a change that landed while its own listing ran, which msb's own write would hide", async () => {
    // Every msb run writes the WAL, as the real one does; this one's `ls` also lets a sandbox
    // arrive (another client's write) after it has read the list, and prints the old list.
    const { dir, msb, home } = standIn(
      [
        'mkdir -p "$MSB_HOME/db"; printf x >> "$MSB_HOME/db/msb.db-wal"',
        'list="$MSB_R2_DIR/list"; [ -f "$list" ] || echo \'[]\' > "$list"',
        'case "$1" in',
        '  ls) old=$(cat "$list")',
        '    if [ -f "$MSB_R2_DIR/arriving" ]; then mv "$MSB_R2_DIR/arriving" "$list"; printf y >> "$MSB_HOME/db/msb.db-wal"; fi',
        '    echo "$old" ;;',
        "  ps) echo '[]' ;;",
        "  --version) echo 'msb 0.6.18' ;;",
        'esac',
      ].join('\n'),
    );
    const service = createRuntimeService({
      msbPath: msb,
      home,
      probeAtStart: false,
      env: { ...process.env, MSB_R2_DIR: dir },
    });
    cleanups.push(() => service.dispose());
    expect((await service.refresh()).sandboxes).toEqual([]);
    const web = { created_at: '2026-12-07T01:59:02+00:00', image: 'alpine', name: 'web', status: 'Stopped' };
    writeFileSync(path.join(dir, 'arriving'), JSON.stringify([web]));
    appendFileSync(path.join(home, 'db', 'msb.db-wal'), 'z'); // the other client's first write
    const state = await until(service, (s) => s.sandboxes.some((sandbox) => sandbox.name === 'web'));
    expect(statusOf(state, 'web')).toBe('Stopped');
  });

  it('runs at most one msb doctor at a time however often the host check is asked for', async () => {
    const { dir, msb, home } = standIn(
      [
        'case "$1" in',
        '  doctor) echo x >> "$MSB_R2_DIR/doctors"; touch "$MSB_R2_DIR/running.$$"; sleep 1;',
        '    rm -f "$MSB_R2_DIR/running.$$";',
        "    printf '   \\342\\234\\223 msb          /x/msb\\n' >&2 ;;",
        "  ls|ps) echo '[]' ;;",
        'esac',
      ].join('\n'),
    );
    const service = createRuntimeService({ msbPath: msb, home, env: { ...process.env, MSB_R2_DIR: dir } });
    cleanups.push(() => service.dispose());
    // The service's own check at start and the window's twenty asks share one run.
    const reports = await Promise.all(Array.from({ length: 20 }, () => service.checkHost()));
    expect(new Set(reports).size).toBe(1);
    expect(readFileSync(path.join(dir, 'doctors'), 'utf8')).toBe('x\n');
  });
});
