import type { RuntimeAction } from '../../../../electron/core/runtime/api.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { TimerHandle, Timers } from '../../../../electron/core/base/clock.ts';
import {
  AppUpdates,
  type AppUpdaterPort,
  type RestartState,
  isDeveloperIdSigned,
  startingSandboxes,
} from '../../../../electron/core/desktop/app-update-wiring.ts';
import { createTrayActions } from '../../../../electron/core/desktop/tray-actions.ts';
import { buildTrayMenu } from '../../../../electron/core/desktop/tray-menu.ts';
import { FIRST_UPDATE_CHECK_DELAY_MS, checkAppUpdate } from '../../../../electron/core/updates/app-updates.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { RUNTIME_UNKNOWN } from '../../../../shared/runtime.ts';
import { serveRoutes } from '../updates/local-server.ts';
import { SETUP_UNKNOWN } from '../../../../shared/setup.ts';

/** `latest-linux.yml` as electron-builder writes it beside the packages. */
function feed(version: string): string {
  return [
    `version: ${version}`,
    'files:',
    `  - url: Microsandbox-Tray-${version}.AppImage`,
    '    sha512: 3q2+7w==',
    '    size: 1234',
    `path: Microsandbox-Tray-${version}.AppImage`,
    'sha512: 3q2+7w==',
    "releaseDate: '2026-11-30T10:00:00.000Z'",
  ].join('\n');
}

/** Timers the test fires by hand; the clock moves to each one's due time. */
function manualTime(): { timers: Timers; clock: { now: () => number }; pending: () => number[]; fire: () => void } {
  let now = 1_000_000;
  let next = 1;
  const waiting = new Map<number, { due: number; run: () => void }>();
  return {
    clock: { now: () => now },
    timers: {
      setTimeout: (run, ms) => {
        const id = next++;
        waiting.set(id, { due: now + ms, run });
        return id as unknown as TimerHandle;
      },
      clearTimeout: (handle) => void waiting.delete(handle as unknown as number),
    },
    pending: () => [...waiting.values()].map((timer) => timer.due - now),
    fire: () => {
      const [id, timer] = [...waiting.entries()].sort((a, b) => a[1].due - b[1].due)[0] ?? [];
      if (id === undefined || timer === undefined) throw new Error('no timer is waiting');
      waiting.delete(id);
      now = timer.due;
      timer.run();
    },
  };
}

/** An updater port that records what it was asked; its download ends when the test says. */
function recordingUpdater(): AppUpdaterPort & { calls: string[]; finishDownload: (error?: Error) => void } {
  const calls: string[] = [];
  let finish: (error?: Error) => void = () => undefined;
  return {
    calls,
    finishDownload: (error) => finish(error),
    download: (version) => {
      calls.push(`download ${version}`);
      return new Promise<void>((resolve, reject) => {
        finish = (error) => (error === undefined ? resolve() : reject(error));
      });
    },
    install: () => void calls.push('install'),
  };
}

const idle: RestartState = { server: 'running', sandboxesStarting: 0, microsandboxUpdating: false };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function wiring(options: {
  version: string;
  enabled?: () => boolean;
  platform?: NodeJS.Platform;
  macSigned?: boolean | Promise<boolean>;
  state?: () => RestartState;
}) {
  const server = await serveRoutes({ '/latest-linux.yml': { body: feed(options.version) } });
  closers.push(server.close);
  const time = manualTime();
  const updater = recordingUpdater();
  const events: string[] = [];
  const opened: string[] = [];
  const updates = new AppUpdates({
    isEnabled: options.enabled ?? (() => true),
    check: () => checkAppUpdate({ feedBaseUrl: server.url, currentVersion: '0.1.0', platform: 'linux', arch: 'x64' }),
    updater,
    platform: options.platform ?? 'linux',
    macSigned: options.macSigned ?? false,
    releasePageUrl: 'https://github.com/owner/app/releases/latest',
    restartState: options.state ?? (() => idle),
    prepareQuit: () => void events.push('quit leaves the server running'),
    browser: { openPage: (url) => Promise.resolve(void opened.push(url)) },
    onChange: () => void events.push('render'),
    clock: time.clock,
    timers: time.timers,
  });
  closers.push(() => Promise.resolve(updates.dispose()));
  return { server, time, updater, events, opened, updates };
}

