// Re-checks the rules of Grafana's dashboard-linter (github.com/grafana/dashboard-linter, rule
// names kept) plus this project's own, on the foundation SDK's dashboard model. Each problem names
// dashboard, panel and rule. PromQL parsing needs promtool, so it is a separate, asynchronous step.

import * as sdk from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../../../src/telemetry/catalogue.js';
import { panelsOf, prometheusTargets, variablesOf, type Dashboard, type Panel, type Target } from './dashboard-model.js';
import { dashboardQueries, variableQueries } from './dashboard-queries.js';
import { exporterDuplicateProblems } from './exporter-duplicates.js';
import { checkPromQL, selectorsIn, type Selector } from './promql.js';

export interface Problem {
  dashboard: string;
  panel?: string;
  rule: string;
  message: string;
}

export function formatProblem(problem: Problem): string {
  const where = problem.panel === undefined ? `dashboard '${problem.dashboard}'` : `dashboard '${problem.dashboard}', panel '${problem.panel}'`;
  return `${where} [${problem.rule}]: ${problem.message}`;
}

const DATASOURCE_UID = '${datasource}';
const RATE_INTERVAL = '$__rate_interval';
const RANGE_FUNCTIONS = new Set(['rate', 'irate', 'increase']);
const COUNTER_SUFFIXES = ['_total', '_bucket', '_count', '_sum'];
const LABEL_QUERY_FUNCTIONS = /^\s*(label_values|label_names|metrics|query_result)\(/;

/** Grafana unit ids (from its valueFormats categories) that fit this project's metrics. */
const VALID_UNITS = new Set([
  'none', 'short', 'percent', 'percentunit', 'bool', 'bool_yes_no', 'bool_on_off',
  'ns', 'µs', 'ms', 's', 'm', 'h', 'd', 'dtdurationms', 'dtdurations', 'dthms', 'dtdhms', 'clockms', 'clocks',
  'hertz', 'cps', 'ops', 'reqps', 'rps', 'wps', 'iops', 'cpm', 'opm', 'rpm', 'wpm',
  'dateTimeAsIso', 'dateTimeAsLocal', 'dateTimeFromNow', 'bytes', 'decbytes',
]);

/** Every name a catalogue metric has in PromQL, and `up` (Prometheus' own, for the scrape). */
const KNOWN_METRICS = new Map<string, readonly string[]>([
  ['up', ['job', 'instance']],
  ...Object.values(METRICS).flatMap((metric) => {
    const labels = ['job', ...metric.labels];
    const names = metric.kind === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => metric.prometheusName + suffix) : [metric.prometheusName];
    return names.map((name) => [name, name.endsWith('_bucket') ? [...labels, 'le'] : labels] as const);
  }),
]);

export function lintDashboards(dashboards: readonly Dashboard[]): Problem[] {
  const problems: Problem[] = [];
  const uids = dashboards.map((dashboard) => dashboard.uid);
  for (const dashboard of dashboards) {
    const name = dashboard.title || dashboard.uid || '(untitled)';
    const report = (rule: string, message: string, panel?: Panel) =>
      problems.push({ dashboard: name, ...(panel && { panel: panel.title || `id ${panel.id}` }), rule, message });
    if (!dashboard.uid) report('dashboard-uid-rule', 'has no uid');
    if (uids.filter((uid) => uid === dashboard.uid).length > 1) report('dashboard-uid-rule', `uid '${dashboard.uid}' is not unique`);
    if (dashboard.editable) report('uneditable-dashboard-rule', "is editable: it is generated, so edits belong in mixin/ (set 'editable: false')");
    lintVariables(dashboard, report);
    lintLayout(dashboard, report);
    for (const panel of panelsOf(dashboard)) lintPanel(dashboard, panel, report);
    lintDatasourceReferences(dashboard, report);
    const text = JSON.stringify(dashboard);
    for (const forbidden of ['otel_scope_', 'target_info']) {
      if (text.includes(forbidden)) report('no-otel-internals-rule', `depends on '${forbidden}', which the exporter's OTel SDK adds and may change`);
    }
  }
  return problems;
}

type Report = (rule: string, message: string, panel?: Panel) => void;

