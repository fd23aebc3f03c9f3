import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appUpdateFeedFile,
  appUpdateOffer,
  checkAppUpdate,
  FIRST_UPDATE_CHECK_DELAY_MS,
  nextUpdateCheckDelay,
  UPDATE_CHECK_INTERVAL_MS,
  updateRestartPermission,
  type AppUpdateCheck,
} from '../../../../electron/core/updates/index.ts';
import { refusedUrl, serveRoutes } from './local-server.ts';

/** `latest-linux.yml` as electron-builder writes it beside the packages. */
function feed(version: string): string {
  return [
    `version: ${version}`,
    'files:',
    `  - url: Microsandbox-Tray-${version}.AppImage`,
    '    sha512: 3q2+7w==',
    '    size: 104857600',
    '    blockMapSize: 110000',
    `path: Microsandbox-Tray-${version}.AppImage`,
    'sha512: 3q2+7w==',
    "releaseDate: '2026-12-01T10:00:00.000Z'",
    '',
  ].join('\n');
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function checkAgainst(body: string, currentVersion = '1.2.0', status = 200): Promise<AppUpdateCheck> {
  const server = await serveRoutes({ '/latest-linux.yml': { body, status } });
  closers.push(server.close);
  const check = await checkAppUpdate({ feedBaseUrl: server.url, currentVersion, platform: 'linux', arch: 'x64' });
  expect(server.requests).toEqual(['/latest-linux.yml']);
  return check;
}

const canRestart = updateRestartPermission({ server: 'running', sandboxesStarting: 0, microsandboxUpdating: false });

describe('checkAppUpdate against a local feed', () => {
  it('finds a newer version', async () => {
    expect(await checkAgainst(feed('1.3.0'))).toEqual({
      kind: 'available',
      version: '1.3.0',
      releaseDate: '2026-12-01T10:00:00.000Z',
    });
  });

  it('says current for the same version and for an older one', async () => {
    expect(await checkAgainst(feed('1.2.0'))).toEqual({ kind: 'current', version: '1.2.0' });
    expect(await checkAgainst(feed('1.1.9'))).toEqual({ kind: 'current', version: '1.2.0' });
  });

  it('orders a release after its prereleases', async () => {
    expect(await checkAgainst(feed('1.2.0'), '1.2.0-beta.3')).toMatchObject({ kind: 'available', version: '1.2.0' });
    expect(await checkAgainst(feed('1.2.0-beta.3'), '1.2.0')).toMatchObject({ kind: 'current' });
  });

  it('calls a malformed feed unknown, quietly', async () => {
    for (const body of [
      'version: [1, 2',
      'just text',
      'version: 1.2\nfiles: []',
      feed('1.3.0').replace(/sha512.*\n/g, ''),
    ]) {
      expect(await checkAgainst(body)).toMatchObject({ kind: 'unknown', reason: 'feed-invalid' });
    }
  });

  it('reads a v-prefixed version, and calls an overflowing one or a huge feed unknown', async () => {
    expect(await checkAgainst(feed('v1.3.0'))).toMatchObject({ kind: 'available', version: '1.3.0' });
    expect(await checkAgainst(feed('999999999999999999.0.0'))).toMatchObject({
      kind: 'unknown',
      reason: 'feed-invalid',
    });
    const huge = `${feed('1.3.0')}# ${'x'.repeat(8 * 1024 * 1024)}\n`;
    expect(await checkAgainst(huge)).toMatchObject({
      kind: 'unknown',
      reason: 'feed-invalid',
      message: expect.stringContaining('too large') as unknown,
    });
  });

  it('gives up on a feed that never ends', async () => {
    const endless = http.createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/yaml' });
      response.write('version: 1.3.0\n');
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    });
    const { port } = endless.address() as AddressInfo;
    const check = await checkAppUpdate({
      feedBaseUrl: `http://127.0.0.1:${port}`,
      currentVersion: '1.2.0',
      platform: 'linux',
      arch: 'x64',
      timeoutMs: 300,
    });
    expect(check).toMatchObject({ kind: 'unknown', reason: 'offline' });
  });

  it('calls a feed that redirects in a loop unknown, quietly', async () => {
    const looping = http.createServer((request, response) => {
      response.writeHead(302, { Location: request.url ?? '/' });
      response.end();
    });
    await new Promise<void>((resolve) => looping.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => looping.close(() => resolve())));
    const { port } = looping.address() as AddressInfo;
    const check = await checkAppUpdate({
      feedBaseUrl: `http://127.0.0.1:${port}`,
      currentVersion: '1.2.0',
      platform: 'linux',
      arch: 'x64',
    });
    expect(check).toMatchObject({ kind: 'unknown', reason: 'offline' });
  });

  it('calls a missing feed unknown', async () => {
    expect(await checkAgainst('Not Found', '1.2.0', 404)).toMatchObject({ kind: 'unknown', reason: 'feed-missing' });
  });

  it('calls no network unknown and says it tries again', async () => {
    const check = await checkAppUpdate({
      feedBaseUrl: await refusedUrl(),
      currentVersion: '1.2.0',
      platform: 'linux',
      arch: 'x64',
    });
    expect(check).toMatchObject({ kind: 'unknown', reason: 'offline' });
    if (check.kind === 'unknown') expect(check.message).toContain('tries again later');
  });

  it('names the feed file per platform', () => {
    expect(appUpdateFeedFile('linux', 'x64')).toBe('latest-linux.yml');
    expect(appUpdateFeedFile('linux', 'arm64')).toBe('latest-linux-arm64.yml');
    expect(appUpdateFeedFile('darwin', 'arm64')).toBe('latest-mac.yml');
    expect(appUpdateFeedFile('win32', 'x64')).toBe('latest.yml');
  });
});

