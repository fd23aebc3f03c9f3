// The tray menu as people see it, for the README and for review: the menu model main builds,
// drawn in Chromium the way a native menu looks (a real menu needs the Electron binary). The
// drawing is checked against the model, so a picture never shows a menu the app does not build.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrayMenu, type TrayMenuItem } from '../../electron/core/desktop/tray-menu.ts';
import type { SandboxesView, SandboxInfo } from '../../shared/sandboxes.ts';
import { INITIAL_SNAPSHOT, type ServerSnapshot } from '../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../shared/settings-schema.ts';
import type { SetupState } from '../../shared/setup.ts';
import { launchChromium, requireChromium, SCREENSHOT_DIR } from './harness.ts';

const DOC_IMAGES = path.join(SCREENSHOT_DIR, '..', 'docs', 'images');
let browser: Browser;

beforeAll(async () => {
  requireChromium();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const RUNNING: ServerSnapshot = {
  ...INITIAL_SNAPSHOT,
  state: 'running',
  pid: 48213,
  url: 'http://127.0.0.1:5555',
  devMode: false,
  startedAt: Date.now() - 3_600_000,
  healthy: true,
};

function sandbox(name: string, memoryMiB: number): SandboxInfo {
  return {
    name,
    state: 'running',
    supervisorPid: 1,
    microvmPid: 2,
    startedAt: 1,
    memoryBytes: memoryMiB * 1024 * 1024,
    cpuPercent: 2,
    diskBytes: null,
    portalPort: 40_123,
    logPath: '/x.log',
  };
}

const FLEET: SandboxesView = {
  namespacesDir: '/home/me/.microsandbox/namespaces',
  namespaces: [
    { name: 'default', error: null, sandboxes: [sandbox('python-dev', 212)] },
    { name: 'agents', error: null, sandboxes: [sandbox('browser', 480), sandbox('notebook', 96)] },
  ],
};

const ESC: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => ESC[c] ?? c);

/** The menu and, beside it, the submenu named `open`, as HTML. */
function drawMenu(items: readonly TrayMenuItem[], open: string | null): string {
  const list = (entries: readonly TrayMenuItem[]): string =>
    `<ul class="menu">${entries
      .map((item) => {
        if (item.type === 'separator') return '<li class="sep"></li>';
        const classes = [
          item.enabled === false ? 'off' : '',
          item.type === 'submenu' ? 'sub' : '',
          item.label === open ? 'hot' : '',
        ].join(' ');
        const check = item.type === 'checkbox' ? (item.checked === true ? '✓' : '') : '';
        const arrow = item.type === 'submenu' ? '<span class="arrow">▸</span>' : '';
        const label = `<span class="label">${escape(item.label ?? '')}</span>`;
        return `<li class="${classes}"><span class="check">${check}</span>${label}${arrow}</li>`;
      })
      .join('')}</ul>`;
  const submenu = items.find((item) => item.label === open)?.submenu;
  return `<div class="menus">${list(items)}${submenu === undefined ? '' : list(submenu)}</div>`;
}

const STYLE = `
  :root { color-scheme: light dark; font: 13px system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; padding: 16px; background: Canvas; }
  .menus { display: flex; align-items: flex-start; gap: 2px; }
  .menu { list-style: none; margin: 0; padding: 5px 0; min-width: 250px; border-radius: 7px;
    background: light-dark(#f6f6f6, #2b2b2b);
    color: light-dark(#1d1d1f, #ececec); box-shadow: 0 6px 24px rgb(0 0 0 / 0.25), 0 0 0 0.5px rgb(0 0 0 / 0.2); }
  .menu li { display: flex; align-items: center; padding: 3px 14px 3px 6px; white-space: nowrap; }
  .menu li.off { color: light-dark(#8a8a8e, #8d8d92); }
  .menu li.hot { background: light-dark(#3b82f6, #2f6fdf); color: white; border-radius: 4px; margin: 0 5px;
    padding-left: 1px; padding-right: 9px; }
  .menu li.sep { height: 1px; padding: 0; margin: 5px 10px; background: light-dark(#d9d9d9, #444); }
  .check { width: 16px; text-align: center; }
  .label { flex: 1; }
  .arrow { margin-left: 18px; }
`;

async function render(
  items: readonly TrayMenuItem[],
  open: string | null,
  colorScheme: 'light' | 'dark',
  file: string,
): Promise<string[]> {
  const page = await browser.newPage({ viewport: { width: 640, height: 760 } });
  try {
    await page.emulateMedia({ colorScheme });
    await page.setContent(`<!doctype html><style>${STYLE}</style>${drawMenu(items, open)}`);
    const box = await page.locator('.menus').boundingBox();
    if (box === null) throw new Error('the menu was not drawn');
    await page.screenshot({
      path: file,
      clip: { x: 0, y: 0, width: Math.ceil(box.x + box.width + 16), height: Math.ceil(box.y + box.height + 16) },
    });
    return await page.locator('.menu').first().locator('li:not(.sep) .label').allTextContents();
  } finally {
    await page.close();
  }
}

describe('the tray menu, drawn', () => {
  const states: {
    name: string;
    snapshot: ServerSnapshot;
    setup: SetupState;
    sandboxes: SandboxesView | null;
    open: string | null;
  }[] = [
    {
      name: 'running',
      snapshot: RUNNING,
      setup: { kind: 'ready', msbserver: '/m/msbserver', msbrun: { found: true, searched: [] } },
      sandboxes: FLEET,
      open: 'Sandboxes',
    },
    {
      name: 'keys',
      snapshot: RUNNING,
      setup: { kind: 'ready', msbserver: '/m/msbserver', msbrun: { found: true, searched: [] } },
      sandboxes: FLEET,
      open: 'Copy New API Key',
    },
    {
      name: 'first-run',
      snapshot: INITIAL_SNAPSHOT,
      setup: {
        kind: 'missing',
        locate: { found: false, searched: [], problem: 'msbserver was not found.', hint: '', reason: 'missing' },
      },
      sandboxes: null,
      open: null,
    },
    {
      name: 'restarting',
      snapshot: {
        ...INITIAL_SNAPSHOT,
        state: 'failed',
        restartAt: Date.now() + 4_000,
        error: {
          code: 'crashed',
          message: 'msbserver exited unexpectedly (code 101).',
          exitCode: 101,
          signal: null,
          logTail: [],
          searched: [],
          at: Date.now(),
        },
      },
      setup: { kind: 'ready', msbserver: '/m/msbserver', msbrun: { found: true, searched: [] } },
      sandboxes: null,
      open: null,
    },
  ];

  it.each(states)(
    '$name, light and dark, shows exactly the items main builds',
    async ({ name, snapshot, setup, sandboxes, open }) => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const items = buildTrayMenu({
        snapshot,
        settings: DEFAULT_SETTINGS,
        platform: 'darwin',
        startAtLogin: true,
        sandboxes,
        setup,
        now: Date.now(),
      });
      for (const colorScheme of ['light', 'dark'] as const) {
        const shown = await render(
          items,
          open,
          colorScheme,
          path.join(SCREENSHOT_DIR, `tray-menu-${name}-${colorScheme}.png`),
        );
        expect(shown).toEqual(items.filter((item) => item.type !== 'separator').map((item) => item.label ?? ''));
      }
      // The README's picture, refreshed on request (it is committed).
      if (process.env['UPDATE_DOC_IMAGES'] === '1' && name === 'running') {
        mkdirSync(DOC_IMAGES, { recursive: true });
        await render(items, open, 'light', path.join(DOC_IMAGES, 'tray-menu-light.png'));
      }
    },
  );
});
