import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MsbCommandError, msbErrorMessage, runMsb, runMsbJson } from '../../../../electron/core/runtime/msb-runner.ts';
import { parseLs } from '../../../../electron/core/runtime/msb-output.ts';
import { createRuntimeSandboxes } from '../../../../electron/core/runtime/runtime-sandboxes.ts';
import { processLiveness } from '../../../../electron/core/process/process-identity.ts';
import { waitFor } from '../../../support/wait-for.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-runner-'));
const standin = path.join(dir, 'msb');
copyFileSync(fileURLToPath(new URL('../../../fixtures/msb-standin', import.meta.url)), standin);
chmodSync(standin, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (mode: string): NodeJS.ProcessEnv => ({ ...process.env, MSB_STANDIN: mode });

describe.skipIf(process.platform === 'win32')('running msb', () => {
  it('kills an msb that does not answer in time and says which command it was', async () => {
    const started = Date.now();
    const error = await runMsb({ msbPath: standin, env: env('hang') }, ['ls', '--format', 'json'], {
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsbCommandError);
    expect((error as MsbCommandError).kind).toBe('timeout');
    expect((error as Error).message).toBe('msb ls --format json did not answer within 0.3 s and was stopped.');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('kills an msb that prints past the cap', async () => {
    const error = await runMsb({ msbPath: standin, env: env('flood') }, ['ls'], { maxOutputBytes: 64 * 1024 }).catch(
      (e: unknown) => e,
    );
    expect((error as MsbCommandError).kind).toBe('output-cap');
    expect((error as Error).message).toMatch(/^msb ls printed more than 64 KB and was stopped\.$/);
  });

  it('rejects garbage JSON naming the command', async () => {
    await expect(
      runMsbJson({ msbPath: standin, env: env('garbage') }, ['ls', '--format', 'json'], parseLs),
    ).rejects.toThrow('msb ls --format json printed something that is not JSON: "<html>not json"');
  });

  it('rejects JSON cut off in the middle', async () => {
    await expect(
      runMsbJson({ msbPath: standin, env: env('truncated') }, ['ls', '--format', 'json'], parseLs),
    ).rejects.toThrow(/msb ls --format json printed JSON that stops in the middle/);
  });

  it('rejects a non-zero exit with msb’s own message', async () => {
    await expect(runMsb({ msbPath: standin, env: env('fail') }, ['ls'])).rejects.toThrow(/^database is locked$/);
  });

  it('rejects an answer whose fields have the wrong type', () => {
    expect(() => parseLs([{ name: 'web', status: 3 }], 'msb ls')).toThrow(
      'msb ls printed an unexpected answer: entry 0.status is not text.',
    );
    expect(() => parseLs({}, 'msb ls')).toThrow(/not a list/);
    expect(() => parseLs([{ name: '-rf', status: 'Running' }], 'msb ls')).toThrow(/is not a sandbox name/);
  });

  it('passes MSB_HOME when a home is given', async () => {
    const script = path.join(dir, 'print-home');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(script, '#!/bin/sh\necho "$MSB_HOME"\n');
    chmodSync(script, 0o755);
    const result = await runMsb({ msbPath: script, home: '/some/home', env: {} }, []);
    expect(result.stdout.trim()).toBe('/some/home');
  });

  it('says why when the file cannot be run', async () => {
    await expect(runMsb({ msbPath: path.join(dir, 'absent') }, ['ls'])).rejects.toThrow(/msb ls could not be run/);
  });

  it('keeps unknown statuses and a 0.7 Paused as they are', async () => {
    const list = await createRuntimeSandboxes({ msbPath: standin, env: env('runtime') }).list();
    expect(list).toEqual([
      {
        name: 'web',
        status: 'Paused',
        image: 'alpine',
        createdAt: Date.parse('2026-12-07T01:59:02+00:00'),
        cpus: 2,
        memoryMib: 1024,
        ports: ['127.0.0.1:8080->80/tcp'],
      },
      {
        name: 'odd',
        status: 'Hibernating',
        image: 'python',
        createdAt: Date.parse('2026-12-07T02:00:00Z'),
        cpus: null,
        memoryMib: null,
        ports: [],
      },
    ]);
  });

  it('reads msb’s error line, not its help footer', () => {
    expect(msbErrorMessage('error: sandbox not found: web\n')).toBe('sandbox not found: web');
    expect(
      msbErrorMessage(
        "error: the argument '--follow' cannot be used\n\nUsage: msb metrics\n\nFor more information, try '--help'.\n",
      ),
    ).toBe("the argument '--follow' cannot be used");
    expect(msbErrorMessage('')).toBeNull();
  });

  it('answers within its timeout when msb exits but leaves a child holding its output', async () => {
    const leaver = path.join(dir, 'msb-leaver');
    writeFileSync(leaver, "#!/bin/sh\nsleep 6 &\necho '[]'\nexit 0\n", { mode: 0o755 });
    const started = Date.now();
    const result = await runMsb({ msbPath: leaver }, ['ls'], { timeoutMs: 1000 });
    expect(result.stdout).toBe('[]\n');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ends a hung msb and the children it started within its timeout', async () => {
    const hanger = path.join(dir, 'msb-hanger');
    const mark = path.join(dir, 'child-survived');
    const childPid = path.join(dir, 'child-pid');
    writeFileSync(hanger, `#!/bin/sh\n(sleep 2; touch '${mark}') &\necho $! > '${childPid}'\nsleep 30\n`, {
      mode: 0o755,
    });
    const started = Date.now();
    const error = await runMsb({ msbPath: hanger }, ['ls'], { timeoutMs: 500 }).catch((e: unknown) => e);
    expect((error as MsbCommandError).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    // The child ends either with msb's group or, surviving, only after it marked its survival.
    const child = Number(readFileSync(childPid, 'utf8'));
    await waitFor(async () => (await processLiveness(child)) === 'dead', { what: `the child ${child} to end` });
    expect(existsSync(mark)).toBe(false);
  });
});
