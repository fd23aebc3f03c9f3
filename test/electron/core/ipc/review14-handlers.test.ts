// Review 14: the untrusted window and the native questions of Stop. The handler table promises
// "one question at a time: while one is open, a request that would need another is refused";
// server:stop's questions (a server the app did not start, sandboxes running) must follow it too,
// or a hostile window stacks native dialogs without end (and a user who presses Enter on one of
// them answers a question they did not ask).
//
// Real parts: the controller adopting a server started the way `msb server start` does, the
// sandboxes service on the home's namespaces folder, a settings store on disk. Only the native
// dialogs are recorded (they cannot run under Node).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClipboardGuard } from '../../../../electron/core/desktop/clipboard-guard.ts';
import type {
  ChoicePort,
  ClipboardPort,
  ConfirmPort,
  FileChooserPort,
  SenderInfo,
} from '../../../../electron/core/desktop/desktop-ports.ts';
import { createHandlerTable } from '../../../../electron/core/ipc/handlers.ts';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { createSandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import { SecretScrubber } from '../../../../electron/core/base/scrub.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { SettingsStore } from '../../../../electron/core/settings.ts';
import { SetupWatch } from '../../../../electron/core/server/setup-watch.ts';
import type { Envelope } from '../../../../shared/contract.ts';
import { createHarness, type Harness } from '../server/lifecycle-harness.ts';

const WINDOW: SenderInfo = { id: 1, url: 'app://microsandbox-tray/index.html', isMainFrame: true };

/** Native dialogs that stay open until the test answers them. */
class OpenDialogs implements ChoicePort, ConfirmPort, FileChooserPort {
  readonly open: { title: string; answer: (index: number) => void }[] = [];
  choose(question: Parameters<ChoicePort['choose']>[0]): Promise<number> {
    return new Promise((resolve) => this.open.push({ title: question.title, answer: resolve }));
  }
  confirm(question: Parameters<ConfirmPort['confirm']>[0]): Promise<boolean> {
    return new Promise((resolve) => this.open.push({ title: question.title, answer: (i) => resolve(i === 1) }));
  }
  chooseFile(): Promise<string | null> {
    return Promise.resolve(null);
  }
}

class MemoryClipboard implements ClipboardPort {
  text = '';
  readText(): Promise<string> {
    return Promise.resolve(this.text);
  }
  writeText(text: string): Promise<void> {
    this.text = text;
    return Promise.resolve();
  }
}

let h: Harness;
const disposers: (() => unknown)[] = [];

beforeEach(async () => {
  h = await createHarness();
});

afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
  // The CLI's server is left running on purpose (nobody answered yes); cleanup ends it.
  await h.cleanup();
});

async function world() {
  await h.cliStart();
  const control = h.controller();
  await control.ready;
  expect(control.snapshot()).toMatchObject({ state: 'running', external: true });
  const confDir = path.join(h.root, 'conf');
  await fsp.mkdir(confDir, { recursive: true });
  const settings = new SettingsStore(
    new Conf<Record<string, unknown>>({ cwd: confDir, configName: 'settings', projectName: 'x' }),
  );
  const sandboxes = createSandboxesService({
    defaultNamespacesDir: h.paths.namespacesDir,
    settings,
    server: () => control.snapshot(),
    keyFile: h.paths.keyFile,
    scrubber: new SecretScrubber(h.paths.keyFile, silentLogger),
  });
  disposers.push(() => sandboxes.dispose());
  const setup = new SetupWatch({
    options: () => ({ env: h.env, settingsPath: null, platform: process.platform, userHome: h.root }),
    recheckMs: 0,
  });
  disposers.push(() => setup.dispose());
  const clipboard = new ClipboardGuard(new MemoryClipboard(), () => 30);
  disposers.push(() => clipboard.dispose());
  const dialogs = new OpenDialogs();
  const table = createHandlerTable({
    control,
    settings,
    paths: h.paths,
    clipboard,
    shell: { showItemInFolder: () => undefined, openPath: () => Promise.resolve('') },
    appInfo: {
      name: 'Microsandbox Tray',
      version: '0',
      platform: 'linux',
      home: h.home,
      serverSupported: true,
      platformName: 'Linux',
    },
    mint: createMintService({
      keyFile: h.paths.keyFile,
      snapshot: () => control.snapshot(),
      settings: () => settings.get(),
      clock: { now: () => Date.now() },
    }),
    isTrustedSender: (sender) => sender.id === WINDOW.id && sender.url === WINDOW.url,
    confirm: dialogs,
    fileChooser: dialogs,
    sandboxes,
    choice: dialogs,
    setup,
    logger: silentLogger,
  });
  return { control, table, dialogs };
}

