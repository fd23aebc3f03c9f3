/**
 * Test-side driver for the recording `electron`: runs a built `main.js` under plain Node with the
 * fake in place of `electron`, reads the record, and sends commands (see `run()` in electron.js).
 * The IPC channel uses advanced serialization (structured clone), as Electron's IPC does, so
 * `invoke` answers arrive as the handler returned them.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { vi } from 'vitest';
import { SHUTDOWN_TIMEOUT_MS } from '../../../electron/adapters/app-lifecycle.ts';
import { waitForValue } from '../../support/wait-for.ts';

// `--import` takes a URL (a bare Windows path would read as a URL scheme `c:`).
const REGISTER = pathToFileURL(fileURLToPath(new URL('./register.js', import.meta.url))).href;

export interface RecordEntry {
  readonly seq: number;
  readonly at: number;
  readonly kind: 'call' | 'construct' | 'event' | 'listen';
  readonly name: string;
  /** Whether the fake app had fired `ready` when this happened. */
  readonly ready: boolean;
  readonly detail: RecordDetail;
}

/** The JSON the fake writes with each record; the fields tests read are named. */
export interface RecordDetail {
  readonly [key: string]: unknown;
  readonly channel?: string;
  readonly event?: string;
  readonly image?: string;
  readonly url?: string;
  readonly text?: string;
  readonly args?: unknown[];
  readonly menu?: { readonly menu: readonly { readonly id?: string }[] } | null;
  readonly options?: { readonly webPreferences?: Record<string, unknown> };
}

export interface LaunchOptions {
  readonly mainJs: string;
  /** Holds the record, userData, logs and the answers to sync dialogs. */
  readonly dir: string;
  readonly appPath: string;
  readonly env?: Record<string, string | undefined>;
  /** The `--import` script that puts the fake in place (default: this folder's register.js). */
  readonly register?: string;
  /** Messages the fake sends on its own (not answers to commands), such as a new window. */
  readonly onEvent?: (event: FakeEvent) => void;
}

/** A message the fake sends unasked (record.js `tellTest`). */
export interface FakeEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

interface Reply {
  readonly messageId: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

/** The fake's answer to one command. */
export type CommandReply =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

function isReply(message: unknown): message is Reply {
  return typeof message === 'object' && message !== null && 'messageId' in message;
}

function isFakeEvent(message: unknown): message is FakeEvent {
  return typeof message === 'object' && message !== null && typeof (message as { event?: unknown }).event === 'string';
}

/**
 * How long a launched app may take to reach `app.whenReady`: a Node start that loads main's
 * bundle and its dependencies. Under a second alone; over 10 s was seen with two suites and a
 * third app on a two-core machine, so the bound is wide and only a hang meets it.
 */
export const LAUNCH_TIMEOUT_MS = 30_000;

/**
 * How long the app may take to end after a quit: main's own backstop (it exits by then whatever
 * its shutdown still waits for) and slack for a loaded machine.
 */
export const EXIT_TIMEOUT_MS = SHUTDOWN_TIMEOUT_MS + 5_000;

/**
 * The budget of a test (and of a hook) that launches the app: above the bound of its longest
 * single step (a launch with its tray, 40 s; a window opened and drawn, 40 s), so a slow step
 * fails with its own name and the app's output, not with a bare "timed out in 30000ms". Such
 * tests took 5 to 23 s beside another suite on two cores, and one over 30 s.
 */
export const APP_TEST_TIMEOUT_MS = 120_000;

/** Gives every test and hook of the calling file `APP_TEST_TIMEOUT_MS`; call at its top level. */
export function useAppTestBudget(): void {
  vi.setConfig({ testTimeout: APP_TEST_TIMEOUT_MS, hookTimeout: APP_TEST_TIMEOUT_MS });
}

export class RecordingApp {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly userData: string;
  readonly logs: string;
  /** Where the test writes answers to sync dialogs (dialogs.js). */
  readonly dialogDir: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #output = '';
  #nextId = 0;
  readonly #pending = new Map<number, (reply: Reply) => void>();

