// The committed JSON is what mixin/ generates with Grafana's foundation SDK and matches Grafana's
// dashboard schema (@grafana/schema); the dashboards pass a re-implementation of Grafana's
// dashboard-linter (test/deploy/helpers/dashboard-lint.ts) and their PromQL parses with the real promtool.

import * as sdk from '@grafana/grafana-foundation-sdk/dashboard';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mixinConfig } from '../../mixin/config.js';
import { buildDashboards, renderDashboardFiles } from '../../mixin/dashboards/index.js';
import { formatProblem, lintDashboards, lintPromQL } from './helpers/dashboard-lint.js';
import { panelsOf, prometheusTargets, variablesOf, type Dashboard, type Panel, type Target } from './helpers/dashboard-model.js';
import { dashboardQueries, substituteVariables, variableQueries } from './helpers/dashboard-queries.js';
import { checkDashboardSchema } from './helpers/dashboard-schema-check.js';
import { checkPromQL, selectorsIn } from './helpers/promql.js';

const dashboards = buildDashboards(mixinConfig);
const byUid = (uid: string): Dashboard => dashboards.find((dashboard) => dashboard.uid === uid)!;
const committed = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const DASHBOARD_FILES = Object.keys(renderDashboardFiles(mixinConfig));

/** A dashboard to break on purpose, to show each rule catches what it should: built anew, not shared. */
function broken(change: (dashboard: Dashboard) => void): Dashboard {
  const copy = buildDashboards(mixinConfig).find((dashboard) => dashboard.uid === 'webhook-deliveries')!;
  change(copy);
  return copy;
}

function panel(dashboard: Dashboard, title: string): Panel {
  const found = panelsOf(dashboard).find((candidate) => candidate.title === title);
  if (found === undefined) throw new Error(`no panel '${title}' in '${dashboard.title}'`);
  return found;
}

function firstTarget(dashboard: Dashboard, title: string): Target {
  return prometheusTargets(panel(dashboard, title))[0]!;
}

function variable(dashboard: Dashboard, name: string): sdk.VariableModel {
  const found = variablesOf(dashboard).find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no variable '${name}' in '${dashboard.title}'`);
  return found;
}

/** The committed webhook-deliveries.json with one change, as JSON text. */
function brokenJson(change: (dashboard: Record<string, any>) => void): string {
  const dashboard = JSON.parse(committed('dashboards/webhook-deliveries.json')) as Record<string, any>;
  change(dashboard);
  return JSON.stringify(dashboard, null, 2);
}

function problemsOf(dashboard: Dashboard): string[] {
  return lintDashboards([dashboard]).map(formatProblem);
}

describe('the committed dashboards', () => {
  it('are what mixin/ generates', () => {
    for (const [path, text] of Object.entries(renderDashboardFiles(mixinConfig))) {
      expect(committed(path), `${path} is out of date: run \`npm run generate:mixin\` and commit the result`).toBe(text);
    }
  });

  it('are generated deterministically', () => {
    expect(renderDashboardFiles(mixinConfig)).toEqual(renderDashboardFiles(structuredClone(mixinConfig)));
  });

  it('are the two dashboards, with unique uids and the schema version the SDK writes', () => {
    expect(dashboards.map((dashboard) => dashboard.uid)).toEqual(['webhook-deliveries', 'webhook-exporter-health']);
    // The foundation SDK writes 42, Grafana's current schema version (@grafana/schema 13.2's default too).
    for (const dashboard of dashboards) expect(dashboard.schemaVersion, dashboard.title).toBe(42);
    expect(committed('dashboards/README.md')).toContain('`schemaVersion` 42');
  });

  it("match Grafana's dashboard schema, and each panel its plugin's options schema", async () => {
    const files = Object.fromEntries(DASHBOARD_FILES.map((path) => [path, committed(path)]));
    expect(await checkDashboardSchema(files)).toEqual([]);
  });
});

