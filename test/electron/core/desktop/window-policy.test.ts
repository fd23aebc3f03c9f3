import { describe, expect, it } from 'vitest';
import {
  APP_INDEX_URL,
  APP_ORIGIN,
  APP_SCHEME_PRIVILEGES,
  appPage,
  isAppUrl,
  secureWebPreferences,
} from '../../../../electron/core/desktop/window-policy.ts';

describe('secureWebPreferences', () => {
  it('is exactly the security baseline', () => {
    expect(secureWebPreferences('/app/out/preload/preload.cjs', { devTools: false })).toStrictEqual({
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
      devTools: false,
    });
  });

  it('has DevTools only when asked for (development builds)', () => {
    expect(secureWebPreferences('/p.cjs', { devTools: true }).devTools).toBe(true);
    expect(secureWebPreferences('/p.cjs', { devTools: false }).devTools).toBe(false);
  });
});

describe("the app's scheme", () => {
  it('is app://microsandbox-tray, standard and secure and nothing more', () => {
    expect(APP_ORIGIN).toBe('app://microsandbox-tray');
    expect(APP_INDEX_URL).toBe('app://microsandbox-tray/index.html');
    expect(APP_SCHEME_PRIVILEGES).toStrictEqual({ standard: true, secure: true });
  });
});

describe('appPage', () => {
  it("loads the built renderer from the app's scheme when no dev server is set", () => {
    expect(appPage()).toStrictEqual({ kind: 'scheme', url: APP_INDEX_URL, origin: APP_ORIGIN });
    expect(appPage('')).toStrictEqual({ kind: 'scheme', url: APP_INDEX_URL, origin: APP_ORIGIN });
  });

  it('uses a loopback dev server URL', () => {
    expect(appPage('http://localhost:5173')).toStrictEqual({
      kind: 'dev',
      url: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
    });
  });

  it('ignores a dev server URL that is not loopback http(s)', () => {
    for (const bad of [
      'https://evil.example:5173',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
      'app://microsandbox-tray/',
    ]) {
      expect(appPage(bad)).toStrictEqual({ kind: 'scheme', url: APP_INDEX_URL, origin: APP_ORIGIN });
    }
  });
});

describe('isAppUrl with the built renderer', () => {
  const page = appPage();

  it("accepts the app's own index.html, with a query or fragment", () => {
    expect(isAppUrl(APP_INDEX_URL, page)).toBe(true);
    expect(isAppUrl(`${APP_INDEX_URL}#/settings`, page)).toBe(true);
    expect(isAppUrl(`${APP_INDEX_URL}?tab=logs`, page)).toBe(true);
    expect(isAppUrl('app://MICROSANDBOX-TRAY/index.html', page)).toBe(true);
  });

  it('rejects other files, other hosts, file:// (the built file included), other schemes and remote sites', () => {
    for (const foreign of [
      'file:///etc/passwd',
      'file:///opt/Microsandbox%20Tray/resources/app.asar/out/renderer/index.html',
      'app://microsandbox-tray/',
      'app://microsandbox-tray/other.html',
      'app://microsandbox-tray/assets/index.js',
      'app://evil/index.html',
      'app://microsandbox-tray.evil/index.html',
      'app://user:pass@microsandbox-tray/index.html',
      'app://microsandbox-tray:8080/index.html',
      'app:///index.html',
      'apps://microsandbox-tray/index.html',
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
    for (const value of [undefined, null, 42, {}, new URL(APP_INDEX_URL)]) {
      expect(isAppUrl(value, page)).toBe(false);
    }
  });

  it('normalises dot segments instead of being fooled by them', () => {
    expect(isAppUrl('app://microsandbox-tray/assets/../index.html', page)).toBe(true);
    expect(isAppUrl('app://microsandbox-tray/%2e%2e/index.html', page)).toBe(true);
    expect(isAppUrl('app://microsandbox-tray/index.html/../../etc/passwd', page)).toBe(false);
    expect(isAppUrl('app://microsandbox-tray/a%2f..%2findex.html', page)).toBe(false);
  });
});

describe('isAppUrl with the dev server', () => {
  const page = appPage('http://localhost:5173');

  it('accepts any path on the dev server origin', () => {
    expect(isAppUrl('http://localhost:5173/', page)).toBe(true);
    expect(isAppUrl('http://localhost:5173/index.html#x', page)).toBe(true);
  });

  it("rejects other origins and the app's scheme", () => {
    for (const foreign of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'https://evil',
      'file:///etc/passwd',
      APP_INDEX_URL,
      'javascript:alert(1)',
    ]) {
      expect(isAppUrl(foreign, page), foreign).toBe(false);
    }
  });
});
