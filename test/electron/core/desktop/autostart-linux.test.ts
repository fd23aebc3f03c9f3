import { execFile } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AUTOSTART_FILE_NAME,
  AutostartError,
  LinuxAutostart,
  autostartDir,
  desktopEntry,
  execArgv,
  parseExecValue,
  quoteExecArg,
  readDesktopEntryGroup,
} from '../../../../electron/core/desktop/autostart-linux.ts';

const execFileAsync = promisify(execFile);

/**
 * An independent reading of an Exec value as the Desktop Entry spec describes it: first the
 * string-value escapes (`\\` → `\`, `\s`, `\n`, `\t`, `\r`), then the quoting rules (inside
 * double quotes, a backslash escapes `"`, `` ` ``, `$` and `\`), then `%%` → `%`.
 */
function parseExec(value: string): string[] {
  let unescaped = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      const n = value[++i];
      unescaped +=
        n === 's' ? ' ' : n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '\\' ? '\\' : `\\${n}`;
    } else {
      unescaped += c;
    }
  }
  const args: string[] = [];
  let current = '';
  let inArg = false;
  for (let i = 0; i < unescaped.length; i++) {
    const c = unescaped[i];
    if (c === '"') {
      inArg = true;
      for (i++; i < unescaped.length && unescaped[i] !== '"'; i++) {
        if (unescaped[i] === '\\' && /["`$\\]/.test(unescaped[i + 1] ?? '')) i++;
        current += unescaped[i];
      }
      if (i >= unescaped.length) throw new Error('unterminated quote');
    } else if (c === ' ') {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      if (c !== undefined && /["'\\><~|&;$*?#()`\s]/.test(c)) throw new Error(`unquoted reserved character ${c}`);
      current += c;
      inArg = true;
    }
  }
  if (inArg) args.push(current);
  return args.map((arg) => arg.replace(/%%/g, '%'));
}

let tmp: string;

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'autostart-'));
});

afterEach(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('autostartDir', () => {
  it('honours an absolute XDG_CONFIG_HOME', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' }, '/fallback')).toBe('/x/cfg/autostart');
  });
  it('ignores a relative or empty XDG_CONFIG_HOME', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: 'cfg', HOME: '/home/u' }, '/fallback')).toBe('/home/u/.config/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: '', HOME: '/home/u' }, '/fallback')).toBe('/home/u/.config/autostart');
  });
  it('falls back to the given home without HOME', () => {
    expect(autostartDir({}, '/fallback')).toBe('/fallback/.config/autostart');
  });
});

describe('quoteExecArg', () => {
  it.each([
    ['/usr/bin/microsandbox-tray', '/usr/bin/microsandbox-tray'],
    ['/opt/Microsandbox Tray/microsandbox-tray', '"/opt/Microsandbox Tray/microsandbox-tray"'],
    ['--hidden', '--hidden'],
    ['', '""'],
    ['100%', '100%%'],
    ['/a/$HOME', '"/a/\\\\$HOME"'],
    ['/a\\b', '"/a\\\\\\\\b"'],
    ['/a"b', '"/a\\\\"b"'],
    ["/it's", '"/it\'s"'],
    ['/a`b`', '"/a\\\\`b\\\\`"'],
  ])('writes %j as %s', (arg, expected) => {
    expect(quoteExecArg(arg)).toBe(expected);
    expect(parseExec(quoteExecArg(arg))).toEqual([arg]);
  });

  it('refuses control characters', () => {
    expect(() => quoteExecArg('/a\nb')).toThrow(AutostartError);
    expect(() => quoteExecArg('/a\tb')).toThrow(AutostartError);
  });

  it('round-trips awkward paths through an independent parser', () => {
    const samples = [
      '/home/ana maria/Applications/Microsandbox Tray.AppImage',
      '/opt/weird &;|<>~*?#()/bin',
      '/tmp/100% real/$(rm -rf ~)/`id`',
      '/C:\\Program Files\\x',
      '/unicode/ünïcødé ✓/app',
      '/many   spaces/',
    ];
    const line = samples.map(quoteExecArg).join(' ');
    expect(parseExec(line)).toEqual(samples);
  });
});

