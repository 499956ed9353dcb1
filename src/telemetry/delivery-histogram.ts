// The delivery-duration histogram, aggregated here instead of through an SDK Histogram instrument.
//
// Why: every SDK record() hashes its attributes (JSON.stringify over sorted keys) to find the
// series, about a quarter of the whole ingest path per entry, and the API has no way to record a
// pre-aggregated page. Here a delivery series holds its HistogramSeries directly, so a record is a
// bucket search and three additions. The data reaches every reader through the SDK's documented
// extension point, a MetricProducer, so /metrics and OTLP see the same metric as before: same
// name, unit, description, buckets, scope and cardinality cap (test/unit/delivery-histogram.test.ts
// compares the exposition with the SDK instrument's on the same records).

import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type HistogramMetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import type { MetricDefinition } from './catalogue.js';

/** The SDK's own overflow series for attributes past the cardinality limit. */
const OVERFLOW_ATTRIBUTES: Attributes = { 'otel.metric.overflow': true };

export class HistogramSeries {
  /** One count per bucket, and one for values above the last boundary. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly attributes: Attributes,
    private readonly boundaries: readonly number[],
    readonly startTime: HrTime,
  ) {
    this.counts = new Array<number>(boundaries.length + 1).fill(0);
  }

  record(value: number): void {
    if (Number.isNaN(value)) return; // as the SDK: NaN falls in no bucket and is not counted
    this.count += 1;
    this.sum += value;
    const bucket = upperBoundIndex(this.boundaries, value);
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
  }
}

/**
 * A cumulative explicit-bucket histogram without min and max, as the catalogue view configures
 * the SDK's. Always cumulative: an OTLP reader that prefers delta still gets this one cumulative.
 */
export class DeliveryHistogram implements MetricProducer {
  private readonly byKey = new Map<string, HistogramSeries>();
  private overflow: HistogramSeries | undefined;

  constructor(
    private readonly metric: MetricDefinition,
    private readonly boundaries: readonly number[],
    private readonly scope: { name: string; version: string },
    /** Series beyond this many, counting the overflow series, go to the overflow series. */
    private readonly cardinalityLimit: number,
    /** Only to fill CollectionResult; readers keep the SDK's resource. */
    private readonly resource: Resource,
  ) {}

  /**
   * The series for these attributes; `key` identifies them (equal attributes, equal key). Callers
   * keep the returned series, so the lookup happens once per series, not per value.
   */
  series(key: string, attributes: Attributes): HistogramSeries {
    let series = this.byKey.get(key);
    if (series !== undefined) return series;
    if (this.byKey.size >= this.cardinalityLimit - 1) {
      return (this.overflow ??= new HistogramSeries(OVERFLOW_ATTRIBUTES, this.boundaries, now()));
    }
    series = new HistogramSeries(attributes, this.boundaries, now());
    this.byKey.set(key, series);
    return series;
  }

  collect(): Promise<CollectionResult> {
    const endTime = now();
    const boundaries = [...this.boundaries];
    const dataPoints: DataPoint<Histogram>[] = [];
    const all = this.overflow ? [...this.byKey.values(), this.overflow] : this.byKey.values();
    for (const series of all) {
      dataPoints.push({
        attributes: series.attributes,
        startTime: series.startTime,
        endTime,
        value: { buckets: { boundaries, counts: [...series.counts] }, sum: series.sum, count: series.count },
      });
    }
    const metric: HistogramMetricData = {
      descriptor: { name: this.metric.instrumentName, description: this.metric.help, unit: this.metric.unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints,
    };
    // The SDK leaves out an instrument that has no series yet; so does this.
    const metrics = dataPoints.length === 0 ? [] : [metric];
    return Promise.resolve({ resourceMetrics: { resource: this.resource, scopeMetrics: [{ scope: this.scope, metrics }] }, errors: [] });
  }
}

/** The first bucket whose inclusive upper bound holds the value (the SDK's binarySearchUB). */
function upperBoundIndex(boundaries: readonly number[], value: number): number {
  let low = 0;
  let high = boundaries.length - 1;
  let found = boundaries.length;
  while (high >= low) {
    const middle = low + ((high - low) >> 1);
    if ((boundaries[middle] as number) < value) low = middle + 1;
    else {
      found = middle;
      high = middle - 1;
    }
  }
  return found;
}

function now(): HrTime {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}
