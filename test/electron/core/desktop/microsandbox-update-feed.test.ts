import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MicrosandboxUpdates } from '../../../../electron/core/desktop/microsandbox-update-feed.ts';
import { MicrosandboxReleaseSource } from '../../../../electron/core/updates/microsandbox-updates.ts';
import { MAX_SELF_UPDATE_LINES, type MicrosandboxUpdateView } from '../../../../shared/microsandbox-update.ts';
import type { RuntimeAction } from '../../../../electron/core/runtime/api.ts';
import { RUNTIME_UNKNOWN, type RuntimeView } from '../../../../shared/runtime.ts';
import { refusedUrl, serveRoutes } from '../updates/local-server.ts';
import { removeWhenUnused } from '../../../support/remove-when-unused.ts';

const STANDIN = fileURLToPath(new URL('../../../fixtures/msb-update-standin/msb', import.meta.url));
const RELEASE_PATH = '/repos/superradcompany/microsandbox/releases/latest';

const closers: (() => Promise<void>)[] = [];
let home: string;
beforeEach(async () => {
  home = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-update-feed-'));
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  // A `msb self update` dispose left to finish may still write the home (MSB_HOME).
  await removeWhenUnused(home, home);
});

function runtimeView(version: string, sandboxes: { name: string; status: string }[] = []): RuntimeView {
  return {
    ...RUNTIME_UNKNOWN,
    generation: 'runtime',
    msb: { path: STANDIN, version },
    state: {
      sandboxes: sandboxes.map((one) => ({ ...one, image: 'i', createdAt: 0, cpus: null, memoryMib: null, ports: [] })),
      metrics: {},
      host: null,
      context: null,
      capabilities: { pause: false },
      error: null,
      listedAt: 0,
    },
  };
}

/** The runtime service's act bookkeeping, recording each hold and its release. */
function actsOf(inFlight: [string, RuntimeAction][] = []) {
  const events: string[] = [];
  let holds = 0;
  return {
    events,
    held: () => holds > 0,
    service: {
      actsInFlight: () => new Map(inFlight),
      holdActs: (reason: string) => {
        holds += 1;
        events.push(`hold: ${reason}`);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          holds -= 1;
          events.push('release');
        };
      },
    },
  };
}

async function feed(options: {
  latest?: string;
  checksOn?: boolean;
  view?: () => RuntimeView;
  offline?: boolean;
  acts?: ReturnType<typeof actsOf>;
  /** The feed's msb home (the test's home unless given). */
  msbHome?: string;
}) {
  const server = await serveRoutes({
    [RELEASE_PATH]: {
      type: 'application/json',
      body: JSON.stringify({ tag_name: `v${options.latest ?? '0.7.2'}`, html_url: 'https://github.test/r' }),
    },
  });
  closers.push(server.close);
  let view = options.view ?? (() => runtimeView('0.6.18'));
  const rescans: string[] = [];
  const sent: MicrosandboxUpdateView[] = [];
  const updates = new MicrosandboxUpdates({
    runtime: {
      view: () => view(),
      rescan: async () => {
        const now = (await fsp.readFile(path.join(home, '.standin-version'), 'utf8').catch(() => '0.6.18')).trim();
        rescans.push(now);
        view = () => runtimeView(now);
        return view();
      },
      service: () => options.acts?.service ?? null,
      home: () => options.msbHome ?? home,
    },
    checksOn: () => options.checksOn ?? true,
    source: new MicrosandboxReleaseSource({ baseUrl: options.offline === true ? await refusedUrl() : server.url }),
    env: { PATH: path.dirname(process.execPath), MSB_HOME: home },
    send: (sentView) => void sent.push(sentView),
  });
  closers.push(() => Promise.resolve(updates.dispose()));
  return { server, updates, sent, rescans };
}

