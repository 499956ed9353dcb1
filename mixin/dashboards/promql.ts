// PromQL pieces shared by the dashboards (aggregations shared with the alert rules are in
// ../promql.ts). Metric names come from the catalogue, so a renamed metric renames every query;
// each selector filters by exactly the dashboard variables whose label the metric carries (a
// filter on a missing label would match nothing).

import type { MetricDefinition } from '../../src/telemetry/catalogue.js';
import { maxBy, PER_WEBHOOK, sumBy } from '../promql.js';

/** Grafana's rate window: at least four scrape intervals, so rate() always has two samples. */
export const RATE_INTERVAL = '$__rate_interval';

/** Builds `metric{job=~"$job", ...}` selectors for a dashboard with the given variables. */
export function selectorsFor(variables: readonly string[]) {
  return (metric: MetricDefinition, fixed: Record<string, string> = {}, suffix = ''): string => {
    const labels = new Set<string>(['job', ...metric.labels]);
    const matchers = variables.filter((variable) => labels.has(variable)).map((variable) => `${variable}=~"$${variable}"`);
    for (const [label, value] of Object.entries(fixed)) matchers.push(`${label}="${value}"`);
    const name = metric.prometheusName + suffix;
    return matchers.length === 0 ? name : `${name}{${matchers.join(', ')}}`;
  };
}

export function rate(selector: string): string {
  return `rate(${selector}[${RATE_INTERVAL}])`;
}

export function increase(selector: string): string {
  return `increase(${selector}[${RATE_INTERVAL}])`;
}

/**
 * One quantile of a histogram, from the per-second rates of its `_bucket` series (already one per
 * identity, or per exporter), summed over everything but `le` and `by`.
 */
export function histogramQuantile(quantile: number, bucketRates: string, by: readonly string[] = []): string {
  return `histogram_quantile(${quantile}, ${sumBy([...by, 'le'], bucketRates)})`;
}

/**
 * Seconds since a Unix-seconds timestamp gauge, newest per webhook. Max already keeps one value
 * however many exporters report the webhook: the newest any of them saw.
 */
export function secondsSince(selector: string): string {
  return `time() - ${maxBy(PER_WEBHOOK, selector)}`;
}
