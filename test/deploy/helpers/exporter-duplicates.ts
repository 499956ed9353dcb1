// Whether a query counts a webhook once however many exporters report it (replicas of a sidecar
// read the same delivery logs): every selector of a per-webhook metric must meet `max` (one series
// per identity) before any other aggregation, or keep `instance` (a view per exporter process).
// mixin/promql.ts (maxOverExporters) says why.
import { METRICS } from '../../../src/telemetry/catalogue.js';
import { selectorsIn } from './promql.js';

/** Every Prometheus name of the catalogue's metrics that carry a webhook_id. */
const PER_WEBHOOK_NAMES = new Set(
  Object.values(METRICS)
    .filter((metric) => (metric.labels as readonly string[]).includes('webhook_id'))
    .flatMap((metric) => (metric.kind === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => metric.prometheusName + suffix) : [metric.prometheusName])),
);

/** Why each per-webhook selector of `expr` would count once per exporter; [] when none would. */
export function exporterDuplicateProblems(expr: string): string[] {
  return selectorsIn(expr)
    .filter((selector) => PER_WEBHOOK_NAMES.has(selector.metric))
    .flatMap((selector) => {
      const innermost = selector.within[0];
      if (innermost === undefined) return [`'${selector.metric}' is not aggregated: one result per exporter that reports it`];
      if (innermost.operator === 'max' || (innermost.by ?? []).includes('instance')) return [];
      return [`'${selector.metric}' goes into ${innermost.operator}() over every exporter: take max by (its labels) first, or keep instance`];
    });
}
