// Panel targets: Prometheus queries through the `datasource` variable, with refIds A, B, C… in
// the order given (table columns are matched by refId).

import type * as common from '@grafana/grafana-foundation-sdk/common';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { histogramQuantile } from './promql.js';

/** No data source uid in the JSON: the same file imports through the UI and through provisioning. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export interface Query {
  expr: string;
  /** Grafana legend template, e.g. `{{status}}`. */
  legend: string;
}

/** The quantiles a latency panel shows, titled "p50 / p95 / p99". */
const QUANTILES = [0.5, 0.95, 0.99];

/**
 * One query per quantile of a histogram, from the rates of its `_bucket` series; legends `p50`,
 * `p95`, `p99`, each after the `by` labels when there are any (`{{instance}} p50`).
 */
export function quantileQueries(bucketRates: string, by: readonly string[] = []): Query[] {
  const prefix = by.map((label) => `{{${label}}} `).join('');
  return QUANTILES.map((quantile) => ({ expr: histogramQuantile(quantile, bucketRates, by), legend: `${prefix}p${quantile * 100}` }));
}

/** Queries over the dashboard's time range, one series per label set. */
export function rangeQueries(...queries: Query[]): prometheus.DataqueryBuilder[] {
  return queries.map((query, index) => rangeQuery(query, index));
}

/** Histogram buckets for a heatmap: Grafana turns the cumulative `le` series into per-bucket counts. */
export function bucketQuery(query: Query): prometheus.DataqueryBuilder {
  return rangeQuery(query, 0).format(prometheus.PromQueryFormat.Heatmap);
}

/** One value per label set, now: a table column. */
export function instantQuery(expr: string, index: number): prometheus.DataqueryBuilder {
  return target(expr, index).format(prometheus.PromQueryFormat.Table).instant();
}

function rangeQuery(query: Query, index: number): prometheus.DataqueryBuilder {
  return target(query.expr, index).legendFormat(query.legend).format(prometheus.PromQueryFormat.TimeSeries).range();
}

function target(expr: string, index: number): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(String.fromCharCode('A'.charCodeAt(0) + index)).expr(expr);
}
