import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type LatestRelease,
  MAX_SELF_UPDATE_LINE_CHARS,
  MICROSANDBOX_RELEASE_CACHE_MS,
  MICROSANDBOX_RELEASE_RETRY_MS,
  MicrosandboxReleaseSource,
  microsandboxUpdateStatus,
  runMsbSelfUpdate,
  type SelfUpdateLine,
} from '../../../../electron/core/updates/index.ts';
import { refusedUrl, serveRoutes } from './local-server.ts';

const STANDIN = fileURLToPath(new URL('../../../fixtures/msb-update-standin/msb', import.meta.url));
const RELEASE_PATH = '/repos/superradcompany/microsandbox/releases/latest';

const closers: (() => Promise<void>)[] = [];
let home: string;

beforeEach(async () => {
  home = await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-tray-msb-update-'));
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await fsp.rm(home, { recursive: true, force: true });
});

function release(version: string): LatestRelease {
  return {
    kind: 'found',
    checkedAt: 0,
    release: { version, tag: `v${version}`, url: `https://example.test/v${version}`, publishedAt: null },
  };
}

describe('MicrosandboxReleaseSource', () => {
  it('reads the latest release and asks again only after a day', async () => {
    const server = await serveRoutes({
      [RELEASE_PATH]: {
        type: 'application/json',
        body: JSON.stringify({
          tag_name: 'v0.7.2',
          html_url: 'https://github.test/r/v0.7.2',
          published_at: '2026-12-01T00:00:00Z',
        }),
      },
    });
    closers.push(server.close);
    let now = 1_000;
    const source = new MicrosandboxReleaseSource({ baseUrl: server.url, clock: { now: () => now } });
    const [first, second] = await Promise.all([source.latest(), source.latest()]);
    expect(first).toEqual({
      kind: 'found',
      checkedAt: 1_000,
      release: {
        version: '0.7.2',
        tag: 'v0.7.2',
        url: 'https://github.test/r/v0.7.2',
        publishedAt: '2026-12-01T00:00:00Z',
      },
    });
    expect(second).toBe(first);
    now += MICROSANDBOX_RELEASE_CACHE_MS - 1;
    await source.latest();
    expect(server.requests).toHaveLength(1);
    now += 1;
    await source.latest();
    expect(server.requests).toHaveLength(2);
    await source.latest({ force: true });
    expect(server.requests).toHaveLength(3);
  });

  it('says unknown for no network, an error answer and a tag without a version', async () => {
    const offline = new MicrosandboxReleaseSource({ baseUrl: await refusedUrl() });
    expect(await offline.latest()).toMatchObject({ kind: 'unknown' });
    const server = await serveRoutes({
      [RELEASE_PATH]: { body: JSON.stringify({ tag_name: 'nightly' }), type: 'application/json' },
    });
    closers.push(server.close);
    expect(await new MicrosandboxReleaseSource({ baseUrl: server.url }).latest()).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('no version') as unknown,
    });
    const limited = await serveRoutes({ [RELEASE_PATH]: { status: 403, body: '{"message":"rate limited"}' } });
    closers.push(limited.close);
    expect(await new MicrosandboxReleaseSource({ baseUrl: limited.url }).latest()).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('403') as unknown,
    });
  });

  it('after a failed look asks again within the hour, not a day later', async () => {
    let up = false;
    const server = await serveRoutes({
      [RELEASE_PATH]: { type: 'application/json', body: JSON.stringify({ tag_name: 'v0.7.2' }) },
    });
    closers.push(server.close);
    const down = await refusedUrl();
    let now = 1_000;
    const source = new MicrosandboxReleaseSource({
      baseUrl: server.url,
      clock: { now: () => now },
      fetch: (input, init) => (up ? fetch(input, init) : fetch(`${down}${RELEASE_PATH}`, init)),
    });
    expect(await source.latest()).toMatchObject({ kind: 'unknown' });
    up = true;
    now += MICROSANDBOX_RELEASE_RETRY_MS - 1;
    expect(await source.latest()).toMatchObject({ kind: 'unknown' });
    now += 1;
    expect(await source.latest()).toMatchObject({ kind: 'found', release: { version: '0.7.2' } });
    expect(server.requests).toHaveLength(1);
  });

  it('offers no draft, no pre-release and no pre-release tag to a stable user', async () => {
    for (const answer of [
      { tag_name: 'v0.8.0', draft: true },
      { tag_name: 'v0.8.0', prerelease: true },
      { tag_name: 'v0.8.0-beta.1' },
    ]) {
      const server = await serveRoutes({ [RELEASE_PATH]: { body: JSON.stringify(answer), type: 'application/json' } });
      closers.push(server.close);
      const latest = await new MicrosandboxReleaseSource({ baseUrl: server.url }).latest();
      expect(latest).toMatchObject({ kind: 'unknown', message: expect.stringContaining('pre-release') as unknown });
      expect(microsandboxUpdateStatus({ generation: 'runtime', installedVersion: 'msb 0.7.2', latest }).kind).toBe(
        'unknown',
      );
    }
  });

  it('stops reading a huge answer and gives up on one that never ends', async () => {
    const huge = JSON.stringify({ tag_name: 'v0.8.0', body: 'x'.repeat(8 * 1024 * 1024) });
    const server = await serveRoutes({ [RELEASE_PATH]: { body: huge, type: 'application/json' } });
    closers.push(server.close);
    expect(await new MicrosandboxReleaseSource({ baseUrl: server.url }).latest()).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('too large') as unknown,
    });
    const endless = http.createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"tag_name":"v0.8.0",');
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    });
    const { port } = endless.address() as AddressInfo;
    expect(
      await new MicrosandboxReleaseSource({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 }).latest(),
    ).toMatchObject({ kind: 'unknown' });
  });
});