describe('desktopEntry', () => {
  it('has the keys autostart needs', () => {
    const text = desktopEntry('/opt/Microsandbox Tray/app', ['--hidden']);
    const keys = readDesktopEntryGroup(text);
    expect(text.startsWith('[Desktop Entry]\n')).toBe(true);
    expect(keys.get('Type')).toBe('Application');
    expect(keys.get('Name')).toBe('Microsandbox Tray');
    expect(keys.get('Exec')).toBe('"/opt/Microsandbox Tray/app" --hidden');
    expect(keys.get('Hidden')).toBe('false');
    expect(keys.get('X-GNOME-Autostart-enabled')).toBe('true');
    expect(keys.get('Terminal')).toBe('false');
  });
});

describe('LinuxAutostart', () => {
  it('writes, reads back and removes the entry under $XDG_CONFIG_HOME/autostart', async () => {
    const env = { XDG_CONFIG_HOME: path.join(tmp, 'config home') };
    const autostart = new LinuxAutostart({
      env,
      execPath: '/opt/Microsandbox Tray/microsandbox-tray',
      args: ['--hidden'],
    });
    const file = path.join(tmp, 'config home', 'autostart', AUTOSTART_FILE_NAME);
    expect(autostart.file).toBe(file);
    expect(await autostart.isEnabled()).toBe(false);

    await autostart.setEnabled(true);
    expect(await autostart.isEnabled()).toBe(true);
    const text = await fsp.readFile(file, 'utf8');
    expect(text).toBe(autostart.entry());
    const exec = readDesktopEntryGroup(text).get('Exec') ?? '';
    expect(parseExec(exec)).toEqual(['/opt/Microsandbox Tray/microsandbox-tray', '--hidden']);
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o644);
    // Only the entry itself is left in the folder: the atomic write cleaned up after itself.
    expect(await fsp.readdir(path.dirname(file))).toEqual([AUTOSTART_FILE_NAME]);

    await autostart.setEnabled(true); // idempotent
    expect(await autostart.isEnabled()).toBe(true);

    await autostart.setEnabled(false);
    expect(await autostart.isEnabled()).toBe(false);
    await expect(fsp.access(file)).rejects.toThrow();
    await autostart.disable(); // removing twice is fine
  });

  it('uses ~/.config/autostart when XDG_CONFIG_HOME is unset', async () => {
    const autostart = new LinuxAutostart({ env: { HOME: tmp }, execPath: '/usr/bin/app' });
    await autostart.enable();
    await expect(fsp.access(path.join(tmp, '.config', 'autostart', AUTOSTART_FILE_NAME))).resolves.toBeUndefined();
  });

  it('starts the AppImage rather than its temporary mount point', async () => {
    const env = { XDG_CONFIG_HOME: tmp, APPIMAGE: '/home/u/Apps/Microsandbox Tray.AppImage' };
    const autostart = new LinuxAutostart({ env, execPath: '/tmp/.mount_abc/microsandbox-tray' });
    await autostart.enable();
    const exec = readDesktopEntryGroup(await fsp.readFile(autostart.file, 'utf8')).get('Exec') ?? '';
    expect(parseExec(exec)).toEqual(['/home/u/Apps/Microsandbox Tray.AppImage']);
  });

  it.each([
    ['Hidden=true', false],
    ['X-GNOME-Autostart-enabled=false', false],
    ['X-GNOME-Autostart-enabled=true', true],
  ])('reads an entry edited to %s as enabled=%s', async (line, enabled) => {
    const autostart = new LinuxAutostart({ env: { XDG_CONFIG_HOME: tmp }, execPath: '/usr/bin/app' });
    await autostart.enable();
    const text = (await fsp.readFile(autostart.file, 'utf8'))
      .replace('Hidden=false\n', '')
      .replace('X-GNOME-Autostart-enabled=true\n', '');
    await fsp.writeFile(autostart.file, `${text}${line}\n`);
    expect(await autostart.isEnabled()).toBe(enabled);
  });

  it('does not count an entry without Exec, or keys of another group', async () => {
    const autostart = new LinuxAutostart({ env: { XDG_CONFIG_HOME: tmp }, execPath: '/usr/bin/app' });
    await fsp.mkdir(path.dirname(autostart.file), { recursive: true });
    await fsp.writeFile(autostart.file, '[Desktop Entry]\nType=Application\n[Desktop Action x]\nExec=/usr/bin/app\n');
    expect(await autostart.isEnabled()).toBe(false);
  });

  it('refuses to write an executable path with a newline, writing nothing', async () => {
    const autostart = new LinuxAutostart({ env: { XDG_CONFIG_HOME: tmp }, execPath: '/usr/bin/a\nExec=/bin/evil' });
    await expect(autostart.enable()).rejects.toThrow(AutostartError);
    expect(await autostart.isEnabled()).toBe(false);
  });
});

