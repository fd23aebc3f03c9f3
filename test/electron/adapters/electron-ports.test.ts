import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { APP_RELEASE_PAGE_URL } from '../../../shared/app-release.ts';
import { RUNTIME_INSTALL_URL } from '../../../electron/core/updates/microsandbox-updates.ts';

// Electron cannot run here: the adapter is loaded over the recording electron, whose record is
// what reached Electron's shell.
const dir = mkdtempSync(path.join(os.tmpdir(), 'electron-ports-'));
const log = path.join(dir, 'record.jsonl');
process.env['RECORDING_ELECTRON_LOG'] = log;
vi.mock('electron', () => import('../recording-electron/electron.js'));
const { externalUrlPort } = await import('../../../electron/adapters/electron-ports.ts');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opened(): string[] {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    // No record yet: nothing reached Electron.
  }
  return text
    .split('\n')
    .filter((line) => line.includes('shell.openExternal'))
    .map((line) => (JSON.parse(line) as { detail?: { url?: string } }).detail?.url ?? '?');
}

describe('externalUrlPort', () => {
  it('opens the fixed pages in the browser', async () => {
    await externalUrlPort.openPage(APP_RELEASE_PAGE_URL);
    await externalUrlPort.openPage(RUNTIME_INSTALL_URL);
    expect(opened()).toEqual([APP_RELEASE_PAGE_URL, RUNTIME_INSTALL_URL]);
  });

  it('refuses any other URL before it reaches the shell', async () => {
    const before = opened().length;
    for (const url of ['https://evil.example/', 'file:///etc/passwd', `${APP_RELEASE_PAGE_URL}?x=1`])
      await expect(externalUrlPort.openPage(url)).rejects.toThrow('is not a page this app opens');
    expect(opened()).toHaveLength(before);
  });
});
