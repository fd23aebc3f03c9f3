/**
 * Runs `msb` once: by the absolute path `findMicrosandbox` checked, without a shell, with a
 * timeout and a cap on what it may print (past either it is killed and the caller gets a clear
 * error naming the command). A non-zero exit rejects with msb's own message. Plain Node: main
 * awaits it, nothing here blocks.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { scrubSecrets } from '../base/scrub.ts';
import type { RuntimeOptions } from './api.ts';

export const DEFAULT_MSB_TIMEOUT_MS = 10_000;
/** 200 sandboxes print about 60 KB in `ps -a`; 8 MB is far past any honest answer. */
export const DEFAULT_MSB_OUTPUT_CAP = 8 * 1024 * 1024;
/**
 * How long the output pipes may stay open after msb exited. A child msb left behind (a supervisor
 * that inherited them) would otherwise hold the run, and the caller's queue, for as long as it lives.
 */
export const EXIT_GRACE_MS = 250;
/** After SIGTERM, how long a hung msb has before SIGKILL. */
const FORCE_KILL_MS = 1000;

/**
 * Bounds a started msb by `timeoutMs` whatever holds its pipes: on POSIX it leads its own process
 * group (spawn it `detached`), which is ended as a whole on timeout; the pipes are let go shortly
 * after msb exited, so a child left holding them never stretches the wait.
 */
export function boundMsb(
  subprocess: {
    readonly pid?: number | undefined;
    readonly stdout: Readable | null;
    readonly stderr: Readable | null;
    readonly nodeChildProcess: ChildProcess;
  },
  timeoutMs: number | null,
): { cancel(): void; killGroup(signal: NodeJS.Signals): void } {
  const timers: NodeJS.Timeout[] = [];
  const killGroup = (signal: NodeJS.Signals): void => {
    const pid = subprocess.pid;
    if (pid === undefined) return;
    try {
      process.kill(process.platform === 'win32' ? pid : -pid, signal);
    } catch {
      // ESRCH: the group is gone already, which is what was wanted.
    }
  };
  const letGo = (): void => {
    subprocess.stdout?.destroy();
    subprocess.stderr?.destroy();
  };
  if (timeoutMs !== null)
    timers.push(
      setTimeout(() => {
        killGroup('SIGTERM');
        timers.push(
          setTimeout(() => {
            killGroup('SIGKILL');
            letGo();
          }, FORCE_KILL_MS),
        );
      }, timeoutMs),
    );
  subprocess.nodeChildProcess.once('exit', () => {
    timers.push(setTimeout(letGo, EXIT_GRACE_MS));
  });
  return {
    cancel() {
      for (const timer of timers) clearTimeout(timer);
    },
    killGroup,
  };
}

export interface MsbRunLimits {
  readonly timeoutMs?: number;
  readonly maxOutputBytes?: number;
  /** Resolve with the result on a non-zero exit instead of rejecting (`msb doctor` exits 1 when a check fails). */
  readonly allowFailure?: boolean;
}

export interface MsbResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** A failed `msb` command; `message` is what a user may read (msb's own words where it gave any). */
export class MsbCommandError extends Error {
  readonly command: string;
  readonly kind: 'exit' | 'timeout' | 'output-cap' | 'spawn' | 'output';
  constructor(command: string, kind: MsbCommandError['kind'], message: string) {
    super(message);
    this.name = 'MsbCommandError';
    this.command = command;
    this.kind = kind;
  }
}

/** The environment `msb` runs with: the caller's, `MSB_HOME` when a home is given, no colours. */
export function msbEnvironment(options: Pick<RuntimeOptions, 'home' | 'env'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), NO_COLOR: '1' };
  if (options.home !== undefined) env['MSB_HOME'] = options.home;
  return env;
}

/** `msb ls --format json`, as a person would type it, for messages. */
export function commandText(args: readonly string[]): string {
  return ['msb', ...args.filter((arg) => arg !== '--')].join(' ');
}

