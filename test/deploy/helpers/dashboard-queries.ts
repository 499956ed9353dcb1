// Grafana's variable substitution, enough to run the dashboards' queries outside Grafana: by
// promtool in the linter, by a real Prometheus in the end-to-end test.

import * as sdk from '@grafana/grafana-foundation-sdk/dashboard';
import { panelsOf, prometheusTargets, variablesOf, type Dashboard } from './dashboard-model.js';

export interface Substitutions {
  /** `$__rate_interval`; default 1m. */
  rateInterval?: string;
  /** `$__interval`; default 1m. */
  interval?: string;
  /** `$__range`; default 1h. */
  range?: string;
  /** A dashboard variable's value, used as is (`=~` reads it as a regex); default `.+`, i.e. All. */
  [variable: string]: string | undefined;
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  refId: string;
  /** With every variable substituted. */
  expr: string;
  /** Evaluated at one instant (table columns), not over the time range. */
  instant: boolean;
}

export interface VariableQuery {
  dashboard: string;
  variable: string;
  /** The series selector of `label_values(selector, label)` or the expression of `query_result(expr)`, substituted. */
  expr: string;
}

const VARIABLE_REFERENCE = /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)(?::\w+)?\]\]|\$(\w+)/g;
/** `label_values(selector, label)` or `query_result(expr)`; `label_values(label)` has no selector. */
const VARIABLE_QUERY = /^\s*(?:label_values\((.+),\s*\w+\s*\)|query_result\((.+)\))\s*$/s;

/** Replaces `$var`, `${var}`, `${var:format}` and `[[var]]`; an unknown variable is an error. */
export function substituteVariables(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE_REFERENCE, (reference, braced?: string, bracketed?: string, bare?: string) => {
    const name = braced ?? bracketed ?? bare ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${reference} in: ${text}`);
    return value;
  });
}

/** Every panel target of `dashboard`, ready to send to Prometheus. */
export function dashboardQueries(dashboard: Dashboard, substitutions: Substitutions = {}): DashboardQuery[] {
  const values = variableValues(dashboard, substitutions);
  return panelsOf(dashboard).flatMap((panel) =>
    prometheusTargets(panel).map((target) => ({
      dashboard: dashboard.title ?? '',
      panel: panel.title ?? '',
      refId: target.refId ?? '',
      expr: substituteVariables(target.expr, values),
      instant: target.instant ?? false,
    })),
  );
}

/** The PromQL inside every query variable of `dashboard` (none for `label_values(label)`). */
export function variableQueries(dashboard: Dashboard, substitutions: Substitutions = {}): VariableQuery[] {
  const values = variableValues(dashboard, substitutions);
  return variablesOf(dashboard).flatMap((variable) => {
    if (variable.type !== sdk.VariableType.Query || typeof variable.query !== 'string') return [];
    const match = VARIABLE_QUERY.exec(variable.query);
    const inner = match?.[1] ?? match?.[2];
    if (inner === undefined) return [];
    return [{ dashboard: dashboard.title ?? '', variable: variable.name, expr: substituteVariables(inner, values) }];
  });
}

function variableValues(dashboard: Dashboard, substitutions: Substitutions): Record<string, string> {
  const { rateInterval = '1m', interval = '1m', range = '1h', ...chosen } = substitutions;
  const values: Record<string, string> = { __rate_interval: rateInterval, __interval: interval, __range: range };
  for (const variable of variablesOf(dashboard)) values[variable.name] = '.+';
  for (const [name, value] of Object.entries(chosen)) if (value !== undefined) values[name] = value;
  return values;
}
