// The stop procedure (server/stop.ts) through the controller, against the msbserver stand-in,
// when the world around the server is not as it was: the home deleted while the server runs.
import { promises as fsp } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { harnessPerTest, isAlive, waitUntil, type Harness } from './lifecycle-harness.ts';

let h: Harness;

harnessPerTest((made) => {
  h = made;
});

async function homeExists(): Promise<boolean> {
  return fsp.access(h.home).then(
    () => true,
    () => false,
  );
}

describe('the home deleted while the server runs', () => {
  it('stops the server the app started, and does not make the home again', async () => {
    const c = h.controller();
    const running = await c.start();
    expect(running.state).toBe('running');
    await fsp.rm(h.home, { recursive: true });

    const stopped = await c.stop();
    expect(stopped).toMatchObject({ state: 'stopped', pid: null, error: null });
    expect(isAlive(running.pid ?? 0)).toBe(false);
    expect(h.liveServers()).toEqual([]);
    // msb server stop makes no home; neither does the app's.
    expect(await homeExists()).toBe(false);

    // The next start makes the home again and starts a new server: nothing is re-adopted.
    const again = await c.start();
    expect(again.state).toBe('running');
    expect(again.pid).not.toBe(running.pid);
    expect(await h.pidFile()).toBe(String(again.pid));
    await c.stop();
  });

  it('stops a server started outside the app (adopted) after its home went', async () => {
    const child = await h.cliStart();
    const c = h.controller();
    await c.ready;
    expect(await waitUntil(() => c.snapshot().state === 'running')).toBe(true);
    await fsp.rm(h.home, { recursive: true });

    const stopped = await c.stop();
    expect(stopped).toMatchObject({ state: 'stopped', pid: null, error: null });
    expect(await waitUntil(() => !isAlive(child.pid ?? 0))).toBe(true);
    expect(await homeExists()).toBe(false);
  });

  it('keeps showing the server as running, and does not put server.pid back into a home that is gone', async () => {
    const c = h.controller({ livenessMs: 20 });
    const running = await c.start();
    await fsp.rm(h.home, { recursive: true });
    // Several liveness ticks and the watch's look have passed once a refresh queued now settles.
    const seen = await c.refresh();
    await c.refresh();
    expect(seen).toMatchObject({ state: 'running', pid: running.pid });
    expect(c.snapshot()).toMatchObject({ state: 'running', pid: running.pid });
    expect(await homeExists()).toBe(false);
    await c.stop();
  });
});

describe('refreshes', () => {
  it('asked while the queue is busy are merged into one look, answered with its snapshot', async () => {
    h.env = { ...h.env, MSB_STANDIN_HEALTH_DELAY_MS: '300' };
    const c = h.controller();
    await c.ready;
    const starting = c.start();
    const refreshes = Array.from({ length: 200 }, () => c.refresh());
    // One look queued behind the start, not 200.
    expect(new Set(refreshes).size).toBe(1);
    const running = await starting;
    const seen = await Promise.all(refreshes);
    expect(seen.every((s) => s.state === 'running' && s.pid === running.pid)).toBe(true);
    await c.stop();
  });

  it('asked while a look runs get a look of their own after it, which sees what changed meanwhile', async () => {
    const c = h.controller();
    await c.ready;
    const first = c.refresh();
    // The first look is under way (the queue was idle): a server started by the CLI now must be
    // seen by a look that starts after this call, not be folded into the one already running.
    const child = await h.cliStart();
    const second = c.refresh();
    expect(second).not.toBe(first);
    const seen = await second;
    expect(seen).toMatchObject({ state: 'running', pid: child.pid, external: true });
    await c.stop();
  });
});
