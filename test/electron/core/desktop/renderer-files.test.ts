import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../../shared/csp.ts';
import {
  listRendererFiles,
  mimeTypeOf,
  rendererResponse,
  resolveRendererRequest,
  type RendererFiles,
} from '../../../../electron/core/desktop/renderer-files.ts';
import type { Logger } from '../../../../electron/core/base/logger.ts';

interface World {
  tmp: string;
  root: string;
  outside: string;
  files: RendererFiles;
  warnings: string[];
}

function recordingLogger(warnings: string[]): Logger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
  };
}

let world: World;

/**
 * A renderer build as Vite makes it, plus what must never be served: a secret beside the build,
 * symlinks to it (a file and a folder), a source map and a file of an unknown type.
 */
beforeEach(async () => {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'renderer-files-'));
  const root = path.join(tmp, 'out', 'renderer');
  const outside = path.join(tmp, 'home');
  await fsp.mkdir(path.join(root, 'assets', 'fonts'), { recursive: true });
  await fsp.mkdir(outside, { recursive: true });
  await fsp.writeFile(path.join(outside, 'server.key'), 'the-server-key');
  await fsp.writeFile(
    path.join(root, 'index.html'),
    '<!doctype html><script type="module" src="./assets/index-ab12.js"></script>',
  );
  await fsp.writeFile(path.join(root, 'assets', 'index-ab12.js'), 'console.log(1);');
  await fsp.writeFile(path.join(root, 'assets', 'index-ab12.css'), 'body{}');
  await fsp.writeFile(path.join(root, 'assets', 'index-ab12.js.map'), '{}');
  await fsp.writeFile(path.join(root, 'assets', 'logo.svg'), '<svg/>');
  await fsp.writeFile(path.join(root, 'assets', 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await fsp.writeFile(path.join(root, 'assets', 'fonts', 'a.woff2'), 'font');
  await fsp.writeFile(path.join(root, 'assets', 'data.json'), '{"a":1}');
  await fsp.writeFile(path.join(root, 'favicon.ico'), 'ico');
  await fsp.writeFile(path.join(root, 'notes.xyz'), 'unknown type');
  await fsp.symlink(path.join(outside, 'server.key'), path.join(root, 'assets', 'key.js'));
  await fsp.symlink(outside, path.join(root, 'home'));
  const warnings: string[] = [];
  const files = await listRendererFiles(root, recordingLogger(warnings));
  world = { tmp, root, outside, files, warnings };
});

afterEach(async () => {
  await fsp.rm(world.tmp, { recursive: true, force: true });
});

const at = (pathname: string): string => `app://microsandbox-tray${pathname}`;

describe('listRendererFiles', () => {
  it('lists exactly the regular files of the build whose type is served', () => {
    expect([...world.files.files.keys()].sort()).toEqual([
      'assets/data.json',
      'assets/fonts/a.woff2',
      'assets/icon.png',
      'assets/index-ab12.css',
      'assets/index-ab12.js',
      'assets/logo.svg',
      'favicon.ico',
      'index.html',
    ]);
    expect(world.files.files.get('index.html')).toBe(path.join(world.files.root, 'index.html'));
  });

  it('refuses symlinks, to a file or a folder, and says so', () => {
    expect(world.files.files.has('assets/key.js')).toBe(false);
    expect([...world.files.files.keys()].some((name) => name.startsWith('home'))).toBe(false);
    expect(world.warnings.filter((warning) => warning.includes('symlink'))).toHaveLength(2);
  });

  it('takes the real path of the folder it was given', async () => {
    const link = path.join(world.tmp, 'renderer-link');
    await fsp.symlink(world.root, link);
    const listed = await listRendererFiles(link, recordingLogger([]));
    expect(listed.root).toBe(await fsp.realpath(world.root));
    expect(listed.files.get('index.html')).toBe(path.join(await fsp.realpath(world.root), 'index.html'));
  });

  it('fails for a folder that does not exist', async () => {
    await expect(listRendererFiles(path.join(world.tmp, 'nothing'), recordingLogger([]))).rejects.toThrow();
  });
});

