// Small builders for the PromQL the alerts share, so each alert reads as what it checks. The
// aggregations themselves are shared with the dashboards (../promql.ts); this adds plain selectors,
// counterIncrease and the rules file's layout, each operand on lines of its own.
import { METRICS, type MetricKey } from '../../src/telemetry/catalogue.js';
import { maxOverExporters, on, sumBy } from '../promql.js';

/** `name{matchers}` for a catalogue metric, with an optional suffix such as `_bucket`. */
export function series(metric: MetricKey, matchers = '', suffix = ''): string {
  return `${METRICS[metric].prometheusName}${suffix}${matchers ? `{${matchers}}` : ''}`;
}

/** `sum by (labels) (…)` with `expr` on lines of its own, indented. */
export function sumByOnLines(labels: readonly string[], expr: string): string {
  return sumBy(labels, onLinesOfItsOwn(expr));
}

/**
 * maxOverExporters (../promql.ts) for a catalogue metric, with `expr` on lines of its own: each
 * series once, however many exporters report its webhook.
 */
export function maxOverExportersOnLines(metric: MetricKey, expr: string, suffix = ''): string {
  return maxOverExporters(METRICS[metric], onLinesOfItsOwn(expr), suffix);
}

/** `(expr)` over several lines, indented so the rules file reads like hand-written PromQL. */
export function parenthesise(expr: string): string {
  return `(${onLinesOfItsOwn(expr)})`;
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
    `  and ${on(['job', 'instance'])} up offset ${window}`,
    `or`,
    `increase(${selector}[${window}])`,
  ].join('\n');
}

/** `\n  expr\n`: inside parentheses, the expression starts a line and the `)` gets its own. */
function onLinesOfItsOwn(expr: string): string {
  const indented = expr
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `\n${indented}\n`;
}
