/**
 * The app's own updates, as decisions: when to check, what a feed says, what to offer, and
 * whether a restart may happen now. electron-updater does the download and the install in main's
 * adapter; the feed it reads is electron-builder's `latest*.yml` beside the packages (the generic
 * and GitHub providers read the same file), parsed here with `yaml` so it runs under plain Node.
 */
import { parse as parseYaml } from 'yaml';
import type { ServerState } from '../../../shared/server-status.ts';
import { compareVersions, parseVersion } from '../../../shared/version.ts';
import { errorText } from '../base/logger.ts';
import { boundedText } from '../base/bounded-body.ts';

/** A minute after launch: the app settles (and a start on launch begins) first. */
export const FIRST_UPDATE_CHECK_DELAY_MS = 60_000;
export const UPDATE_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** When the next scheduled check is due, in ms from now; null while checks are off. */
export function nextUpdateCheckDelay(input: {
  readonly enabled: boolean;
  readonly now: number;
  readonly launchedAt: number;
  /** When the last check finished (any outcome), null before the first. */
  readonly lastCheckedAt: number | null;
}): number | null {
  if (!input.enabled) return null;
  const due =
    input.lastCheckedAt === null
      ? input.launchedAt + FIRST_UPDATE_CHECK_DELAY_MS
      : input.lastCheckedAt + UPDATE_CHECK_INTERVAL_MS;
  return Math.max(0, due - input.now);
}

/** electron-builder's `latest*.yml` lists a few files: well under a kilobyte each. */
export const MAX_APP_UPDATE_FEED_BYTES = 1024 * 1024;

/** electron-builder's channel file for this platform and architecture. */
export function appUpdateFeedFile(platform: NodeJS.Platform, arch: string): string {
  if (platform === 'linux') return arch === 'x64' ? 'latest-linux.yml' : `latest-linux-${arch}.yml`;
  if (platform === 'darwin') return 'latest-mac.yml';
  return 'latest.yml';
}

export type AppUpdateCheck =
  | { readonly kind: 'available'; readonly version: string; readonly releaseDate: string | null }
  | { readonly kind: 'current'; readonly version: string }
  /** A quiet state: the check could not tell; nothing is offered and the next check tries again. */
  | {
      readonly kind: 'unknown';
      readonly reason: 'offline' | 'feed-missing' | 'feed-invalid';
      readonly message: string;
    };

export interface AppUpdateCheckOptions {
  /** The folder of the feed, e.g. the release's download URL; a test's local server. */
  readonly feedBaseUrl: string;
  readonly currentVersion: string;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof globalThis.fetch;
}

/** Reads the feed and compares its version with the running one. Never throws. */
export async function checkAppUpdate(options: AppUpdateCheckOptions): Promise<AppUpdateCheck> {
  const file = appUpdateFeedFile(options.platform, options.arch);
  const url = `${options.feedBaseUrl.replace(/\/+$/, '')}/${file}`;
  let text: string;
  try {
    const response = await (options.fetch ?? globalThis.fetch)(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      headers: { 'Cache-Control': 'no-cache' },
    });
    if (response.status === 404)
      return { kind: 'unknown', reason: 'feed-missing', message: `No update information was published (${file}).` };
    if (!response.ok)
      return {
        kind: 'unknown',
        reason: 'offline',
        message: `The update server answered ${response.status}; the app tries again later.`,
      };
    const body = await boundedText(response, MAX_APP_UPDATE_FEED_BYTES);
    if (body === null)
      return {
        kind: 'unknown',
        reason: 'feed-invalid',
        message: `The update information (${file}) is too large (over ${MAX_APP_UPDATE_FEED_BYTES} bytes).`,
      };
    text = body;
  } catch (error) {
    return {
      kind: 'unknown',
      reason: 'offline',
      message: `Could not reach the update server (${errorText(error)}); the app tries again later.`,
    };
  }
  const feed = readFeed(text);
  if (typeof feed === 'string')
    return { kind: 'unknown', reason: 'feed-invalid', message: `The update information (${file}) ${feed}` };
  const current = parseVersion(options.currentVersion);
  if (current === null)
    return {
      kind: 'unknown',
      reason: 'feed-invalid',
      message: `The running version ${options.currentVersion} is not a version number.`,
    };
  return compareVersions(feed.version, current) > 0
    ? { kind: 'available', version: feed.version.text, releaseDate: feed.releaseDate }
    : { kind: 'current', version: current.text };
}

