// Every metric the exporter publishes, declared once. Instruments, docs/metrics.md and the README
// table are built from this file, so a name changed here changes everywhere (and breaks users'
// dashboards and alerts: say why in the CHANGELOG).
import { PROVIDERS } from '../providers/registry.js';
import { INVALID_REASONS } from '../providers/types.js';

export const METER_NAME = 'webhook-log-exporter';

/** Label value that replaces event types past the per-source cap (`maxEventTypes`). */
export const OTHER_EVENT = 'other';

/** `http_status_code` when the receiver never answered (timeout, connection refused). */
export const NO_HTTP_STATUS = 'none';

/**
 * Per metric, the OTel SDK keeps this many series apart and folds any more into one series labelled
 * `otel_metric_overflow="true"`, losing their labels. SDK 2.12 counts the series recorded between
 * two collections (scrapes), not every series ever exported: the limit guards bursts, such as a
 * backfill or the start-up initialisation of the health series, while `maxEventTypes` bounds the
 * total. Its default, 2000, would already fold the initial `webhook_exporter_polls_total` series of
 * 1000 webhooks, so cardinalityLimit() fits HEALTH_SERIES_PER_WEBHOOK per configured webhook, and
 * 10 000 leaves room for a backfill touching many event types and status codes at once.
 */
export const METRIC_CARDINALITY_LIMIT = 10_000;

/** `webhook_exporter_polls_total` (result) and `webhook_last_delivery_timestamp_seconds` (status). */
const HEALTH_SERIES_PER_WEBHOOK = 2;

/** The SDK counts its overflow series against the limit, so N series need a limit of N + 1. */
export function cardinalityLimit(configuredWebhooks: number): number {
  return Math.max(METRIC_CARDINALITY_LIMIT, configuredWebhooks * HEALTH_SERIES_PER_WEBHOOK + 1);
}

/**
 * Buckets of webhook_event_delivery_seconds: from a first attempt that succeeds (about a second)
 * to retry schedules that span more than a day. Fixed, unlike the
 * configurable response-time buckets: they follow providers' retry schedules, not receivers.
 */
export const EVENT_DELIVERY_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1_800, 3_600, 7_200, 21_600, 43_200, 86_400, 172_800] as const;

export interface LabelDefinition {
  readonly help: string;
  /** The only values the label takes; absent when values come from config or providers. */
  readonly values?: readonly string[];
}

export const LABELS = {
  source: { help: 'The `name` of the configured source.' },
  provider: { help: 'The provider the source reads.', values: PROVIDERS },
  webhook_id: { help: 'The webhook id, as configured.' },
  event: {
    help: `Event type as the provider names it, \`unknown\` when it names none, or \`${OTHER_EVENT}\` once the source has \`maxEventTypes\` distinct types.`,
  },
  status: { help: 'Final status of the attempt.', values: ['success', 'failed'] },
  http_status_code: {
    help: `The receiver's HTTP status ("200", "503", …), or \`${NO_HTTP_STATUS}\` when it never answered.`,
  },
  result: { help: 'Outcome of the poll.', values: ['success', 'error'] },
  code: { help: 'HTTP status of the provider API response, or `timeout` / `network_error`.' },
  reason: { help: 'Why an entry was skipped.', values: INVALID_REASONS },
} as const satisfies Record<string, LabelDefinition>;

export type LabelName = keyof typeof LABELS;

export type InstrumentKind = 'counter' | 'histogram' | 'gauge';

export interface MetricDefinition {
  /** The name as Prometheus sees it. */
  readonly prometheusName: string;
  /** The OTel instrument name: the exporter adds `_total` to counters and nothing for units. */
  readonly instrumentName: string;
  readonly kind: InstrumentKind;
  /** UCUM unit, written as a `# UNIT` comment that the Prometheus text format ignores; '' for counts. */
  readonly unit: string;
  /** In the order they appear in the exposition. */
  readonly labels: readonly LabelName[];
  readonly help: string;
}

const DELIVERY = ['source', 'provider', 'webhook_id', 'event'] as const;
const DELIVERY_WITHOUT_EVENT = ['source', 'provider', 'webhook_id'] as const;
const WEBHOOK_HEALTH = ['source', 'webhook_id'] as const;

