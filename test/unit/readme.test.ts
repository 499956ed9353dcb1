// The README is the user's door: its generated parts must be current and its commands true.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderReadmeMetrics } from '../../src/telemetry/index.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');

describe('README.md', () => {
  it('carries the current metric table from the catalogue', () => {
    expect(readme, 'the README metric table is stale: run `npm run docs:metrics` and commit').toBe(renderReadmeMetrics(readme));
  });

  it('names the install-and-test command that .ci/run runs, and the install-and-start command of the demo', () => {
    expect(readme).toContain('npm ci && npm test');
    expect(read('.ci/run')).toMatch(/^npm ci && npm test$/m);
    expect(readme).toContain('npm ci && npm start');
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain('demo');
  });

  it('documents every command of the CLI', () => {
    for (const command of ['run --config FILE', 'demo [--port N]', 'check-config --config FILE', 'once --config FILE', '--help', '--version']) {
      expect(readme).toContain(command);
    }
  });
});
