// The OpenTelemetry SDK's own env handling (OTEL_EXPORTER_OTLP_*_PROTOCOL → http/json,
// http/protobuf or grpc; OTEL_METRIC_EXPORT_INTERVAL/TIMEOUT; OTEL_TRACES_EXPORTER and the batch
// settings), so OTLP is configured exactly as the OTel docs say. NodeSDK itself cannot be used: it
// would push OTLP metrics by default when OTEL_METRICS_EXPORTER is unset.
//
// Imported only when an OTLP export is asked for: this module loads every OTLP exporter (gRPC,
// protobuf, JSON; traces, metrics and logs), about 10 MB of RSS that a plain /metrics sidecar
// never uses. It is an internal path of sdk-node, pinned in package.json.
export {
  getNonNegativeNumberFromEnv,
  getOtlpMetricExporterFromEnv,
  getSpanProcessorsFromEnv,
} from '@opentelemetry/sdk-node/build/src/utils.js';
