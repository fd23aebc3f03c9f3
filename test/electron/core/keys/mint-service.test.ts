import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMintService } from '../../../../electron/core/keys/mint-service.ts';
import { ServerKeyError } from '../../../../electron/core/keys/server-key.ts';
import { verifyToken } from '../../../../electron/core/keys/token.ts';
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { startStandin, type RunningStandin } from '../../../fixtures/standin-helpers.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
let dir = '';
let keyFile = '';
let standin: RunningStandin | null = null;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'mint-service-'));
  keyFile = path.join(dir, 'server.key');
});

afterEach(async () => {
  await standin?.stop();
  standin = null;
  await fsp.rm(dir, { recursive: true, force: true });
});

function running(url: string, pid: number): ServerSnapshot {
  return { ...INITIAL_SNAPSHOT, state: 'running', pid, url, devMode: false, startedAt: 1, healthy: true };
}

describe('the mint service', () => {
  it('creates server.key when there is none and mints exactly the requested claims', async () => {
    const service = createMintService({
      keyFile,
      snapshot: () => INITIAL_SNAPSHOT,
      settings: () => DEFAULT_SETTINGS,
      clock: { now: () => NOW },
    });
    const minted = await service.mint({ namespace: 'team-a', expiresIn: '2h' });
    const key = await fsp.readFile(keyFile, 'utf8');
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    const verified = await verifyToken(minted.token, key, { now: NOW });
    expect(verified).toEqual({
      valid: true,
      claims: { exp: NOW / 1000 + 7_200, iat: NOW / 1000, namespace: 'team-a' },
    });
    expect(minted).toMatchObject({
      namespace: 'team-a',
      serverUrl: 'http://127.0.0.1:5555',
      devMode: false,
      check: { result: 'not-checked' },
    });
  });

  it('asks a running server once per run and key, with a real authenticated call', async () => {
    await fsp.writeFile(keyFile, 'ServiceKey0123456789abcdefghijkl');
    standin = await startStandin({
      args: ['--key', 'ServiceKey0123456789abcdefghijkl'],
      cwd: dir,
      env: { MICROSANDBOX_HOME: dir },
    });
    let snapshot = running(standin.url, 100);
    const calls: string[] = [];
    const service = createMintService({
      keyFile,
      snapshot: () => snapshot,
      settings: () => DEFAULT_SETTINGS,
      clock: { now: () => Date.now() },
      fetch: (input, init) => {
        calls.push(input instanceof Request ? input.url : input.toString());
        return fetch(input, init);
      },
    });
    expect((await service.mint({})).check).toEqual({ result: 'accepted' });
    expect((await service.mint({ namespace: 'x' })).check).toEqual({ result: 'accepted' });
    expect(calls).toHaveLength(1);
    snapshot = running(standin.url, 101); // another run of the server
    await service.mint({});
    expect(calls).toHaveLength(2);
    await fsp.writeFile(keyFile, 'AnotherKey0123456789abcdefghijkl'); // server.key changed under the server
    expect((await service.mint({})).check.result).toBe('refused');
    expect(calls).toHaveLength(3);
  });

  it('says which key file could not be used', async () => {
    await fsp.mkdir(keyFile);
    const service = createMintService({
      keyFile,
      snapshot: () => INITIAL_SNAPSHOT,
      settings: () => DEFAULT_SETTINGS,
      clock: { now: () => NOW },
    });
    const error = await service.mint({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerKeyError);
    expect((error as Error).message).toContain(`The server key file ${keyFile} could not be read or created`);
  });
});
