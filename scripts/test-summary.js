// Prints the plain closing line CI reads ("N passed, N failed[, N skipped]") from jest's JSON report.
const { readFileSync, existsSync } = require('node:fs');

const file = process.argv[2];
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// A suite that fails to load runs no test: count it as a failure, never as silence.
const brokenSuites = r.testResults.filter(
  (s) => s.status === 'failed' && s.assertionResults.length === 0,
).length;
const skipped = r.numPendingTests + r.numTodoTests;
const line = `${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed`;
console.log(skipped > 0 ? `${line}, ${skipped} skipped` : line);
