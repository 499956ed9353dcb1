// src/telemetry/otel-env.ts: our few lines of the OpenTelemetry SDK's environment handling. Each
// case is what the SDK environment specification says; the end-to-end exports are in
// tracing.test.ts and otlp-metrics.test.ts.
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { otlpMetricExporterFromEnv, otlpProtocolFromEnv, positiveNumberFromEnv, spanProcessorsFromEnv } from '../../src/telemetry/otel-env.js';

const warnings: string[] = [];

beforeEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('OTEL_')) vi.stubEnv(name, undefined);
  diag.setLogger({ warn: (message) => warnings.push(message), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  diag.disable();
  warnings.length = 0;
});

/** The processors, shut down again so no batch timer outlives the test. */
async function processors(): Promise<SpanProcessor[]> {
  const made = await spanProcessorsFromEnv();
  await Promise.all(made.map((processor) => processor.shutdown()));
  return made;
}

/** The exporter behind a processor (a private field of the SDK's processors). */
const exporterOf = (processor: SpanProcessor): unknown => (processor as unknown as { _exporter: unknown })._exporter;

describe('OTLP protocol', () => {
  it('is http/protobuf by default, the shared variable next, the signal variable first', () => {
    expect(otlpProtocolFromEnv('TRACES')).toBe('http/protobuf');
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
    expect(otlpProtocolFromEnv('TRACES')).toBe('http/json');
    expect(otlpProtocolFromEnv('METRICS')).toBe('http/json');
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', ' grpc ');
    expect(otlpProtocolFromEnv('METRICS')).toBe('grpc');
    expect(otlpProtocolFromEnv('TRACES')).toBe('http/json');
  });

  it('falls back to http/protobuf, with a warning, for an unknown protocol', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http/xml');
    expect(otlpProtocolFromEnv('TRACES')).toBe('http/protobuf');
    expect(warnings).toEqual(['Unsupported OTLP traces protocol: "http/xml". Using http/protobuf.']);
  });

  it.each([
    ['grpc', GrpcMetricExporter],
    ['http/json', JsonMetricExporter],
    ['http/protobuf', ProtobufMetricExporter],
  ])('metrics over %s use that protocol’s exporter package', async (protocol, exporterClass) => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', protocol);
    const exporter = await otlpMetricExporterFromEnv();
    expect(exporter).toBeInstanceOf(exporterClass);
    await exporter.shutdown();
  });
});

describe('span processors from OTEL_TRACES_EXPORTER', () => {
  it('are none when unset or none, even beside another name', async () => {
    expect(await processors()).toEqual([]);
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    expect(await processors()).toEqual([]);
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'otlp,none');
    expect(await processors()).toEqual([]);
  });

  it.each([
    ['grpc', GrpcTraceExporter],
    ['http/json', JsonTraceExporter],
    ['http/protobuf', ProtobufTraceExporter],
  ])('otlp over %s: a batch processor around that protocol’s exporter', async (protocol, exporterClass) => {
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'otlp');
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', protocol);
    const [processor, ...rest] = await processors();
    expect(rest).toEqual([]);
    expect(processor).toBeInstanceOf(BatchSpanProcessor);
    expect(exporterOf(processor!)).toBeInstanceOf(exporterClass);
  });

  it('console: a simple processor; duplicates once; unknown names warned and skipped', async () => {
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'console, zipkin,console');
    const made = await processors();
    expect(made).toHaveLength(1);
    expect(made[0]).toBeInstanceOf(SimpleSpanProcessor);
    expect(exporterOf(made[0]!)).toBeInstanceOf(ConsoleSpanExporter);
    expect(warnings).toEqual(['Unsupported OTEL_TRACES_EXPORTER value: "zipkin". Supported values are: otlp, console, none.']);
  });

  it('the batch settings come from OTEL_BSP_*, and a non-positive one is the default', async () => {
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'otlp');
    vi.stubEnv('OTEL_BSP_SCHEDULE_DELAY', '250');
    vi.stubEnv('OTEL_BSP_MAX_QUEUE_SIZE', '4096');
    vi.stubEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '-1');
    vi.stubEnv('OTEL_BSP_EXPORT_TIMEOUT', '0');
    const [processor] = await processors();
    const settings = processor as unknown as Record<string, number>;
    expect(settings._scheduledDelayMillis).toBe(250);
    expect(settings._maxQueueSize).toBe(4096);
    expect(settings._maxExportBatchSize).toBe(512);
    expect(settings._exportTimeoutMillis).toBe(30_000);
    expect(warnings).toHaveLength(2);
  });
});

describe('positiveNumberFromEnv', () => {
  it('reads a positive number, and treats unset, blank, zero, negative and garbage as unset', () => {
    vi.stubEnv('N', '1500');
    expect(positiveNumberFromEnv('N')).toBe(1500);
    for (const value of ['', '  ', '0', '-5', 'soon']) {
      vi.stubEnv('N', value);
      expect(positiveNumberFromEnv('N'), JSON.stringify(value)).toBeUndefined();
    }
    vi.stubEnv('N', undefined);
    expect(positiveNumberFromEnv('N')).toBeUndefined();
  });
});
