import { describe, expect, it } from 'vitest';
import { HIDDEN_KEY, HIDDEN_TOKEN, scrubSecrets } from '../../../../electron/core/base/scrub.ts';

const KEY = 'Zx8v2QmT4nLp0aRs6uWy1bCd3eFg5hJk';
const TOKEN =
  'msb_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.' +
  'eyJleHAiOjE3MDAwMDM2MDAsImlhdCI6MTcwMDAwMDAwMCwibmFtZXNwYWNlIjoidGVhbS1hIn0.c2lnbmF0dXJl';

describe('scrubSecrets', () => {
  it.each([
    [`starting with --key=${KEY} --port 5555`, `starting with --key=${HIDDEN_KEY} --port 5555`],
    [`argv: msbserver --key ${KEY}`, `argv: msbserver --key ${HIDDEN_KEY}`],
    [`argv: msbserver -k ${KEY}`, `argv: msbserver -k ${HIDDEN_KEY}`],
    [`key is ${KEY}.`, `key is ${HIDDEN_KEY}.`],
    [`Authorization: Bearer ${TOKEN}`, `Authorization: Bearer ${HIDDEN_TOKEN}`],
    [`jwt ${TOKEN.slice(4)} rejected`, 'jwt [token hidden] rejected'],
    ['✓ Server listening on 127.0.0.1:5555', '✓ Server listening on 127.0.0.1:5555'],
  ])('%j', (line, expected) => {
    expect(scrubSecrets(line, KEY)).toBe(expected);
  });

  it('takes -k and --key for flags only where a word starts, not inside a path or a name', () => {
    const line =
      "Could not open the server log /tmp/msb-tray-lifecycle-kQ2DUA/logs/msbserver.log: EEXIST, mkdir '/tmp/x-kA/logs'";
    expect(scrubSecrets(line, KEY)).toBe(line);
    expect(scrubSecrets('run-key --key-file x', KEY)).toBe('run-key --key-file x');
    // The value runs to the next blank: what follows it in the same word goes with it.
    expect(scrubSecrets(`argv: ["msbserver","-k${KEY}"]`, null)).toBe(`argv: ["msbserver","-k${HIDDEN_KEY}`);
    expect(scrubSecrets(`'--key=${KEY}'`, null)).toBe(`'--key=${HIDDEN_KEY}`);
    expect(scrubSecrets(`-k ${KEY}`, null)).toBe(`-k ${HIDDEN_KEY}`);
  });

  it('scrubs a key with a trailing newline by its line too, and leaves text alone without a key', () => {
    expect(scrubSecrets(`key ${KEY} here`, `${KEY}\n`)).toBe(`key ${HIDDEN_KEY} here`);
    expect(scrubSecrets('nothing secret', null)).toBe('nothing secret');
    expect(scrubSecrets('abc abc', 'abc')).toBe('abc abc'); // too short to scrub without wrecking the text
  });

  it('scrubs the key in its base64, base64url and hex forms too', () => {
    const raw = Buffer.from(KEY, 'utf8');
    const forms = [
      raw.toString('base64'),
      raw.toString('base64').replace(/=+$/, ''),
      raw.toString('base64url'),
      raw.toString('hex'),
      raw.toString('hex').toUpperCase(),
    ];
    for (const form of forms) {
      const out = scrubSecrets(`auth: ${form} end`, KEY);
      expect(out, form).toBe(`auth: ${HIDDEN_KEY} end`);
    }
  });
});
