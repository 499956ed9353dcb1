// PromQL shared by the dashboards and the alert rules, so both aggregate and match over the same
// labels, written the same way. Each adds its own on top: dashboards/promql.ts (selectors filtered
// by the dashboard variables, Grafana's rate interval), rules/promql.ts (plain selectors, windows
// from mixinConfig, the rules file's multi-line layout).
//
// Several exporters may report the same webhook: every replica of an app with the exporter as its
// sidecar reads the same delivery logs. A sum over their series would count each delivery once
// per replica, so every query about a webhook first keeps one series per identity
// (maxOverExporters), and only then sums. Queries about an exporter process (its scrape, its
// polls and requests) stay per exporter instead: each replica really does that work.
import type { MetricDefinition } from '../src/telemetry/catalogue.js';

/** The labels of a per-webhook exporter-health metric (up, polls, gaps…): they carry no `provider`. */
export const PER_WEBHOOK = ['source', 'webhook_id'] as const;
/** The labels of a per-webhook delivery metric: the webhook, and which provider it is on. */
export const PER_DELIVERY_WEBHOOK = ['source', 'provider', 'webhook_id'] as const;
/** One exporter process: Prometheus' own label for the scrape target. */
export const PER_EXPORTER = ['instance'] as const;

/**
 * What a series of `metric` counts, whichever exporter reports it: the catalogue's labels, and `le`
 * for a histogram's buckets. The others (job, instance, pod, namespace…) only say which exporter.
 */
export function identityLabels(metric: MetricDefinition, suffix = ''): string[] {
  return suffix === '_bucket' ? [...metric.labels, 'le'] : [...metric.labels];
}

/**
 * `max by (identity) (expr)`: one series per identity, however many exporters report it. Replicas
 * read the same log and report the same counts, so one of them is the count (max: the one that has
 * read furthest); a shard is the only exporter of its webhooks, so max over its one series is that
 * series. Sums on top are then right for one exporter, N replicas and N shards alike.
 *
 * Only for metrics with a `webhook_id`: a per-source series (API requests, invalid entries) is
 * reported by every shard that polls a webhook of the source, each with its own share, so no label
 * tells a duplicate from a share. Show those per exporter.
 */
export function maxOverExporters(metric: MetricDefinition, expr: string, suffix = ''): string {
  if (!metric.labels.includes('webhook_id')) {
    throw new Error(`${metric.prometheusName} has no webhook_id label: exporters cannot be de-duplicated on it, show it per exporter`);
  }
  return maxBy(identityLabels(metric, suffix), expr);
}

/** `sum by (labels) (expr)`, or `sum(expr)` over every label. */
export function sumBy(labels: readonly string[], expr: string): string {
  return aggregate('sum', labels, expr);
}

/** `max by (labels) (expr)`, or `max(expr)` over every label. */
export function maxBy(labels: readonly string[], expr: string): string {
  return aggregate('max', labels, expr);
}

/** `on (labels)`: the labels a binary operator (`or`, `and`, `unless`, `/`) matches on. */
export function on(labels: readonly string[]): string {
  return `on (${labels.join(', ')})`;
}

function aggregate(operator: 'sum' | 'max', labels: readonly string[], expr: string): string {
  return labels.length === 0 ? `${operator}(${expr})` : `${operator} by (${labels.join(', ')}) (${expr})`;
}
