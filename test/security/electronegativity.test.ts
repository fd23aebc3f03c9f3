/**
 * Audits the app's sources (electron/, renderer/, shared/ and package.json, scanned together so
 * the global checks such as CSP see all of them) with Doyensec's electronegativity and fails on
 * any finding above LOW, except the review-only PRELOAD note.
 *
 * The audit runs in a child process through electronegativity's own runner (the function its CLI
 * calls) rather than `electronegativity -o report.csv`: the CLI writes the CSV header and the
 * rows with two concurrent `fs.writeFile` calls, and the header sometimes lands on top of the
 * first row (seen here in 1 run of 6), which would make a finding vanish. The runner's result
 * is the same data, written once as JSON. The audit never reaches the network: the Electron
 * version is given (`-e`), the release-feed check (AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK, which
 * would make the result depend on the day's Electron releases) is excluded, and the child's `got`
 * (electronegativity's only HTTP client) refuses every request at once. Its translation download
 * then takes the offline path it already has (the bundled en-US messages); letting `got` try the
 * network instead made the result depend on the machine's network, and on Node 24 with no network
 * `got` 11's retry crashed the child ("The `onCancel` handler was attached after the promise
 * settled"). Every refused address is reported, and a test holds the list to that one download.
 *
 * A deliberately insecure canary file is scanned along with the sources: if the checks did not
 * run or a TypeScript file was not parsed, the canary's findings are missing and the test fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const require = createRequire(import.meta.url);
const RUNNER = path.join(
  path.dirname(require.resolve('@doyensec/electronegativity/package.json')),
  'dist',
  'runner.js',
);
const ELECTRON_VERSION = (require('electron/package.json') as { version: string }).version;
/** The `got` electronegativity requires (resolved from its own folder, as its `require` would). */
const GOT = require.resolve('got', { paths: [path.dirname(RUNNER)] });

const SCANNED = ['electron', 'renderer', 'shared'];
const CANARY = 'zz-canary/insecure-window.ts';
const CANARY_SOURCE = `import { BrowserWindow } from 'electron';
export function insecure(url: string): BrowserWindow {
  const window = new BrowserWindow({
    webPreferences: { contextIsolation: false, nodeIntegration: true, sandbox: false },
  });
  void window.loadURL(url);
  return window;
}
`;

const SEVERITY_RANK: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };
/** Notes that ask a person to look (the preload's API surface), not findings. */
const REVIEW_ONLY = new Set(['PRELOAD_JS_CHECK']);

/**
 * Findings read and accepted, each for one place and why: anything new of the same kind fails.
 * `shell.openExternal` is called once, in the adapter, and only with a URL of its fixed set.
 */
const ACCEPTED: Readonly<Record<string, string>> = {
  'OPEN_EXTERNAL_JS_CHECK electron/adapters/electron-ports.ts':
    'externalUrlPort opens only FIXED_PAGES (the app release page and the runtime install page)',
};

interface Finding {
  id: string;
  severity: string;
  confidence: string;
  file: string;
  line: number;
  column: number;
  manualReview: boolean;
}

interface Audit {
  findings: Finding[];
  errors: { file: string; message: string; tolerable: boolean }[];
  /** Addresses the child's `got` was asked for and refused. */
  refused: string[];
}

let temp = '';
let audit: Audit;

const script = `
const fs = require('node:fs');
const Module = require('node:module');
const [runner, input, output, version, gotPath] = process.argv.slice(1);
const refused = [];
function offlineGot(url) {
  refused.push(String(url));
  return Promise.reject(Object.assign(new Error('no network in the audit: ' + String(url)), { code: 'ENETUNREACH' }));
}
const gotModule = new Module(gotPath);
gotModule.filename = gotPath;
gotModule.loaded = true;
gotModule.exports = offlineGot;
require.cache[gotPath] = gotModule;
require(runner)({
  input, output: undefined, isSarif: false, customScan: [],
  excludeFromScan: ['availablesecurityfixesglobalcheck'], severitySet: undefined, confidenceSet: undefined,
  isRelative: true, isVerbose: false, electronUpgrade: undefined, electronVersionOverride: version, parserPlugins: [],
}, false).then((result) => {
  const findings = result.issues.map((i) => ({
    id: i.id, severity: i.severity.name, confidence: i.confidence.name,
    file: i.file.split(require('node:path').sep).join('/'),
    line: i.location.line, column: i.location.column, manualReview: i.manualReview === true,
  }));
  fs.writeFileSync(output, JSON.stringify({ findings, errors: result.errors, refused }));
}, (error) => { console.error(error); process.exit(1); });
`;

beforeAll(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tray-audit-'));
  const input = path.join(temp, 'app');
  for (const dir of SCANNED) fs.cpSync(path.join(ROOT, dir), path.join(input, dir), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(input, 'package.json'));
  fs.mkdirSync(path.join(input, path.dirname(CANARY)), { recursive: true });
  fs.writeFileSync(path.join(input, CANARY), CANARY_SOURCE);
  const report = path.join(temp, 'report.json');
  execFileSync(process.execPath, ['-e', script, RUNNER, input, report, ELECTRON_VERSION, GOT], {
    cwd: temp,
    // The locale decides which translation file it asks for and which bundled one it falls back to.
    env: { ...process.env, LANG: 'en-US' },
    stdio: 'pipe',
    timeout: 90_000,
  });
  audit = JSON.parse(fs.readFileSync(report, 'utf8')) as Audit;
}, 120_000);

afterAll(() => {
  if (temp !== '') fs.rmSync(temp, { recursive: true, force: true });
});

function describeFinding(finding: Finding): string {
  return `${finding.id} ${finding.severity}/${finding.confidence} ${finding.file}:${finding.line}:${finding.column}`;
}

describe('electronegativity audit', () => {
  it('asks the network for nothing but its translations, and is refused', () => {
    expect(audit.refused).toHaveLength(1);
    expect(audit.refused[0]).toMatch(/\/en-US\.json$/);
  });

  it('ran its checks over TypeScript sources (the canary is caught)', () => {
    const canary = audit.findings.filter((finding) => finding.file === CANARY).map((finding) => finding.id);
    expect(canary).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK']));
  });

  it('parsed every scanned source file', () => {
    expect(audit.errors.filter((error) => !error.tolerable).map((error) => `${error.file}: ${error.message}`)).toEqual(
      [],
    );
  });

  it('finds nothing above LOW in the app, review-only notes aside', () => {
    const serious = audit.findings.filter(
      (finding) =>
        finding.file !== CANARY &&
        (SEVERITY_RANK[finding.severity] ?? 99) > SEVERITY_RANK['LOW']! &&
        !(REVIEW_ONLY.has(finding.id) && finding.manualReview) &&
        ACCEPTED[`${finding.id} ${finding.file}`] === undefined,
    );
    expect(serious.map(describeFinding)).toEqual([]);
  });

  it('raises none of the window-hardening checks for the app', () => {
    const hardening = [
      'CONTEXT_ISOLATION_JS_CHECK',
      'NODE_INTEGRATION_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'WEB_SECURITY_JS_CHECK',
      'INSECURE_CONTENT_JS_CHECK',
      'EXPERIMENTAL_FEATURES_JS_CHECK',
      'AUXCLICK_JS_CHECK',
      'LIMIT_NAVIGATION_JS_CHECK',
      'PERMISSION_REQUEST_HANDLER_JS_CHECK',
    ];
    const raised = audit.findings.filter((finding) => finding.file !== CANARY && hardening.includes(finding.id));
    expect(raised.map(describeFinding)).toEqual([]);
  });
});
