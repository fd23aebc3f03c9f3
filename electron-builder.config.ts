/**
 * electron-builder configuration: `npm run dist` (electron-vite build, then
 * `electron-builder --config electron-builder.config.ts`) packages the current platform into
 * release/. electron-builder loads this file itself (TypeScript through jiti) and checks it
 * against its schema before anything else; `tsc -p tsconfig.node.json` checks it against the
 * `Configuration` type.
 *
 * Signing and notarisation follow the environment and are off when it says nothing:
 * - macOS signing: `CSC_LINK` (a .p12, path or base64) with `CSC_KEY_PASSWORD`, or `CSC_NAME` (an
 *   identity already in the keychain). Without either, `identity: null`: an unsigned build that
 *   still runs (its ad-hoc signature is renewed after the fuses are flipped).
 * - macOS notarisation, only for a signed build: `APPLE_API_KEY` + `APPLE_API_KEY_ID` +
 *   `APPLE_API_ISSUER`, or `APPLE_ID` + `APPLE_APP_SPECIFIC_PASSWORD` + `APPLE_TEAM_ID`, or
 *   `APPLE_KEYCHAIN` + `APPLE_KEYCHAIN_PROFILE`.
 * - Windows signing: electron-builder reads `WIN_CSC_LINK` / `WIN_CSC_KEY_PASSWORD` (or `CSC_*`)
 *   by itself; without them the installer is unsigned.
 */
import type { Configuration } from 'electron-builder';
import { APP_RELEASE_REPOSITORY } from './shared/app-release.ts';

const present = (...names: string[]): boolean => names.every((name) => (process.env[name] ?? '').trim() !== '');

/** A Developer ID certificate was handed over (a file or a keychain identity). */
export const macSigning: boolean = present('CSC_LINK') || present('CSC_NAME');

/** Apple credentials for notarisation, used only when the app is signed. */
export const macNotarizing: boolean =
  macSigning &&
  (present('APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER') ||
    present('APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID') ||
    present('APPLE_KEYCHAIN', 'APPLE_KEYCHAIN_PROFILE'));

/**
 * Package metadata the deb needs (a homepage and a maintainer with an e-mail address) and
 * package.json does not carry. Placeholders until the project has its own page and address: the
 * homepage is microsandbox's, the address is a reserved `.invalid` one that reaches no one.
 */
const HOMEPAGE = 'https://github.com/zerocore-ai/microsandbox';
const MAINTAINER = { name: 'Microsandbox Tray contributors', email: 'maintainers@microsandbox-tray.invalid' };

const config: Configuration = {
  appId: 'dev.microsandbox.tray',
  productName: 'Microsandbox Tray',
  copyright: 'Copyright © Microsandbox Tray contributors. Apache-2.0.',
  directories: { output: 'release', buildResources: 'build' },
  // desktopName: on Linux, Electron takes its app id / WM_CLASS from it, so desktops tie the
  // window to the .desktop entry (linux.syncDesktopName names the entry the same).
  extraMetadata: { homepage: HOMEPAGE, author: MAINTAINER, desktopName: 'microsandbox-tray.desktop' },

  // Only the built app goes into app.asar: the bundles, the renderer and package.json
  // (electron-builder adds the production dependencies from node_modules by itself). Sources,
  // tests, fixtures, configs, docs, benches and source maps (they embed the TypeScript) stay out,
  // and so do the TypeScript sources and declarations some dependencies ship (ajv's lib/).
  asar: true,
  files: ['out/main/**', 'out/preload/**', 'out/renderer/**', 'package.json', '!**/*.map', '!**/*.{ts,mts,cts}'],
  // Tray images live beside app.asar, where electron/adapters/tray.ts looks first:
  // `process.resourcesPath/icons/tray`.
  extraResources: [{ from: 'build/icons/tray', to: 'icons/tray', filter: ['*.png'] }],
  icon: 'build/icon.png',
  // English UI: keep Chromium's English locales only (en-US, en-GB and macOS's en.lproj).
  electronLanguages: ['en'],
  // Pure-JavaScript dependencies: nothing to rebuild for Electron.
  npmRebuild: false,
  // The workflow uploads the releases (`--publish never`); this names where they go, so
  // electron-builder writes the update feed (latest*.yml, uploaded beside the packages) and the
  // app-update.yml electron-updater reads in the packaged app.
  publish: {
    provider: 'github',
    owner: APP_RELEASE_REPOSITORY.owner,
    repo: APP_RELEASE_REPOSITORY.repo,
    releaseType: 'release',
  },

  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    // Off: the window is served from the app's own privileged scheme (app://microsandbox-tray,
    // electron/adapters/app-protocol.ts), never from file://, so file:// pages need no powers
    // beyond plain Chromium's (with it on, a file:// page could read any local file, server.key too).
    grantFileProtocolExtraPrivileges: false,
    // Flipping fuses breaks the ad-hoc signature Electron ships with; a signed build is re-signed
    // anyway, an unsigned one needs the ad-hoc signature renewed to launch on Apple silicon.
    resetAdHocDarwinSignature: !macSigning,
  },

  mac: {
    target: [
      { target: 'dmg', arch: ['arm64', 'x64'] },
      { target: 'zip', arch: ['arm64', 'x64'] },
    ],
    category: 'public.app-category.developer-tools',
    // A menu-bar app: no Dock icon, no app menu bar of its own.
    extendInfo: { LSUIElement: true },
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    ...(macSigning ? {} : { identity: null }),
    notarize: macNotarizing,
    // File names without spaces, as they appear on a release page: microsandbox-tray-0.1.0-mac-arm64.dmg
    artifactName: '${name}-${version}-mac-${arch}.${ext}',
  },

  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
  },
  nsis: {
    // One click, for the current user, no administrator rights: installs into
    // %LOCALAPPDATA%\Programs and starts the app when done.
    oneClick: true,
    perMachine: false,
    runAfterFinish: true,
    createDesktopShortcut: false,
    createStartMenuShortcut: true,
    deleteAppDataOnUninstall: false,
    artifactName: '${name}-setup-${version}.${ext}',
  },

  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    icon: 'build/icons/linux',
    executableName: 'microsandbox-tray',
    syncDesktopName: true,
    synopsis: 'Tray companion for the microsandbox server',
    maintainer: `${MAINTAINER.name} <${MAINTAINER.email}>`,
    artifactName: '${name}-${version}-${arch}.${ext}',
  },
  deb: {
    // electron-builder's default `depends` cover Electron; the tray shows on GNOME-like desktops
    // through an AppIndicator library (and the AppIndicator shell extension).
    recommends: ['libayatana-appindicator3-1'],
  },
};

export default config;
