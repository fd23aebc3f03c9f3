/**
 * electron-builder.config.ts as a module: what ships and how, and how the environment turns
 * signing and notarisation on (and leaves them off when it says nothing). electron-builder's own
 * schema check of the same file runs in package.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Configuration } from 'electron-builder';
import { APP_RELEASE_REPOSITORY, APP_UPDATE_FEED_URL } from '../../shared/app-release.ts';

const SIGNING_VARIABLES = [
  'CSC_LINK',
  'CSC_KEY_PASSWORD',
  'CSC_NAME',
  'APPLE_ID',
  'APPLE_APP_SPECIFIC_PASSWORD',
  'APPLE_TEAM_ID',
  'APPLE_API_KEY',
  'APPLE_API_KEY_ID',
  'APPLE_API_ISSUER',
  'APPLE_KEYCHAIN',
  'APPLE_KEYCHAIN_PROFILE',
] as const;

type SigningVariable = (typeof SIGNING_VARIABLES)[number];

/** The configuration as electron-builder would load it under exactly these variables. */
async function loadWith(env: Partial<Record<SigningVariable, string>> = {}): Promise<{
  config: Configuration;
  macSigning: boolean;
  macNotarizing: boolean;
}> {
  for (const name of SIGNING_VARIABLES) vi.stubEnv(name, env[name] ?? '');
  vi.resetModules();
  const module = await import('../../electron-builder.config.ts');
  return { config: module.default, macSigning: module.macSigning, macNotarizing: module.macNotarizing };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const CERTIFICATE = { CSC_LINK: '/secrets/developer-id.p12', CSC_KEY_PASSWORD: 'secret' } as const;
const APPLE_ID = {
  APPLE_ID: 'dev@example.com',
  APPLE_APP_SPECIFIC_PASSWORD: 'abcd-efgh',
  APPLE_TEAM_ID: 'TEAM123456',
} as const;
const API_KEY = {
  APPLE_API_KEY: '/secrets/AuthKey.p8',
  APPLE_API_KEY_ID: 'KEYID',
  APPLE_API_ISSUER: 'issuer-uuid',
} as const;

describe('what ships', () => {
  it('names the app and keeps its configuration out of package.json', async () => {
    const { config } = await loadWith();
    expect(config.appId).toBe('dev.microsandbox.tray');
    expect(config.productName).toBe('Microsandbox Tray');
    expect(config.directories?.output).toBe('release');
  });

  it('packs only the built output and package.json into an asar', async () => {
    const { config } = await loadWith();
    expect(config.asar).toBe(true);
    const files = config.files as string[];
    expect(files.filter((pattern) => !pattern.startsWith('!')).sort()).toEqual([
      'out/main/**',
      'out/preload/**',
      'out/renderer/**',
      'package.json',
    ]);
    expect(files).toContain('!**/*.map');
    expect(config.npmRebuild).toBe(false);
  });

  it('publishes to the app’s GitHub releases, so the update feed is written and the app reads it', async () => {
    const { config } = await loadWith();
    expect(config.publish).toEqual({
      provider: 'github',
      owner: APP_RELEASE_REPOSITORY.owner,
      repo: APP_RELEASE_REPOSITORY.repo,
      releaseType: 'release',
    });
    expect(APP_UPDATE_FEED_URL).toBe(
      `https://github.com/${APP_RELEASE_REPOSITORY.owner}/${APP_RELEASE_REPOSITORY.repo}/releases/latest/download`,
    );
  });

  it('sets the Electron fuses of the security baseline', async () => {
    const { config } = await loadWith();
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      // The window comes from the app's scheme, so file:// keeps plain Chromium's rules.
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('macOS: a dmg and a zip of a menu-bar app (no Dock icon) with the hardened runtime', async () => {
    const { config } = await loadWith();
    const targets = (config.mac?.target as { target: string }[]).map((entry) => entry.target);
    expect(targets.sort()).toEqual(['dmg', 'zip']);
    expect(config.mac?.extendInfo).toEqual({ LSUIElement: true });
    expect(config.mac?.hardenedRuntime).toBe(true);
  });

  it('Windows: a per-user NSIS installer', async () => {
    const { config } = await loadWith();
    expect((config.win?.target as { target: string }[]).map((entry) => entry.target)).toEqual(['nsis']);
    expect(config.nsis?.perMachine).toBe(false);
    expect(config.nsis?.oneClick).toBe(true);
  });

  it('Linux: an AppImage and a deb whose desktop entry is in Development', async () => {
    const { config } = await loadWith();
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Development');
    expect(config.linux?.maintainer).toMatch(/<.+@.+>/);
  });
});

describe('signing and notarisation follow the environment', () => {
  it('nothing set: unsigned (identity null), not notarised, ad-hoc signature renewed after the fuses', async () => {
    const { config, macSigning, macNotarizing } = await loadWith();
    expect(macSigning).toBe(false);
    expect(macNotarizing).toBe(false);
    expect(config.mac).toHaveProperty('identity', null);
    expect(config.mac?.notarize).toBe(false);
    expect(config.electronFuses?.resetAdHocDarwinSignature).toBe(true);
  });

  it('a certificate alone: signed (identity found by electron-builder), not notarised', async () => {
    const { config, macSigning, macNotarizing } = await loadWith(CERTIFICATE);
    expect(macSigning).toBe(true);
    expect(macNotarizing).toBe(false);
    expect(config.mac).not.toHaveProperty('identity');
    expect(config.mac?.notarize).toBe(false);
    expect(config.electronFuses?.resetAdHocDarwinSignature).toBe(false);
  });

  it('a keychain identity by name counts as a certificate', async () => {
    const { config, macSigning } = await loadWith({ CSC_NAME: 'Developer ID Application: Example (TEAM123456)' });
    expect(macSigning).toBe(true);
    expect(config.mac).not.toHaveProperty('identity');
  });

  it('a certificate and an Apple ID with app-specific password and team: notarised', async () => {
    const { config } = await loadWith({ ...CERTIFICATE, ...APPLE_ID });
    expect(config.mac?.notarize).toBe(true);
  });

  it('a certificate and an App Store Connect API key: notarised', async () => {
    const { config } = await loadWith({ ...CERTIFICATE, ...API_KEY });
    expect(config.mac?.notarize).toBe(true);
  });

  it('a certificate and a stored keychain profile: notarised', async () => {
    const { config } = await loadWith({ ...CERTIFICATE, APPLE_KEYCHAIN: 'login', APPLE_KEYCHAIN_PROFILE: 'notary' });
    expect(config.mac?.notarize).toBe(true);
  });

  it('incomplete Apple credentials: not notarised', async () => {
    const { config } = await loadWith({
      ...CERTIFICATE,
      APPLE_ID: 'dev@example.com',
      APPLE_APP_SPECIFIC_PASSWORD: 'abcd-efgh',
    });
    expect(config.mac?.notarize).toBe(false);
    const onlyKey = await loadWith({ ...CERTIFICATE, APPLE_API_KEY: '/secrets/AuthKey.p8' });
    expect(onlyKey.config.mac?.notarize).toBe(false);
  });

  it('Apple credentials without a certificate: nothing to notarise, still unsigned', async () => {
    const { config } = await loadWith({ ...APPLE_ID, ...API_KEY });
    expect(config.mac).toHaveProperty('identity', null);
    expect(config.mac?.notarize).toBe(false);
  });

  it('blank variables (as unset secrets arrive in CI) count as absent', async () => {
    const { config, macSigning } = await loadWith({ CSC_LINK: '   ', CSC_KEY_PASSWORD: '' });
    expect(macSigning).toBe(false);
    expect(config.mac).toHaveProperty('identity', null);
  });
});
