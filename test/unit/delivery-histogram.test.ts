// The delivery-duration histogram is aggregated by the exporter (src/telemetry/delivery-histogram.ts)
// rather than by an SDK Histogram. These tests record the same values into both, one SDK-backed
// and one ours, and require the same exposition from the OTel Prometheus serializer.

import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { METER_NAME, METRICS } from '../../src/telemetry/catalogue.js';
import { DeliveryHistogram } from '../../src/telemetry/delivery-histogram.js';
import { exporterResource } from '../../src/telemetry/resource.js';
import { retainedKey } from '../../src/telemetry/series.js';

const VERSION = '9.9.9';
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const METRIC = METRICS.deliveryDuration;
const providers: MeterProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

interface Recording {
  labels: [string, string, string, string, string];
  value: number;
}

/** The exposition of `recordings`, aggregated by the SDK or by DeliveryHistogram, with a cardinality limit. */
async function exposition(recordings: readonly Recording[], aggregator: 'sdk' | 'ours', cardinalityLimit = 2_000): Promise<string> {
  const resource = exporterResource(VERSION);
  const ours = new DeliveryHistogram(METRIC, BUCKETS, { name: METER_NAME, version: VERSION }, cardinalityLimit, resource);
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: aggregator === 'ours' ? [ours] : [] });
  const provider = new MeterProvider({
    resource,
    readers: [exporter],
    views: [
      {
        instrumentName: METRIC.instrumentName,
        aggregationCardinalityLimit: cardinalityLimit,
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: BUCKETS, recordMinMax: false } },
      },
    ],
  });
  providers.push(provider);
  const sdk = provider.getMeter(METER_NAME, VERSION).createHistogram(METRIC.instrumentName, { description: METRIC.help, unit: METRIC.unit });
  for (const { labels, value } of recordings) {
    const attributes = Object.fromEntries(METRIC.labels.map((label, i) => [label, labels[i]]));
    if (aggregator === 'sdk') sdk.record(value, attributes);
    else ours.series(retainedKey(labels), attributes).record(value);
  }
  const { resourceMetrics } = await exporter.collect();
  return new PrometheusSerializer().serialize(resourceMetrics);
}

const sorted = (text: string) => text.split('\n').filter(Boolean).sort();

const recording = fc.record({
  labels: fc.tuple(
    fc.constantFrom('sales', 'cards'),
    fc.constantFrom('salesfinity', 'baanx'),
    fc.constantFrom('wh-1', 'wh-2', 'wh-3'),
    fc.constantFrom('order.created', 'card "x"\\y\nz'),
    fc.constantFrom('success', 'failed'),
  ),
  // Bucket boundaries themselves, values between and past them, zero and tiny fractions.
  value: fc.oneof(fc.constantFrom(0, ...BUCKETS, 31, 1e6), fc.double({ min: 0, max: 60, noNaN: true })),
});

describe('the delivery-duration histogram', () => {
  it('exposes exactly what the SDK histogram exposes for the same records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recording, { maxLength: 60 }), async (recordings) => {
        expect(sorted(await exposition(recordings, 'ours'))).toEqual(sorted(await exposition(recordings, 'sdk')));
      }),
      { numRuns: 100 },
    );
  });

  it('puts a value equal to a boundary into that bucket (le is inclusive)', async () => {
    const text = await exposition([{ labels: ['s', 'baanx', 'w', 'e', 'success'], value: 0.25 }], 'ours');
    expect(text).toMatch(/webhook_delivery_duration_seconds_bucket\{[^}]*le="0\.1"\} 0/);
    expect(text).toMatch(/webhook_delivery_duration_seconds_bucket\{[^}]*le="0\.25"\} 1/);
  });

  it('ignores NaN, as the SDK does', async () => {
    const recordings: Recording[] = [
      { labels: ['s', 'baanx', 'w', 'e', 'success'], value: Number.NaN },
      { labels: ['s', 'baanx', 'w', 'e', 'success'], value: 2 },
    ];
    const text = await exposition(recordings, 'ours');
    expect(text).toMatch(/webhook_delivery_duration_seconds_count\{[^}]*\} 1\n/);
    expect(sorted(text)).toEqual(sorted(await exposition(recordings, 'sdk')));
  });

  it('has no series, and no family, before its first record', async () => {
    expect(await exposition([], 'ours')).not.toContain('webhook_delivery_duration_seconds');
    expect(sorted(await exposition([], 'ours'))).toEqual(sorted(await exposition([], 'sdk')));
  });

  it('folds series past the cardinality limit into the overflow series, keeping every observation', async () => {
    const recordings: Recording[] = Array.from({ length: 12 }, (_, i) => ({ labels: ['s', 'baanx', `w${i}`, 'e', 'failed'], value: 1 }));
    const text = await exposition(recordings, 'ours', 5);
    const counts = [...text.matchAll(/^webhook_delivery_duration_seconds_count\{([^}]*)\} (\d+)$/gm)];
    expect(counts).toHaveLength(5); // 4 series of their own and the overflow series
    expect(counts.filter(([, labels]) => labels?.includes('otel_metric_overflow="true"'))).toEqual([expect.anything()]);
    expect(counts.reduce((sum, [, , count]) => sum + Number(count), 0)).toBe(12);
  });
});