describe('AppUpdates against a local feed', () => {
  it(
    'checks a minute after launch, downloads a newer version in the background, then offers Restart ' + 'to Update',
    async () => {
      const { server, time, updater, updates, events } = await wiring({ version: '0.2.0' });
      expect(time.pending()).toEqual([FIRST_UPDATE_CHECK_DELAY_MS]);
      expect(server.requests).toEqual([]);
      time.fire();
      await expect.poll(() => updater.calls).toEqual(['download 0.2.0']);
      expect(server.requests).toEqual(['/latest-linux.yml']);
      expect(updates.offer()).toEqual({ kind: 'downloading', version: '0.2.0' });
      updater.finishDownload();
      await expect.poll(() => updates.offer()).toEqual({ kind: 'restart-to-update', version: '0.2.0' });
      expect(events).toContain('render');

      const menu = buildTrayMenu({
        snapshot: INITIAL_SNAPSHOT,
        settings: DEFAULT_SETTINGS,
        platform: 'linux',
        startAtLogin: false,
        setup: SETUP_UNKNOWN,
        appUpdate: updates.offer(),
      });
      expect(menu).toContainEqual({ id: 'restart-to-update', label: 'Restart to Update (0.2.0)', enabled: true });

      expect(updates.restartToUpdate()).toEqual({ kind: 'restarting', version: '0.2.0' });
      // The quit is set to leave the server running before the updater quits the app.
      expect(events.at(-1)).toBe('quit leaves the server running');
      expect(updater.calls).toEqual(['download 0.2.0', 'install']);
    },
  );

  it('a second Restart to Update click installs nothing more', async () => {
    const { time, updater, updates } = await wiring({ version: '0.2.0' });
    time.fire();
    await expect.poll(() => updater.calls).toEqual(['download 0.2.0']);
    updater.finishDownload();
    await expect.poll(() => updates.offer().kind).toBe('restart-to-update');
    expect(updates.restartToUpdate()).toEqual({ kind: 'restarting', version: '0.2.0' });
    expect(updates.restartToUpdate()).toEqual({ kind: 'refused', reason: 'The app is restarting to update already.' });
    expect(updater.calls).toEqual(['download 0.2.0', 'install']);
  });

  it('turning the switch off cancels the armed check, and on arms it again', async () => {
    let enabled = true;
    const { time, server, updates } = await wiring({ version: '0.2.0', enabled: () => enabled });
    expect(time.pending()).toEqual([FIRST_UPDATE_CHECK_DELAY_MS]);
    enabled = false;
    updates.settingsChanged();
    expect(time.pending()).toEqual([]);
    enabled = true;
    updates.settingsChanged();
    expect(time.pending()).toEqual([FIRST_UPDATE_CHECK_DELAY_MS]);
    expect(server.requests).toEqual([]);
  });

  it('offers nothing and downloads nothing when the feed has the running version', async () => {
    const { time, updater, updates, server } = await wiring({ version: '0.1.0' });
    time.fire();
    await expect.poll(() => server.requests.length).toBe(1);
    await expect.poll(() => updates.offer()).toEqual({ kind: 'none' });
    expect(updater.calls).toEqual([]);
  });

  it('with the switch off: no timer, no request, nothing offered', async () => {
    let enabled = false;
    const { time, server, updates } = await wiring({ version: '0.2.0', enabled: () => enabled });
    expect(time.pending()).toEqual([]);
    await updates.checkNow();
    expect(server.requests).toEqual([]);
    // Turned on: the next check is armed again.
    enabled = true;
    updates.settingsChanged();
    expect(time.pending()).toEqual([FIRST_UPDATE_CHECK_DELAY_MS]);
  });

  it('refuses Restart to Update while the server starts, and the tray shows it off with the reason', async () => {
    let state: RestartState = idle;
    const { time, updater, updates } = await wiring({ version: '0.2.0', state: () => state });
    time.fire();
    await expect.poll(() => updater.calls).toEqual(['download 0.2.0']);
    updater.finishDownload();
    await expect.poll(() => updates.offer().kind).toBe('restart-to-update');
    state = { ...idle, server: 'starting' };
    expect(updates.offer()).toEqual({ kind: 'restart-later', version: '0.2.0', reason: 'The server is starting.' });
    const menu = buildTrayMenu({
      snapshot: INITIAL_SNAPSHOT,
      settings: DEFAULT_SETTINGS,
      platform: 'linux',
      startAtLogin: false,
      setup: SETUP_UNKNOWN,
      appUpdate: updates.offer(),
    });
    expect(menu).toContainEqual({ id: 'restart-to-update', label: 'Restart to Update (0.2.0)', enabled: false });
    // A click from a menu drawn before the start began is refused too, and said in a notification.
    const notified: string[] = [];
    const click = createTrayActions({
      appUpdate: updates,
      notifier: {
        notify: (note: { title: string; body: string }) => void notified.push(`${note.title}: ${note.body}`),
      },
    } as unknown as Parameters<typeof createTrayActions>[0]);
    await click('restart-to-update');
    expect(notified).toEqual(['Not restarting to update yet: The server is starting.']);
    state = { ...idle, sandboxesStarting: 1 };
    expect(updates.restartToUpdate()).toEqual({ kind: 'refused', reason: 'A sandbox is starting.' });
    expect(updater.calls).toEqual(['download 0.2.0']);
  });

  it('an unsigned macOS build downloads nothing and opens the fixed release page instead', async () => {
    const { time, updater, updates, opened } = await wiring({ version: '0.2.0', platform: 'darwin' });
    time.fire();
    await expect.poll(() => updates.offer().kind).toBe('release-page');
    expect(updater.calls).toEqual([]);
    expect(updates.restartToUpdate().kind).toBe('refused');
    await updates.openReleasePage();
    expect(opened).toEqual(['https://github.com/owner/app/releases/latest']);
  });

  it('a signed macOS build, known only once codesign answers, downloads after the answer', async () => {
    let answer: (signed: boolean) => void = () => undefined;
    const macSigned = new Promise<boolean>((resolve) => (answer = resolve));
    const { time, updater, updates } = await wiring({ version: '0.2.0', platform: 'darwin', macSigned });
    // Before codesign answers, the build counts as unsigned: nothing is downloaded yet.
    expect(updates.offer().kind).toBe('none');
    time.fire();
    answer(true);
    await expect.poll(() => updater.calls).toEqual(['download 0.2.0']);
    updater.finishDownload();
    await expect.poll(() => updates.offer()).toEqual({ kind: 'restart-to-update', version: '0.2.0' });
  });

  it('a failed download is logged, offers no restart, and the next check tries again', async () => {
    const { time, updater, updates } = await wiring({ version: '0.2.0' });
    time.fire();
    await expect.poll(() => updater.calls).toEqual(['download 0.2.0']);
    updater.finishDownload(new Error('connection reset'));
    await expect.poll(() => time.pending().length).toBe(1);
    expect(updates.offer()).toEqual({
      kind: 'quiet',
      message: 'Downloading app update 0.2.0 failed: connection reset',
    });
    expect(updates.restartToUpdate()).toEqual({ kind: 'refused', reason: 'No downloaded update to install.' });
    time.fire();
    await expect.poll(() => updater.calls).toEqual(['download 0.2.0', 'download 0.2.0']);
  });
});

