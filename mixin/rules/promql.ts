// Small builders for the PromQL the alerts share, so each alert reads as what it checks.
import { METRICS, type MetricKey } from '../../src/telemetry/catalogue.js';

/** The labels a delivery alert is about: one alert per webhook, saying which provider it is on. */
export const PER_DELIVERY_WEBHOOK = ['source', 'provider', 'webhook_id'] as const;
/** The exporter-health metrics have no `provider` label. */
export const PER_WEBHOOK = ['source', 'webhook_id'] as const;

/** `name{matchers}` for a catalogue metric, with an optional suffix such as `_bucket`. */
export function series(metric: MetricKey, matchers = '', suffix = ''): string {
  return `${METRICS[metric].prometheusName}${suffix}${matchers ? `{${matchers}}` : ''}`;
}

export function sumBy(labels: readonly string[], expr: string): string {
  return `sum by (${labels.join(', ')}) ${parenthesise(expr)}`;
}

/** `(expr)` over several lines, indented so the rules file reads like hand-written PromQL. */
export function parenthesise(expr: string): string {
  return `(\n${indent(expr)}\n)`;
}

/**
 * Per series, how much the counter `selector` counted over `window`. increase() needs two samples
 * of a series, so alone it misses a series' first appearance, and the exporter creates a delivery
 * series on its first count: a webhook's first failure appears as a new series at 1. A series born
 * inside the window therefore counts its whole value, but only when Prometheus already scraped the
 * same target before the window; when Prometheus or the target is new, the value holds history
 * from before the window and increase() alone is right.
 */
export function counterIncrease(selector: string, window: string): string {
  return [
    `(${selector} unless ${selector} offset ${window})`,
    `  and on (job, instance) up offset ${window}`,
    `or`,
    `increase(${selector}[${window}])`,
  ].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
