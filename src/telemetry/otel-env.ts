// OTEL_* variables → OTLP exporters, with the semantics of the OpenTelemetry SDK environment
// specification (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
//
// Why our own lines: @opentelemetry/sdk-node 0.30x exports only NodeSDK, which registers global
// providers and builds a MeterProvider of its own; its env helpers are internal. These are the few
// of them we need, for our own providers. test/unit/otel-env.test.ts pins their behaviour.
//
// Imported only when an OTLP export is asked for, and each exporter package only for the protocol
// chosen: gRPC alone loads @grpc/grpc-js, megabytes a plain /metrics sidecar never uses.
import { diag } from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { StartupError } from '../startup-error.js';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';

export type OtlpProtocol = 'grpc' | 'http/json' | 'http/protobuf';

/** The signal's own OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL, then the shared one, then http/protobuf. */
export function otlpProtocolFromEnv(signal: 'TRACES' | 'METRICS'): OtlpProtocol {
  const protocol =
    (getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL'))?.trim() ||
    'http/protobuf';
  if (protocol === 'grpc' || protocol === 'http/json' || protocol === 'http/protobuf') return protocol;
  diag.warn(`Unsupported OTLP ${signal.toLowerCase()} protocol: "${protocol}". Using http/protobuf.`);
  return 'http/protobuf';
}

/** A positive number from the environment; unset, blank, zero or negative: undefined (the default). */
export function positiveNumberFromEnv(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  if (value === undefined || value > 0) return value;
  diag.warn(`${name} (${value}) is invalid, expected a number greater than 0, using the default.`);
  return undefined;
}

/** The OTLP metric exporter for OTEL_EXPORTER_OTLP_METRICS_PROTOCOL; endpoint, headers etc. it reads itself. */
export async function otlpMetricExporterFromEnv(): Promise<PushMetricExporter> {
  const protocol = otlpProtocolFromEnv('METRICS');
  const asked = (pkg: string) => ({ signal: 'METRICS' as const, protocol, pkg });
  switch (protocol) {
    case 'grpc':
      return new (await loadExporter(asked('@opentelemetry/exporter-metrics-otlp-grpc'), () => import('@opentelemetry/exporter-metrics-otlp-grpc'))).OTLPMetricExporter();
    case 'http/json':
      return new (await loadExporter(asked('@opentelemetry/exporter-metrics-otlp-http'), () => import('@opentelemetry/exporter-metrics-otlp-http'))).OTLPMetricExporter();
    case 'http/protobuf':
      return new (await loadExporter(asked('@opentelemetry/exporter-metrics-otlp-proto'), () => import('@opentelemetry/exporter-metrics-otlp-proto'))).OTLPMetricExporter();
  }
}

async function otlpSpanExporterFromEnv(): Promise<SpanExporter> {
  const protocol = otlpProtocolFromEnv('TRACES');
  const asked = (pkg: string) => ({ signal: 'TRACES' as const, protocol, pkg });
  switch (protocol) {
    case 'grpc':
      return new (await loadExporter(asked('@opentelemetry/exporter-trace-otlp-grpc'), () => import('@opentelemetry/exporter-trace-otlp-grpc'))).OTLPTraceExporter();
    case 'http/json':
      return new (await loadExporter(asked('@opentelemetry/exporter-trace-otlp-http'), () => import('@opentelemetry/exporter-trace-otlp-http'))).OTLPTraceExporter();
    case 'http/protobuf':
      return new (await loadExporter(asked('@opentelemetry/exporter-trace-otlp-proto'), () => import('@opentelemetry/exporter-trace-otlp-proto'))).OTLPTraceExporter();
  }
}

/**
 * An exporter package is loaded only when a variable asks for it, so an image may leave out the
 * ones it does not use. When one is missing, say at start which variable asked for it, in one line,
 * rather than fail in the first export.
 */
async function loadExporter<T>(asked: { signal: 'TRACES' | 'METRICS'; protocol: OtlpProtocol; pkg: string }, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    const exporterVariable = `OTEL_${asked.signal}_EXPORTER`;
    const protocolVariable = [`OTEL_EXPORTER_OTLP_${asked.signal}_PROTOCOL`, 'OTEL_EXPORTER_OTLP_PROTOCOL'].find((name) => getStringFromEnv(name) !== undefined);
    const why = protocolVariable === undefined ? `protocol ${asked.protocol}, the default` : `protocol ${asked.protocol} from ${protocolVariable}`;
    throw new StartupError(
      `${exporterVariable}=otlp (${why}) needs the package ${asked.pkg}, which this installation does not have: install it, choose another protocol, or unset ${exporterVariable}`,
    );
  }
}

/**
 * One processor per exporter OTEL_TRACES_EXPORTER names (`otlp`, `console`), each OTLP exporter
 * behind a batch processor configured by OTEL_BSP_*. `none`, or nothing usable: no processor.
 */
export async function spanProcessorsFromEnv(): Promise<SpanProcessor[]> {
  const names = [...new Set(getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? [])];
  if (names.length === 0 || names.includes('none')) return [];
  const processors: SpanProcessor[] = [];
  for (const name of names) {
    if (name === 'otlp') processors.push(new BatchSpanProcessor({ exporter: await otlpSpanExporterFromEnv(), ...batchConfigFromEnv() }));
    else if (name === 'console') processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
    else diag.warn(`Unsupported OTEL_TRACES_EXPORTER value: "${name}". Supported values are: otlp, console, none.`);
  }
  return processors;
}

function batchConfigFromEnv() {
  return {
    maxQueueSize: positiveNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    scheduledDelayMillis: positiveNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: positiveNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    maxExportBatchSize: positiveNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
}
