// Golden files per provider: each scenario's recorded API responses through the real exporter,
// compared with its expected.prom (test/testdata/README.md). A failure prints a diff; when the
// change is intended, `npm run golden:update` rewrites the files and the diff goes to review.

import { existsSync, readFileSync } from 'node:fs';
import { assert, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_PROVIDERS } from '../../src/providers/index.js';
import { compareExposition, discoverScenarios, runScenario, type Scenario } from './helpers/golden.js';

const scenarios = discoverScenarios();

async function check(scenario: Scenario): Promise<void> {
  if (!existsSync(scenario.expectedFile)) assert.fail(`${scenario.id} has no expected.prom yet: run \`npm run golden:update\` and review it`);
  const diff = compareExposition(readFileSync(scenario.expectedFile, 'utf8'), await runScenario(scenario));
  if (diff !== undefined) {
    assert.fail(
      `${scenario.id}: the exposition differs from expected.prom (- expected only, + actual only):\n${diff}\n` +
        'If the change is intended, run `npm run golden:update` and review the diff of expected.prom.',
    );
  }
}

describe('golden expositions', () => {
  it('has scenarios for every provider', () => {
    // The built-ins, each from its simulator; a described API's answers are its own (test/e2e/declarative-apis.test.ts).
    expect(new Set(scenarios.map((scenario) => scenario.id.split('/')[0]))).toEqual(new Set(BUILT_IN_PROVIDERS));
  });

  it.each(scenarios.map((scenario) => [scenario.id, scenario] as const))('%s', async (_id, scenario) => {
    await check(scenario);
  });
});

describe('the golden comparison', () => {
  const scenario = scenarios.find((candidate) => candidate.id === 'baanx/basic') as Scenario;
  let expected: string;
  let exposition: string;

  beforeAll(async () => {
    expected = readFileSync(scenario.expectedFile, 'utf8');
    exposition = await runScenario(scenario);
  });

  it('fails on a changed value, a missing or extra series, a changed label or help text, showing just those lines', () => {
    const line = expected.split('\n').find((candidate) => candidate.startsWith('webhook_deliveries_total{')) as string;
    const changed = line.replace(/ 1$/, ' 2');
    const relabelled = line.replace('http_status_code="', 'http_status_code="x');
    const help = expected.split('\n').find((candidate) => candidate.startsWith('# HELP webhook_deliveries_total ')) as string;
    const mutations: Array<[what: string, mutated: string, diff: string[]]> = [
      ['a value', expected.replace(line, changed), [`- ${changed}`, `+ ${line}`]],
      ['a missing series', expected.replace(`${line}\n`, ''), [`+ ${line}`]],
      ['an extra series', `${expected}${relabelled}\n`, [`- ${relabelled}`]],
      ['a label', expected.replace(line, relabelled), [`- ${relabelled}`, `+ ${line}`]],
      ['a help text', expected.replace(help, `${help} Changed.`), [`- ${help} Changed.`, `+ ${help}`]],
    ];
    expect(compareExposition(expected, exposition)).toBeUndefined();
    for (const [what, mutated, diff] of mutations) {
      expect(compareExposition(mutated, exposition)?.split('\n').sort(), what).toEqual(diff.sort());
    }
  });

  it('ignores sample order and run-dependent values, and nothing else', () => {
    const lines = expected.trimEnd().split('\n');
    expect(compareExposition(lines.reverse().join('\n'), exposition)).toBeUndefined();
    const anotherRun = exposition
      .replace(/(webhook_exporter_last_success_timestamp_seconds\{[^}]*\}) \S+/g, '$1 4102444800')
      .replace(/(webhook_exporter_poll_duration_seconds_sum\{[^}]*\}) \S+/g, '$1 9.5')
      .replace(/(otel_scope_version|service_version)="[^"]*"/g, '$1="9.9.9"');
    expect(anotherRun).not.toBe(exposition);
    expect(compareExposition(expected, anotherRun)).toBeUndefined();
    const anotherCount = exposition.replace(/(webhook_exporter_poll_duration_seconds_count\{[^}]*\}) \S+/g, '$1 2');
    expect(compareExposition(expected, anotherCount)).toContain('webhook_exporter_poll_duration_seconds_count');
  });
});
