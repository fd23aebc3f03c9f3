/**
 * Packages the app as electron-builder would ship it and looks inside: `electron-vite build`,
 * then `electron-builder --linux dir` with the real configuration (electron-builder.config.ts)
 * and a stand-in Electron distribution (`electronDist`: a folder with a stub `electron` file that
 * carries the fuse sentinel, and a few locale files), so nothing is downloaded and the fuses are
 * really flipped. app.asar is listed with @electron/asar.
 *
 * The stand-in makes this a check of what the package CONTAINS; running the packaged app, the
 * macOS and Windows targets, signing and notarisation need the real platforms (release workflow).
 * Linux only: electron-builder builds Linux packages on Linux (CI's Linux job runs this).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { extractFile, listPackage } from '@electron/asar';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeOnLinux } from '../support/platform.ts';
import { resolveTrayIcon, trayIconDirs } from '../../electron/adapters/tray.ts';
import { trayIconName } from '../../electron/core/desktop/tray-menu.ts';
import type { ServerState } from '../../shared/server-status.ts';

// The tray adapter imports Electron for its TrayView; this file only uses its path helpers.
vi.mock('electron', () => ({ Menu: {}, Tray: class {}, nativeImage: {} }));

const run = promisify(execFile);

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CONFIG = path.join(ROOT, 'electron-builder.config.ts');
const ELECTRON_VITE = path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const ELECTRON_BUILDER = path.join(ROOT, 'node_modules', 'electron-builder', 'cli.js');
const PRODUCT_EXECUTABLE = 'microsandbox-tray';

/** Electron's fuse wire marker (what @electron/fuses looks for), then version 1 and 8 fuses. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse order of wire version 1, as in @electron/fuses' FuseV1Options. */
const FUSES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
/** Electron's defaults for those fuses ('1' on, '0' off), so a flip is visible. */
const DEFAULT_WIRE = '10110001';

const STATES: readonly ServerState[] = ['stopped', 'starting', 'running', 'stopping', 'failed'];
const PLATFORMS: readonly NodeJS.Platform[] = ['darwin', 'linux', 'win32'];

/** Dependencies that must never ship: tools for building, testing and drawing icons. */
const DEV_ONLY = [
  'vitest',
  'electron',
  'electron-builder',
  'electron-vite',
  'vite',
  'playwright-core',
  'typescript',
  'sharp',
  '@img',
  'eslint',
  '@electron/asar',
  'tsx',
  'happy-dom',
  'fast-check',
  '@types',
  '@doyensec/electronegativity',
  // The real msb for the runtime tests (86 MB with libkrunfw): users install microsandbox themselves.
  'microsandbox',
  '@superradcompany',
];

/**
 * An environment for electron-builder as a developer's shell would give it, without signing
 * secrets, with private caches, and with download mirrors on a closed loopback port: anything
 * that tried to download would fail here at once instead of reaching out. vitest's own variables
 * go: with VITEST set, electron-builder hides its log and hard-links files instead of copying.
 */
function builderEnv(cache: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CSC_|WIN_CSC_|APPLE_|VITEST|GH_TOKEN$|GITHUB_TOKEN$|NODE_ENV$|USE_HARD_LINKS$)/.test(key)) continue;
    env[key] = value;
  }
  Object.assign(env, {
    ELECTRON_BUILDER_CACHE: cache,
    XDG_CACHE_HOME: cache,
    ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    ELECTRON_BUILDER_BINARIES_MIRROR: 'http://127.0.0.1:9/',
    ...extra,
  });
  return env;
}

interface BuilderResult {
  code: number;
  output: string;
}

async function electronBuilder(args: readonly string[], env: NodeJS.ProcessEnv): Promise<BuilderResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [ELECTRON_BUILDER, ...args], {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 150_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    };
  }
}