describe('the written entry, checked', () => {
  it('reads back with the module parser as the independent one does, for every awkward path', () => {
    const samples = ['/a %b\\c"d$e`f g/app', '/100%/x', "/it's/(x)", '/ünï ✓/app', '/$(id)/`id`'];
    for (const sample of samples) {
      const line = [sample, '--hidden'].map(quoteExecArg).join(' ');
      expect(parseExecValue(line)).toEqual(parseExec(line));
      expect(parseExecValue(line)).toEqual([sample, '--hidden']);
    }
    for (const bad of ['/a;b', '"/a', '/a\\x', '"/a\\b"', '/a%f', '/a%']) {
      expect(() => parseExecValue(bad), bad).toThrow(AutostartError);
    }
  });

  it('starts a program whose path holds a % through env, since GLib looks the program up before it expands %%', () => {
    expect(execArgv('/opt/100%/app', ['--hidden'])).toEqual(['env', '/opt/100%/app', '--hidden']);
    expect(execArgv('/opt/app', ['--hidden'])).toEqual(['/opt/app', '--hidden']);
    expect(() => execArgv('/opt/a=100%/app')).toThrow(AutostartError);
  });

  it('removes and reports an entry that does not read back as the program to start', async () => {
    // A lone surrogate cannot be written in UTF-8: the file would name another program.
    const autostart = new LinuxAutostart({ env: { XDG_CONFIG_HOME: tmp }, execPath: '/opt/a\uD800b/app' });
    await expect(autostart.enable()).rejects.toThrow(/did not read back/);
    expect(await autostart.isEnabled()).toBe(false);
    await expect(fsp.access(autostart.file)).rejects.toThrow();
  });

  const gio = ['/usr/bin/gio', '/bin/gio'].find((file) => existsSync(file));
  it.skipIf(gio === undefined || process.platform !== 'linux')(
    'is started by gio launch, the program at a path with %, \\, ", $, a backtick and spaces',
    async () => {
      const marker = path.join(tmp, 'ran');
      const folder = path.join(tmp, 'a %b\\c"d$e`f g');
      await fsp.mkdir(folder);
      const program = path.join(folder, 'app');
      await fsp.writeFile(program, `#!/bin/sh\nprintf '%s' "$1" > '${marker}'\n`, { mode: 0o755 });
      const autostart = new LinuxAutostart({ env: { XDG_CONFIG_HOME: tmp }, execPath: program, args: ['--hidden'] });
      await autostart.enable();
      await execFileAsync(gio ?? 'gio', ['launch', autostart.file]);
      await vi.waitFor(async () => expect(await fsp.readFile(marker, 'utf8')).toBe('--hidden'), { timeout: 10_000 });
    },
  );
});