function lintVariables(dashboard: Dashboard, report: Report): void {
  const list = variablesOf(dashboard);
  const first = list[0];
  if (first?.type !== sdk.VariableType.Datasource || first.query !== 'prometheus' || first.name !== 'datasource') {
    report('template-datasource-rule', "the first variable must be 'datasource', of type datasource, query prometheus");
  } else if (first.label !== 'Data source') {
    report('template-datasource-rule', `the datasource variable should be labelled 'Data source', is '${first.label}'`);
  }
  if (list[1]?.name !== 'job') report('template-job-rule', "the second variable must be 'job'");
  // template-instance-rule and target-instance-rule are not checked: the dashboards show every
  // exporter of the selected jobs, once per webhook, or per instance where a panel is about the
  // exporter process (target-exporter-duplicates-rule).
  const queryVariables = list.filter((variable) => variable.type === sdk.VariableType.Query);
  queryVariables.forEach((variable, index) => {
    const rule = variable.name === 'job' ? 'template-job-rule' : 'template-variable-rule';
    const where = `variable '${variable.name}'`;
    if (variable.datasource?.uid !== DATASOURCE_UID) report(rule, `${where} should use datasource '${DATASOURCE_UID}', uses '${variable.datasource?.uid}'`);
    if (!variable.multi || !variable.includeAll) report(rule, `${where} should be multi-select with All`);
    if (variable.allValue !== '.+') report(rule, `${where} allValue should be '.+', is '${variable.allValue}'`);
    if (variable.refresh !== sdk.VariableRefresh.OnTimeRangeChanged) {
      report('template-on-time-change-reload-rule', `${where} should refresh on time range change (2), is ${variable.refresh}`);
    }
    if (typeof variable.query !== 'string' || !LABEL_QUERY_FUNCTIONS.test(variable.query)) {
      report('template-label-promql-rule', `${where} query '${JSON.stringify(variable.query)}' is not label_values(), label_names(), metrics() or query_result()`);
    }
    const [selector] = variableQueries(dashboard)
      .filter((query) => query.variable === variable.name)
      .flatMap((query) => selectorsIn(query.expr));
    const metric = selector?.metric ?? '';
    if (selector !== undefined && !KNOWN_METRICS.has(metric)) {
      report('metric-catalogue-rule', `${where} lists values of '${metric || '{...}'}', which is not in the metric catalogue (src/telemetry/catalogue.ts)`);
    }
    for (const previous of queryVariables.slice(0, index)) {
      const filters = selector?.matchers.some((m) => m.label === previous.name && m.op === '=~') ?? false;
      if ((KNOWN_METRICS.get(metric) ?? []).includes(previous.name) && !filters) {
        report('template-chain-rule', `${where} is not filtered by the variable before it, '${previous.name}'`);
      }
    }
  });
}

function lintLayout(dashboard: Dashboard, report: Report): void {
  const ids = new Set<number>();
  const panels = panelsOf(dashboard);
  panels.forEach((panel, index) => {
    if (panel.id === undefined) report('panel-id-rule', 'has no id', panel);
    else if (ids.has(panel.id)) report('panel-id-rule', `id ${panel.id} is not unique`, panel);
    else ids.add(panel.id);
    const a = placeOnGrid(panel);
    if (a === undefined) {
      report('panel-gridpos-rule', `gridPos ${JSON.stringify(panel.gridPos)} is not a place on the 24-column grid`, panel);
      return;
    }
    for (const other of panels.slice(0, index)) {
      const b = placeOnGrid(other);
      if (b !== undefined && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) {
        report('panel-gridpos-rule', `overlaps panel '${other.title}'`, panel);
      }
    }
  });
}

/** The panel's gridPos when it is a place on the 24-column grid. */
function placeOnGrid(panel: Panel): sdk.GridPos | undefined {
  const place = panel.gridPos;
  if (place === undefined || ![place.x, place.y, place.w, place.h].every((n) => Number.isInteger(n))) return undefined;
  return place.w > 0 && place.h > 0 && place.x >= 0 && place.y >= 0 && place.x + place.w <= 24 ? place : undefined;
}

function lintPanel(dashboard: Dashboard, panel: Panel, report: Report): void {
  if (panel.datasource?.uid !== DATASOURCE_UID || panel.datasource.type !== 'prometheus') {
    report('panel-datasource-rule', `does not use the templated datasource, uses '${panel.datasource?.uid}'`, panel);
  }
  if (!panel.title?.trim() || !panel.description?.trim()) report('panel-title-description-rule', 'has no title or no description', panel);
  const targets = prometheusTargets(panel);
  lintUnits(panel, targets, report);
  if (targets.length === 0) report('panel-no-targets-rule', 'has no targets', panel);
  const variables = variablesOf(dashboard)
    .filter((variable) => variable.type === sdk.VariableType.Query)
    .map((variable) => variable.name);
  for (const target of targets) {
    if (targets.filter((t) => t.refId === target.refId).length > 1) report('target-refid-rule', `refId ${target.refId} is not unique`, panel);
    if (target.datasource?.uid !== DATASOURCE_UID) report('panel-datasource-rule', `target ${target.refId} uses datasource '${target.datasource?.uid}'`, panel);
    lintTargetFormat(panel, target, report);
    for (const selector of selectorsIn(target.expr)) lintSelector(selector, variables, (rule, message) => report(rule, `target ${target.refId}: ${message}`, panel));
    for (const problem of exporterDuplicateProblems(target.expr)) report('target-exporter-duplicates-rule', `target ${target.refId}: ${problem}`, panel);
  }
}

