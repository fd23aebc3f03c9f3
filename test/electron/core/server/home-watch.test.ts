// The watch on the home (server/home-watch.ts), on real folders: it hears server.pid, and keeps
// hearing it after the home is deleted, moved away or made again, however deep the loss went.
import { mkdirSync, promises as fsp, rmSync, statSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HomeWatch } from '../../../../electron/core/server/home-watch.ts';
import type { Logger } from '../../../../electron/core/base/logger.ts';
import { waitUntil } from './lifecycle-harness.ts';

let root: string;
let watches: HomeWatch[];

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-home-watch-'));
  watches = [];
});

afterEach(async () => {
  for (const watch of watches) watch.dispose();
  await fsp.rm(root, { recursive: true, force: true });
});

interface Watched {
  readonly watch: HomeWatch;
  /** How many times a change was reported so far. */
  changes(): number;
  readonly logged: string[];
}

function watchHome(home: string): Watched {
  let changes = 0;
  const logged: string[] = [];
  const logger: Logger = {
    debug: (message) => logged.push(message),
    info: (message) => logged.push(message),
    warn: (message) => logged.push(message),
    error: (message) => logged.push(message),
  };
  const homeWatch = new HomeWatch({
    home,
    file: 'server.pid',
    onChange: () => (changes += 1),
    logger,
    settleMs: SETTLE_MS,
  });
  watches.push(homeWatch);
  homeWatch.start();
  return { watch: homeWatch, changes: () => changes, logged };
}

const SETTLE_MS = 1;

/**
 * Puts `file` in place and resolves once the watch has had its chance to report it. The file is
 * renamed into place, one event under its name; a watch of the test's own on the same folder
 * hears that event in the same dispatch as the HomeWatch (one inotify watch per folder). The
 * HomeWatch's settle timer, if the event set one, is a fake one meanwhile, run at once after.
 */
async function writeAndSettle(file: string, content: string): Promise<void> {
  const dir = path.dirname(file);
  let seen!: () => void;
  const heard = new Promise<void>((resolve) => (seen = resolve));
  const probe = watch(dir, (_event, name) => {
    if (name === path.basename(file)) seen();
  });
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const temp = path.join(path.dirname(dir), `.${path.basename(file)}.tmp`);
    await fsp.writeFile(temp, content);
    await fsp.rename(temp, file);
    await heard;
    vi.runOnlyPendingTimers();
  } finally {
    vi.useRealTimers();
    probe.close();
  }
}

/** Writes server.pid until the watch reports it: proof the watch is live, without a sleep. */
async function heardAfterWrite(w: Watched, home: string, pid: string): Promise<boolean> {
  const before = w.changes();
  await fsp.writeFile(path.join(home, 'server.pid'), pid);
  return waitUntil(() => w.changes() > before, 3_000);
}