describe("the check against Grafana's dashboard schema", () => {
  it('reports a wrong enum value, an unknown panel type, an unknown field, a wrong type and a missing field, at the JSON line', async () => {
    const problems = await checkDashboardSchema({
      'legend.json': brokenJson((d) => (d.panels[2].options.legend.displayMode = 'tabel')),
      'panel-type.json': brokenJson((d) => (d.panels[2].type = 'graph')),
      'variable-field.json': brokenJson((d) => (d.templating.list[1].lable = 'Job')),
      'grid.json': brokenJson((d) => (d.panels[0].gridPos.h = '8')),
      'refresh.json': brokenJson((d) => (d.templating.list[1].refresh = 5)),
      'target-format.json': brokenJson((d) => (d.panels[2].targets[0].format = 'timeseries')),
      'schema-version.json': brokenJson((d) => delete d.schemaVersion),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^legend\.json:\d+: TS2820 Type '"tabel"' is not assignable to type '"hidden" \| "list" \| "table" \| undefined'.*\n {2}at: "displayMode": "tabel",$/s),
      expect.stringMatching(/^panel-type\.json:\d+: TS2322 Type '"graph"' is not assignable to type '"heatmap" \| "stat" \| "state-timeline" \| "table" \| "timeseries"'/),
      expect.stringMatching(/^variable-field\.json:\d+: TS2353 .*'"lable"' does not exist/),
      expect.stringMatching(/^grid\.json:\d+: TS2322 Type 'string' is not assignable to type 'number'.*at: "h": "8",$/s),
      expect.stringMatching(/^refresh\.json:\d+: TS2322 Type '5' is not assignable to type 'VariableRefresh \| undefined'/),
      expect.stringMatching(/^target-format\.json:\d+: TS2820 Type '"timeseries"' is not assignable to type '"heatmap" \| "table" \| "time_series" \| undefined'/),
      expect.stringMatching(/^schema-version\.json:\d+: TS2741 Property 'schemaVersion' is missing/),
    ]);
  });
});

