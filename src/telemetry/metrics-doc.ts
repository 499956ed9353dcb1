// Renders the catalogue as Markdown: docs/metrics.md (`npm run docs:metrics`) and the README table.
import {
  EVENT_DELIVERY_BUCKETS,
  LABELS,
  METRIC_CARDINALITY_LIMIT,
  METRICS,
  OTHER_EVENT,
  type LabelDefinition,
  type MetricDefinition,
} from './catalogue.js';
import { MAX_TRACKED_EVENTS, TRACKING_HORIZON_MS } from './event-delivery.js';

/** The table of every metric, for docs/metrics.md and the README. */
export function renderMetricTable(): string {
  const rows = Object.values(METRICS).map((metric: MetricDefinition) =>
    row([
      code(metric.prometheusName),
      metric.kind,
      metric.unit === '' ? '' : code(metric.unit),
      metric.labels.map(code).join(', '),
      metric.help,
    ]),
  );
  const header = row(['name', 'type', 'unit', 'labels', 'description']);
  return [header, row(['---', '---', '---', '---', '---']), ...rows].join('\n');
}

export function renderLabelTable(): string {
  const rows = Object.entries(LABELS).map(([name, label]: [string, LabelDefinition]) =>
    row([code(name), (label.values ?? []).map(code).join(', '), label.help]),
  );
  return [row(['label', 'values', 'meaning']), row(['---', '---', '---']), ...rows].join('\n');
}

/** The whole of docs/metrics.md. */
export function renderMetricsDoc(): string {
  return `# Metrics

<!-- Generated from src/telemetry/catalogue.ts by \`npm run docs:metrics\`. Do not edit by hand. -->

Every metric served on \`/metrics\`, with its name as Prometheus sees it.

${renderMetricTable()}

## Labels

${renderLabelTable()}

## Notes

- **\`target_info\`**: one series, value 1, carrying the OpenTelemetry resource
  (\`service_name="webhook-log-exporter"\`, \`service_version\`).
- **\`otel_scope_name\`, \`otel_scope_version\`**: the OpenTelemetry exporter adds these labels to every
  series. Dashboards and alerts should not depend on them.
- **Names and units**: counters get their \`_total\` suffix from the exporter; units are not appended,
  so the \`_seconds\` metrics carry the suffix in their own name. The \`# UNIT\` comment lines hold the
  OpenTelemetry unit and are ignored by the Prometheus text format.
- **\`event\` cap**: each source keeps at most \`maxEventTypes\` distinct \`event\` values; later new
  types are counted under \`event="${OTHER_EVENT}"\`. First come, first served, so a series never
  changes its labels while the process runs (which Prometheus would read as a counter reset). After
  a restart, other types may get their own series; totals per source stay exact.
- **Time to delivery** (\`webhook_event_delivery_seconds\`): per event (the provider's event id, which
  docs/providers.md names per provider), from its first attempt's \`createdAt\` to the end
  (\`createdAt\` + duration) of its first successful attempt, observed once, when that success is
  read. An event that succeeds at once is observed as its response time. Left out: providers that
  report no event id, and events whose first attempt the exporter did not see, that is attempts
  older than the exporter's start or numbered as a re-send (an attempt number above 1, a
  redelivery, a manual re-send). Where a provider does not number its automatic retries, an event
  that began before the exporter started can be observed from its first retry seen, once, after a
  start. Bounded: an event is followed only while it has failed and not yet succeeded, for at most
  ${TRACKING_HORIZON_MS / 3_600_000} hours and ${MAX_TRACKED_EVENTS.toLocaleString('en-US')} events per webhook (the oldest go first; their later success is
  not observed, or, where retries are not numbered, observed as if it were the first attempt).
  Buckets: ${EVENT_DELIVERY_BUCKETS.join(', ')} seconds. Nothing of it survives a restart.
- **Cardinality limit**: of the series of one metric recorded between two scrapes, the
  OpenTelemetry SDK keeps ${METRIC_CARDINALITY_LIMIT} apart (more when the configured webhooks need it).
  Any more are folded into one series labelled \`otel_metric_overflow="true"\` that has none of the
  other labels; if you see it, lower \`maxEventTypes\`.
`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

function code(text: string): string {
  return `\`${text}\``;
}

const README_START = /<!-- metrics:start[^>]*-->/;
const README_END = '<!-- metrics:end -->';

/** The README with the metric table between its markers replaced by the current one. */
export function renderReadmeMetrics(readme: string): string {
  const start = README_START.exec(readme);
  const end = readme.indexOf(README_END);
  if (!start || end < start.index) throw new Error('README.md lacks the <!-- metrics:start --> … <!-- metrics:end --> markers');
  const head = readme.slice(0, start.index + start[0].length);
  return `${head}\n${renderMetricTable()}\n${readme.slice(end)}`;
}
