import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH_VARIABLE, chromiumCandidates, findChromium } from './chromium.ts';

const only =
  (...present: string[]) =>
  (file: string): boolean =>
    present.includes(file);

describe('findChromium', () => {
  it('takes $CHROMIUM_PATH over every usual place', () => {
    const env = { [CHROMIUM_PATH_VARIABLE]: '/opt/my/chrome' };
    expect(findChromium('linux', env, only('/opt/my/chrome', '/usr/bin/chromium'))).toEqual({
      path: '/opt/my/chrome',
      tried: ['/opt/my/chrome'],
    });
  });

  it('finds nothing when $CHROMIUM_PATH names a missing file, rather than taking another browser', () => {
    const env = { [CHROMIUM_PATH_VARIABLE]: '/nowhere/chrome' };
    expect(findChromium('linux', env, only('/usr/bin/chromium'))).toEqual({ path: null, tried: ['/nowhere/chrome'] });
  });

  it("finds Debian's Chromium on Linux", () => {
    expect(findChromium('linux', {}, only('/usr/bin/chromium')).path).toBe('/usr/bin/chromium');
  });

  it('finds Google Chrome in /Applications on macOS when Chromium is not there', () => {
    const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(findChromium('darwin', {}, only(chrome, '/usr/bin/chromium')).path).toBe(chrome);
  });

  it('prefers Chromium.app to Google Chrome on macOS', () => {
    const [first] = chromiumCandidates('darwin', {});
    expect(first).toBe('/Applications/Chromium.app/Contents/MacOS/Chromium');
  });

  it('looks under Program Files on Windows', () => {
    const candidates = chromiumCandidates('win32', { PROGRAMFILES: 'C:\\Program Files' });
    expect(candidates).toContain('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe');
  });

  it('lists every place it looked when none exists', () => {
    const found = findChromium('darwin', {}, () => false);
    expect(found.path).toBeNull();
    expect(found.tried).toEqual(chromiumCandidates('darwin', {}));
  });
});
