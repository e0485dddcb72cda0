// Prints the plain closing line CI reads ("N passed, N failed[, N skipped]") from jest's JSON report.
// `--lint <exit code>` counts the linters as one more check; `--chaos <file>` counts each chaos scenario
// of `npm run chaos`'s results file as one check (a missing file counts as one failure); `--jest <file>`
// (repeatable) adds another jest report, such as the Node 24 run's.
const { readFileSync, existsSync } = require('node:fs');

const [file, ...rest] = process.argv.slice(2);
const lintIndex = rest.indexOf('--lint');
const lint = lintIndex >= 0 ? Number(rest[lintIndex + 1]) : undefined;
const chaosIndex = rest.indexOf('--chaos');
const chaos = chaosIndex >= 0 ? rest[chaosIndex + 1] : undefined;

const jestFiles = [file, ...rest.flatMap((arg, i) => (rest[i - 1] === '--jest' ? [arg] : []))];

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of jestFiles) {
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    // A suite that fails to load runs no test: count it as a failure, never as silence.
    const brokenSuites = r.testResults.filter(
      (s) => s.status === 'failed' && s.assertionResults.length === 0,
    ).length;
    passed += r.numPassedTests;
    failed += r.numFailedTests + brokenSuites;
    skipped += r.numPendingTests + r.numTodoTests;
  } else {
    failed++; // no report at all: the run itself broke
  }
}
if (chaos !== undefined) {
  if (existsSync(chaos)) {
    for (const scenario of JSON.parse(readFileSync(chaos, 'utf8')).scenarios) {
      scenario.passed ? passed++ : failed++;
    }
  } else {
    failed++;
  }
}
if (lint !== undefined) lint === 0 ? passed++ : failed++;

const line = `${passed} passed, ${failed} failed`;
console.log(skipped > 0 ? `${line}, ${skipped} skipped` : line);