describe('the dashboard linter', () => {
  it('finds nothing wrong with either dashboard', () => {
    expect(lintDashboards(dashboards).map(formatProblem)).toEqual([]);
  });

  it('finds every panel query and variable query parses with promtool once variables are substituted', async () => {
    expect((await lintPromQL(dashboards)).map(formatProblem)).toEqual([]);
  });

  it('offers the variables in order: datasource, job, then the label filters chained', () => {
    const names = (uid: string) => variablesOf(byUid(uid)).map((candidate) => candidate.name);
    expect(names('webhook-deliveries')).toEqual(['datasource', 'job', 'provider', 'source', 'webhook_id', 'event']);
    expect(names('webhook-exporter-health')).toEqual(['datasource', 'job', 'source', 'webhook_id']);
    expect(variable(byUid('webhook-deliveries'), 'job')).toMatchObject({
      query: 'label_values(webhook_exporter_polls_total, job)',
    });
  });

  it('names dashboard, panel and rule for a panel without a description', () => {
    const dashboard = broken((d) => (panel(d, 'Success ratio').description = ''));
    expect(problemsOf(dashboard)).toEqual([
      "dashboard 'Webhook deliveries', panel 'Success ratio' [panel-title-description-rule]: has no title or no description",
    ]);
  });

  it('catches a hard-coded datasource, on a panel and on a target', () => {
    const dashboard = broken((d) => {
      panel(d, 'Delivery rate by status').datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' };
      firstTarget(d, 'Failures by event').datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' };
    });
    const problems = problemsOf(dashboard);
    expect(problems).toContainEqual(expect.stringMatching(/panel 'Delivery rate by status' \[panel-datasource-rule\]/));
    expect(problems).toContainEqual(expect.stringMatching(/panel 'Failures by event' \[panel-datasource-rule\]: target A/));
    expect(problems).toContainEqual(expect.stringMatching(/\[no-hard-coded-datasource-rule\]: \.panels\[\d+\]\.datasource is hard-coded/));
  });

  it('catches a missing or invalid unit, and a table column without one', () => {
    const dashboard = broken((d) => {
      panel(d, 'Delivery rate by status').fieldConfig!.defaults.unit = 'seconds';
      panel(d, 'Webhooks').fieldConfig!.overrides.pop();
    });
    expect(problemsOf(dashboard)).toEqual([
      "dashboard 'Webhook deliveries', panel 'Webhooks' [panel-units-rule]: table column 'Value #C' has no or an invalid unit",
      "dashboard 'Webhook deliveries', panel 'Delivery rate by status' [panel-units-rule]: has no or an invalid unit: 'seconds'",
    ]);
  });

  it('catches a fixed rate window, a bare counter and a missing job filter', () => {
    const dashboard = broken((d) => {
      firstTarget(d, 'Delivery rate by status').expr = 'max by (status) (rate(webhook_deliveries_total{job=~"$job", provider=~"$provider", source=~"$source", webhook_id=~"$webhook_id", event=~"$event"}[5m]))';
      firstTarget(d, 'Failures by event').expr = 'max(webhook_deliveries_total{job=~"$job", provider=~"$provider", source=~"$source", webhook_id=~"$webhook_id", event=~"$event"})';
      firstTarget(d, 'Failures by HTTP status code').expr = 'max(rate(webhook_deliveries_total{provider=~"$provider", source=~"$source", webhook_id=~"$webhook_id", event=~"$event"}[$__rate_interval]))';
    });
    expect(problemsOf(dashboard)).toEqual([
      `dashboard 'Webhook deliveries', panel 'Delivery rate by status' [target-rate-interval-rule]: target A: 'webhook_deliveries_total[5m]' should use [$__rate_interval]`,
      `dashboard 'Webhook deliveries', panel 'Failures by event' [target-counter-agg-rule]: target A: counter 'webhook_deliveries_total' is not directly inside rate(), irate() or increase()`,
      `dashboard 'Webhook deliveries', panel 'Failures by HTTP status code' [target-job-rule]: target A: 'webhook_deliveries_total' has no job=~"$job" matcher`,
    ]);
  });

  it('catches a metric the catalogue does not have, and a dashboard variable not applied', () => {
    const dashboard = broken((d) => {
      firstTarget(d, 'Delivery rate by status').expr = 'sum(rate(webhook_delivery_total{job=~"$job"}[$__rate_interval]))';
      firstTarget(d, 'Failures by event').expr = 'max(rate(webhook_deliveries_total{job=~"$job", provider=~"$provider", source=~"$source", webhook_id=~"$webhook_id"}[$__rate_interval]))';
    });
    expect(problemsOf(dashboard)).toEqual([
      "dashboard 'Webhook deliveries', panel 'Delivery rate by status' [metric-catalogue-rule]: target A: 'webhook_delivery_total' is not in the metric catalogue (src/telemetry/catalogue.ts)",
      `dashboard 'Webhook deliveries', panel 'Failures by event' [target-variables-rule]: target A: 'webhook_deliveries_total' has no event=~"$event" matcher`,
    ]);
  });

  it('catches a webhook metric summed over exporters, which replicas reading the same webhook would multiply', () => {
    const dashboard = broken((d) => {
      const filters = 'job=~"$job", provider=~"$provider", source=~"$source", webhook_id=~"$webhook_id", event=~"$event"';
      firstTarget(d, 'Delivery rate by status').expr = `sum by (status) (rate(webhook_deliveries_total{${filters}}[$__rate_interval]))`;
      firstTarget(d, 'Failures by event').expr = `max by (source, webhook_id) (rate(webhook_deliveries_total{${filters}}[$__rate_interval]))`;
      firstTarget(d, 'Failures by HTTP status code').expr = `sum by (instance) (rate(webhook_deliveries_total{${filters}}[$__rate_interval]))`;
    });
    expect(problemsOf(dashboard)).toEqual([
      "dashboard 'Webhook deliveries', panel 'Delivery rate by status' [target-exporter-duplicates-rule]: target A: 'webhook_deliveries_total' goes into sum() over every exporter: take max by (its labels) first, or keep instance",
    ]);
  });

  it('catches variables out of order, not chained, not reloading on time change, or listing an unknown metric', () => {
    const reordered = broken((d) => variablesOf(d).reverse());
    expect(problemsOf(reordered)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\[template-datasource-rule\]: the first variable must be 'datasource'/),
        expect.stringMatching(/\[template-job-rule\]: the second variable must be 'job'/),
      ]),
    );
    const unchained = broken((d) => {
      const webhook = variable(d, 'webhook_id');
      webhook.query = 'label_values(webhook_exporter_polls_total{job=~"$job"}, webhook_id)';
      webhook.refresh = sdk.VariableRefresh.OnDashboardLoad;
      variable(d, 'event').query = 'label_values(webhook_delivery_total{job=~"$job", source=~"$source", webhook_id=~"$webhook_id"}, event)';
    });
    expect(problemsOf(unchained)).toEqual([
      "dashboard 'Webhook deliveries' [template-on-time-change-reload-rule]: variable 'webhook_id' should refresh on time range change (2), is 1",
      "dashboard 'Webhook deliveries' [template-chain-rule]: variable 'webhook_id' is not filtered by the variable before it, 'source'",
      "dashboard 'Webhook deliveries' [metric-catalogue-rule]: variable 'event' lists values of 'webhook_delivery_total', which is not in the metric catalogue (src/telemetry/catalogue.ts)",
    ]);
  });

  it('catches duplicate panel ids, overlapping panels, an editable dashboard and OTel internals', () => {
    const dashboard = broken((d) => {
      d.editable = true;
      panel(d, 'Delivery rate by status').id = panel(d, 'Success ratio').id;
      panel(d, 'Failures by event').gridPos = { ...panel(d, 'Failures by HTTP status code').gridPos!, x: 6 };
      firstTarget(d, 'Pending deliveries').expr += ' * on () group_left () max(target_info)';
    });
    const problems = problemsOf(dashboard);
    expect(problems).toEqual(
      expect.arrayContaining([
        "dashboard 'Webhook deliveries' [uneditable-dashboard-rule]: is editable: it is generated, so edits belong in mixin/ (set 'editable: false')",
        "dashboard 'Webhook deliveries', panel 'Delivery rate by status' [panel-id-rule]: id 1 is not unique",
        "dashboard 'Webhook deliveries', panel 'Failures by HTTP status code' [panel-gridpos-rule]: overlaps panel 'Failures by event'",
        "dashboard 'Webhook deliveries' [no-otel-internals-rule]: depends on 'target_info', which the exporter's OTel SDK adds and may change",
      ]),
    );
  });

  it('reports a target that does not parse, naming dashboard, panel and rule', async () => {
    const dashboard = broken((d) => (firstTarget(d, 'Delivery rate by status').expr = 'sum(rate(webhook_deliveries_total{job=~"$job"}[$__rate_interval])'));
    const problems = (await lintPromQL([dashboard])).map(formatProblem);
    expect(problems).toEqual([expect.stringMatching(/^dashboard 'Webhook deliveries', panel 'Delivery rate by status' \[target-promql-rule\]: target A does not parse: .*parse error/)]);
  });
});

