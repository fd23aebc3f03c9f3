import type { Reporter, TestModule } from 'vitest/node';
// The augmentation of vitest's TaskMeta (`needs`) lives with the helpers that set it.
import type {} from './platform.ts';

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, that CI reads whatever
 * the runner; skipped tests are counted so a skipped suite never passes for one that ran. Above
 * it, one line per reason tests were skipped for (what they need that this machine lacks, or the
 * note given to `ctx.skip`), so a platform's skips are never silent.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const reasons = new Map<string, { tests: number; files: Set<string> }>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failed++;
        else {
          skipped++;
          const needs = test.meta().needs;
          const reason =
            needs !== undefined
              ? `${needs}; this is ${process.platform}`
              : result.state === 'skipped'
                ? result.note
                : undefined;
          // A skip nobody explained still gets its line, so it cannot pass unseen.
          const said = reason ?? 'no reason given (give it one: meta.needs or a ctx.skip note)';
          const entry = reasons.get(said) ?? { tests: 0, files: new Set<string>() };
          entry.tests++;
          entry.files.add(module.relativeModuleId);
          reasons.set(said, entry);
        }
      }
      if (module.state() === 'failed' && module.children.size === 0) failed++;
    }
    let lines = '';
    for (const [reason, { tests, files }] of reasons) {
      const where = files.size === 1 ? [...files][0] : `${files.size} files`;
      lines += `skipped ${tests} ${tests === 1 ? 'test' : 'tests'} (${where}): ${reason}\n`;
    }
    process.stdout.write(`\n${lines}tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
