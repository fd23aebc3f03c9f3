import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appPage, isAppUrl, secureWebPreferences } from '../../../../electron/core/desktop/window-policy.ts';

const rendererIndex = path.resolve('/opt/Microsandbox Tray/resources/app.asar/out/renderer/index.html');
const fileUrl = pathToFileURL(rendererIndex).href;

describe('secureWebPreferences', () => {
  it('is exactly the security baseline', () => {
    expect(secureWebPreferences('/app/out/preload/preload.cjs')).toStrictEqual({
      preload: '/app/out/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });
});

describe('appPage', () => {
  it('loads the built file when no dev server is set', () => {
    expect(appPage(rendererIndex)).toStrictEqual({ kind: 'file', url: fileUrl });
    expect(appPage(rendererIndex, '')).toStrictEqual({ kind: 'file', url: fileUrl });
  });

  it('uses a loopback dev server URL', () => {
    expect(appPage(rendererIndex, 'http://localhost:5173')).toStrictEqual({
      kind: 'dev',
      url: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
    });
  });

  it('ignores a dev server URL that is not loopback http(s)', () => {
    for (const bad of ['https://evil.example:5173', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url']) {
      expect(appPage(rendererIndex, bad)).toStrictEqual({ kind: 'file', url: fileUrl });
    }
  });
});

describe('isAppUrl with the built renderer', () => {
  const page = appPage(rendererIndex);

  it("accepts the app's own index.html, with a query or fragment", () => {
    expect(isAppUrl(fileUrl, page)).toBe(true);
    expect(isAppUrl(`${fileUrl}#/settings`, page)).toBe(true);
    expect(isAppUrl(`${fileUrl}?tab=logs`, page)).toBe(true);
  });

  it('rejects other files, other schemes and remote sites', () => {
    const rendererDir = pathToFileURL(path.dirname(rendererIndex)).href;
    for (const foreign of [
      'file:///etc/passwd',
      `${rendererDir}/other.html`,
      `${rendererDir}/`,
      fileUrl.replace('file:///', 'file://evil-host/'),
      'https://evil',
      'https://evil.example/index.html',
      'http://localhost:5173/',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'about:blank',
      'chrome://settings',
      '',
      'not a url',
    ]) {
      expect(isAppUrl(foreign, page), foreign).toBe(false);
    }
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 42, {}, new URL(fileUrl)]) {
      expect(isAppUrl(value, page)).toBe(false);
    }
  });

  it('normalises dot segments instead of being fooled by them', () => {
    const dotted = fileUrl.replace('/out/renderer/index.html', '/out/renderer/../renderer/index.html');
    expect(isAppUrl(dotted, page)).toBe(true);
    const escaped = fileUrl.replace('/out/renderer/index.html', '/out/renderer/../../../../etc/passwd');
    expect(isAppUrl(escaped, page)).toBe(false);
  });
});

describe('isAppUrl with the dev server', () => {
  const page = appPage(rendererIndex, 'http://localhost:5173');

  it('accepts any path on the dev server origin', () => {
    expect(isAppUrl('http://localhost:5173/', page)).toBe(true);
    expect(isAppUrl('http://localhost:5173/index.html#x', page)).toBe(true);
  });

  it('rejects other origins and the built file', () => {
    for (const foreign of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'https://evil',
      'file:///etc/passwd',
      fileUrl,
      'javascript:alert(1)',
    ]) {
      expect(isAppUrl(foreign, page), foreign).toBe(false);
    }
  });
});