const settle = () => new Promise((r) => setTimeout(r, 200));

describe('review 14: server:stop asks one question at a time', () => {
  it('a window that sends server:stop again and again opens one native question, not one per request', async () => {
    const { control, table, dialogs } = await world();
    const answers: Promise<Envelope<unknown>>[] = [];
    for (let i = 0; i < 5; i++) answers.push(table.handle('server:stop', WINDOW, undefined));
    await settle();
    const opened = dialogs.open.length;
    // Answer every question that was opened with Cancel, so the test ends cleanly either way.
    for (const question of dialogs.open) question.answer(1);
    const envelopes = await Promise.all(answers);
    expect(opened, `native questions open at once: ${dialogs.open.map((q) => q.title).join(', ')}`).toBe(1);
    expect(envelopes.filter((e) => !e.ok).map((e) => (e.ok ? '' : e.error.code))).toEqual([
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
    expect(control.snapshot()).toMatchObject({ state: 'running', external: true });
  });

  it('while a settings question is open, server:stop does not stack its own on it', async () => {
    const { table, dialogs } = await world();
    // A key for two years asks first (the long-key question).
    const mint = table.handle('keys:mint', WINDOW, { expiresIn: '2y' });
    await settle();
    expect(dialogs.open.map((q) => q.title)).toHaveLength(1);
    const stop = table.handle('server:stop', WINDOW, undefined);
    await settle();
    const opened = dialogs.open.length;
    for (const question of dialogs.open) question.answer(question.title === 'Stop the server?' ? 1 : 0);
    await Promise.all([mint, stop]);
    expect(opened, `native questions open at once: ${dialogs.open.map((q) => q.title).join(', ')}`).toBe(1);
    expect(await stop).toMatchObject({ ok: false, error: { code: 'refused' } });
  });
});

describe('review 14: a server the app did not start', () => {
  it('server:restart asks before it ends the server the CLI started, as Stop does', async () => {
    const { control, table, dialogs } = await world();
    const before = control.snapshot().pid;
    const restart = table.handle('server:restart', WINDOW, undefined);
    await settle();
    const asked = dialogs.open.map((q) => q.title);
    // Cancel whatever was asked.
    for (const question of dialogs.open) question.answer(1);
    const answer = await restart;
    const after = control.snapshot();
    await control.stop();
    expect(
      asked,
      `restart answered ${JSON.stringify(answer).slice(0, 200)}; server ${before} → ${after.pid} (${after.state}, external ${after.external})`,
    ).toEqual(['Restart the server?']);
    expect(after.pid).toBe(before);
  });
});

describe('a key reset on a server the app did not start', () => {
  it('asks first; Cancel leaves server.key and the CLI server as they were', async () => {
    const { control, table, dialogs } = await world();
    const before = control.snapshot().pid;
    const key = await fsp.readFile(h.paths.keyFile, 'utf8');
    const reset = table.handle('server:reset-key', WINDOW, undefined);
    await settle();
    expect(dialogs.open.map((q) => q.title)).toEqual(['Reset the server key?']);
    for (const question of dialogs.open) question.answer(1);
    expect(await reset).toMatchObject({ ok: false, error: { code: 'declined' } });
    expect(await fsp.readFile(h.paths.keyFile, 'utf8')).toBe(key);
    expect(control.snapshot()).toMatchObject({ pid: before, external: true });
    await control.stop();
  });
});