/** name@version of every package in the production dependency tree, as npm installed it. */
function productionClosure(): Set<string> {
  const read = (dir: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
  const resolve = (from: string, name: string): string | null => {
    for (let dir = from; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
      if (dir === ROOT || path.dirname(dir) === dir) return null;
    }
  };
  const found = new Set<string>();
  const visited = new Set<string>();
  const stack = [ROOT];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    const pkg = read(dir);
    const names = Object.keys({ ...pkg.dependencies, ...(dir === ROOT ? {} : pkg.optionalDependencies) });
    for (const name of names) {
      const resolved = resolve(dir, name);
      if (resolved === null) {
        if (pkg.optionalDependencies?.[name] !== undefined) continue;
        throw new Error(`${name} (needed by ${pkg.name}) is not installed`);
      }
      if (visited.has(resolved)) continue;
      visited.add(resolved);
      const dep = read(resolved);
      found.add(`${dep.name}@${dep.version}`);
      stack.push(resolved);
    }
  }
  return found;
}

describeOnLinux(
  'the Linux package (electron-builder --linux dir)',
  'electron-builder builds Linux packages only on Linux',
  () => {
    let temp = '';
    let unpacked = '';
    let asarFile = '';
    let entries: string[] = [];
    let buildLog = '';

    beforeAll(async () => {
      temp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tray-package-'));
      const dist = path.join(temp, 'electron-dist');
      fs.mkdirSync(path.join(dist, 'locales'), { recursive: true });
      // A stub that is not Electron but carries the fuse wire, with Electron's defaults.
      fs.writeFileSync(
        path.join(dist, 'electron'),
        Buffer.concat([
          Buffer.from('#!/bin/sh\nexit 0\n'),
          Buffer.from(FUSE_SENTINEL),
          Buffer.from([1, FUSES.length]),
          Buffer.from(DEFAULT_WIRE),
        ]),
        { mode: 0o755 },
      );
      for (const locale of ['en-US', 'en-GB', 'de', 'ja'])
        fs.writeFileSync(path.join(dist, 'locales', `${locale}.pak`), locale);

      await run(process.execPath, [ELECTRON_VITE, 'build'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });

      const output = path.join(temp, 'release');
      const result = await electronBuilder(
        [
          '--linux',
          'dir',
          '--publish',
          'never',
          '--config',
          CONFIG,
          `-c.electronDist=${dist}`,
          `-c.directories.output=${output}`,
        ],
        builderEnv(path.join(temp, 'cache')),
      );
      buildLog = result.output;
      expect(result.code, buildLog).toBe(0);
      unpacked = path.join(output, 'linux-unpacked');
      asarFile = path.join(unpacked, 'resources', 'app.asar');
      entries = listPackage(asarFile, { isPack: false }).map((entry) => entry.split(path.sep).join('/'));
    }, 180_000);

    afterAll(() => {
      if (temp !== '') fs.rmSync(temp, { recursive: true, force: true });
    });

    it('loads the real configuration and downloads nothing', () => {
      expect(buildLog).toContain(`loaded configuration  file=${CONFIG}`);
      expect(buildLog).toContain('using custom unpacked Electron distribution');
      expect(buildLog).not.toMatch(/\bdownloading\b/i);
      expect(fs.existsSync(path.join(unpacked, PRODUCT_EXECUTABLE))).toBe(true);
    });

    it('holds the main and preload bundles, the renderer and package.json, and no other app file', () => {
      const app = entries.filter((entry) => !entry.startsWith('/node_modules'));
      expect(app).toContain('/out/main/main.js');
      expect(app).toContain('/out/preload/preload.cjs');
      expect(app).toContain('/out/renderer/index.html');
      expect(app.some((entry) => /^\/out\/renderer\/assets\/index-[\w-]+\.js$/.test(entry))).toBe(true);
      expect(app.some((entry) => /^\/out\/renderer\/assets\/index-[\w-]+\.css$/.test(entry))).toBe(true);
      expect(app).toContain('/package.json');
      // Everything else outside node_modules is one of those folders or files: no source, test,
      // fixture, config, doc, bench, screenshot, source map, or another test's private build.
      for (const entry of app) {
        expect(entry, entry).toMatch(/^\/(package\.json|out|out\/(main|preload|renderer)(\/.*)?)$/);
        expect(entry, entry).not.toMatch(/\.map$/);
      }
      const manifest = JSON.parse(extractFile(asarFile, 'package.json').toString('utf8')) as {
        main: string;
        type: string;
      };
      expect(manifest.main).toBe('out/main/main.js');
      expect(manifest.type).toBe('module');
    });

    it('holds nothing of the tests, fixtures, sources, docs or benches', () => {
      const outside = entries.filter((entry) => !entry.startsWith('/node_modules/'));
      for (const entry of outside) {
        expect(entry).not.toMatch(
          /^\/(test|bench|docs|screenshots|scripts|electron|shared|renderer|build|release|\.github)(\/|$)/,
        );
        expect(entry).not.toMatch(/msbserver/);
        expect(entry).not.toMatch(/\.(ts|mts|cts|tsx)$/);
        expect(entry).not.toMatch(/(^|\/)(tsconfig[^/]*\.json|vitest\.config\.ts|eslint\.config\.js)$/);
        expect(entry).not.toMatch(/(^|\/)(electron\.vite\.config\.ts|electron-builder\.config\.ts)$/);
        expect(entry).not.toMatch(/(^|\/)(package-lock\.json|README\.md)$/);
      }
      // Dependencies keep their JavaScript; TypeScript sources and declarations some ship are dropped.
      expect(entries.filter((entry) => /\.(ts|mts|cts)$/.test(entry))).toEqual([]);
    });

    it('holds exactly the production dependencies', () => {
      const packaged = new Set<string>();
      for (const entry of entries) {
        const match =
          /^\/(?:node_modules\/(?:@[^/]+\/)?[^/]+\/)*node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(entry);
        if (match === null) continue;
        const manifest = JSON.parse(extractFile(asarFile, entry.slice(1)).toString('utf8')) as {
          name?: string;
          version?: string;
        };
        // A nested package.json ("type" markers).
        if (manifest.name === undefined || manifest.version === undefined) continue;
        if (manifest.name !== match[1]) continue;
        packaged.add(`${manifest.name}@${manifest.version}`);
      }
      const names = [...packaged].map((id) => id.slice(0, id.lastIndexOf('@')));
      for (const name of ['jose', 'electron-store', 'execa', 'conf']) expect(names).toContain(name);
      for (const name of DEV_ONLY) {
        expect(
          names.filter((packagedName) => packagedName === name || packagedName.startsWith(`${name}/`)),
          name,
        ).toEqual([]);
      }
      expect([...packaged].sort()).toEqual([...productionClosure()].sort());
    });

    it('ships no microsandbox package and no msb binary, in app.asar or beside it', () => {
      expect(entries.filter((entry) => /\/(microsandbox|@superradcompany)(\/|$)/.test(entry))).toEqual([]);
      const walk = (dir: string): string[] =>
        fs
          .readdirSync(dir, { withFileTypes: true })
          .flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
      const unpackedFiles = walk(unpacked).map((file) => path.relative(unpacked, file));
      expect(
        unpackedFiles.filter((file) => /(^|[\\/])(msb|msb\.exe|libkrunfw[^/\\]*)$|superradcompany/.test(file)),
      ).toEqual([]);
    });

    it('puts the tray images where the tray adapter looks for them in a packaged app', () => {
      const resources = path.join(unpacked, 'resources');
      const trayDir = path.join(resources, 'icons', 'tray');
      const shipped = fs.readdirSync(trayDir).sort();
      const committed = fs
        .readdirSync(path.join(ROOT, 'build', 'icons', 'tray'))
        .filter((file) => file.endsWith('.png'))
        .sort();
      expect(shipped).toEqual(committed);
      // The adapter's resolver, given the packaged layout (app.getAppPath() is inside app.asar).
      const dirs = trayIconDirs(path.join(resources, 'app.asar'), resources);
      for (const platform of PLATFORMS) {
        for (const state of STATES) {
          const name = trayIconName(state, platform);
          expect(resolveTrayIcon(name, dirs)).toBe(path.join(trayDir, name));
          expect(fs.existsSync(path.join(trayDir, name)), name).toBe(true);
          if (platform === 'darwin')
            expect(fs.existsSync(path.join(trayDir, name.replace(/\.png$/, '@2x.png')))).toBe(true);
        }
      }
    });

    it('flips the Electron fuses as configured', () => {
      const binary = fs.readFileSync(path.join(unpacked, PRODUCT_EXECUTABLE));
      const at = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
      expect(binary[at]).toBe(1);
      const wire = binary.subarray(at + 2, at + 2 + FUSES.length).toString('latin1');
      const state = Object.fromEntries(FUSES.map((fuse, index) => [fuse, wire[index] === '1']));
      expect(state).toEqual({
        runAsNode: false,
        enableCookieEncryption: true,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        enableEmbeddedAsarIntegrityValidation: true,
        onlyLoadAppFromAsar: true,
        loadBrowserProcessSpecificV8Snapshot: false,
        // Off: the window is served from the app's own scheme, not file:// (see the configuration).
        grantFileProtocolExtraPrivileges: false,
      });
    });

    it("keeps only Chromium's English locales", () => {
      expect(fs.readdirSync(path.join(unpacked, 'locales')).sort()).toEqual(['en-GB.pak', 'en-US.pak']);
    });
  },
);

