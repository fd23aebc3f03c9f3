import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkServerExecutable,
  type ExecutableProblem,
  type ExecutableVerdict,
} from '../../../../electron/core/programs/executable-check.ts';

const posixOnly = describe.skipIf(process.platform === 'win32');
const uid = process.getuid?.() ?? -1;
const isRoot = uid === 0;
/** A user that is neither root nor the one running the tests. */
const STRANGER = 65_534;

let root: string;

beforeEach(async () => {
  // Real path (macOS's /tmp is a link); a private folder in sticky /tmp, as mkdtemp makes it.
  root = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'msb-exe-check-')));
});

afterEach(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

async function executable(file: string, mode = 0o755): Promise<string> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await fsp.writeFile(file, '#!/bin/sh\nexit 0\n');
  await fsp.chmod(file, mode);
  return file;
}

/**
 * Makes `file` someone else's: as root by giving it to another user; otherwise by checking as if
 * the app ran as another user (then the test's own files are the stranger's).
 */
async function ownedByStranger(file: string): Promise<{ uid?: number }> {
  if (isRoot) {
    await fsp.lchown(file, STRANGER, STRANGER);
    return {};
  }
  return { uid: uid + 1 };
}

function expectRefused(verdict: ExecutableVerdict, reason: ExecutableProblem, problem: RegExp | string): void {
  expect(verdict.ok).toBe(false);
  if (verdict.ok) return;
  expect(verdict.reason).toBe(reason);
  if (typeof problem === 'string') expect(verdict.problem).toContain(problem);
  else expect(verdict.problem).toMatch(problem);
}