/**
 * msb's message from its stderr: the last `error: …` line without the prefix
 * (`error: sandbox not found: web` → `sandbox not found: web`), else the last non-empty line.
 */
export function msbErrorMessage(stderr: string): string | null {
  const message = lastMessageLine(stderr);
  // msb's words reach the window and notifications: a token in them (a URL, an echoed flag) must not.
  return message === null ? null : scrubSecrets(message, null);
}

function lastMessageLine(stderr: string): string | null {
  const lines = stripAnsi(stderr)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const errors = lines.filter((line) => line.startsWith('error:'));
  const last = errors.at(-1) ?? lines.at(-1);
  if (last === undefined) return null;
  return last.replace(/^error:\s*/, '');
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- the escape character is what is being removed
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
}

export async function runMsb(
  options: Pick<RuntimeOptions, 'msbPath' | 'home' | 'env'>,
  args: readonly string[],
  limits: MsbRunLimits = {},
): Promise<MsbResult> {
  const command = commandText(args);
  const timeoutMs = limits.timeoutMs ?? DEFAULT_MSB_TIMEOUT_MS;
  const cap = limits.maxOutputBytes ?? DEFAULT_MSB_OUTPUT_CAP;
  const subprocess = execa(options.msbPath, [...args], {
    env: msbEnvironment(options),
    extendEnv: false,
    shell: false,
    stdin: 'ignore',
    reject: false,
    timeout: timeoutMs,
    maxBuffer: cap,
    // A hung msb that ignores SIGTERM is still gone a second later.
    forceKillAfterDelay: FORCE_KILL_MS,
    // Its own process group, so a timeout ends what it started too.
    detached: process.platform !== 'win32',
    windowsHide: true,
    stripFinalNewline: false,
  });
  const bound = boundMsb(subprocess, timeoutMs);
  const result = await subprocess.finally(() => bound.cancel());
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  if (result.timedOut)
    throw new MsbCommandError(
      command,
      'timeout',
      `${command} did not answer within ${timeoutMs / 1000} s and was stopped.`,
    );
  if (result.isMaxBuffer)
    throw new MsbCommandError(
      command,
      'output-cap',
      `${command} printed more than ${Math.round(cap / 1024)} KB and was stopped.`,
    );
  if (result.exitCode === undefined) {
    const why =
      result.signal !== undefined ? `was ended by ${result.signal}` : `could not be run (${result.shortMessage})`;
    throw new MsbCommandError(command, 'spawn', `${command} ${why}.`);
  }
  if (result.exitCode !== 0 && limits.allowFailure !== true) {
    throw new MsbCommandError(
      command,
      'exit',
      msbErrorMessage(stderr) ?? `${command} failed with exit code ${result.exitCode} and printed no message.`,
    );
  }
  return { stdout, stderr, exitCode: result.exitCode };
}

/** Runs `msb … --format json` and hands the parsed value to `validate`; garbage or a cut-off answer rejects. */
export async function runMsbJson<T>(
  options: Pick<RuntimeOptions, 'msbPath' | 'home' | 'env'>,
  args: readonly string[],
  validate: (value: unknown, command: string) => T,
  limits: MsbRunLimits = {},
): Promise<T> {
  const { stdout } = await runMsb(options, args, limits);
  const command = commandText(args);
  return validate(parseJsonOutput(stdout, command), command);
}

export function parseJsonOutput(text: string, command: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '')
    throw new MsbCommandError(command, 'output', `${command} printed nothing where JSON was expected.`);
  try {
    return JSON.parse(trimmed) as unknown;
  } catch (error) {
    const cut = /Unexpected end|Unterminated/i.test(error instanceof Error ? error.message : '');
    const shown = trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed;
    throw new MsbCommandError(
      command,
      'output',
      cut
        ? `${command} printed JSON that stops in the middle (${trimmed.length} characters).`
        : `${command} printed something that is not JSON: ${JSON.stringify(scrubSecrets(shown, null))}`,
    );
  }
}
