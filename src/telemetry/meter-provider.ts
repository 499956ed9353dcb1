import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { AggregationType, MeterProvider, type IMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
// The SDK's own env handling (OTEL_EXPORTER_OTLP_*_PROTOCOL → http/json, http/protobuf or grpc;
// OTEL_METRIC_EXPORT_INTERVAL/TIMEOUT), so OTLP is configured exactly as the OTel docs say. NodeSDK
// itself cannot be used for metrics: it would push OTLP by default when OTEL_METRICS_EXPORTER is unset.
import { getOtlpMetricExporterFromEnv, getPeriodicExportingMetricReaderFromEnv } from '@opentelemetry/sdk-node/build/src/utils.js';
import { METER_NAME, METRICS } from './catalogue.js';
import { exporterResource } from './resource.js';

export interface MetricsPipelineOptions {
  serviceVersion: string;
  /** Seconds. */
  histogramBuckets: readonly number[];
  cardinalityLimit: number;
}

export interface MetricsPipeline {
  meterProvider: MeterProvider;
  meter: Meter;
  exporter: PrometheusExporter;
}

export function createMetricsPipeline(opts: MetricsPipelineOptions): MetricsPipeline {
  // We serve /metrics on our own server, next to /healthz and the status page.
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({
    resource: exporterResource(opts.serviceVersion),
    views: catalogueViews(opts),
    readers: [exporter, ...otlpMetricReadersFromEnv()],
  });
  return { meterProvider, exporter, meter: meterProvider.getMeter(METER_NAME, opts.serviceVersion) };
}

/**
 * `OTEL_METRICS_EXPORTER=otlp` pushes the same metrics over OTLP (e.g. to an OpenTelemetry
 * Collector) next to /metrics, which is always served. Unset, or any other value: nothing is pushed.
 */
export function otlpMetricReadersFromEnv(): IMetricReader[] {
  const wanted = (process.env.OTEL_METRICS_EXPORTER ?? '').split(',').map((name) => name.trim());
  return wanted.includes('otlp') ? [getPeriodicExportingMetricReaderFromEnv(getOtlpMetricExporterFromEnv())] : [];
}

/**
 * One view per catalogue metric: the only way the SDK lets us set a cardinality limit per metric
 * (the exporter builds its reader without a cardinality selector), and where the configured buckets
 * go. Exactly one view matches each instrument; two would export it twice.
 */
function catalogueViews(opts: MetricsPipelineOptions): ViewOptions[] {
  return Object.values(METRICS).map((metric) => ({
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