describe('checkPromQL', () => {
  it('accepts expressions that parse', async () => {
    expect(await checkPromQL(['up', 'sum by (job) (rate(webhook_exporter_polls_total[1m]))', 'time() - max(x)'])).toBe('');
  });

  it('reports each broken expression, with promtool\'s reason and the expression', async () => {
    const complaints = await checkPromQL(['up', 'sum(rate(x[1m])', 'rate(x[$__rate_interval])']);
    expect(complaints).toMatch(/"expression_1".*unclosed left parenthesis/);
    expect(complaints).toMatch(/"expression_2".*parse error/);
    expect(complaints).toContain('expression_1: sum(rate(x[1m])');
    expect(complaints).not.toMatch(/"expression_0"/);
  });
});

describe('selectorsIn', () => {
  it('finds each selector, its matchers, its range and the function over the range', () => {
    const expr =
      'sum by (source, reason) (increase(a_total{job=~"$job", x="}"}[$__rate_interval])) or on (source) ' +
      'label_replace(sum by (source) (rate(b_total[5m])) * 0, "reason", "none", "", "") / max without (le) (c offset 5m)';
    expect(selectorsIn(expr)).toEqual([
      {
        metric: 'a_total',
        matchers: [{ label: 'job', op: '=~', value: '$job' }, { label: 'x', op: '=', value: '}' }],
        range: '$__rate_interval',
        rangeFunction: 'increase',
        within: [{ operator: 'sum', by: ['source', 'reason'] }],
      },
      { metric: 'b_total', matchers: [], range: '5m', rangeFunction: 'rate', within: [{ operator: 'sum', by: ['source'] }] },
      { metric: 'c', matchers: [], within: [{ operator: 'max', by: undefined }] },
    ]);
  });

  it('tells a counter inside rate from one merely inside a function that is inside rate', () => {
    expect(selectorsIn('rate(abs(x_total)[5m:1m])')).toEqual([{ metric: 'x_total', matchers: [], within: [] }]);
    expect(selectorsIn('avg_over_time(x_total[5m])')[0]?.rangeFunction).toBe('avg_over_time');
  });
});

describe('dashboardQueries', () => {
  it('lists every panel target with Grafana variables substituted', () => {
    const queries = dashboards.flatMap((dashboard) => dashboardQueries(dashboard, { job: 'webhook-log-exporter', rateInterval: '20s' }));
    const targets = dashboards.flatMap((dashboard) => panelsOf(dashboard).flatMap((candidate) => prometheusTargets(candidate)));
    expect(queries).toHaveLength(targets.length);
    for (const query of queries) {
      expect(query.expr, `${query.dashboard} / ${query.panel}`).not.toContain('$');
      if (query.expr.includes('job=')) expect(query.expr).toContain('job=~"webhook-log-exporter"');
      if (query.expr.includes('[')) expect(query.expr).toMatch(/\[20s\]/);
    }
    expect(queries.filter((query) => query.instant).map((query) => query.panel)).toEqual(['Webhooks', 'Webhooks', 'Webhooks']);
  });

  it('lists the PromQL inside each query variable', () => {
    expect(variableQueries(byUid('webhook-deliveries')).map((query) => [query.variable, query.expr])).toEqual([
      ['job', 'webhook_exporter_polls_total'],
      ['provider', 'webhook_deliveries_total{job=~".+"}'],
      ['source', 'webhook_exporter_polls_total{job=~".+"}'],
      ['webhook_id', 'webhook_exporter_polls_total{job=~".+", source=~".+"}'],
      ['event', 'webhook_deliveries_total{job=~".+", provider=~".+", source=~".+", webhook_id=~".+"}'],
    ]);
  });

  it('substitutes every variable syntax Grafana has, and refuses an unknown variable', () => {
    const values = { job: 'a', __rate_interval: '1m' };
    expect(substituteVariables('x{job=~"$job"}[$__rate_interval] ${job} ${job:regex} [[job]]', values)).toBe('x{job=~"a"}[1m] a a a');
    expect(() => substituteVariables('x{instance=~"$instance"}', values)).toThrow(/unknown Grafana variable \$instance/);
  });
});
