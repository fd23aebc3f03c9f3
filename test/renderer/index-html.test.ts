import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';

const rendererDir = fileURLToPath(new URL('../../renderer/', import.meta.url));
const html = readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
const sources = readdirSync(path.join(rendererDir, 'src'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(path.join(rendererDir, 'src', name), 'utf8') }));

describe('renderer/index.html', () => {
  it('carries the shared Content-Security-Policy in a meta tag', () => {
    const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    expect(match?.[1]).toBe(CONTENT_SECURITY_POLICY);
  });

  it('has no inline script, inline style or style attribute, and loads nothing from the network', () => {
    for (const script of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(script[1]).toMatch(/\bsrc="\.\//);
      expect(script[2]!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('renderer sources', () => {
  it.each(sources)('$name never sets a style attribute, parses HTML or touches storage', ({ text }) => {
    expect(text).not.toMatch(/setAttribute\(\s*['"]style['"]/);
    expect(text).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/);
    expect(text).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie/);
    expect(text).not.toMatch(/\bfetch\(|XMLHttpRequest|WebSocket|setInterval\([^)]*(status|getSettings|logTail)/);
  });

  it('talk to main only through window.msb, read in one place', () => {
    const users = sources.filter(({ text }) => /window\.msb/.test(text)).map(({ name }) => name);
    expect(users).toEqual(['main.ts']);
  });
});
