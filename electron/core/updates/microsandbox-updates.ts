/**
 * microsandbox's own updates. The runtime generation: the latest release of
 * superradcompany/microsandbox (GitHub's releases/latest, checked at most daily and kept in
 * memory), compared with the installed `msb`, and `msb self update` run on request with its output
 * streamed line by line, scrubbed. Never a downgrade, never while a sandbox is starting. The
 * server generation gets no more releases: a fixed message says so and where the runtime is.
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import type { Generation } from '../runtime/api.ts';
import { compareVersions, parseVersion } from '../../../shared/version.ts';
import type { MicrosandboxUpdateStatusInfo, SelfUpdateLineInfo } from '../../../shared/microsandbox-update.ts';
import { type Clock, systemClock } from '../base/clock.ts';
import { scrubSecrets } from '../base/scrub.ts';
import { boundedText } from '../base/bounded-body.ts';
import { errorText, type Logger, silentLogger } from '../base/logger.ts';

export const MICROSANDBOX_REPOSITORY = 'superradcompany/microsandbox';
export const GITHUB_API_URL = 'https://api.github.com';
export const MICROSANDBOX_RELEASE_CACHE_MS = 24 * 60 * 60 * 1000;
/**
 * A look that failed (offline, rate-limited) is kept this long only: kept a day, Update
 * microsandbox would be refused all day after one blip. Still far under GitHub's 60 an hour.
 */
export const MICROSANDBOX_RELEASE_RETRY_MS = 15 * 60 * 1000;
/** The runtime generation's install, for a user still on the server generation. */
export const RUNTIME_INSTALL_COMMAND = 'curl -fsSL https://install.microsandbox.dev | sh';
export const RUNTIME_INSTALL_URL = 'https://github.com/superradcompany/microsandbox#installation';
export const LAST_SERVER_RELEASE = '0.2.6';

export interface MicrosandboxRelease {
  readonly version: string;
  readonly tag: string;
  readonly url: string;
  readonly publishedAt: string | null;
}

export type LatestRelease =
  | { readonly kind: 'found'; readonly release: MicrosandboxRelease; readonly checkedAt: number }
  | { readonly kind: 'unknown'; readonly message: string; readonly checkedAt: number };

export interface ReleaseSourceOptions {
  /** GitHub's API by default; a test's local server. */
  readonly baseUrl?: string;
  readonly clock?: Clock;
  readonly fetch?: typeof globalThis.fetch;
  readonly timeoutMs?: number;
}

/** A release's JSON is a few kilobytes (its notes included); more is not GitHub's answer. */
export const MAX_RELEASE_ANSWER_BYTES = 1024 * 1024;

/** The latest release, asked of GitHub at most once a day (or when forced) and kept in memory. */
export class MicrosandboxReleaseSource {
  readonly #baseUrl: string;
  readonly #clock: Clock;
  readonly #fetch: typeof globalThis.fetch;
  readonly #timeoutMs: number;
  #cached: LatestRelease | null = null;
  #pending: Promise<LatestRelease> | null = null;

  constructor(options: ReleaseSourceOptions = {}) {
    this.#baseUrl = (options.baseUrl ?? GITHUB_API_URL).replace(/\/+$/, '');
    this.#clock = options.clock ?? systemClock;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** What is known without asking: the last answer, or null before the first. */
  get cached(): LatestRelease | null {
    return this.#cached;
  }

  async latest(options: { force?: boolean } = {}): Promise<LatestRelease> {
    const cached = this.#cached;
    if (
      options.force !== true &&
      cached !== null &&
      this.#clock.now() - cached.checkedAt <
        (cached.kind === 'found' ? MICROSANDBOX_RELEASE_CACHE_MS : MICROSANDBOX_RELEASE_RETRY_MS)
    )
      return cached;
    // Two callers at once (tray and window) share one request.
    this.#pending ??= this.#ask().finally(() => {
      this.#pending = null;
    });
    this.#cached = await this.#pending;
    return this.#cached;
  }

  async #ask(): Promise<LatestRelease> {
    const url = `${this.#baseUrl}/repos/${MICROSANDBOX_REPOSITORY}/releases/latest`;
    const unknown = (message: string): LatestRelease => ({ kind: 'unknown', message, checkedAt: this.#clock.now() });
    let body: unknown;
    try {
      const response = await this.#fetch(url, {
        signal: AbortSignal.timeout(this.#timeoutMs),
        headers: { Accept: 'application/vnd.github+json', 'User-Agent': 'microsandbox-tray' },
      });
      if (!response.ok) return unknown(`GitHub answered ${response.status} for microsandbox's latest release.`);
      const text = await boundedText(response, MAX_RELEASE_ANSWER_BYTES);
      if (text === null)
        return unknown(
          `GitHub's answer about the latest release is too large (over ${MAX_RELEASE_ANSWER_BYTES} bytes).`,
        );
      body = JSON.parse(text);
    } catch (error) {
      return unknown(`Could not ask GitHub for microsandbox's latest release: ${errorText(error)}`);
    }
    if (typeof body !== 'object' || body === null)
      return unknown("GitHub's answer about the latest release is not an object.");
    const record = body as Record<string, unknown>;
    const tag = record['tag_name'];
    const version = typeof tag === 'string' ? parseVersion(tag) : null;
    if (typeof tag !== 'string' || version === null)
      return unknown("GitHub's latest microsandbox release has no version in its tag.");
    // GitHub's releases/latest never names these; an answer that does is not a stable release, and
    // `msb self update` would not install it for a stable user either.
    if (record['draft'] === true || record['prerelease'] === true || version.prerelease.length > 0)
      return unknown(`GitHub's latest microsandbox release (${version.text}) is a draft or pre-release: not offered.`);
    const htmlUrl = record['html_url'];
    const published = record['published_at'];
    return {
      kind: 'found',
      checkedAt: this.#clock.now(),
      release: {
        version: version.text,
        tag,
        url: typeof htmlUrl === 'string' ? htmlUrl : `https://github.com/${MICROSANDBOX_REPOSITORY}/releases/latest`,
        publishedAt: typeof published === 'string' ? published : null,
      },
    };
  }
}