describe('microsandboxUpdateStatus', () => {
  it('compares the installed msb with the latest release', () => {
    expect(
      microsandboxUpdateStatus({ generation: 'runtime', installedVersion: 'msb 0.6.18', latest: release('0.7.2') }),
    ).toEqual({
      kind: 'update-available',
      installed: '0.6.18',
      latest: '0.7.2',
      releaseUrl: 'https://example.test/v0.7.2',
    });
    expect(
      microsandboxUpdateStatus({ generation: 'runtime', installedVersion: 'msb 0.7.2', latest: release('0.7.2') }),
    ).toMatchObject({
      kind: 'up-to-date',
    });
    // A newer build than the latest release (a prerelease, a source build) is not offered an older one.
    expect(
      microsandboxUpdateStatus({ generation: 'runtime', installedVersion: 'msb 0.8.0-rc.1', latest: release('0.7.2') }),
    ).toMatchObject({
      kind: 'up-to-date',
    });
  });

  it('says 0.2.6 is the last server release and names the runtime install', () => {
    const status = microsandboxUpdateStatus({
      generation: 'server',
      installedVersion: 'v0.2.6',
      latest: release('0.7.2'),
    });
    expect(status).toMatchObject({
      kind: 'server-generation',
      installCommand: 'curl -fsSL https://install.microsandbox.dev | sh',
    });
    if (status.kind === 'server-generation')
      expect(status.message).toContain('0.2.6 is the last release of the server generation');
  });
});

