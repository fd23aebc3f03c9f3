import { appendFileSync, promises as fsp, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedStatusAndSettings, LogFeed, type WindowSend } from '../../../../electron/core/desktop/feeds.ts';
import type { Notification } from '../../../../electron/core/desktop/desktop-ports.ts';
import { HIDDEN_KEY, HIDDEN_TOKEN } from '../../../../electron/core/base/scrub.ts';
import { SecretScrubber } from '../../../../electron/core/keys/key-scrubber.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import type { Controller } from '../../../../electron/core/server/controller.ts';
import { SettingsStore } from '../../../../electron/core/settings.ts';
import type { EventChannel } from '../../../../shared/contract.ts';
import Conf from 'conf';
import { createHarness, nextState, type Harness } from '../server/lifecycle-harness.ts';
import { waitFor } from '../../../support/wait-for.ts';

let h: Harness;
let sent: { channel: EventChannel; payload: unknown }[];
const send: WindowSend = (channel, payload) => void sent.push({ channel, payload });

beforeEach(async () => {
  h = await createHarness();
  sent = [];
});

afterEach(async () => {
  const left = h.liveServers();
  await h.cleanup();
  expect(left, 'stand-ins left running').toEqual([]);
});

describe('feedStatusAndSettings', () => {
  it('renders the tray and tells the window at each transition, and notifies a crash only', async () => {
    // Crashes right after answering its second health check (a heartbeat, made only once it runs),
    // so a loaded machine cannot make the crash beat the start.
    h.env = { ...h.env, MSB_STANDIN_CRASH_ON_HEALTH: '2' };
    const control: Controller = h.controller({ heartbeatMs: 50 });
    await control.ready;
    const settings = new SettingsStore(
      new Conf<Record<string, unknown>>({ cwd: path.join(h.root, 'conf'), configName: 'settings', projectName: 'x' }),
    );
    const notes: Notification[] = [];
    let renders = 0;
    const feed = feedStatusAndSettings({
      control,
      settings,
      settingsView: () => ({ settings: settings.get(), restartNeeded: false }),
      notifier: { notify: (note) => void notes.push(note) },
      renderTray: () => void renders++,
      send,
    });
    await control.start();
    expect(notes).toEqual([]);
    await nextState(control, 'failed');
    expect(notes.map((note) => note.title)).toEqual(['Microsandbox server crashed']);
    const states = sent
      .filter((event) => event.channel === 'event:status')
      .map((event) => (event.payload as { state: string }).state);
    // A heartbeat overlapping the crash may add an unhealthy 'running' before 'failed'.
    expect(states.filter((s, i) => s !== 'running' || states[i - 1] !== 'running')).toEqual([
      'starting',
      'starting',
      'running',
      'failed',
    ]);
    expect(renders).toBe(states.length);

    settings.update({ port: 6001 });
    expect(sent.at(-1)).toEqual({
      channel: 'event:settings',
      payload: { settings: settings.get(), restartNeeded: false },
    });
    await feed.dispose();
    settings.update({ port: 6002 });
    expect(sent.at(-1)?.payload).toMatchObject({ settings: { port: 6001 } });
  });
});

describe('LogFeed', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'log-feed-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('pushes new log lines only while the window is open', async () => {
    const file = path.join(dir, 'msbserver.log');
    writeFileSync(file, '');
    const feed = new LogFeed(file, send, new SecretScrubber(path.join(dir, 'server.key'), silentLogger), silentLogger);
    appendFileSync(file, 'no window yet\n');
    feed.windowOpened();
    appendFileSync(file, 'window open\n');
    await waitFor(() => sent.length > 0, { timeout: 3_000, what: 'the first batch' });
    expect(sent).toEqual([{ channel: 'event:log', payload: { lines: ['window open'] } }]);
    feed.windowClosed();
    appendFileSync(file, 'window closed\n');
    // What a closed window missed is never sent: the next window hears only what comes after it.
    feed.windowOpened();
    appendFileSync(file, 'window open again\n');
    await waitFor(() => sent.length >= 2, { timeout: 3_000, what: 'the batch after reopening' });
    expect(sent.slice(1)).toEqual([{ channel: 'event:log', payload: { lines: ['window open again'] } }]);
    feed.dispose();
  });

  it('sends the new lines without the server key or any token, in order', async () => {
    const file = path.join(dir, 'msbserver.log');
    const keyFile = path.join(dir, 'server.key');
    const key = 'FeedKey0123456789FeedKey01234567';
    const token = 'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';
    writeFileSync(file, '');
    writeFileSync(keyFile, key, { mode: 0o600 });
    const feed = new LogFeed(file, send, new SecretScrubber(keyFile, silentLogger), silentLogger);
    feed.windowOpened();
    appendFileSync(file, `starting with --key ${key}\n`);
    const lines = (): string[] => sent.flatMap((event) => (event.payload as { lines: string[] }).lines);
    // Two batches: the second is appended once the first has been sent.
    await waitFor(() => lines().length >= 1, { timeout: 3_000, what: 'the first line' });
    appendFileSync(file, `request with Authorization: Bearer ${token}\nthe key again: ${key}\n`);
    await waitFor(() => lines().length >= 3, { timeout: 3_000, what: 'three lines' });
    await feed.settled();
    expect(lines()).toEqual([
      `starting with --key ${HIDDEN_KEY}`,
      `request with Authorization: Bearer ${HIDDEN_TOKEN}`,
      `the key again: ${HIDDEN_KEY}`,
    ]);
    expect(JSON.stringify(sent)).not.toContain(key);
    expect(JSON.stringify(sent)).not.toContain(token);
    feed.dispose();
  });
});
