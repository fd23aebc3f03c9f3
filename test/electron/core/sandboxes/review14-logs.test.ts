// Review 14: sandbox logs reach the (untrusted) window scrubbed of tokens. But a tail reads at
// most MAX_TAIL_BYTES from the end, and a line longer than that is shown from wherever the read
// began: when that falls inside an `msb_` token, what is left of it (the rest of the header, the
// payload and the signature) no longer starts with `msb_` or `eyJ…`, so no rule hides it. msb's
// header is always the same ({"typ":"JWT","alg":"HS256"}), so the usable token is rebuilt from it.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretScrubber } from '../../../../electron/core/base/scrub.ts';
import { mintToken } from '../../../../electron/core/keys/token.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { createSandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import { MAX_TAIL_BYTES } from '../../../../electron/core/server/server-log.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { kit, makeNamespace } from './helpers.ts';

describe('review 14: a sandbox log tail cut inside a token', () => {
  it('shows no usable piece of a token that straddles where the tail began reading', async (ctx) => {
    const k = kit(ctx);
    const tmp = await k.tmp();
    const home = path.join(tmp, 'home');
    const namespacesDir = path.join(home, 'namespaces');
    await makeNamespace(namespacesDir, 'team', { logs: ['web'] });
    const keyFile = path.join(home, 'server.key');
    await fsp.writeFile(keyFile, 'ServerKey0123456789ServerKey0123');
    const { token } = await mintToken({
      key: 'some-other-server-key-0123456789',
      namespace: '*',
      expiresIn: 3600,
      now: Date.now(),
    });
    // One long line (a VM printing a request log without line breaks): the read starts 12 bytes
    // into the token, inside its constant header.
    const prefix = `${'a'.repeat(1000)} Authorization: Bearer `;
    const tail = ` ${'b'.repeat(MAX_TAIL_BYTES - token.length + 12 - 2)}\n`;
    const text = `${prefix}${token}${tail}`;
    expect(Buffer.byteLength(text) - MAX_TAIL_BYTES).toBe(prefix.length + 12);
    await fsp.writeFile(path.join(namespacesDir, 'team', '.menv', 'log', 'Sandboxfile', 'web.log'), text);

    const service = createSandboxesService({
      defaultNamespacesDir: namespacesDir,
      settings: { get: () => ({ ...DEFAULT_SETTINGS }), onChange: () => () => undefined },
      server: () => ({
        state: 'stopped',
        pid: null,
        url: null,
        devMode: null,
        startedAt: null,
        external: false,
        healthy: null,
        error: null,
        warnings: [],
        restartAt: null,
      }),
      keyFile,
      scrubber: new SecretScrubber(keyFile, silentLogger),
      logger: silentLogger,
    });
    ctx.onTestFinished(() => service.dispose());
    const shown = (await service.logTail({ namespace: 'team', name: 'web', lines: 1 })).lines.join('\n');
    const [, payload = '', signature = ''] = token.slice('msb_'.length).split('.');
    expect(shown).toMatch(/bytes cut/);
    expect(shown, 'the payload and signature of the token are shown').not.toContain(`${payload}.${signature}`);
  });
});
