// `npm test`: type-check, dependency rules, unused code (knip), then every vitest suite; writes a JSON summary that .ci/run adds up and
// prints the closing line "tests: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

mkdirSync('test/artifacts', { recursive: true });
const tsc = spawnSync('npm', ['run', '--silent', 'typecheck'], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('type check failed');
  writeFileSync('test/artifacts/unit-summary.json', JSON.stringify({ passed: 0, failed: 1, note: 'type check failed' }));
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
// dependency rules (.dependency-cruiser.cjs): no runtime import cycles, routes only from routes and the
// app, the service never importing the trainer; a violation fails the run like a type error
const deps = spawnSync('npm', ['run', '--silent', 'depcruise'], { stdio: 'inherit' });
if (deps.status !== 0) {
  console.error('dependency rules failed');
  writeFileSync('test/artifacts/unit-summary.json', JSON.stringify({ passed: 0, failed: 1, note: 'dependency rules failed' }));
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
// unused files, exports, types and dependencies (knip.jsonc): dead code fails the run like a type error
const unused = spawnSync('npm', ['run', '--silent', 'knip'], { stdio: 'inherit' });
if (unused.status !== 0) {
  console.error('knip found unused code or dependencies');
  writeFileSync('test/artifacts/unit-summary.json', JSON.stringify({ passed: 0, failed: 1, note: 'knip failed' }));
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test/artifacts/vitest.json', ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit' });
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const j = JSON.parse(readFileSync('test/artifacts/vitest.json', 'utf8'));
  passed = j.numPassedTests;
  // failing tests, plus files that failed without a failing test (a file that did not load);
  // numFailedTestSuites would count a failing test again for its file and each describe around it
  const brokenFiles = (j.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  failed = j.numFailedTests + brokenFiles;
  skipped = j.numPendingTests + (j.numTodoTests ?? 0);
} catch {
  failed = 1;
}
if (r.status !== 0 && failed === 0) failed = 1;
writeFileSync('test/artifacts/unit-summary.json', JSON.stringify({ passed, failed, skipped }));
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
