import { describe, expect, it } from 'vitest';
import { flagsFromArgv } from '../../../../electron/core/process/msbserver-argv.ts';

describe('flagsFromArgv', () => {
  it('gives msbserver’s defaults for an empty argv', () => {
    expect(flagsFromArgv([])).toEqual({ host: '127.0.0.1', port: 5555, devMode: false });
  });

  it.each([
    [['--host', '0.0.0.0'], { host: '0.0.0.0' }],
    [['--host=10.1.2.3'], { host: '10.1.2.3' }],
    [['--host', '::'], { host: '::' }],
    [['--port', '7000'], { port: 7000 }],
    [['--port=7000'], { port: 7000 }],
    [['--port', '65535'], { port: 65_535 }],
    [['--port', '1'], { port: 1 }],
    [['--dev'], { devMode: true }],
    [['--key', 'abc', '--dev', '--port', '6000', '--host', '0.0.0.0'], { host: '0.0.0.0', port: 6000, devMode: true }],
    [['/home/u/.local/bin/msbserver', '--key=abc', '--port=6001', '-p', '/ns'], { port: 6001 }],
  ])('reads %j', (argv, expected) => {
    expect(flagsFromArgv(argv)).toEqual({ host: '127.0.0.1', port: 5555, devMode: false, ...expected });
  });

  it.each([
    [['--port', 'abc']],
    [['--port', '0']],
    [['--port', '65536']],
    [['--port', '70000']],
    [['--port', '-1']],
    [['--port', '12.5']],
    [['--port', '']],
    [['--port=']],
    [['--port']],
    [['--port=NaN']],
  ])('ignores a bad port in %j', (argv) => {
    expect(flagsFromArgv(argv).port).toBe(5555);
  });

  it('keeps the last good port when a later one is bad', () => {
    expect(flagsFromArgv(['--port', '6000', '--port', 'x']).port).toBe(6000);
  });

  it('takes the last of repeated flags', () => {
    expect(flagsFromArgv(['--host', '10.0.0.1', '--host=10.0.0.2'])).toMatchObject({ host: '10.0.0.2' });
  });

  it('keeps the default host when --host has no value', () => {
    expect(flagsFromArgv(['--host']).host).toBe('127.0.0.1');
  });

  it('does not take a key’s value for a flag', () => {
    expect(flagsFromArgv(['--key=--dev'])).toEqual({ host: '127.0.0.1', port: 5555, devMode: false });
  });

  it('does not mistake similar flags', () => {
    expect(flagsFromArgv(['--devel', '--hostname', 'x', '--ports', '7000', '--port-x=1'])).toEqual({
      host: '127.0.0.1',
      port: 5555,
      devMode: false,
    });
  });
});
