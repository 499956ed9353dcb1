// The per-entry delivery metrics (deliveries, retries, exhausted, the duration histogram and the
// time until an event is delivered), aggregated here instead of through SDK instruments.
//
// Why: every SDK add() or record() hashes its attributes (JSON.stringify over sorted keys) to find
// its series, and the API has no way to add a pre-aggregated page. That hashing was the largest
// part of the ingest path after JSON.parse. Here a delivery series holds its counter and histogram
// series directly, so counting an entry is a few additions. The data reaches every reader through
// the SDK's documented extension point, a MetricProducer, so /metrics and OTLP see the same metrics
// as from the SDK's instruments: same names, units, descriptions, buckets, scope and cardinality
// cap (test/unit/delivery-aggregation.test.ts compares the expositions on the same records).

import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import { EVENT_DELIVERY_BUCKETS, METRICS, type MetricDefinition } from './catalogue.js';

/** The SDK's own overflow series for attributes past the cardinality limit. */
const OVERFLOW_ATTRIBUTES: Attributes = { 'otel.metric.overflow': true };

export class CounterSeries {
  value = 0;

  constructor(
    readonly attributes: Attributes,
    readonly startTime: HrTime,
  ) {}
}

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

/** The series of one metric by key, capped like the SDK's: series past the limit share one overflow series. */
export class SeriesTable<S extends CounterSeries | HistogramSeries> {
  private readonly byKey = new Map<string, S>();
  private overflow: S | undefined;

  constructor(
    readonly metric: MetricDefinition,
    /** Series beyond this many, counting the overflow series, go to the overflow series. */
    private readonly cardinalityLimit: number,
    private readonly create: (attributes: Attributes, startTime: HrTime) => S,
  ) {}

  /**
   * The series for these attributes; `key` identifies them (equal attributes, equal key). Callers
   * keep the returned series, so the lookup happens once per series, not per value.
   */
  series(key: string, attributes: Attributes): S {
    let series = this.byKey.get(key);
    if (series !== undefined) return series;
    if (this.byKey.size >= this.cardinalityLimit - 1) return (this.overflow ??= this.create(OVERFLOW_ATTRIBUTES, now()));
    series = this.create(attributes, now());
    this.byKey.set(key, series);
    return series;
  }

  all(): Iterable<S> {
    return this.overflow ? [...this.byKey.values(), this.overflow] : this.byKey.values();
  }
}

/**
 * The delivery metrics, exported as the SDK would export a Counter (monotonic cumulative sum)
 * and an explicit-bucket Histogram without min and max. Always cumulative: an OTLP reader that
 * prefers delta still gets these cumulative.
 */
export class DeliveryMetrics implements MetricProducer {
  readonly deliveries: SeriesTable<CounterSeries>;
  readonly retries: SeriesTable<CounterSeries>;
  readonly exhausted: SeriesTable<CounterSeries>;
  readonly duration: SeriesTable<HistogramSeries>;
  readonly eventDelivery: SeriesTable<HistogramSeries>;

  constructor(
    private readonly boundaries: readonly number[],
    private readonly scope: { name: string; version: string },
    cardinalityLimit: number,
    /** Only to fill CollectionResult; readers keep the SDK's resource. */
    private readonly resource: Resource,
  ) {
    const counter = (attributes: Attributes, startTime: HrTime) => new CounterSeries(attributes, startTime);
    this.deliveries = new SeriesTable(METRICS.deliveries, cardinalityLimit, counter);
    this.retries = new SeriesTable(METRICS.deliveryRetries, cardinalityLimit, counter);
    this.exhausted = new SeriesTable(METRICS.deliveriesExhausted, cardinalityLimit, counter);
    this.duration = new SeriesTable(METRICS.deliveryDuration, cardinalityLimit, (attributes, startTime) => new HistogramSeries(attributes, boundaries, startTime));
    this.eventDelivery = new SeriesTable(METRICS.eventDelivery, cardinalityLimit, (attributes, startTime) => new HistogramSeries(attributes, EVENT_DELIVERY_BUCKETS, startTime));
  }