describeOnLinux(
  'electron-builder validates the configuration',
  'checked with the Linux build, which only Linux makes',
  () => {
    let temp = '';

    beforeAll(() => {
      temp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tray-config-'));
    });

    afterAll(() => {
      if (temp !== '') fs.rmSync(temp, { recursive: true, force: true });
    });

    /** Runs electron-builder with one unknown key injected: it stops at validation, before packaging. */
    async function withUnknownKey(extraEnv: Record<string, string> = {}): Promise<BuilderResult> {
      const output = path.join(temp, 'release');
      return electronBuilder(
        [
          '--linux',
          'dir',
          '--publish',
          'never',
          '--config',
          CONFIG,
          '-c.notAKey=1',
          `-c.electronDist=${path.join(temp, 'no-electron')}`,
          `-c.directories.output=${output}`,
        ],
        builderEnv(path.join(temp, 'cache'), extraEnv),
      );
    }

    /** The schema complaints in electron-builder's message, one per line (" - configuration…"). */
    const complaints = (output: string) => [
      ...new Set(
        output
          .split('\n')
          .filter((line) => /^\s*- configuration/.test(line))
          .map((line) => line.trim()),
      ),
    ];

    it('rejects an unknown key, before anything is packaged', async () => {
      const result = await withUnknownKey();
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/Invalid configuration object/);
      expect(result.output).toMatch(/unknown property 'notAKey'/);
      // The rest of the configuration passed: the unknown key is the only complaint.
      expect(complaints(result.output)).toEqual(["- configuration has an unknown property 'notAKey'"]);
      expect(fs.existsSync(path.join(temp, 'release', 'linux-unpacked'))).toBe(false);
    }, 60_000);

    it('also accepts the configuration a signing, notarising release build gets', async () => {
      const result = await withUnknownKey({
        CSC_LINK: path.join(temp, 'not-a-certificate.p12'),
        CSC_KEY_PASSWORD: 'unused',
        APPLE_ID: 'someone@example.invalid',
        APPLE_APP_SPECIFIC_PASSWORD: 'unused',
        APPLE_TEAM_ID: 'TEAMID0000',
      });
      expect(result.code).not.toBe(0);
      expect(complaints(result.output)).toEqual(["- configuration has an unknown property 'notAKey'"]);
    }, 60_000);
  },
);