/**
 * Every panel shows values with a unit (text panels would not, but there are none). A table mixes
 * units across columns, so its default is 'none' and each value column must set its own.
 */
function lintUnits(panel: Panel, targets: readonly Target[], report: Report): void {
  const unit = panel.fieldConfig?.defaults?.unit;
  if (unit === undefined || !VALID_UNITS.has(unit)) report('panel-units-rule', `has no or an invalid unit: '${unit ?? ''}'`, panel);
  if (panel.type !== 'table') return;
  for (const target of targets) {
    const column = `Value #${target.refId}`;
    const override = panel.fieldConfig?.overrides.find((o) => o.matcher.id === 'byName' && o.matcher.options === column);
    const columnUnit = override?.properties.find((property) => property.id === 'unit')?.value;
    if (typeof columnUnit !== 'string' || !VALID_UNITS.has(columnUnit)) report('panel-units-rule', `table column '${column}' has no or an invalid unit`, panel);
  }
}

function lintTargetFormat(panel: Panel, target: Target, report: Report): void {
  const expected = panel.type === 'table' ? 'table' : panel.type === 'heatmap' ? 'heatmap' : 'time_series';
  if (target.format !== expected) report('target-format-rule', `target ${target.refId} has format '${target.format}', a ${panel.type} needs '${expected}'`, panel);
  if (target.instant !== (panel.type === 'table')) report('target-format-rule', `target ${target.refId} should be ${panel.type === 'table' ? 'an instant' : 'a range'} query`, panel);
}

function lintSelector(selector: Selector, variables: readonly string[], report: (rule: string, message: string) => void): void {
  const name = selector.metric || '{...}';
  const labels = KNOWN_METRICS.get(selector.metric);
  if (labels === undefined) report('metric-catalogue-rule', `'${name}' is not in the metric catalogue (src/telemetry/catalogue.ts)`);
  if (selector.range !== undefined && selector.range !== RATE_INTERVAL) {
    report('target-rate-interval-rule', `'${name}[${selector.range}]' should use [${RATE_INTERVAL}]`);
  }
  if (COUNTER_SUFFIXES.some((suffix) => selector.metric.endsWith(suffix)) && !RANGE_FUNCTIONS.has(selector.rangeFunction ?? '')) {
    report('target-counter-agg-rule', `counter '${name}' is not directly inside rate(), irate() or increase()`);
  }
  for (const variable of variables) {
    if (variable !== 'job' && !(labels ?? []).includes(variable)) continue;
    const rule = variable === 'job' ? 'target-job-rule' : 'target-variables-rule';
    if (!selector.matchers.some((m) => m.label === variable && m.op === '=~' && m.value === `$${variable}`)) {
      report(rule, `'${name}' has no ${variable}=~"$${variable}" matcher`);
    }
  }
}

/** No datasource anywhere in the dashboard other than the variable: a hard-coded uid breaks import. */
function lintDatasourceReferences(dashboard: Dashboard, report: Report): void {
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${path}[${index}]`));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'datasource' && (child as { uid?: unknown } | null)?.uid !== DATASOURCE_UID) {
          report('no-hard-coded-datasource-rule', `${path}.datasource is hard-coded: ${JSON.stringify(child)}`);
        }
        visit(child, `${path}.${key}`);
      }
    }
  };
  visit(dashboard, '');
}

/**
 * target-promql-rule and template-label-promql-rule: every panel query, and the PromQL inside every
 * query variable, parses with promtool once Grafana's variables are substituted (in one run).
 */
export async function lintPromQL(dashboards: readonly Dashboard[]): Promise<Problem[]> {
  const checked = dashboards.flatMap((dashboard) => [
    ...dashboardQueries(dashboard).map((query) => ({
      problem: { dashboard: query.dashboard, panel: query.panel, rule: 'target-promql-rule' },
      expr: query.expr,
      what: `target ${query.refId}`,
    })),
    ...variableQueries(dashboard).map((query) => ({
      problem: { dashboard: query.dashboard, rule: 'template-label-promql-rule' },
      expr: query.expr,
      what: `variable '${query.variable}'`,
    })),
  ]);
  const complaints = await checkPromQL(checked.map((entry) => entry.expr));
  if (complaints === '') return [];
  const problems = complaints.split('\n').flatMap((line) => {
    const index = /"expression_(\d+)": (.*)/.exec(line);
    const entry = index && checked[Number(index[1])];
    return entry ? [{ ...entry.problem, message: `${entry.what} does not parse: ${index[2]}\n  ${entry.expr}` }] : [];
  });
  // Anything promtool said that names no expression still fails the check.
  return problems.length > 0 ? problems : [{ dashboard: dashboards.map((d) => d.title ?? d.uid).join(', '), rule: 'target-promql-rule', message: complaints }];
}