  collect(): Promise<CollectionResult> {
    const endTime = now();
    // Catalogue order; the SDK leaves out an instrument that has no series yet, and so does this.
    const metrics = [
      sumData(this.deliveries, endTime),
      histogramData(this.duration, this.boundaries, endTime),
      sumData(this.retries, endTime),
      sumData(this.exhausted, endTime),
      histogramData(this.eventDelivery, EVENT_DELIVERY_BUCKETS, endTime),
    ].filter((metric) => metric.dataPoints.length > 0);
    return Promise.resolve({ resourceMetrics: { resource: this.resource, scopeMetrics: [{ scope: this.scope, metrics }] }, errors: [] });
  }
}

function descriptor(metric: MetricDefinition) {
  return { name: metric.instrumentName, description: metric.help, unit: metric.unit, valueType: ValueType.DOUBLE };
}

function sumData(table: SeriesTable<CounterSeries>, endTime: HrTime): MetricData {
  const dataPoints: DataPoint<number>[] = [];
  for (const series of table.all()) dataPoints.push({ attributes: series.attributes, startTime: series.startTime, endTime, value: series.value });
  return {
    descriptor: descriptor(table.metric),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints,
  };
}

function histogramData(table: SeriesTable<HistogramSeries>, boundaries: readonly number[], endTime: HrTime): MetricData {
  const bounds = [...boundaries];
  const dataPoints: DataPoint<Histogram>[] = [];
  for (const series of table.all()) {
    dataPoints.push({
      attributes: series.attributes,
      startTime: series.startTime,
      endTime,
      value: { buckets: { boundaries: bounds, counts: [...series.counts] }, sum: series.sum, count: series.count },
    });
  }
  return {
    descriptor: descriptor(table.metric),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints,
  };
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

/**
 * Another producer's cumulative sums and histograms as deltas since this view's previous
 * collection, for a reader that prefers delta (OTLP with
 * OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta), as the SDK would give it from its own
 * instruments. One view per reader: each keeps the values its reader last saw.
 */
export class DeltaView implements MetricProducer {
  /** Per metric name, the last cumulative point of each series, by its attributes object (one per series). */
  private readonly previous = new Map<string, WeakMap<Attributes, DataPoint<number | Histogram>>>();

  constructor(private readonly cumulative: MetricProducer) {}

  async collect(): Promise<CollectionResult> {
    const result = await this.cumulative.collect();
    for (const scopeMetrics of result.resourceMetrics.scopeMetrics) {
      scopeMetrics.metrics = scopeMetrics.metrics.map((metric) => this.delta(metric));
    }
    return result;
  }

  private delta(metric: MetricData): MetricData {
    if (metric.aggregationTemporality !== AggregationTemporality.CUMULATIVE) return metric;
    let previous = this.previous.get(metric.descriptor.name);
    if (previous === undefined) this.previous.set(metric.descriptor.name, (previous = new WeakMap()));
    const last = previous;
    const since = (point: DataPoint<number | Histogram>) => {
      const before = last.get(point.attributes);
      last.set(point.attributes, point);
      return before;
    };
    if (metric.dataPointType === DataPointType.SUM) {
      const dataPoints = metric.dataPoints.map((point) => {
        const before = since(point) as DataPoint<number> | undefined;
        return before === undefined ? point : { ...point, startTime: before.endTime, value: point.value - before.value };
      });
      return { ...metric, aggregationTemporality: AggregationTemporality.DELTA, dataPoints };
    }
    if (metric.dataPointType === DataPointType.HISTOGRAM) {
      const dataPoints = metric.dataPoints.map((point) => {
        const before = since(point) as DataPoint<Histogram> | undefined;
        if (before === undefined) return point;
        const { value } = point;
        return {
          ...point,
          startTime: before.endTime,
          value: {
            buckets: { boundaries: value.buckets.boundaries, counts: value.buckets.counts.map((count, i) => count - (before.value.buckets.counts[i] ?? 0)) },
            sum: (value.sum ?? 0) - (before.value.sum ?? 0),
            count: value.count - before.value.count,
          },
        };
      });
      return { ...metric, aggregationTemporality: AggregationTemporality.DELTA, dataPoints };
    }
    return metric;
  }
}