describe('startingSandboxes and isDeveloperIdSigned', () => {
  it('counts only the sandboxes msb says are starting', () => {
    const sandbox = (status: string) => ({
      name: status,
      status,
      image: 'i',
      createdAt: 0,
      cpus: null,
      memoryMib: null,
      ports: [],
    });
    expect(startingSandboxes(RUNTIME_UNKNOWN)).toBe(0);
    expect(
      startingSandboxes({
        ...RUNTIME_UNKNOWN,
        state: {
          sandboxes: [sandbox('Starting'), sandbox('Running'), sandbox('Starting')],
          metrics: {},
          host: null,
          context: null,
          capabilities: { pause: false },
          error: null,
          listedAt: 0,
        },
      }),
    ).toBe(2);
  });

  it('counts the starts the app has in flight, once each, beside those msb lists', () => {
    const listed = (name: string, status: string) => ({
      name,
      status,
      image: 'i',
      createdAt: 0,
      cpus: null,
      memoryMib: null,
      ports: [],
    });
    const view = {
      ...RUNTIME_UNKNOWN,
      state: {
        sandboxes: [listed('web', 'Starting'), listed('db', 'Stopped')],
        metrics: {},
        host: null,
        context: null,
        capabilities: { pause: false },
        error: null,
        listedAt: 0,
      },
    };
    const inFlight = new Map<string, RuntimeAction>([
      ['web', 'start'],
      ['db', 'resume'],
      ['cache', 'stop'],
    ]);
    // web is listed and in flight (counted once), db starts from the app, cache is stopping.
    expect(startingSandboxes(view, inFlight)).toBe(2);
    expect(startingSandboxes(RUNTIME_UNKNOWN, new Map([['new', 'restart']]))).toBe(1);
  });

  it('tells a Developer ID signature from an ad-hoc one', () => {
    expect(isDeveloperIdSigned('Executable=/A.app\nAuthority=Developer ID Application: Someone (TEAM)\n')).toBe(true);
    expect(isDeveloperIdSigned('Executable=/A.app\nSignature=adhoc\n')).toBe(false);
  });
});
