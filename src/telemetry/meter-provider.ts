import type { Meter } from '@opentelemetry/api';
import {
  AggregationTemporality,
  AggregationType,
  InstrumentType,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type MetricProducer,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { METER_NAME } from './catalogue.js';
import { DeliveryMetrics, DeltaView } from './delivery-aggregation.js';
import { sdkMetrics } from './instruments.js';
import { exporterResource } from './resource.js';

/** Builds a reader that also collects our own producers (the delivery metrics). */
export type MetricReaderFactory = (producers: MetricProducer[]) => IMetricReader;

export interface MetricsPipelineOptions {
  serviceVersion: string;
  /** Seconds. */
  histogramBuckets: readonly number[];
  cardinalityLimit: number;
  /** Readers besides /metrics: see `otlpMetricReadersFromEnv`. */
  extraReaders?: MetricReaderFactory[];
}

/**
 * What GET /metrics collects from: a reader pulled on each scrape, cumulative, as Prometheus wants.
 * exporter-prometheus's PrometheusExporter is this reader plus an HTTP server and a serializer we
 * do not use (prometheus-text.ts says why); importing it also pulls Node's bundled undici into
 * memory (its ESM build imports `node:http`, whose namespace touches `http.WebSocket`), about
 * 13 MB of RSS for nothing (docs/performance.md, "Footprint").
 */
export class ScrapeReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface MetricsPipeline {
  meterProvider: MeterProvider;
  meter: Meter;
  exporter: ScrapeReader;
  /** The per-entry delivery metrics, outside the SDK's instruments: see delivery-aggregation.ts. */
  deliveryMetrics: DeliveryMetrics;
}

export function createMetricsPipeline(opts: MetricsPipelineOptions): MetricsPipeline {
  const resource = exporterResource(opts.serviceVersion);
  const scope = { name: METER_NAME, version: opts.serviceVersion };
  const deliveryMetrics = new DeliveryMetrics(opts.histogramBuckets, scope, opts.cardinalityLimit, resource);
  const producers = [deliveryMetrics];
  // We serve /metrics on our own server, next to /healthz and the status page.
  const exporter = new ScrapeReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers: producers });
  const meterProvider = new MeterProvider({
    resource,
    views: catalogueViews(opts),
    readers: [exporter, ...(opts.extraReaders ?? []).map((reader) => reader(producers))],
  });
  return { meterProvider, exporter, deliveryMetrics, meter: meterProvider.getMeter(scope.name, scope.version) };
}

/**
 * `OTEL_METRICS_EXPORTER=otlp` pushes the same metrics over OTLP (e.g. to an OpenTelemetry
 * Collector) next to /metrics, which is always served. Unset, or any other value: nothing is pushed.
 */
export async function otlpMetricReadersFromEnv(): Promise<MetricReaderFactory[]> {
  const wanted = (process.env.OTEL_METRICS_EXPORTER ?? '').split(',').map((name) => name.trim());
  if (!wanted.includes('otlp')) return [];
  const { positiveNumberFromEnv, otlpMetricExporterFromEnv } = await import('./otel-env.js');
  // The SDK's defaults for a periodic reader, and the timeout clamped to the interval.
  const exportIntervalMillis = positiveNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  const exportTimeoutMillis = Math.min(positiveNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000, exportIntervalMillis);
  const exporter = await otlpMetricExporterFromEnv();
  // Our own delivery metrics are cumulative; a reader that prefers delta gets them as deltas too.
  const delta = exporter.selectAggregationTemporality?.(InstrumentType.COUNTER) === AggregationTemporality.DELTA;
  return [
    (producers) =>
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis,
        exportTimeoutMillis,
        metricProducers: delta ? producers.map((producer) => new DeltaView(producer)) : producers,
      }),
  ];
}

/**
 * One view per catalogue metric: the only way the SDK lets us set a cardinality limit per metric
 * (the exporter builds its reader without a cardinality selector), and where the configured buckets
 * go. Exactly one view matches each instrument; two would export it twice.
 */
function catalogueViews(opts: MetricsPipelineOptions): ViewOptions[] {
  return sdkMetrics().map((metric) => ({
    meterName: METER_NAME,
    instrumentName: metric.instrumentName,
    aggregationCardinalityLimit: opts.cardinalityLimit,
    ...(metric.kind === 'histogram' && {
      aggregation: {
        type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
        // Min and max are not part of the Prometheus exposition.
        options: { boundaries: [...opts.histogramBuckets], recordMinMax: false },
      },
    }),
  }));
}
