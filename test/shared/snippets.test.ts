import { execFileSync } from 'node:child_process';
import { parse as parseWithNodeDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import {
  dotenvQuote,
  dotenvSnippet,
  exportLine,
  maskToken,
  mcpConfig,
  mcpUrl,
  shellQuote,
} from '../../shared/snippets.ts';
import { TOKEN } from '../renderer/fake-msb.ts';

/** What a POSIX shell makes of `export MSB_API_KEY=…`. */
function shellValue(line: string): string {
  return execFileSync('/bin/sh', ['-c', `${line}\nprintf %s "$MSB_API_KEY"`], { encoding: 'utf8', env: {} });
}

/** python-dotenv's value rules for the cases the builder emits: bare, '…' literal, "…" with escapes. */
function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    const raw = line.slice(eq + 1);
    if (raw.startsWith("'") && raw.endsWith("'")) out[key] = raw.slice(1, -1);
    else if (raw.startsWith('"') && raw.endsWith('"')) {
      out[key] = raw.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
    } else out[key] = raw;
  }
  return out;
}

const AWKWARD = ["it's", 'two words', 'a"quote', 'back\\slash', '$HOME', '`id`', 'x#y', 'semi;colon', '', 'ünï'];

describe('the export line', () => {
  it('leaves a real token bare', () => {
    expect(exportLine(TOKEN)).toBe(`export MSB_API_KEY=${TOKEN}`);
    expect(shellValue(exportLine(TOKEN))).toBe(TOKEN);
  });

  it.each(AWKWARD)('quotes %j so that sh reads it back unchanged', (value) => {
    expect(shellValue(exportLine(value))).toBe(value);
  });

  it("quotes with single quotes, writing a quote as '\\''", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('the .env snippet', () => {
  it('carries MSB_API_KEY and MSB_SERVER_URL, one a line', () => {
    const text = dotenvSnippet(TOKEN, 'http://127.0.0.1:5555');
    expect(text).toBe(`MSB_API_KEY=${TOKEN}\nMSB_SERVER_URL=http://127.0.0.1:5555\n`);
    expect(parseDotenv(text)).toEqual({ MSB_API_KEY: TOKEN, MSB_SERVER_URL: 'http://127.0.0.1:5555' });
    expect(parseWithNodeDotenv(text)).toEqual({ MSB_API_KEY: TOKEN, MSB_SERVER_URL: 'http://127.0.0.1:5555' });
  });

  it.each(AWKWARD.filter((v) => v !== ''))('quotes %j so that dotenv parsers read it back', (value) => {
    const text = dotenvSnippet(value, 'http://[::1]:5555');
    expect(parseDotenv(text)).toEqual({ MSB_API_KEY: value, MSB_SERVER_URL: 'http://[::1]:5555' });
    if (!value.includes("'")) expect(parseWithNodeDotenv(text)['MSB_API_KEY']).toBe(value);
  });

  it('uses double quotes with escapes for a value holding a single quote or a line break', () => {
    expect(dotenvQuote("it's")).toBe(`"it's"`);
    expect(dotenvQuote('a\nb')).toBe('"a\\nb"');
    expect(parseDotenv(`K=${dotenvQuote('a\nb"c\\')}`)).toEqual({ K: 'a\nb"c\\' });
  });
});

describe('the MCP configuration', () => {
  it("points at the server's /mcp with an Authorization: Bearer header", () => {
    const parsed: unknown = JSON.parse(mcpConfig(TOKEN, 'http://127.0.0.1:5555'));
    expect(parsed).toEqual({
      mcpServers: { microsandbox: { url: 'http://127.0.0.1:5555/mcp', headers: { Authorization: `Bearer ${TOKEN}` } } },
    });
  });

  it('never doubles the slash and escapes what JSON needs', () => {
    expect(mcpUrl('http://127.0.0.1:5555/')).toBe('http://127.0.0.1:5555/mcp');
    const parsed = JSON.parse(mcpConfig('a"b\\c', 'http://[::1]:7000')) as {
      mcpServers: { microsandbox: { url: string; headers: { Authorization: string } } };
    };
    expect(parsed.mcpServers.microsandbox.headers.Authorization).toBe('Bearer a"b\\c');
    expect(parsed.mcpServers.microsandbox.url).toBe('http://[::1]:7000/mcp');
  });
});

describe('maskToken', () => {
  it('shows the constant start and the last four characters only', () => {
    const masked = maskToken(TOKEN);
    expect(masked.startsWith('msb_eyJ0')).toBe(true);
    expect(masked.endsWith(TOKEN.slice(-4))).toBe(true);
    expect(masked).toContain('••••');
    // Nothing of the claims or most of the signature shows.
    expect(masked.length).toBeLessThan(30);
    expect(masked).not.toContain(TOKEN.slice(40, 60));
  });

  it('does not reveal the length', () => {
    expect(maskToken(`${TOKEN}abcdefgh`).length).toBe(maskToken(TOKEN).length);
  });

  it('masks a short value completely', () => {
    expect(maskToken('secret')).toBe('•'.repeat(16));
  });
});