describe('resolveRendererRequest', () => {
  it('serves the built files, / as index.html, ignoring query and fragment', () => {
    for (const [pathname, name] of [
      ['/', 'index.html'],
      ['/index.html', 'index.html'],
      ['/index.html?tab=keys#x', 'index.html'],
      ['/assets/index-ab12.js', 'assets/index-ab12.js'],
      ['/assets/fonts/a.woff2', 'assets/fonts/a.woff2'],
    ] as const) {
      const resolved = resolveRendererRequest(at(pathname), 'GET', world.files);
      expect(resolved, pathname).toMatchObject({ ok: true, name, file: world.files.files.get(name) });
    }
    expect(resolveRendererRequest(at('/index.html'), 'HEAD', world.files).ok).toBe(true);
    expect(resolveRendererRequest('app://MICROSANDBOX-TRAY/index.html', 'GET', world.files).ok).toBe(true);
  });

  it('gives each type its MIME type', () => {
    const types = Object.fromEntries(
      [
        'index.html',
        'assets/index-ab12.js',
        'assets/index-ab12.css',
        'assets/logo.svg',
        'assets/icon.png',
        'assets/data.json',
        'favicon.ico',
        'assets/fonts/a.woff2',
      ].map((name) => {
        const resolved = resolveRendererRequest(at(`/${name}`), 'GET', world.files);
        return [name, resolved.ok ? resolved.mimeType : null];
      }),
    );
    expect(types).toEqual({
      'index.html': 'text/html; charset=utf-8',
      'assets/index-ab12.js': 'text/javascript; charset=utf-8',
      'assets/index-ab12.css': 'text/css; charset=utf-8',
      'assets/logo.svg': 'image/svg+xml',
      'assets/icon.png': 'image/png',
      'assets/data.json': 'application/json',
      'favicon.ico': 'image/x-icon',
      'assets/fonts/a.woff2': 'font/woff2',
    });
    expect(mimeTypeOf('a.map')).toBeNull();
    expect(mimeTypeOf('a.XYZ')).toBeNull();
    expect(mimeTypeOf('A.HTML')).toBe('text/html; charset=utf-8');
  });

  // Each of these, were it joined to the folder naively, would reach a file outside the build.
  const TRAVERSALS = [
    '/../home/server.key',
    '/assets/../../home/server.key',
    '/%2e%2e/home/server.key',
    '/%2E%2E/%2e%2e/home/server.key',
    '/.%2e/home/server.key',
    '/assets/%2e%2e%2f%2e%2e%2fhome/server.key',
    '/..%2fhome%2fserver.key',
    '/..%2Fhome%2Fserver.key',
    '/assets%2f..%2f..%2fhome%2fserver.key',
    '/..%5chome%5cserver.key',
    '/%252e%252e/home/server.key',
    '/..\\home\\server.key',
    '/assets\\..\\..\\home\\server.key',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/etc/passwd',
    '/C:/Windows/win.ini',
    '/C:%5cWindows%5cwin.ini',
    '/index.html%00.png',
    '/index.html\0',
    '/%00',
    '/./index.html/..',
    '/assets/./index-ab12.js/',
  ];

  it('never resolves a traversal, encoded or not, to a file (the real key is never named)', () => {
    for (const pathname of TRAVERSALS) {
      const resolved = resolveRendererRequest(at(pathname), 'GET', world.files);
      if (resolved.ok) {
        // Dot segments the URL parser resolves itself may land on a built file, never outside.
        expect([...world.files.files.values()], pathname).toContain(resolved.file);
      } else {
        expect([400, 404], pathname).toContain(resolved.status);
      }
      expect(resolved.ok && resolved.file.includes('server.key'), pathname).toBe(false);
    }
  });

  it('refuses encoded separators, backslashes and NUL outright (400)', () => {
    for (const pathname of ['/..%2fhome', '/a%5cb.js', '/index.html%00', '/assets%2Findex-ab12.js']) {
      expect(resolveRendererRequest(at(pathname), 'GET', world.files), pathname).toMatchObject({
        ok: false,
        status: 400,
      });
    }
    expect(resolveRendererRequest('app://microsandbox-tray/%E0%A4%A', 'GET', world.files)).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('answers 404 for symlinked, unknown, unlisted and directory names', () => {
    for (const pathname of [
      '/assets/key.js',
      '/home/server.key',
      '/home',
      '/assets',
      '/assets/',
      '/nothing.js',
      '/notes.xyz',
      '/assets/index-ab12.js.map',
      '/INDEX.HTML',
    ]) {
      const resolved = resolveRendererRequest(at(pathname), 'GET', world.files);
      expect(resolved.ok, pathname).toBe(false);
      if (!resolved.ok) expect([400, 404], pathname).toContain(resolved.status);
    }
    expect(resolveRendererRequest(at('/assets/key.js'), 'GET', world.files)).toMatchObject({ ok: false, status: 404 });
  });

  it('serves only its own origin, without credentials or a port', () => {
    for (const url of [
      'app://evil/index.html',
      'app://microsandbox-tray.evil/index.html',
      'file:///etc/passwd',
      `file://${world.root}/index.html`,
      'http://microsandbox-tray/index.html',
      'app://user:secret@microsandbox-tray/index.html',
      'app://microsandbox-tray:1234/index.html',
      'not a url',
    ]) {
      expect(resolveRendererRequest(url, 'GET', world.files).ok, url).toBe(false);
    }
  });

  it('answers only GET and HEAD', () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'get']) {
      expect(resolveRendererRequest(at('/index.html'), method, world.files)).toMatchObject({ ok: false, status: 405 });
    }
  });
});

describe('rendererResponse', () => {
  const logger = recordingLogger([]);

  it('answers a built file with its bytes, its type, the CSP and nosniff', async () => {
    const response = await rendererResponse({ url: at('/assets/index-ab12.js'), method: 'GET' }, world.files, logger);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('console.log(1);');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-length')).toBe(String('console.log(1);'.length));
  });

  it('answers HEAD without a body', async () => {
    const response = await rendererResponse({ url: at('/index.html'), method: 'HEAD' }, world.files, logger);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('answers a refusal with an empty body and the status', async () => {
    const traversal = await rendererResponse(
      { url: at('/..%2fhome%2fserver.key'), method: 'GET' },
      world.files,
      logger,
    );
    expect(traversal.status).toBe(400);
    expect(await traversal.text()).toBe('');
    const link = await rendererResponse({ url: at('/assets/key.js'), method: 'GET' }, world.files, logger);
    expect(link.status).toBe(404);
    expect(await link.text()).toBe('');
    expect((await rendererResponse({ url: at('/index.html'), method: 'POST' }, world.files, logger)).status).toBe(405);
  });

  it('answers 404 for a listed file that has gone since, and never follows a link put in its place', async () => {
    await fsp.rm(path.join(world.root, 'assets', 'logo.svg'));
    expect((await rendererResponse({ url: at('/assets/logo.svg'), method: 'GET' }, world.files, logger)).status).toBe(
      404,
    );
    await fsp.symlink(path.join(world.outside, 'server.key'), path.join(world.root, 'assets', 'logo.svg'));
    const swapped = await rendererResponse({ url: at('/assets/logo.svg'), method: 'GET' }, world.files, logger);
    expect(swapped.status).toBe(404);
    expect(await swapped.text()).not.toContain('the-server-key');
  });
});