describe('when to check', () => {
  it('checks a minute after launch, then once a day, and never while off', () => {
    const launchedAt = 1_000_000;
    expect(nextUpdateCheckDelay({ enabled: true, now: launchedAt, launchedAt, lastCheckedAt: null })).toBe(
      FIRST_UPDATE_CHECK_DELAY_MS,
    );
    expect(nextUpdateCheckDelay({ enabled: true, now: launchedAt + 90_000, launchedAt, lastCheckedAt: null })).toBe(0);
    expect(nextUpdateCheckDelay({ enabled: true, now: launchedAt + 1000, launchedAt, lastCheckedAt: launchedAt })).toBe(
      UPDATE_CHECK_INTERVAL_MS - 1000,
    );
    expect(nextUpdateCheckDelay({ enabled: false, now: launchedAt, launchedAt, lastCheckedAt: null })).toBeNull();
  });
});

describe('what to offer', () => {
  const available: AppUpdateCheck = { kind: 'available', version: '1.3.0', releaseDate: null };
  const base = {
    downloaded: true,
    platform: 'linux' as const,
    macSigned: false,
    releasePageUrl: 'https://example.test/releases/latest',
  };

  it('offers Restart to Update once a newer version is downloaded', () => {
    expect(appUpdateOffer({ ...base, check: available, downloaded: false, restart: canRestart })).toEqual({
      kind: 'downloading',
      version: '1.3.0',
    });
    expect(appUpdateOffer({ ...base, check: available, restart: canRestart })).toEqual({
      kind: 'restart-to-update',
      version: '1.3.0',
    });
  });

  it('offers nothing for the same version and a quiet state for an unknown one', () => {
    expect(appUpdateOffer({ ...base, check: { kind: 'current', version: '1.2.0' }, restart: canRestart })).toEqual({
      kind: 'none',
    });
    expect(appUpdateOffer({ ...base, check: null, restart: canRestart })).toEqual({ kind: 'none' });
    expect(
      appUpdateOffer({
        ...base,
        check: { kind: 'unknown', reason: 'offline', message: 'offline' },
        restart: canRestart,
      }),
    ).toEqual({ kind: 'quiet', message: 'offline' });
  });

  it('shows the release page on an unsigned macOS build, and restarts a signed one', () => {
    expect(appUpdateOffer({ ...base, platform: 'darwin', check: available, restart: canRestart })).toEqual({
      kind: 'release-page',
      version: '1.3.0',
      url: 'https://example.test/releases/latest',
    });
    expect(
      appUpdateOffer({ ...base, platform: 'darwin', macSigned: true, check: available, restart: canRestart }),
    ).toMatchObject({
      kind: 'restart-to-update',
    });
  });

  it('finds an update during a server start but offers the restart only after it', async () => {
    const server = await serveRoutes({ '/latest-linux.yml': { body: feed('1.3.0') } });
    closers.push(server.close);
    const check = await checkAppUpdate({
      feedBaseUrl: server.url,
      currentVersion: '1.2.0',
      platform: 'linux',
      arch: 'x64',
    });
    const starting = updateRestartPermission({ server: 'starting', sandboxesStarting: 0, microsandboxUpdating: false });
    expect(appUpdateOffer({ ...base, check, restart: starting })).toEqual({
      kind: 'restart-later',
      version: '1.3.0',
      reason: 'The server is starting.',
    });
    expect(appUpdateOffer({ ...base, check, restart: canRestart })).toMatchObject({ kind: 'restart-to-update' });
  });
});

describe('whether a restart may happen now', () => {
  it('never during a server start or stop, a sandbox start or a microsandbox update', () => {
    const at = (
      server: Parameters<typeof updateRestartPermission>[0]['server'],
      sandboxesStarting = 0,
      microsandboxUpdating = false,
    ) => updateRestartPermission({ server, sandboxesStarting, microsandboxUpdating });
    expect(at('starting')).toEqual({ allowed: false, reason: 'The server is starting.' });
    expect(at('stopping')).toEqual({ allowed: false, reason: 'The server is stopping.' });
    expect(at('running', 1)).toEqual({ allowed: false, reason: 'A sandbox is starting.' });
    expect(at(null, 0, true)).toEqual({ allowed: false, reason: 'microsandbox is being updated.' });
  });

  it('leaves the server and the sandboxes running when it quits', () => {
    for (const server of ['running', 'stopped', 'failed', null] as const)
      expect(updateRestartPermission({ server, sandboxesStarting: 0, microsandboxUpdating: false })).toEqual({
        allowed: true,
        quit: 'leave',
      });
  });
});