describe('runMsbSelfUpdate through a stand-in msb', () => {
  async function run(overrides: Partial<Parameters<typeof runMsbSelfUpdate>[0]> = {}) {
    const lines: SelfUpdateLine[] = [];
    const outcome = await runMsbSelfUpdate({
      msbPath: STANDIN,
      home,
      env: { PATH: path.dirname(process.execPath) },
      installedVersion: 'msb 0.6.18',
      latest: release('0.7.2'),
      sandboxesStarting: 0,
      onLine: (line) => lines.push(line),
      ...overrides,
    });
    return { outcome, lines };
  }

  it('streams the output line by line and reports the new version', async () => {
    const { outcome, lines } = await run();
    expect(outcome).toEqual({ kind: 'updated', from: '0.6.18', to: '0.7.2' });
    expect(lines.map((line) => line.text)).toEqual([
      'Checking for updates...',
      'Current version: 0.6.18',
      'Latest version:  0.7.2',
      'Downloading microsandbox-v0.7.2-linux-x86_64.tar.gz (31.2 MiB)',
      '  [=====               ] 25%',
      '  [==========          ] 50%',
      '  [====================] 100%',
      'Verifying checksum... ok',
      `Installing msb to ${path.join(home, 'bin', 'msb')}`,
      `Installing libkrunfw to ${path.join(home, 'lib')}`,
      '✓ Updated microsandbox 0.6.18 → 0.7.2',
    ]);
  });

  it('fails halfway once with a clear result, then succeeds', async () => {
    await fsp.writeFile(path.join(home, '.standin-fail-once'), '');
    const failed = await run();
    expect(failed.outcome).toMatchObject({ kind: 'failed', exitCode: 1 });
    if (failed.outcome.kind === 'failed')
      expect(failed.outcome.message).toBe(
        'msb self update failed (exit code 1): error: failed to download release asset: connection reset by ' +
          'peer. microsandbox 0.6.18 is still installed unless the output says otherwise.',
      );
    expect(failed.lines.at(-1)).toEqual({
      stream: 'stderr',
      text: 'error: failed to download release asset: connection reset by peer',
    });
    expect(await run()).toMatchObject({ outcome: { kind: 'updated', from: '0.6.18', to: '0.7.2' } });
  });

  it('scrubs keys from the output', async () => {
    const key = 'msb_eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';
    const { lines } = await run({ env: { PATH: path.dirname(process.execPath), STANDIN_PRINT_KEY: key } });
    const text = lines.map((line) => line.text).join('\n');
    expect(text).toContain('Using API key msb_[token hidden]');
    expect(text).not.toContain(key);
  });

  it('never downgrades, and never runs while a sandbox starts or the latest is unknown', async () => {
    expect((await run({ installedVersion: 'msb 0.7.2' })).outcome).toMatchObject({
      kind: 'refused',
      reason: 'not-newer',
    });
    expect((await run({ installedVersion: 'msb 0.8.0' })).outcome).toMatchObject({
      kind: 'refused',
      reason: 'not-newer',
    });
    expect((await run({ sandboxesStarting: 1 })).outcome).toMatchObject({
      kind: 'refused',
      reason: 'sandbox-starting',
    });
    expect((await run({ latest: { kind: 'unknown', message: 'offline', checkedAt: 0 } })).outcome).toMatchObject({
      kind: 'refused',
      reason: 'latest-unknown',
    });
    // None of them ran msb: the installed version is unchanged.
    await expect(fsp.stat(path.join(home, '.standin-version'))).rejects.toThrow();
  });

  async function standIn(selfUpdate: string): Promise<string> {
    const file = path.join(home, 'msb-odd');
    await fsp.writeFile(
      file,
      `#!/usr/bin/env node\nif (process.argv[2] === '--version') { console.log('msb 0.6.18'); process.exit(0); ` +
        `}\n${selfUpdate}\n`,
      { mode: 0o755 },
    );
    return file;
  }

  it('cuts a line that never ends to a bounded length', async () => {
    const msbPath = await standIn(`process.stdout.write('a'.repeat(4 * 1024 * 1024)); process.exit(1);`);
    const { outcome, lines } = await run({ msbPath });
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 1 });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.text.length).toBeLessThanOrEqual(MAX_SELF_UPDATE_LINE_CHARS + 1);
    if (outcome.kind === 'failed') expect(outcome.message.length).toBeLessThan(MAX_SELF_UPDATE_LINE_CHARS + 400);
  });

  it('ends a run that ignores being asked to stop', async () => {
    const msbPath = await standIn(
      `process.on('SIGTERM', () => {}); console.log('working'); setInterval(() => {}, 1000);`,
    );
    const { outcome } = await run({ msbPath, timeoutMs: 500 });
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: null });
  });

  it('reports an update that left the same version installed', async () => {
    await fsp.writeFile(path.join(home, '.standin-latest'), '0.6.18');
    const { outcome } = await run();
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 0 });
    if (outcome.kind === 'failed') expect(outcome.message).toContain('msb still says 0.6.18');
  });
});