  private constructor(options: LaunchOptions) {
    this.logFile = path.join(options.dir, 'electron-record.jsonl');
    this.userData = path.join(options.dir, 'userData');
    this.logs = path.join(options.dir, 'logs');
    this.dialogDir = path.join(options.dir, 'dialog-answers');
    fs.mkdirSync(this.userData, { recursive: true });
    fs.mkdirSync(this.dialogDir, { recursive: true });
    const env: Record<string, string | undefined> = {
      ...process.env,
      RECORDING_ELECTRON_LOG: this.logFile,
      RECORDING_ELECTRON_USER_DATA: this.userData,
      RECORDING_ELECTRON_LOGS: this.logs,
      RECORDING_ELECTRON_APP_PATH: options.appPath,
      RECORDING_ELECTRON_DIALOG_DIR: this.dialogDir,
      ELECTRON_RENDERER_URL: undefined,
      // npm puts the project's node_modules/.bin first on PATH, and with it the real `msb` of the
      // devDependency `microsandbox`: the app would see the runtime generation installed. These
      // worlds are the server generation's unless a test gives a PATH of its own.
      PATH: [
        path.dirname(process.execPath),
        ...(process.env['PATH'] ?? '').split(path.delimiter).filter((dir) => !dir.endsWith('node_modules/.bin')),
      ].join(path.delimiter),
      ...options.env,
    };
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    this.child = spawn(process.execPath, ['--import', options.register ?? REGISTER, options.mainJs], {
      cwd: options.appPath,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
    this.child.on('message', (message: unknown) => {
      if (isReply(message)) {
        this.#pending.get(message.messageId)?.(message);
        this.#pending.delete(message.messageId);
      } else if (isFakeEvent(message)) {
        options.onEvent?.(message);
      }
    });
    // 'close', not 'exit': by then every message the fake sent and all its output have arrived.
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        for (const settle of this.#pending.values()) settle({ messageId: -1, ok: false, error: 'the app exited' });
        this.#pending.clear();
        resolve({ code, signal });
      });
    });
  }

  static launch(options: LaunchOptions): RecordingApp {
    return new RecordingApp(options);
  }

  /** Everything the app printed. */
  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends one command to the fake and resolves with its answer (rejects with its error and the app's output). */
  async send<T = unknown>(command: Record<string, unknown>): Promise<T> {
    const reply = await this.ask(command);
    if (!reply.ok) throw new Error(`${String(command['cmd'])}: ${reply.error ?? 'failed'}\n${this.#output}`);
    return reply.value as T;
  }

  /**
   * Sends one command and resolves with the fake's reply as it is, failed or not (for answers
   * that go on to a page, which should see the error and nothing of the app's output).
   * `onReply` runs as the reply arrives, before the app's next message is handled: what must keep
   * its place among the app's messages (a reply going down a window's pipe) is queued there.
   */
  ask(command: Record<string, unknown>, onReply?: (reply: CommandReply) => void): Promise<CommandReply> {
    const messageId = ++this.#nextId;
    return new Promise<CommandReply>((resolve) => {
      const settle = (reply: CommandReply): void => {
        onReply?.(reply);
        resolve(reply);
      };
      if (!this.running || !this.child.connected) {
        settle({ ok: false, error: 'the app is not running' });
        return;
      }
      this.#pending.set(messageId, (reply) =>
        settle(reply.ok ? { ok: true, value: reply.value } : { ok: false, error: reply.error ?? 'failed' }),
      );
      try {
        this.child.send({ ...command, messageId });
      } catch (error) {
        this.#pending.delete(messageId);
        settle({ ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  records(): RecordEntry[] {
    let text: string;
    try {
      text = fs.readFileSync(this.logFile, 'utf8');
    } catch {
      // no log yet: nothing recorded
      return [];
    }
    // The app appends while we read: a last line without its newline is still being written.
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    return complete
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as RecordEntry);
  }

  named(name: string): RecordEntry[] {
    return this.records().filter((entry) => entry.name === name);
  }

  async waitForRecord(
    predicate: (entry: RecordEntry) => boolean,
    timeoutMs = 10_000,
    what = 'a record',
  ): Promise<RecordEntry> {
    return waitForValue(
      () => {
        const found = this.records().find(predicate);
        if (found === undefined && !this.running)
          throw new Error(`the app exited before ${what} appeared\n${this.#output}`);
        return found;
      },
      { timeout: timeoutMs, every: 25, what, detail: () => this.#output },
    );
  }

  /** Waits for main's module body to have run up to `app.whenReady()`: the launch itself. */
  async waitForLaunch(): Promise<RecordEntry> {
    return this.waitForRecord((entry) => entry.name === 'app.whenReady', LAUNCH_TIMEOUT_MS, 'app.whenReady');
  }

  /**
   * Waits for the app to end after `cause` (a Quit, a restart), bounded so that an app that hangs
   * fails this step with its output rather than the whole test with a bare timeout.
   */
  async waitForExit(
    cause: string,
    timeoutMs = 15_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the app did not exit within ${timeoutMs} ms of ${cause}\n${this.#output}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL, for cleanup. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** test/support/wait-for.ts's `waitForValue`, in the argument order the app's tests use. */
export function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'a condition',
): Promise<T> {
  return waitForValue(probe, { timeout: timeoutMs, every: 25, what });
}
