// The per-entry delivery metrics are aggregated by the exporter (src/telemetry/delivery-aggregation.ts)
// rather than by SDK instruments. These tests record the same entries into both, SDK instruments
// and ours, and require the same exposition from the OTel Prometheus serializer.

import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationTemporality, AggregationType, MeterProvider, type Histogram } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { METER_NAME, METRICS } from '../../src/telemetry/catalogue.js';
import { DeliveryMetrics, DeltaView } from '../../src/telemetry/delivery-aggregation.js';
import { exporterResource } from '../../src/telemetry/resource.js';
import { retainedKey } from '../../src/telemetry/series.js';

const VERSION = '9.9.9';
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DURATION = METRICS.deliveryDuration;
const COUNTERS = [METRICS.deliveries, METRICS.deliveryRetries, METRICS.deliveriesExhausted] as const;
const providers: MeterProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

interface Recording {
  /** source, provider, webhook_id, event, status. */
  labels: [string, string, string, string, string];
  code: string;
  /** A duration in seconds; undefined records none. */
  value: number | undefined;
  retry: boolean;
}

const attributesOf = (labelNames: readonly string[], values: readonly string[]) => Object.fromEntries(labelNames.map((label, i) => [label, values[i]]));

/**
 * The exposition of `recordings`, aggregated by SDK instruments or by DeliveryMetrics, with a
 * cardinality limit. Each recording counts one delivery; a retry also counts a retry, a failure an
 * exhausted delivery, as the exporter counts them.
 */
async function exposition(recordings: readonly Recording[], aggregator: 'sdk' | 'ours', cardinalityLimit = 2_000): Promise<string> {
  const resource = exporterResource(VERSION);
  const ours = new DeliveryMetrics(BUCKETS, { name: METER_NAME, version: VERSION }, cardinalityLimit, resource);
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: aggregator === 'ours' ? [ours] : [] });
  const provider = new MeterProvider({
    resource,
    readers: [exporter],
    views: [
      {
        instrumentName: DURATION.instrumentName,
        aggregationCardinalityLimit: cardinalityLimit,
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: BUCKETS, recordMinMax: false } },
      },
      ...COUNTERS.map((metric) => ({ instrumentName: metric.instrumentName, aggregationCardinalityLimit: cardinalityLimit })),
    ],
  });
  providers.push(provider);
  const meter = provider.getMeter(METER_NAME, VERSION);
  const sdkDuration = meter.createHistogram(DURATION.instrumentName, { description: DURATION.help, unit: DURATION.unit });
  const [sdkDeliveries, sdkRetries, sdkExhausted] = COUNTERS.map((metric) => meter.createCounter(metric.instrumentName, { description: metric.help, unit: metric.unit }));
  for (const { labels, code, value, retry } of recordings) {
    const withCode = [...labels, code];
    const withoutStatus = labels.slice(0, 4);
    const failed = labels[4] === 'failed';
    if (aggregator === 'sdk') {
      sdkDeliveries?.add(1, attributesOf(METRICS.deliveries.labels, withCode));
      if (value !== undefined) sdkDuration.record(value, attributesOf(DURATION.labels, labels));
      if (retry) sdkRetries?.add(1, attributesOf(METRICS.deliveryRetries.labels, labels));
      if (failed) sdkExhausted?.add(1, attributesOf(METRICS.deliveriesExhausted.labels, withoutStatus));
    } else {
      ours.deliveries.series(retainedKey(withCode), attributesOf(METRICS.deliveries.labels, withCode)).value += 1;
      if (value !== undefined) ours.duration.series(retainedKey(labels), attributesOf(DURATION.labels, labels)).record(value);
      if (retry) ours.retries.series(retainedKey(labels), attributesOf(METRICS.deliveryRetries.labels, labels)).value += 1;
      if (failed) ours.exhausted.series(retainedKey(withoutStatus), attributesOf(METRICS.deliveriesExhausted.labels, withoutStatus)).value += 1;
    }
  }
  const { resourceMetrics } = await exporter.collect();
  return new PrometheusSerializer().serialize(resourceMetrics);
}

const one = (labels: Recording['labels'], value: number | undefined, code = '200'): Recording => ({ labels, code, value, retry: false });

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
  code: fc.constantFrom('200', '502', 'none'),
  value: fc.option(fc.oneof(fc.constantFrom(0, ...BUCKETS, 31, 1e6), fc.double({ min: 0, max: 60, noNaN: true })), { nil: undefined }),
  retry: fc.boolean(),
});