describe('MicrosandboxUpdates', () => {
  it('holds off every sandbox act while msb self update runs, and lets go when it ends', async () => {
    const acts = actsOf();
    const { updates } = await feed({ acts });
    await updates.refresh();
    const running = updates.update();
    // Held from the start of the run, before msb printed anything.
    expect(acts.held()).toBe(true);
    expect(updates.updating).toBe(true);
    const done = await running;
    expect(done.run?.result).toEqual({ kind: 'updated', from: '0.6.18', to: '0.7.2' });
    expect(done.run?.lines.length).toBeGreaterThan(0);
    expect(acts.events).toEqual(['hold: microsandbox is being updated: try again once the update is done.', 'release']);
    expect(acts.held()).toBe(false);
  });

  it("runs msb self update in the feed's msb home, where msb installs, not the app's own MSB_HOME", async () => {
    const serviceHome = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-update-service-home-'));
    closers.push(() => removeWhenUnused(serviceHome, serviceHome));
    // No service (none could be made, say): the run still takes the feed's home.
    const { updates } = await feed({ msbHome: serviceHome });
    await updates.refresh();
    const done = await updates.update();
    expect(done.run?.result).toMatchObject({ kind: 'updated', to: '0.7.2' });
    // The stand-in keeps its installed version in the MSB_HOME it was given.
    expect((await fsp.readFile(path.join(serviceHome, '.standin-version'), 'utf8')).trim()).toBe('0.7.2');
    expect(await fsp.readFile(path.join(home, '.standin-version'), 'utf8').catch(() => 'untouched')).toBe('untouched');
  });

  it('refuses while the app is starting a sandbox msb does not list as Starting yet, and runs nothing', async () => {
    const acts = actsOf([['web', 'start']]);
    const { updates } = await feed({ acts });
    await updates.refresh();
    const refused = await updates.update();
    expect(refused.run?.result).toEqual({
      kind: 'refused',
      message: 'A sandbox is starting: update microsandbox once it runs.',
    });
    expect(refused.run?.lines).toEqual([]);
    expect(acts.held()).toBe(false);
    // A stop in flight is not a start: the update may run.
    const stopping = actsOf([['web', 'stop']]);
    const other = await feed({ acts: stopping });
    await other.updates.refresh();
    expect((await other.updates.update()).run?.result?.kind).toBe('updated');
  });

  it('shows the installed version against the latest release, asking GitHub once a day at most', async () => {
    const { server, updates } = await feed({});
    expect((await updates.refresh()).status).toEqual({
      kind: 'update-available',
      installed: '0.6.18',
      latest: '0.7.2',
      releaseUrl: 'https://github.test/r',
    });
    await updates.refresh();
    expect(server.requests).toEqual([RELEASE_PATH]);
  });

  it('with its switch off asks nothing and says it was not checked', async () => {
    const { server, updates } = await feed({ checksOn: false });
    const view = await updates.refresh();
    expect(view.checksOn).toBe(false);
    expect(view.status).toMatchObject({ kind: 'unknown', installed: '0.6.18' });
    expect(server.requests).toEqual([]);
  });

  it(
    'streams msb self update line by line, then shows the new version; a failure halfway says so and keeps the ' +
      'old one',
    async () => {
      await fsp.writeFile(path.join(home, '.standin-fail-once'), '');
      const { updates, sent, rescans } = await feed({});
      await updates.refresh();
      const failed = await updates.update();
      expect(failed.run?.result).toMatchObject({ kind: 'failed' });
      expect(failed.run?.result?.kind === 'failed' && failed.run.result.message).toMatch(/exit code 1/);
      expect(failed.run?.lines.at(-1)?.text).toBe('error: failed to download release asset: connection reset by peer');
      expect(rescans).toEqual([]);
      // The output went out as it came (each burst's first line at once): views with a growing output while it ran.
      const running = sent.filter((view) => view.run?.running === true).map((view) => view.run?.lines.length ?? 0);
      expect(running.some((count) => count > 0)).toBe(true);
      expect(running).toEqual([...running].sort((a, b) => a - b));

      sent.length = 0;
      const updated = await updates.update();
      expect(updated.run?.result).toEqual({ kind: 'updated', from: '0.6.18', to: '0.7.2' });
      expect(updated.run?.lines.map((line) => line.text)).toContain('✓ Updated microsandbox 0.6.18 → 0.7.2');
      expect(rescans).toEqual(['0.7.2']);
      expect(updated.status).toMatchObject({ kind: 'up-to-date', installed: '0.7.2' });
      expect(updates.updating).toBe(false);
    },
  );

  it('switched off after a look, shows no stale latest and asks nothing more', async () => {
    const options = { checksOn: true };
    const { server, updates } = await feed(options);
    expect((await updates.refresh()).status).toMatchObject({ kind: 'update-available', latest: '0.7.2' });
    options.checksOn = false;
    const view = await updates.refresh();
    expect(view.checksOn).toBe(false);
    expect(view.status).toEqual({ kind: 'unknown', installed: '0.6.18', message: 'Not checked yet.' });
    expect(JSON.stringify(view)).not.toContain('0.7.2');
    expect(server.requests).toHaveLength(1);
  });

  it('100,000 lines reach the window as a bounded list in few messages', async () => {
    const noisy = path.join(home, 'msb-noisy');
    await fsp.writeFile(
      noisy,
      [
        '#!/usr/bin/env node',
        "if (process.argv[2] === '--version') { console.log('msb 0.6.18'); process.exit(0); }",
        "process.stdout.write(Array.from({ length: 100000 }, (_, i) => `line ${i}`).join('\\n') + '\\n');",
        'process.exitCode = 1;',
      ].join('\n'),
      { mode: 0o755 },
    );
    const { updates, sent } = await feed({
      view: () => ({ ...runtimeView('0.6.18'), msb: { path: noisy, version: 'msb 0.6.18' } }),
    });
    await updates.refresh();
    const before = sent.length;
    const view = await updates.update();
    expect(view.run?.result).toMatchObject({ kind: 'failed' });
    expect(view.run?.lines).toHaveLength(MAX_SELF_UPDATE_LINES);
    expect(view.run?.lines.at(-1)?.text).toBe('line 99999');
    // One message a line would be 100,000 copies of the list sent to the window.
    expect(sent.length - before).toBeLessThan(1_000);
    expect(sent.at(-1)?.run?.lines.at(-1)?.text).toBe('line 99999');
  });

  it('refuses while a sandbox is starting and never goes back to an older release', async () => {
    const starting = await feed({ view: () => runtimeView('0.6.18', [{ name: 'web', status: 'Starting' }]) });
    await starting.updates.refresh();
    expect((await starting.updates.update()).run?.result).toEqual({
      kind: 'refused',
      message: 'A sandbox is starting: update microsandbox once it runs.',
    });
    const older = await feed({ latest: '0.6.1' });
    await older.updates.refresh();
    expect((await older.updates.update()).run?.result).toMatchObject({ kind: 'refused' });
    expect(await fsp.readFile(path.join(home, '.standin-version'), 'utf8').catch(() => 'untouched')).toBe('untouched');
  });

  it('the server generation: 0.2.6 was its last release, with the runtime install', async () => {
    const { updates, server } = await feed({ view: () => ({ ...RUNTIME_UNKNOWN, generation: 'server' }) });
    const view = await updates.refresh();
    expect(view.status).toMatchObject({ kind: 'server-generation' });
    expect(view.status.kind === 'server-generation' && view.status.message).toMatch(/0\.2\.6 is the last release/);
    expect(server.requests).toEqual([]);
    expect((await updates.update()).run?.result?.kind).toBe('refused');
  });
});