posixOnly('checkServerExecutable', () => {
  it('accepts an executable of the user in folders only the user can change, and gives its real path', async () => {
    const file = await executable(path.join(root, 'bin', 'msbserver'));
    expect(await checkServerExecutable(file)).toEqual({ ok: true, realPath: file });
  });

  it('accepts it through symlinks in safe folders, and names the real file', async () => {
    const real = await executable(path.join(root, 'opt', 'microsandbox', 'bin', 'msbserver'));
    await fsp.mkdir(path.join(root, 'local', 'bin'), { recursive: true, mode: 0o755 });
    await fsp.symlink(real, path.join(root, 'local', 'bin', 'msbserver'));
    await fsp.symlink(path.join(root, 'opt', 'microsandbox'), path.join(root, 'current'));
    await fsp.symlink('../opt/microsandbox/bin/msbserver', path.join(root, 'local', 'relative'));
    expect(await checkServerExecutable(path.join(root, 'local', 'bin', 'msbserver'))).toEqual({
      ok: true,
      realPath: real,
    });
    expect(await checkServerExecutable(path.join(root, 'current', 'bin', 'msbserver'))).toEqual({
      ok: true,
      realPath: real,
    });
    expect(await checkServerExecutable(path.join(root, 'local', 'relative'))).toEqual({ ok: true, realPath: real });
  });

  it('resolves a relative path against the working directory', async () => {
    const file = await executable(path.join(root, 'bin', 'msbserver'));
    const relative = path.relative(process.cwd(), file);
    if (relative.split(path.sep).includes('..')) return; // the working directory is elsewhere: nothing to check
    expect(await checkServerExecutable(relative)).toEqual({ ok: true, realPath: file });
  });

  it('says what is missing or not an executable file', async () => {
    expect(await checkServerExecutable(path.join(root, 'nothing'))).toMatchObject({ ok: false, reason: 'missing' });
    expect(await checkServerExecutable(path.join(root, 'nothing', 'msbserver'))).toMatchObject({
      ok: false,
      reason: 'missing',
    });
    await fsp.mkdir(path.join(root, 'dir', 'msbserver'), { recursive: true });
    expectRefused(
      await checkServerExecutable(path.join(root, 'dir', 'msbserver')),
      'not-executable',
      /not a regular file/,
    );
    const plain = await executable(path.join(root, 'plain', 'msbserver'), 0o644);
    expectRefused(await checkServerExecutable(plain), 'not-executable', /not an executable file/);
    await fsp.symlink(path.join(root, 'gone'), path.join(root, 'dangling'));
    expect(await checkServerExecutable(path.join(root, 'dangling'))).toMatchObject({ ok: false, reason: 'missing' });
    const file = await executable(path.join(root, 'bin', 'msbserver'));
    await fsp.writeFile(path.join(root, 'bin', 'not-a-dir'), '');
    expect(await checkServerExecutable(path.join(root, 'bin', 'not-a-dir', 'msbserver'))).toMatchObject({
      ok: false,
      reason: 'missing',
    });
    expect((await checkServerExecutable(file)).ok).toBe(true);
  });

  it('refuses a file others can write (group or world)', async () => {
    for (const mode of [0o775, 0o757, 0o777, 0o4775]) {
      const file = await executable(path.join(root, `m${mode.toString(8)}`, 'msbserver'), mode);
      const verdict = await checkServerExecutable(file);
      expectRefused(verdict, 'unsafe', /group- or world-writable.*chmod go-w/);
    }
  });

  it("refuses a file that belongs to another user (not the app's user, not root)", async () => {
    const file = await executable(path.join(root, 'bin', 'msbserver'));
    const as = await ownedByStranger(file);
    if (!isRoot) await fsp.chmod(path.dirname(file), 0o755);
    const verdict = await checkServerExecutable(file, as);
    expect(verdict).toMatchObject({ ok: false, reason: 'unsafe' });
    expect(verdict.ok ? '' : verdict.problem).toMatch(/belongs to another user|The folder .* belongs to another user/);
  });

  it('accepts a root-owned file for any user', async () => {
    // Checked as an unprivileged user: what root owns is trusted (a system install).
    const system = await checkServerExecutable('/bin/sh', { uid: STRANGER });
    const real = await fsp.realpath('/bin/sh');
    const shStat = await fsp.stat(real);
    if (shStat.uid === 0 && (shStat.mode & 0o022) === 0) expect(system).toEqual({ ok: true, realPath: real });
  });

  it('refuses a file in a folder others can write, at any depth', async () => {
    const file = await executable(path.join(root, 'a', 'b', 'c', 'msbserver'));
    await fsp.chmod(path.join(root, 'a', 'b', 'c'), 0o775);
    expectRefused(
      await checkServerExecutable(file),
      'unsafe',
      `The folder ${path.join(root, 'a', 'b', 'c')} can be changed by other users`,
    );
    await fsp.chmod(path.join(root, 'a', 'b', 'c'), 0o755);
    await fsp.chmod(path.join(root, 'a'), 0o777);
    expectRefused(await checkServerExecutable(file), 'unsafe', `The folder ${path.join(root, 'a')} can be changed`);
  });

  it('accepts a sticky world-writable folder (as /tmp) only on the way to an entry of the user or root', async () => {
    const sticky = path.join(root, 'shared');
    await fsp.mkdir(sticky, { mode: 0o755 });
    await fsp.chmod(sticky, 0o1777);
    const mine = await executable(path.join(sticky, 'mine', 'msbserver'));
    expect(await checkServerExecutable(mine)).toEqual({ ok: true, realPath: mine });
    // Without the sticky bit anyone could rename "mine" and put their own in its place.
    await fsp.chmod(sticky, 0o777);
    expect(await checkServerExecutable(mine)).toMatchObject({ ok: false, reason: 'unsafe' });
    await fsp.chmod(sticky, 0o1777);
    const theirs = await executable(path.join(sticky, 'theirs', 'msbserver'));
    const as = await ownedByStranger(path.join(sticky, 'theirs'));
    expect(await checkServerExecutable(theirs, as)).toMatchObject({ ok: false, reason: 'unsafe' });
  });

  it('judges a symlink by the folder it sits in and by every folder it leads through', async () => {
    const safe = await executable(path.join(root, 'safe', 'msbserver'));
    // A link to a safe file, but in a folder others may write: they could point it elsewhere.
    await fsp.mkdir(path.join(root, 'open'), { mode: 0o755 });
    await fsp.chmod(path.join(root, 'open'), 0o777);
    await fsp.symlink(safe, path.join(root, 'open', 'msbserver'));
    expect(await checkServerExecutable(path.join(root, 'open', 'msbserver'))).toMatchObject({
      ok: false,
      reason: 'unsafe',
    });
    // A link in a safe folder to a file in a folder others may write.
    const exposed = await executable(path.join(root, 'exposed', 'msbserver'));
    await fsp.chmod(path.join(root, 'exposed'), 0o775);
    await fsp.mkdir(path.join(root, 'bin'), { mode: 0o755 });
    await fsp.symlink(exposed, path.join(root, 'bin', 'msbserver'));
    expect(await checkServerExecutable(path.join(root, 'bin', 'msbserver'))).toMatchObject({
      ok: false,
      reason: 'unsafe',
    });
    // A chain whose middle link sits in an open folder.
    await fsp.symlink(path.join(root, 'open', 'msbserver'), path.join(root, 'bin', 'chained'));
    expect(await checkServerExecutable(path.join(root, 'bin', 'chained'))).toMatchObject({
      ok: false,
      reason: 'unsafe',
    });
  });

  it("walks a link target's `..` from the real folder, as the kernel does", async () => {
    const real = await executable(path.join(root, 'x', 'y', 'msbserver'));
    await fsp.mkdir(path.join(root, 'links'), { mode: 0o755 });
    await fsp.symlink(path.join(root, 'x', 'y', 'z'), path.join(root, 'links', 'deep')).catch(() => undefined);
    await fsp.mkdir(path.join(root, 'x', 'y', 'z'), { mode: 0o755 });
    // links/deep → x/y/z, so links/deep/../msbserver is x/y/msbserver for the kernel, not links/msbserver.
    await fsp.symlink('deep/../msbserver', path.join(root, 'links', 'up'));
    expect(await checkServerExecutable(path.join(root, 'links', 'up'))).toEqual({ ok: true, realPath: real });
  });

  it('refuses a path that goes up a folder, a NUL, and a symlink loop', async () => {
    const file = await executable(path.join(root, 'bin', 'msbserver'));
    expectRefused(await checkServerExecutable(`${root}/bin/../bin/msbserver`), 'not-executable', /goes up a folder/);
    expect(await checkServerExecutable(`${file}\0`)).toMatchObject({ ok: false, reason: 'not-executable' });
    await fsp.symlink(path.join(root, 'loop-b'), path.join(root, 'loop-a'));
    await fsp.symlink(path.join(root, 'loop-a'), path.join(root, 'loop-b'));
    expectRefused(await checkServerExecutable(path.join(root, 'loop-a')), 'not-executable', /too many symlinks/);
  });
});