describe('the delivery metrics aggregated by the exporter', () => {
  it('expose exactly what SDK counters and a histogram expose for the same records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recording, { maxLength: 60 }), async (recordings) => {
        expect(sorted(await exposition(recordings, 'ours'))).toEqual(sorted(await exposition(recordings, 'sdk')));
      }),
      { numRuns: 100 },
    );
  });

  it('puts a value equal to a boundary into that bucket (le is inclusive)', async () => {
    const text = await exposition([one(['s', 'baanx', 'w', 'e', 'success'], 0.25)], 'ours');
    expect(text).toMatch(/webhook_delivery_duration_seconds_bucket\{[^}]*le="0\.1"\} 0/);
    expect(text).toMatch(/webhook_delivery_duration_seconds_bucket\{[^}]*le="0\.25"\} 1/);
  });

  it('ignores NaN, as the SDK does', async () => {
    const recordings: Recording[] = [
      one(['s', 'baanx', 'w', 'e', 'success'], Number.NaN),
      one(['s', 'baanx', 'w', 'e', 'success'], 2),
    ];
    const text = await exposition(recordings, 'ours');
    expect(text).toMatch(/webhook_delivery_duration_seconds_count\{[^}]*\} 1\n/);
    expect(sorted(text)).toEqual(sorted(await exposition(recordings, 'sdk')));
  });

  it('have no series, and no family, before their first record', async () => {
    expect(await exposition([], 'ours')).not.toContain('webhook_deliver');
    expect(sorted(await exposition([], 'ours'))).toEqual(sorted(await exposition([], 'sdk')));
  });

  it('folds series past the cardinality limit into the overflow series, keeping every observation', async () => {
    const recordings: Recording[] = Array.from({ length: 12 }, (_, i) => ({ ...one(['s', 'baanx', `w${i}`, 'e', 'failed'], 1, '502'), retry: true }));
    const text = await exposition(recordings, 'ours', 5);
    for (const name of ['webhook_delivery_duration_seconds_count', 'webhook_deliveries_total', 'webhook_delivery_retries_total', 'webhook_deliveries_exhausted_total']) {
      const counts = [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\d+)$`, 'gm'))];
      expect(counts, name).toHaveLength(5); // 4 series of their own and the overflow series
      expect(counts.filter(([, labels]) => labels?.includes('otel_metric_overflow="true"')), name).toEqual([expect.anything()]);
      expect(counts.reduce((sum, [, , count]) => sum + Number(count), 0), name).toBe(12);
    }
    expect(sorted(text)).toEqual(sorted(await exposition(recordings, 'sdk', 5)));
  });
});

describe('DeltaView', () => {
  it('gives each collection the increase since the previous one, sums and histograms, series by series', async () => {
    const resource = exporterResource(VERSION);
    const ours = new DeliveryMetrics(BUCKETS, { name: METER_NAME, version: VERSION }, 2_000, resource);
    const view = new DeltaView(ours);
    const labels = ['s', 'baanx', 'w', 'e', 'success'];
    const deliveries = ours.deliveries.series(retainedKey([...labels, '200']), attributesOf(METRICS.deliveries.labels, [...labels, '200']));
    const duration = ours.duration.series(retainedKey(labels), attributesOf(DURATION.labels, labels));
    const points = async () => {
      const { resourceMetrics } = await view.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const sum = metrics.find((metric) => metric.descriptor.name === METRICS.deliveries.instrumentName);
      const histogram = metrics.find((metric) => metric.descriptor.name === DURATION.instrumentName);
      expect(sum?.aggregationTemporality).toBe(AggregationTemporality.DELTA);
      expect(histogram?.aggregationTemporality).toBe(AggregationTemporality.DELTA);
      const histogramPoint = histogram?.dataPoints[0]?.value as Histogram;
      return { deliveries: sum?.dataPoints[0]?.value, count: histogramPoint.count, sum: histogramPoint.sum, counts: histogramPoint.buckets.counts };
    };
    deliveries.value += 3;
    duration.record(0.2);
    duration.record(7);
    expect(await points()).toEqual({ deliveries: 3, count: 2, sum: 7.2, counts: [0, 0, 1, 0, 0, 0, 0, 1, 0, 0] });
    deliveries.value += 2;
    duration.record(0.2);
    expect(await points()).toEqual({ deliveries: 2, count: 1, sum: expect.closeTo(0.2, 9), counts: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(await points()).toEqual({ deliveries: 0, count: 0, sum: 0, counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    // The cumulative producer is untouched: /metrics still reads totals.
    expect(deliveries.value).toBe(5);
  });
});
