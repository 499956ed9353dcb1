import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ExporterTelemetry, LABELS, METRICS, renderMetricsDoc, renderMetricTable } from '../../src/telemetry/index.js';
import { parseExposition, type Exposition } from '../helpers/exposition.js';
import { populateEveryMetric, telemetryOptions } from './helpers/telemetry.js';

const catalogue = Object.values(METRICS);
const telemetry = new ExporterTelemetry(telemetryOptions());
afterAll(() => telemetry.shutdown());

async function populatedExposition(): Promise<Exposition> {
  populateEveryMetric(telemetry);
  return parseExposition(await telemetry.collectExposition());
}

describe('docs/metrics.md', () => {
  it('is the rendered catalogue', () => {
    const committed = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
    expect(committed, 'docs/metrics.md is out of date: run `npm run docs:metrics` and commit the result').toBe(
      renderMetricsDoc(),
    );
  });

  it('lists every metric in the table the README embeds', () => {
    const table = renderMetricTable();
    for (const metric of catalogue) expect(table).toContain(`| \`${metric.prometheusName}\` | ${metric.kind} |`);
  });
});

describe('the catalogue and the exposition', () => {
  it('name exactly the same metrics, with the same type, unit and help', async () => {
    const exposition = await populatedExposition();
    const exposed = [...exposition.types.keys()].filter((name) => name !== 'target_info').sort();
    expect(exposed).toEqual(catalogue.map((metric) => metric.prometheusName).sort());
    for (const metric of catalogue) {
      expect(exposition.types.get(metric.prometheusName), metric.prometheusName).toBe(metric.kind);
      expect(exposition.units.get(metric.prometheusName) ?? '', metric.prometheusName).toBe(metric.unit);
      expect(exposition.help.get(metric.prometheusName), metric.prometheusName).toBe(metric.help);
    }
  });

  it('label every series with exactly the catalogue labels, in order', async () => {
    const exposition = await populatedExposition();
    for (const metric of catalogue) {
      const samples = exposition.samples.filter((sample) =>
        [metric.prometheusName, ...['_count', '_sum', '_bucket'].map((s) => metric.prometheusName + s)].includes(sample.name),
      );
      expect(samples.length, metric.prometheusName).toBeGreaterThan(0);
      for (const sample of samples) {
        const own = Object.keys(sample.labels).filter((label) => !label.startsWith('otel_scope_') && label !== 'le');
        expect(own, sample.name).toEqual(metric.labels);
      }
    }
  });
});

describe('the catalogue', () => {
  it('names counters as the exporter will: instrument name plus `_total`', () => {
    for (const metric of catalogue) {
      const suffix = metric.kind === 'counter' ? '_total' : '';
      expect(metric.instrumentName + suffix).toBe(metric.prometheusName);
    }
  });

  it('gives `_seconds` metrics the unit `s` and no other metric a unit', () => {
    for (const metric of catalogue) {
      expect(metric.unit, metric.prometheusName).toBe(metric.prometheusName.endsWith('_seconds') ? 's' : '');
    }
  });

  it('describes every label it uses, and uses every label it describes', () => {
    const used = new Set(catalogue.flatMap((metric) => metric.labels));
    expect([...used].sort()).toEqual(Object.keys(LABELS).sort());
  });
});
