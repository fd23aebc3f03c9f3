/**
 * What the GitHub workflows (.github/workflows/*.yml) and the npm scripts name must exist: a
 * file or folder of the checkout, an npm script, a vitest project, a vitest filter that selects
 * at least one test file. vitest takes a path argument as a filter and quietly runs fewer tests
 * when it matches nothing, so a moved file would otherwise drop out of CI without a word. And
 * every selection of vitest.config.ts's projects must match at least one test file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_RELEASE_REPOSITORY } from '../../shared/app-release.ts';
import { ALL_TESTS, PORTABLE_TESTS, PROJECTS as PROJECT_CONFIGS } from '../../vitest.config.ts';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const WORKFLOW_DIR = path.join(ROOT, '.github', 'workflows');
const WORKFLOWS = fs.readdirSync(WORKFLOW_DIR).filter((name) => /\.ya?ml$/.test(name));
const SCRIPTS = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** Every test file, relative to the root with `/` separators, as vitest's filters see them. */
const TEST_FILES = fs
  .readdirSync(path.join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .map((file) => `test/${file.split(path.sep).join('/')}`)
  .filter((file) => file.endsWith('.test.ts') && !file.includes('/node_modules/'));

/** The `run:` scripts of every step of every job of one workflow. */
function runScripts(workflow: string): string[] {
  const doc = parse(fs.readFileSync(path.join(WORKFLOW_DIR, workflow), 'utf8')) as {
    jobs: Record<string, { steps?: { run?: string }[] }>;
  };
  return Object.values(doc.jobs).flatMap((job) => (job.steps ?? []).flatMap((step) => step.run ?? []));
}

/** Shell words of `script`, quotes removed; good enough for the commands the workflows run. */
function words(script: string): string[] {
  return script
    .split(/\s+/)
    .map((word) => word.replace(/^['"]|['"]$/g, ''))
    .filter((word) => word !== '');
}

/**
 * The words that name something in the checkout: a relative path whose first part is at the
 * root. Globs, variables and folders the job makes itself (release/, dist/) are not the checkout's.
 */
function checkoutPaths(script: string): string[] {
  return words(script).filter(
    (word) =>
      word.includes('/') &&
      !/[*$:(){}]/.test(word) &&
      !word.startsWith('-') &&
      !path.isAbsolute(word) &&
      fs.existsSync(path.join(ROOT, word.split('/')[0]!)),
  );
}

/** The arguments after `vitest run` (or `vitest list`) in a command: filters and options. */
function vitestRuns(script: string): { filters: string[]; projects: string[] }[] {
  const runs: { filters: string[]; projects: string[] }[] = [];
  for (const line of script.split(/\n|&&|;/)) {
    const all = words(line);
    const at = all.findIndex((word, index) => word === 'vitest' && all[index + 1] === 'run');
    if (at === -1) continue;
    const filters: string[] = [];
    const projects: string[] = [];
    const rest = all.slice(at + 2);
    for (let index = 0; index < rest.length; index++) {
      const word = rest[index]!;
      if (word === '--project') projects.push(rest[++index] ?? '');
      else if (word.startsWith('--project=')) projects.push(word.slice('--project='.length));
      else if (!word.startsWith('-')) filters.push(word);
    }
    runs.push({ filters, projects });
  }
  return runs;
}

/** `npm run <name>` and `npm test` in a command. */
function npmScripts(script: string): string[] {
  const names: string[] = [];
  for (const line of script.split(/\n|&&|;/)) {
    const all = words(line);
    all.forEach((word, index) => {
      if (word !== 'npm') return;
      if (all[index + 1] === 'run' && all[index + 2] !== undefined) names.push(all[index + 2]!);
      if (all[index + 1] === 'test') names.push('test');
    });
  }
  return names;
}

/** vitest's `include` globs as used here: `**` any folders, `*` any name part. */
function globMatches(glob: string, file: string): boolean {
  const pattern = glob
    .split(/(\*\*\/|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(file);
}

/** Every command the workflows and the npm scripts run, named for the failure message. */
const COMMANDS: [string, string][] = [
  ...WORKFLOWS.flatMap((workflow) => runScripts(workflow).map((run): [string, string] => [workflow, run])),
  ...Object.entries(SCRIPTS).map(([name, run]): [string, string] => [`package.json script ${name}`, run]),
];

const PROJECTS = PROJECT_CONFIGS.flatMap((project) => (project.test?.name === undefined ? [] : [project.test.name]));

describe('what the workflows name', () => {
  it('finds both workflows, with commands to check', () => {
    expect(WORKFLOWS).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']));
    expect(COMMANDS.length).toBeGreaterThan(10);
  });

  it('names only files and folders of the checkout that exist', () => {
    const missing = COMMANDS.flatMap(([where, run]) =>
      checkoutPaths(run)
        .filter((named) => !fs.existsSync(path.join(ROOT, named)))
        .map((named) => `${where}: ${named}`),
    );
    expect(missing).toEqual([]);
  });

  it('runs only npm scripts that package.json defines', () => {
    const missing = COMMANDS.flatMap(([where, run]) =>
      npmScripts(run)
        .filter((name) => !(name in SCRIPTS))
        .map((name) => `${where}: npm run ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('gives vitest only filters that select a test file and projects that exist', () => {
    const runs = COMMANDS.flatMap(([where, run]) => vitestRuns(run).map((found) => ({ where, ...found })));
    expect(runs.length).toBeGreaterThan(2);
    const wrong = runs.flatMap(({ where, filters, projects }) => [
      ...filters.filter((filter) => !TEST_FILES.some((file) => file.includes(filter))).map((f) => `${where}: ${f}`),
      ...projects.filter((project) => !PROJECTS.includes(project)).map((p) => `${where}: --project ${p}`),
    ]);
    expect(wrong).toEqual([]);
  });
});

describe('the release workflow', () => {
  it(
    'uploads the update feed (latest*.yml) ' + 'and the blockmaps beside the packages, and publishes nothing itself',
    () => {
      const doc = parse(fs.readFileSync(path.join(WORKFLOW_DIR, 'release.yml'), 'utf8')) as {
        jobs: Record<string, { steps: { uses?: string; run?: string; with?: { path?: string } }[] }>;
      };
      const steps = doc.jobs['dist']?.steps ?? [];
      const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact') === true);
      const uploaded = (upload?.with?.path ?? '').split('\n').map((line) => line.trim());
      expect(uploaded).toEqual(
        expect.arrayContaining(['release/latest*.yml', 'release/*.blockmap', 'release/*.AppImage']),
      );
      // electron-builder writes the feed because the configuration names a publish target; the
      // release job uploads it, so no packaging step may publish on its own.
      const packaging = steps.filter((step) => step.run?.includes('npm run dist') === true);
      expect(packaging.length).toBe(3);
      for (const step of packaging) expect(step.run).toContain('--publish never');
      // Before packaging: the feed the apps will read is this repository's.
      const check = steps.findIndex((step) => step.run === 'node scripts/check-release-repository.ts');
      expect(check).toBeGreaterThan(-1);
      expect(check).toBeLessThan(steps.indexOf(packaging[0]!));
    },
  );

  it("refuses to package where the apps' update feed is not, and says what to change", () => {
    const { owner, repo } = APP_RELEASE_REPOSITORY;
    const run = (repository: string) =>
      spawnSync(process.execPath, ['scripts/check-release-repository.ts'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, GITHUB_REPOSITORY: repository },
      });
    const elsewhere = run('someone/fork');
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.stderr).toContain('shared/app-release.ts');
    expect(run(`${owner}/${repo}`).status).toBe(0);
  });
});

describe("vitest.config.ts's projects", () => {
  it('are the portable one and the POSIX one', () => {
    expect(PROJECTS).toEqual(['portable', 'posix']);
  });

  it('select at least one test file with every entry of the portable list', () => {
    expect(PORTABLE_TESTS.filter((glob) => !TEST_FILES.some((file) => globMatches(glob, file)))).toEqual([]);
  });

  it('leave no test file out: what is not portable is POSIX', () => {
    expect(TEST_FILES.filter((file) => !globMatches(ALL_TESTS, file))).toEqual([]);
  });

  it('tell a glob that matches from one that does not', () => {
    expect(globMatches('test/shared/**/*.test.ts', 'test/shared/actions.test.ts')).toBe(true);
    expect(globMatches('test/shared/**/*.test.ts', 'test/shared/deep/er.test.ts')).toBe(true);
    expect(globMatches('test/shared/**/*.test.ts', 'test/renderer/app.test.ts')).toBe(false);
    expect(globMatches('test/electron/core/paths.test.ts', 'test/electron/core/pathsXtest.ts')).toBe(false);
  });
});

describe('the checks themselves', () => {
  it('catch a moved test file named to vitest', () => {
    const [run] = vitestRuns('npx vitest run test/electron/core/tray-menu.test.ts test/shared');
    expect(run?.filters.filter((filter) => !TEST_FILES.some((file) => file.includes(filter)))).toEqual([
      'test/electron/core/tray-menu.test.ts',
    ]);
  });

  it('see paths into the checkout and leave out what is not one', () => {
    expect(
      checkoutPaths('node node_modules/electron/install.js && ls dist/* release/x $RUNNER_TEMP/k.p8 test/e2e/'),
    ).toEqual(['node_modules/electron/install.js', 'test/e2e/']);
  });
});
