/** The tray icon: turns the core's menu model into Electron's Menu and keeps icon and tooltip current. */
import fs from 'node:fs';
import path from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import type { MenuItemConstructorOptions, NativeImage } from 'electron';
import type { Disposable } from '../core/base/disposable.ts';
import type { Logger } from '../core/base/logger.ts';
import type { TrayAction, TrayMenuItem } from '../core/desktop/tray-menu.ts';

/**
 * Where the tray images are: `<resources>/icons/tray` in a packaged app (electron-builder
 * `extraResources` from `build/icons/tray`), `<app>/build/icons/tray` when run from the sources.
 * The first folder that holds `file` wins; when none does, the last candidate is returned so the
 * missing path shows up in the warning.
 */
export function resolveTrayIcon(file: string, dirs: readonly string[]): string {
  for (const dir of dirs) {
    const candidate = path.join(dir, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.join(dirs.at(-1) ?? '.', file);
}

export function trayIconDirs(appPath: string, resourcesPath: string | undefined): string[] {
  const dirs: string[] = [];
  if (resourcesPath !== undefined && resourcesPath !== '') dirs.push(path.join(resourcesPath, 'icons', 'tray'));
  dirs.push(path.join(appPath, 'build', 'icons', 'tray'));
  return dirs;
}

export function toMenuTemplate(
  items: readonly TrayMenuItem[],
  onAction: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item) => {
    if (item.type === 'separator') return { type: 'separator' };
    const options: MenuItemConstructorOptions = {};
    if (item.id !== undefined) {
      const action = item.id;
      options.id = action;
      options.click = () => onAction(action);
    }
    if (item.label !== undefined) options.label = item.label;
    if (item.type !== undefined) options.type = item.type;
    if (item.enabled !== undefined) options.enabled = item.enabled;
    if (item.checked !== undefined) options.checked = item.checked;
    if (item.submenu !== undefined) options.submenu = toMenuTemplate(item.submenu, onAction);
    return options;
  });
}

export interface TrayViewOptions {
  readonly iconDirs: readonly string[];
  readonly platform: NodeJS.Platform;
  readonly onAction: (action: TrayAction) => void;
  /** A plain left click (Windows opens the window; macOS and Linux show the menu). */
  readonly onClick?: (() => void) | undefined;
  /**
   * The menu opened (true) or closed (false), where Electron says so: macOS only
   * (`menu-will-show` / `menu-will-close`). Windows and Linux tell nothing before a tray menu
   * opens (on Linux the menu is drawn by the desktop's StatusNotifier host), so there the menu
   * shows the figures of the last listing, and metrics are sampled only while the window's
   * Sandboxes view is open.
   */
  readonly onMenuOpen?: ((open: boolean) => void) | undefined;
  readonly logger: Logger;
}

export class TrayView implements Disposable {
  readonly #options: TrayViewOptions;
  #tray: Tray | null = null;
  #iconFile = '';
  #menuOpen = false;
  #pending: Menu | null = null;

  constructor(options: TrayViewOptions) {
    this.#options = options;
  }

  render(view: { items: readonly TrayMenuItem[]; iconFile: string; tooltip: string }): void {
    const tray = this.#ensure(view.iconFile);
    if (view.iconFile !== this.#iconFile) {
      tray.setImage(this.#image(view.iconFile));
      this.#iconFile = view.iconFile;
    }
    tray.setToolTip(view.tooltip);
    const menu = Menu.buildFromTemplate(toMenuTemplate(view.items, this.#options.onAction));
    const onMenuOpen = this.#options.onMenuOpen;
    if (onMenuOpen !== undefined && this.#options.platform === 'darwin') {
      menu.on('menu-will-show', () => {
        this.#menuOpen = true;
        onMenuOpen(true);
      });
      menu.on('menu-will-close', () => {
        this.#menuOpen = false;
        onMenuOpen(false);
        // A menu built while this one was open (fresh figures) is the one the next click shows.
        if (this.#pending !== null) tray.setContextMenu(this.#pending);
        this.#pending = null;
      });
    }
    // Never swap the menu under the user's pointer.
    if (this.#menuOpen) this.#pending = menu;
    else tray.setContextMenu(menu);
  }

  dispose(): void {
    this.#tray?.destroy();
    this.#tray = null;
  }

  #ensure(iconFile: string): Tray {
    if (this.#tray !== null) return this.#tray;
    const tray = new Tray(this.#image(iconFile));
    this.#iconFile = iconFile;
    const onClick = this.#options.onClick;
    if (onClick !== undefined) tray.on('click', () => onClick());
    this.#tray = tray;
    return tray;
  }

  #image(iconFile: string): NativeImage {
    const file = resolveTrayIcon(iconFile, this.#options.iconDirs);
    const image = nativeImage.createFromPath(file);
    if (image.isEmpty()) this.#options.logger.warn(`Tray icon not found or unreadable: ${file}`);
    if (this.#options.platform === 'darwin') image.setTemplateImage(true);
    return image;
  }
}
