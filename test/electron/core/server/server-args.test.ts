import { describe, expect, it } from 'vitest';
import { flagsFromArgv } from '../../../../electron/core/process/msbserver-argv.ts';
import { DEFAULT_HOST, DEFAULT_PORT, redactArgs, serverArgs } from '../../../../electron/core/server/server-args.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';

const defaults = { host: DEFAULT_SETTINGS.host, port: DEFAULT_SETTINGS.port, devMode: false, namespacesPath: null };

describe('serverArgs', () => {
  it('matches msbserver’s own defaults', () => {
    expect(DEFAULT_HOST).toBe('127.0.0.1');
    expect(DEFAULT_PORT).toBe(5555);
    expect(DEFAULT_SETTINGS.host).toBe(DEFAULT_HOST);
    expect(DEFAULT_SETTINGS.port).toBe(DEFAULT_PORT);
  });

  it('forwards nothing but the key when everything is at its default', () => {
    expect(serverArgs(defaults, 'k3y')).toEqual(['--key=k3y']);
  });

  it('forwards nothing at all with no key and defaults (the caller checks that a key is needed)', () => {
    expect(serverArgs(defaults, null)).toEqual([]);
  });

  it('passes --dev and never a key in dev mode', () => {
    expect(serverArgs({ ...defaults, devMode: true }, 'k3y')).toEqual(['--dev']);
    expect(serverArgs({ ...defaults, devMode: true }, null)).toEqual(['--dev']);
  });

  it('passes the key as one --key=<key> argument in secure mode', () => {
    const args = serverArgs(defaults, 'AbCdEfGhIjKlMnOpQrStUvWxYz012345');
    expect(args).toEqual(['--key=AbCdEfGhIjKlMnOpQrStUvWxYz012345']);
    expect(args).not.toContain('--dev');
  });

  it('keeps a key that starts with - (or holds = and spaces) in one argument', () => {
    expect(serverArgs(defaults, '-dash')).toEqual(['--key=-dash']);
    expect(serverArgs(defaults, '--dev')).toEqual(['--key=--dev']);
    expect(serverArgs(defaults, 'a=b c')).toEqual(['--key=a=b c']);
  });

  it('passes --host only when it is not 127.0.0.1', () => {
    expect(serverArgs({ ...defaults, host: '127.0.0.1' }, 'k')).not.toContain('--host');
    expect(serverArgs({ ...defaults, host: '0.0.0.0' }, 'k')).toEqual(['--key=k', '--host', '0.0.0.0']);
    expect(serverArgs({ ...defaults, host: '::1' }, 'k')).toEqual(['--key=k', '--host', '::1']);
  });

  it('passes --port only when it is not 5555', () => {
    expect(serverArgs({ ...defaults, port: 5555 }, 'k')).not.toContain('--port');
    expect(serverArgs({ ...defaults, port: 7000 }, 'k')).toEqual(['--key=k', '--port', '7000']);
    expect(serverArgs({ ...defaults, port: 1 }, 'k')).toEqual(['--key=k', '--port', '1']);
  });

  it('passes --path when a namespaces path is set', () => {
    expect(serverArgs({ ...defaults, namespacesPath: '/srv/my namespaces' }, 'k')).toEqual([
      '--key=k',
      '--path',
      '/srv/my namespaces',
    ]);
  });

  it('puts it all together in a fixed order', () => {
    expect(serverArgs({ host: '10.0.0.2', port: 6000, devMode: true, namespacesPath: '/ns' }, 'ignored')).toEqual([
      '--dev',
      '--host',
      '10.0.0.2',
      '--port',
      '6000',
      '--path',
      '/ns',
    ]);
  });

  it('reads back through flagsFromArgv', () => {
    for (const flags of [
      defaults,
      { ...defaults, devMode: true },
      { host: '0.0.0.0', port: 7000, devMode: false, namespacesPath: '/ns' },
      { host: '::1', port: 65_535, devMode: true, namespacesPath: null },
    ]) {
      const { host, port, devMode } = flags;
      expect(flagsFromArgv(serverArgs(flags, '--port=1'))).toEqual({ host, port, devMode });
    }
  });
});

describe('redactArgs', () => {
  it.each([
    [
      ['--key', 'secret'],
      ['--key', '<redacted>'],
    ],
    [
      ['-k', 'secret'],
      ['-k', '<redacted>'],
    ],
    [['--key=secret'], ['--key=<redacted>']],
    [['--key='], ['--key=<redacted>']],
    [['--key=-dash'], ['--key=<redacted>']],
    [
      ['--dev', '--port', '6000', '--key=s', '--host', '::1'],
      ['--dev', '--port', '6000', '--key=<redacted>', '--host', '::1'],
    ],
    [
      ['--path', '/ns', '-k', 's', '--port', '1'],
      ['--path', '/ns', '-k', '<redacted>', '--port', '1'],
    ],
    [['-ksecret'], ['-k<redacted>']],
    [['-k=secret'], ['-k=<redacted>']],
    [['--key'], ['--key']],
    [[], []],
  ])('%j → %j', (args, expected) => {
    expect(redactArgs(args)).toEqual(expected);
  });

  it('leaves other arguments alone', () => {
    const args = ['--keys=x', '--keyfile', 'f', '--path', '/key=1', 'key'];
    expect(redactArgs(args)).toEqual(args);
  });

  it('never lets the key through, whatever spelling serverArgs chose', () => {
    const key = 'Zz9-secret-value';
    const shown = redactArgs(
      serverArgs({ host: '0.0.0.0', port: 6000, devMode: false, namespacesPath: '/ns' }, key),
    ).join(' ');
    expect(shown).not.toContain(key);
    expect(shown).not.toContain('secret');
  });

  it('does not change its input', () => {
    const args = ['--key', 'secret'];
    redactArgs(args);
    expect(args).toEqual(['--key', 'secret']);
  });
});
