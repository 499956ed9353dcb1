// Regenerates every test/testdata/<provider>/<scenario>/expected.prom from a run of the real
// exporter: `npm run golden:update`. Review the resulting diff like code: it is what the change
// does to the exposition. The runner is the test's own (test/e2e/helpers/golden.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { discoverScenarios, goldenText, runScenario } from '../test/e2e/helpers/golden.js';

for (const scenario of discoverScenarios()) {
  const text = goldenText(await runScenario(scenario));
  const before = existsSync(scenario.expectedFile) ? readFileSync(scenario.expectedFile, 'utf8') : undefined;
  if (before !== text) writeFileSync(scenario.expectedFile, text);
  console.log(`${before === undefined ? 'created' : before === text ? 'unchanged' : 'updated'}  ${relative(process.cwd(), scenario.expectedFile)}`);
}
console.log('review the changes with: git diff -- test/testdata');
