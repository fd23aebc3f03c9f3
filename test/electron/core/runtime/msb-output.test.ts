import { describe, expect, it } from 'vitest';
import { parseContext, parseLs, parsePs, shownUrl } from '../../../../electron/core/runtime/msb-output.ts';
import { msbErrorMessage } from '../../../../electron/core/runtime/msb-runner.ts';

const LS = 'msb ls --format json';

describe("msb's answers", () => {
  it('keeps the good rows of a listing and says why each bad one was left out', () => {
    const skipped: string[] = [];
    const rows = parseLs(
      [
        { name: 'web', status: 'Running', image: 'python', created_at: '2026-01-01T00:00:00Z' },
        { name: '-rf', status: 'Stopped' },
        { name: 'db', status: 7 },
        'not a row',
        { name: 'worker', status: 'Stopped' },
      ],
      LS,
      (reason) => skipped.push(reason),
    );
    expect(rows.map((row) => row.name)).toEqual(['web', 'worker']);
    expect(skipped).toHaveLength(3);
    expect(skipped[0]).toContain('"-rf" is not a sandbox name');
    expect(skipped[1]).toContain('entry 2.status is not text');
  });

  it('fails the whole listing on a bad row when nobody hears of skipped ones, and on a non-list', () => {
    expect(() => parseLs([{ name: '-rf', status: 'Stopped' }], LS)).toThrow(/is not a sandbox name/);
    expect(() => parseLs({ name: 'web' }, LS, () => undefined)).toThrow(/not a list/);
  });

  it('keeps the good rows of ps as well', () => {
    const skipped: string[] = [];
    const rows = parsePs(
      [
        { name: 'web', status: 'Running', cpus: 2, memory_mib: 512, ports: ['8080:80'] },
        { name: 'db', status: 'Running', ports: [80] },
      ],
      'msb ps -a --format json',
      (reason) => skipped.push(reason),
    );
    expect(rows.map((row) => row.name)).toEqual(['web']);
    expect(skipped).toEqual([expect.stringContaining('entry 1.ports is not a list of text')]);
  });

  it("shows msb context's api_url without userinfo, query or fragment", () => {
    const context = parseContext(
      { kind: 'cloud', api_url: 'https://user:pass@api.example.com/v1?token=msb_secret#x' },
      'msb context --format json',
    );
    expect(context.apiUrl).toBe('https://api.example.com/v1');
    expect(shownUrl('not a url user:pass@host?token=1')).toBe('not a url user:pass@host');
    expect(shownUrl('//user@host/path?token=1')).toBe('//host/path');
    expect(shownUrl(null)).toBeNull();
  });

  it("takes tokens out of msb's error message", () => {
    const message = msbErrorMessage('error: request to https://x/?t=msb_abc.def.ghi failed with --key s3cr3t\n');
    expect(message).not.toContain('msb_abc');
    expect(message).not.toContain('s3cr3t');
    expect(message).toContain('failed');
  });
});