/** The feed's version and date, or what is wrong with it (as the end of a sentence). */
function readFeed(
  text: string,
): { version: NonNullable<ReturnType<typeof parseVersion>>; releaseDate: string | null } | string {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch {
    return 'is not valid YAML.';
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'is not a YAML mapping.';
  const record = data as Record<string, unknown>;
  const rawVersion = record['version'];
  const version = typeof rawVersion === 'string' ? parseVersion(rawVersion) : null;
  if (version === null || version.text !== String(rawVersion).replace(/^v/, '').replace(/\+.*$/, ''))
    return 'has no valid version.';
  const files = record['files'];
  // electron-updater refuses a package without a checksum, so an offer of it would fail later.
  const usable =
    Array.isArray(files) &&
    files.length > 0 &&
    files.every((file: unknown) => {
      if (typeof file !== 'object' || file === null) return false;
      const entry = file as Record<string, unknown>;
      return (
        typeof entry['url'] === 'string' && (typeof entry['sha512'] === 'string' || typeof entry['sha2'] === 'string')
      );
    });
  if (!usable) return 'lists no package with a checksum.';
  const date = record['releaseDate'];
  return { version, releaseDate: typeof date === 'string' ? date : null };
}

/** What tray and About offer for the app's own update. */
export type AppUpdateOffer =
  | { readonly kind: 'none' }
  | { readonly kind: 'downloading'; readonly version: string }
  | { readonly kind: 'restart-to-update'; readonly version: string }
  /** Downloaded, but a restart now would cut a start or stop short: offered disabled, with why. */
  | { readonly kind: 'restart-later'; readonly version: string; readonly reason: string }
  /** An unsigned macOS build cannot replace itself: the release page instead. */
  | { readonly kind: 'release-page'; readonly version: string; readonly url: string }
  | { readonly kind: 'quiet'; readonly message: string };

export function appUpdateOffer(input: {
  readonly check: AppUpdateCheck | null;
  readonly downloaded: boolean;
  readonly platform: NodeJS.Platform;
  /** A macOS build signed (and so able to update in place); ignored elsewhere. */
  readonly macSigned: boolean;
  readonly releasePageUrl: string;
  readonly restart: UpdateRestartPermission;
}): AppUpdateOffer {
  const { check } = input;
  if (check === null || check.kind === 'current') return { kind: 'none' };
  if (check.kind === 'unknown') return { kind: 'quiet', message: check.message };
  if (input.platform === 'darwin' && !input.macSigned)
    return { kind: 'release-page', version: check.version, url: input.releasePageUrl };
  if (!input.downloaded) return { kind: 'downloading', version: check.version };
  if (!input.restart.allowed) return { kind: 'restart-later', version: check.version, reason: input.restart.reason };
  return { kind: 'restart-to-update', version: check.version };
}

/** An update restart always leaves the server running: `'leave'` is the quit it asks of the desktop. */
export type UpdateRestartPermission =
  { readonly allowed: true; readonly quit: 'leave' } | { readonly allowed: false; readonly reason: string };

/**
 * Whether an update restart may happen now. Never during a server start or stop, a sandbox
 * start or a microsandbox update; and when it happens the quit leaves the server and every
 * sandbox running (sandboxes outlive the app; the server is adopted again after the restart).
 */
export function updateRestartPermission(input: {
  readonly server: ServerState | null;
  readonly sandboxesStarting: number;
  readonly microsandboxUpdating: boolean;
}): UpdateRestartPermission {
  if (input.server === 'starting') return { allowed: false, reason: 'The server is starting.' };
  if (input.server === 'stopping') return { allowed: false, reason: 'The server is stopping.' };
  if (input.sandboxesStarting > 0)
    return {
      allowed: false,
      reason: input.sandboxesStarting === 1 ? 'A sandbox is starting.' : 'Sandboxes are starting.',
    };
  if (input.microsandboxUpdating) return { allowed: false, reason: 'microsandbox is being updated.' };
  return { allowed: true, quit: 'leave' };
}