export const METRICS = {
  deliveries: {
    prometheusName: 'webhook_deliveries_total',
    instrumentName: 'webhook_deliveries',
    kind: 'counter',
    unit: '',
    labels: [...DELIVERY, 'status', 'http_status_code'],
    help: "Finished webhook delivery attempts read from the provider's delivery log.",
  },
  deliveryDuration: {
    prometheusName: 'webhook_delivery_duration_seconds',
    instrumentName: 'webhook_delivery_duration_seconds',
    kind: 'histogram',
    unit: 's',
    labels: [...DELIVERY, 'status'],
    help: 'Receiver response time of finished delivery attempts that report one.',
  },
  deliveryRetries: {
    prometheusName: 'webhook_delivery_retries_total',
    instrumentName: 'webhook_delivery_retries',
    kind: 'counter',
    unit: '',
    labels: [...DELIVERY, 'status'],
    help: 'Finished delivery attempts that re-send an event already attempted: an attempt number above 1, a redelivery or a manual re-send.',
  },
  deliveriesExhausted: {
    prometheusName: 'webhook_deliveries_exhausted_total',
    instrumentName: 'webhook_deliveries_exhausted',
    kind: 'counter',
    unit: '',
    labels: [...DELIVERY],
    help: 'Failed delivery attempts after which the provider schedules no retry (providers that report retry schedules, and providers that never retry by themselves).',
  },
  eventDelivery: {
    prometheusName: 'webhook_event_delivery_seconds',
    instrumentName: 'webhook_event_delivery_seconds',
    kind: 'histogram',
    unit: 's',
    labels: [...DELIVERY],
    help: "Time until an event was delivered: from its first attempt's createdAt to the end of its first successful attempt, observed once per event (providers that report event ids; events whose first attempt the exporter did not see are left out).",
  },
  deliveriesPending: {
    prometheusName: 'webhook_deliveries_pending',
    instrumentName: 'webhook_deliveries_pending',
    kind: 'gauge',
    unit: '',
    labels: [...DELIVERY_WITHOUT_EVENT],
    help: 'Log entries whose latest read status is pending or processing.',
  },
  lastDeliveryTimestamp: {
    prometheusName: 'webhook_last_delivery_timestamp_seconds',
    instrumentName: 'webhook_last_delivery_timestamp_seconds',
    kind: 'gauge',
    unit: 's',
    labels: [...DELIVERY_WITHOUT_EVENT, 'status'],
    help: 'Newest createdAt seen per status, in Unix seconds.',
  },
  polls: {
    prometheusName: 'webhook_exporter_polls_total',
    instrumentName: 'webhook_exporter_polls',
    kind: 'counter',
    unit: '',
    labels: [...WEBHOOK_HEALTH, 'result'],
    help: "Polls of a webhook's delivery log.",
  },
  pollDuration: {
    prometheusName: 'webhook_exporter_poll_duration_seconds',
    instrumentName: 'webhook_exporter_poll_duration_seconds',
    kind: 'histogram',
    unit: 's',
    labels: [...WEBHOOK_HEALTH],
    help: "Time one poll of a webhook's delivery log took, all pages included.",
  },
  apiRequests: {
    prometheusName: 'webhook_exporter_api_requests_total',
    instrumentName: 'webhook_exporter_api_requests',
    kind: 'counter',
    unit: '',
    labels: ['source', 'code'],
    help: 'Requests to the provider API, by response status.',
  },
  entriesInvalid: {
    prometheusName: 'webhook_exporter_entries_invalid_total',
    instrumentName: 'webhook_exporter_entries_invalid',
    kind: 'counter',
    unit: '',
    labels: ['source', 'reason'],
    help: 'Log entries skipped because they could not be read.',
  },
  gaps: {
    prometheusName: 'webhook_exporter_gaps_total',
    instrumentName: 'webhook_exporter_gaps',
    kind: 'counter',
    unit: '',
    labels: [...WEBHOOK_HEALTH],
    help: 'Reads that may have missed deliveries: cut short by maxPages, no entry already known in a full read, or a pending entry gone before it finished.',
  },
  up: {
    prometheusName: 'webhook_exporter_up',
    instrumentName: 'webhook_exporter_up',
    kind: 'gauge',
    unit: '',
    labels: [...WEBHOOK_HEALTH],
    help: '1 when the latest poll of the webhook succeeded, 0 when it failed.',
  },
  rateLimitRemaining: {
    prometheusName: 'webhook_exporter_api_rate_limit_remaining',
    instrumentName: 'webhook_exporter_api_rate_limit_remaining',
    kind: 'gauge',
    unit: '',
    labels: ['source'],
    help: "Requests left in the provider's rate-limit budget for the source's credentials, as its latest answer reported; absent when the provider reports none.",
  },
  webConfigReloadErrors: {
    prometheusName: 'webhook_exporter_web_config_reload_errors_total',
    instrumentName: 'webhook_exporter_web_config_reload_errors',
    kind: 'counter',
    unit: '',
    labels: [],
    help: 'Changes to the web config file, or to a file it names, that could not be loaded; the previous web config keeps serving.',
  },
  lastSuccessTimestamp: {
    prometheusName: 'webhook_exporter_last_success_timestamp_seconds',
    instrumentName: 'webhook_exporter_last_success_timestamp_seconds',
    kind: 'gauge',
    unit: 's',
    labels: [...WEBHOOK_HEALTH],
    help: 'When the latest successful poll of the webhook finished, in Unix seconds.',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** Label values in catalogue order: a tuple as long as the metric's label list. */
export type LabelValues<K extends MetricKey> = StringsLike<(typeof METRICS)[K]['labels']>;
type StringsLike<Tuple extends readonly unknown[]> = { readonly [I in keyof Tuple]: string };