describe('HomeWatch', () => {
  it('reports changes to server.pid, and not to the other entries of the home', async () => {
    const home = path.join(root, 'home');
    await fsp.mkdir(home);
    const w = watchHome(home);
    expect(w.watch.watchingHome).toBe(true);
    await writeAndSettle(path.join(home, 'oci.db'), 'x');
    await writeAndSettle(path.join(home, 'server.key'), 'y');
    expect(w.changes()).toBe(0);
    await writeAndSettle(path.join(home, 'server.pid'), '123');
    expect(w.changes()).toBe(1);
  });

  it('keeps hearing server.pid after the home is deleted and made again (rm -rf, then a CLI start)', async () => {
    const home = path.join(root, 'home');
    await fsp.mkdir(home);
    await fsp.writeFile(path.join(home, 'server.pid'), '1');
    const w = watchHome(home);
    await fsp.rm(home, { recursive: true });
    // The loss is a change too: server.pid went with the home.
    expect(await waitUntil(() => w.changes() > 0 && !w.watch.watchingHome, 3_000)).toBe(true);
    expect(w.logged.join('\n')).toContain(`${home} is missing; watching ${root}`);

    const beforeCreate = w.changes();
    await fsp.mkdir(home);
    expect(await waitUntil(() => w.watch.watchingHome, 3_000)).toBe(true);
    // Coming back is a change: a server.pid written before the watch moved in is looked at too.
    expect(w.changes()).toBeGreaterThan(beforeCreate);
    expect(await heardAfterWrite(w, home, '4242')).toBe(true);
  });

  it('follows a home deleted and made again before it looked, even under the same inode number', async () => {
    const home = path.join(root, 'home');
    await fsp.mkdir(home);
    await fsp.writeFile(path.join(home, 'oci.db'), 'x');
    const w = watchHome(home);
    const oldIno = statSync(home).ino;
    // In one tick, so the watch looks only once the new home exists: ext4 and tmpfs hand the
    // freed inode number straight to the new folder, which then looks like the one watched.
    rmSync(home, { recursive: true });
    mkdirSync(home);
    const reused = statSync(home).ino === oldIno;
    // The replacement is reported (its server.pid may differ) and the new home is watched.
    expect(await waitUntil(() => w.changes() >= 1, 3_000), `inode reused: ${reused}`).toBe(true);
    expect(w.watch.watchingHome).toBe(true);
    expect(await heardAfterWrite(w, home, '8')).toBe(true);
  });

  it('follows a home made again together with the folders above it', async () => {
    const home = path.join(root, 'a', 'b', 'home');
    await fsp.mkdir(home, { recursive: true });
    const w = watchHome(home);
    await fsp.rm(path.join(root, 'a'), { recursive: true });
    expect(await waitUntil(() => w.logged.some((line) => line.includes(`watching ${root} `)), 3_000)).toBe(true);

    await fsp.mkdir(path.join(root, 'a'));
    expect(await waitUntil(() => w.logged.some((line) => line.includes(`watching ${path.join(root, 'a')} `)))).toBe(
      true,
    );
    await fsp.mkdir(path.join(root, 'a', 'b', 'home'), { recursive: true });
    expect(await waitUntil(() => w.watch.watchingHome, 3_000)).toBe(true);
    expect(await heardAfterWrite(w, home, '77')).toBe(true);
  });

  it('starts on a home that does not exist yet, and moves in when it appears', async () => {
    const home = path.join(root, 'later');
    const w = watchHome(home);
    expect(w.watch.watchingHome).toBe(false);
    await fsp.mkdir(home);
    expect(await waitUntil(() => w.watch.watchingHome, 3_000)).toBe(true);
    expect(await heardAfterWrite(w, home, '5')).toBe(true);
  });

  it('notices a home moved away and another made in its place, and lets go of the old one', async () => {
    const home = path.join(root, 'home');
    await fsp.mkdir(home);
    const w = watchHome(home);
    await fsp.rename(home, path.join(root, 'old-home'));
    await fsp.mkdir(home);
    // The move is reported (the new home's server.pid may differ), and the new home is watched
    // (straight away, or after a stop on the folder above if the move was seen before the mkdir).
    expect(await waitUntil(() => w.watch.watchingHome && w.changes() >= 1, 3_000)).toBe(true);
    const moved = w.changes();
    await writeAndSettle(path.join(root, 'old-home', 'server.pid'), '10');
    expect(w.changes()).toBe(moved);
    await writeAndSettle(path.join(home, 'server.pid'), '11');
    expect(w.changes()).toBe(moved + 1);
  });

  it('lets go of its watch on dispose: no change is reported after', async () => {
    const home = path.join(root, 'home');
    await fsp.mkdir(home);
    const w = watchHome(home);
    w.watch.dispose();
    expect(w.watch.watchingHome).toBe(false);
    await writeAndSettle(path.join(home, 'server.pid'), '1');
    expect(w.changes()).toBe(0);
  });
});
