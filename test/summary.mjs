// Adds up the unit and browser summaries for CI's closing line.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const f of ['test/artifacts/unit-summary.json', 'test/artifacts/browser-summary.json', 'test/artifacts/second-region-summary.json']) {
  if (!existsSync(f)) {
    failed++;
    console.log(`missing ${f}`);
    continue;
  }
  const s = JSON.parse(readFileSync(f, 'utf8'));
  passed += s.passed;
  failed += s.failed;
}
console.log(`${passed} passed, ${failed} failed`);