/** The window's shape (shared/microsandbox-update.ts) is the core's: declared once, there. */
export type MicrosandboxUpdateStatus = MicrosandboxUpdateStatusInfo;

/** What the window and About say about the installed microsandbox. */
export function microsandboxUpdateStatus(input: {
  readonly generation: Generation;
  /** As `msb --version` printed it (`msb 0.6.18`). */
  readonly installedVersion: string | null;
  readonly latest: LatestRelease | null;
}): MicrosandboxUpdateStatus {
  if (input.generation === 'none') return { kind: 'not-installed' };
  if (input.generation === 'server')
    return {
      kind: 'server-generation',
      message:
        `microsandbox ${LAST_SERVER_RELEASE} is the last release of the server generation (msbserver): it gets ` +
        `no more updates. Today's microsandbox, the runtime generation (0.3 and later), replaces it; install it ` +
        `with ${RUNTIME_INSTALL_COMMAND}.`,
      installCommand: RUNTIME_INSTALL_COMMAND,
      installUrl: RUNTIME_INSTALL_URL,
    };
  const installed = input.installedVersion === null ? null : parseVersion(input.installedVersion);
  if (installed === null)
    return { kind: 'unknown', installed: null, message: 'The installed msb did not say its version.' };
  if (input.latest === null) return { kind: 'unknown', installed: installed.text, message: 'Not checked yet.' };
  if (input.latest.kind === 'unknown')
    return { kind: 'unknown', installed: installed.text, message: input.latest.message };
  const latest = parseVersion(input.latest.release.version);
  if (latest === null || compareVersions(latest, installed) <= 0)
    return { kind: 'up-to-date', installed: installed.text, latest: input.latest.release.version };
  return {
    kind: 'update-available',
    installed: installed.text,
    latest: latest.text,
    releaseUrl: input.latest.release.url,
  };
}

export type SelfUpdateLine = SelfUpdateLineInfo;

export type SelfUpdateOutcome =
  | { readonly kind: 'updated'; readonly from: string; readonly to: string }
  | {
      readonly kind: 'failed';
      readonly message: string;
      readonly exitCode: number | null;
      readonly lastLines: readonly string[];
    }
  | {
      readonly kind: 'refused';
      readonly reason: 'not-newer' | 'latest-unknown' | 'sandbox-starting' | 'version-unknown';
      readonly message: string;
    };

