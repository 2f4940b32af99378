// `npm run security`: electronegativity over the Electron code in main/ and the page it loads
// (renderer/index.html, whose <meta> carries the Content-Security-Policy), failing on any HIGH
// finding and on any MEDIUM one of certain or firm confidence that was not reviewed and
// accepted below. Electronegativity itself always exits 0 and prints a progress table; this
// prints one line per finding, writes the full report to test-artifacts/electronegativity.csv,
// and sets the exit code. The Electron version is the installed one (it cannot be read from
// main/), and the check that downloads Electron's release list is skipped: it needs the
// network, and a version's known fixes are a question for `npm outdated`, not for a test.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * MEDIUM findings of certain or firm confidence that were reviewed and stay, each with why.
 * Electronegativity flags every preload for review, however little it exposes.
 */
const ACCEPTED = {
  PRELOAD_JS_CHECK:
    'the preload (main/electron/preload.ts) exposes two functions over contextBridge, invoke ' +
    'and subscribe, and main checks every call against the contract and its sender',
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const electronVersion = require('electron/package.json').version;
const cli = path.join(
  path.dirname(require.resolve('@doyensec/electronegativity/package.json')),
  'dist',
  'index.js',
);
const report = path.join(root, 'test-artifacts', 'electronegativity.csv');
mkdirSync(path.dirname(report), { recursive: true });
rmSync(report, { force: true });

// Electronegativity reads one folder: main/ and the page, copied side by side into one.
const input = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-security-'));
cpSync(path.join(root, 'main'), path.join(input, 'main'), { recursive: true });
cpSync(path.join(root, 'renderer', 'index.html'), path.join(input, 'renderer', 'index.html'));

const run = spawnSync(
  process.execPath,
  [
    cli,
    '--input',
    input,
    '--electron-version',
    electronVersion,
    '--exclude-checks',
    'AvailableSecurityFixesGlobalCheck',
    '--relative',
    '--output',
    report,
  ],
  { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } },
);
rmSync(input, { recursive: true, force: true });

// The CSV keeps electronegativity's own severity (its SARIF folds confidence into the level).
// Each finding starts a line: ID,"SEVERITY","CONFIDENCE","file","line:column",sample,...
let csv;
try {
  csv = readFileSync(report, 'utf8');
} catch {
  console.error(`security: electronegativity produced no report.\n${run.stdout}\n${run.stderr}`);
  process.exit(1);
}
const findings = [
  ...csv.matchAll(
    /^([A-Z_]+),"([A-Z]+)","([A-Z]+)","([^"]*)","([^"]*)",.*?,"([^"]*)",(https:\S+)$/gm,
  ),
].map(([, id, severity, confidence, file, location, text]) => ({
  id,
  severity,
  confidence,
  where: file === 'N/A' ? 'N/A' : `${file}:${location.split(':')[0]}`,
  text,
}));
if (findings.length === 0 && !csv.startsWith('issue,')) {
  console.error(`security: electronegativity's report is unreadable:\n${csv}`);
  process.exit(1);
}
const failing = (finding) =>
  finding.severity === 'HIGH' ||
  (finding.severity === 'MEDIUM' &&
    ['CERTAIN', 'FIRM'].includes(finding.confidence) &&
    !Object.hasOwn(ACCEPTED, finding.id));
for (const finding of findings) {
  const verdict = failing(finding)
    ? ' [fails the check]'
    : Object.hasOwn(ACCEPTED, finding.id)
      ? ` [accepted: ${ACCEPTED[finding.id]}]`
      : '';
  console.log(
    `${finding.severity.padEnd(6)} ${finding.id} (${finding.confidence.toLowerCase()}) ${finding.where}: ${finding.text}${verdict}`,
  );
}
const high = findings.filter((finding) => finding.severity === 'HIGH').length;
const failures = findings.filter(failing).length;
console.log(
  `electronegativity (Electron ${electronVersion}): ${high} high, ` +
    `${findings.filter((f) => f.severity === 'MEDIUM').length} medium, ` +
    `${findings.filter((f) => f.severity === 'LOW').length} low; ` +
    `${failures} failing; report in ${path.relative(root, report)}`,
);
process.exit(failures > 0 ? 1 : 0);
