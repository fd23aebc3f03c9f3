import { describe, expect, it } from 'vitest';
import {
  DEV_MODE_EXPOSURE,
  DEV_MODE_NETWORK_EXPOSURE,
  NETWORK_EXPOSURE,
  exposureOf,
  exposureRefusal,
  hostOfUrl,
} from '../../shared/exposure.ts';
import { isLoopbackHost } from '../../shared/settings-schema.ts';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.0.0.2',
    '127.255.255.254',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::0:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
  ])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '192.168.1.20',
    '128.0.0.1',
    'fe80::1',
    '1::1',
    '::ffff:10.0.0.1',
    '::ffff:0.0.0.0',
    'localhost',
    '127.0.0.1.',
    '',
    'not an ip',
  ])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('exposureOf', () => {
  it('says in plain words who can use the server', () => {
    expect(DEV_MODE_EXPOSURE).toBe('open to every program on this computer and every web page you visit');
    expect(exposureOf(true, '127.0.0.1')).toBe(DEV_MODE_EXPOSURE);
    expect(exposureOf(true, '0.0.0.0')).toBe(DEV_MODE_NETWORK_EXPOSURE);
    expect(exposureOf(false, '0.0.0.0')).toBe(NETWORK_EXPOSURE);
    expect(exposureOf(null, '192.168.1.2')).toBe(NETWORK_EXPOSURE);
    expect(exposureOf(false, '127.0.0.1')).toBeNull();
    expect(exposureOf(false, null)).toBeNull();
    expect(exposureOf(null, null)).toBeNull();
  });

  it('reads the host out of a server URL', () => {
    expect(hostOfUrl('http://127.0.0.1:5555')).toBe('127.0.0.1');
    expect(hostOfUrl('http://[::1]:5555')).toBe('::1');
    expect(hostOfUrl('http://0.0.0.0:5555/')).toBe('0.0.0.0');
    expect(hostOfUrl(null)).toBeNull();
    expect(hostOfUrl('not a url')).toBeNull();
  });
});

describe('exposureRefusal', () => {
  it('refuses development mode on any host others reach, and nothing else', () => {
    expect(exposureRefusal({ devMode: true, host: '0.0.0.0' })).toMatch(/^Development mode on 0\.0\.0\.0 is refused/);
    expect(exposureRefusal({ devMode: true, host: '::' })).not.toBeNull();
    expect(exposureRefusal({ devMode: true, host: '127.0.0.1' })).toBeNull();
    expect(exposureRefusal({ devMode: true, host: '::1' })).toBeNull();
    expect(exposureRefusal({ devMode: false, host: '0.0.0.0' })).toBeNull();
  });
});
