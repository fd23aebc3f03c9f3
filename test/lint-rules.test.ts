import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The boundary rule is what keeps electron/core testable under plain Node: prove it bites.
describe('lint boundary', () => {
  const eslint = new ESLint({ cwd: process.cwd() });

  for (const file of ['electron/core/probe.ts', 'shared/probe.ts']) {
    for (const source of ["import { app } from 'electron';", "import Store from 'electron-store';"]) {
      it(`rejects "${source}" in ${file}`, async () => {
        const [result] = await eslint.lintText(`${source}\nexport const x = 1;\n`, { filePath: file });
        const ids = result?.messages.map((m) => m.ruleId) ?? [];
        expect(ids).toContain('no-restricted-imports');
      });
    }
  }

  it('allows electron in the adapters', async () => {
    const [result] = await eslint.lintText("import { app } from 'electron';\nexport const x = app;\n", {
      filePath: 'electron/adapters/probe.ts',
    });
    expect(result?.messages.map((m) => m.ruleId)).not.toContain('no-restricted-imports');
  });
});