export interface SelfUpdateOptions {
  /** The `msb` that `findMicrosandbox` found and checked. */
  readonly msbPath: string;
  /** `MSB_HOME` for msb (a test's temporary home); unset: msb's own default. */
  readonly home?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** As `msb --version` printed it before the update. */
  readonly installedVersion: string;
  readonly latest: LatestRelease | null;
  readonly sandboxesStarting: number;
  /** Each line of output as it comes, secrets taken out. */
  readonly onLine: (line: SelfUpdateLine) => void;
  readonly logger?: Logger;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A line of `msb self update` longer than this is shown cut (the window's list stays small). */
export const MAX_SELF_UPDATE_LINE_CHARS = 2000;
const SELF_UPDATE_KILL_GRACE_MS = 2_000;

// Terminal colour and title codes (ESC [ … letter, ESC ] … BEL): the window shows plain text.
const ANSI = new RegExp(
  `${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]|` +
    `${String.fromCharCode(27)}\\][^${String.fromCharCode(7)}]*${String.fromCharCode(7)}`,
  'g',
);

/**
 * Runs `msb self update` when the latest release is newer than the installed one and no sandbox
 * is starting, then asks `msb --version` what is installed now. Never throws.
 */
export async function runMsbSelfUpdate(options: SelfUpdateOptions): Promise<SelfUpdateOutcome> {
  const logger = options.logger ?? silentLogger;
  if (options.sandboxesStarting > 0)
    return {
      kind: 'refused',
      reason: 'sandbox-starting',
      message: 'A sandbox is starting: update microsandbox once it runs.',
    };
  const installed = parseVersion(options.installedVersion);
  if (installed === null)
    return { kind: 'refused', reason: 'version-unknown', message: 'The installed msb did not say its version.' };
  if (options.latest?.kind !== 'found')
    return {
      kind: 'refused',
      reason: 'latest-unknown',
      message: "microsandbox's latest release is not known, so the app cannot tell that updating would not go back.",
    };
  const latest = parseVersion(options.latest.release.version);
  if (latest === null || compareVersions(latest, installed) <= 0)
    return {
      kind: 'refused',
      reason: 'not-newer',
      message:
        `microsandbox ${installed.text} is installed and the latest release is ` +
        `${options.latest.release.version}: nothing to update.`,
    };
  const env = { ...(options.env ?? process.env), ...(options.home === undefined ? {} : { MSB_HOME: options.home }) };
  const lastLines: string[] = [];
  const emit = (stream: SelfUpdateLine['stream'], raw: string): void => {
    const text = scrubSecrets(raw.replace(ANSI, ''), null).trimEnd();
    if (text.trim() === '') return;
    lastLines.push(text);
    if (lastLines.length > 20) lastLines.shift();
    options.onLine({ stream, text });
  };
  logger.info(`Running ${options.msbPath} self update (${installed.text} → ${latest.text}).`);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const exit = await new Promise<{ code: number | null; error: string | null }>((resolve) => {
    const child = spawn(options.msbPath, ['self', 'update'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      timeout: timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    for (const [stream, pipe] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      let rest = '';
      // A line past the bound was shown cut; what follows of it, up to its end, is dropped.
      let cut = false;
      pipe.setEncoding('utf8');
      // Progress bars redraw with \r: each redraw is a line of its own.
      pipe.on('data', (chunk: string) => {
        const parts = (rest + chunk).split(/\r\n|\n|\r/);
        rest = parts.pop() ?? '';
        for (const part of parts) {
          if (!cut) emit(stream, part.slice(0, MAX_SELF_UPDATE_LINE_CHARS));
          cut = false;
        }
        if (rest.length > MAX_SELF_UPDATE_LINE_CHARS) {
          if (!cut) emit(stream, `${rest.slice(0, MAX_SELF_UPDATE_LINE_CHARS)}…`);
          cut = true;
          rest = '';
        }
      });
      pipe.on('end', () => {
        if (rest !== '' && !cut) emit(stream, rest);
        rest = '';
      });
    }
    let error: string | null = null;
    child.on('error', (cause) => {
      error = errorText(cause);
    });
    // `timeout` sends SIGTERM; an msb that ignores it is killed after a grace period.
    const kill = setTimeout(() => {
      logger.warn(`${options.msbPath} self update did not stop when asked: killing it.`);
      child.kill('SIGKILL');
    }, timeoutMs + SELF_UPDATE_KILL_GRACE_MS);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, error });
    });
  });
  if (exit.code !== 0)
    return {
      kind: 'failed',
      exitCode: exit.code,
      lastLines,
      message:
        exit.error !== null
          ? `msb self update could not run: ${exit.error}`
          : `msb self update failed${exit.code === null ? ' (stopped)' : ` (exit code ${exit.code})`}: ` +
            `${lastLines.at(-1) ?? 'it said nothing'}. microsandbox ${installed.text} is still installed unless ` +
            `the output says otherwise.`,
    };
  const now = parseVersion(await msbVersion(options.msbPath, env, logger));
  if (now === null)
    return {
      kind: 'failed',
      exitCode: 0,
      lastLines,
      message: 'msb self update finished, but msb --version now says no version.',
    };
  const change = compareVersions(now, installed);
  if (change <= 0)
    return {
      kind: 'failed',
      exitCode: 0,
      lastLines,
      message:
        change === 0
          ? `msb self update finished, but msb still says ${now.text}. If microsandbox was installed with ` +
            `Homebrew or npm, update it there.`
          : `msb self update installed ${now.text}, older than ${installed.text}.`,
    };
  return { kind: 'updated', from: installed.text, to: now.text };
}

/** What `msb --version` prints, or '' when it cannot be run. */
export function msbVersion(msbPath: string, env: NodeJS.ProcessEnv, logger: Logger = silentLogger): Promise<string> {
  return new Promise((resolve) => {
    execFile(msbPath, ['--version'], { env, timeout: 10_000, windowsHide: true }, (error, stdout) => {
      if (error !== null) logger.warn(`${msbPath} --version failed: ${errorText(error)}`);
      resolve(error === null ? stdout.trim() : '');
    });
  });
}
