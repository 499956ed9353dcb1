export { ExporterTelemetry, type TelemetryOptions, type WebhookDeliveryStatus } from './metrics.js';
export { WINDOW_MINUTES } from './status-window.js';
export { otlpMetricReadersFromEnv } from './meter-provider.js';
export {
  cardinalityLimit,
  LABELS,
  METRIC_CARDINALITY_LIMIT,
  METRICS,
  NO_HTTP_STATUS,
  OTHER_EVENT,
  type LabelName,
  type MetricDefinition,
  type MetricKey,
} from './catalogue.js';
export { PROMETHEUS_TEXT_CONTENT_TYPE } from './prometheus-text.js';
export { renderMetricsDoc, renderMetricTable, renderReadmeMetrics } from './metrics-doc.js';
