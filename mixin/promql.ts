// PromQL shared by the dashboards and the alert rules, so both aggregate and match over the same
// labels, written the same way. Each adds its own on top: dashboards/promql.ts (selectors filtered
// by the dashboard variables, Grafana's rate interval), rules/promql.ts (plain selectors, windows
// from mixinConfig, the rules file's multi-line layout).

/** The labels of a per-webhook exporter-health metric (up, polls, gaps…): they carry no `provider`. */
export const PER_WEBHOOK = ['source', 'webhook_id'] as const;
/** The labels of a per-webhook delivery metric: the webhook, and which provider it is on. */
export const PER_DELIVERY_WEBHOOK = ['source', 'provider', 'webhook_id'] as const;

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
