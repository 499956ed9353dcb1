// The parts every dashboard shares: the shell (time, refresh, links), the variables (`datasource`
// first, then query variables chained with label_values(), each filtered by the ones before it)
// and the panels, placed row by row by the SDK and numbered in reading order so ids are stable.

import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS, type MetricDefinition } from '../../src/telemetry/catalogue.js';
import type { MixinConfig } from '../config.js';
import { selectorsFor } from './promql.js';
import { DATASOURCE } from './queries.js';

/** Tag shared by the dashboards; their header links list every dashboard with it. */
export const DASHBOARD_TAG = 'webhook-log-exporter';

const GRID_WIDTH = 24;

export interface VariableSpec {
  name: string;
  label: string;
  /** The metric whose series list the values. */
  metric: MetricDefinition;
}

/** Every dashboard's first filters: the scrape job, then the source and webhook it polls. */
export const WEBHOOK_VARIABLES: readonly VariableSpec[] = [
  { name: 'job', label: 'Job', metric: METRICS.polls },
  { name: 'source', label: 'Source', metric: METRICS.polls },
  { name: 'webhook_id', label: 'Webhook', metric: METRICS.polls },
];

/** What layout needs of the SDK's panel builders (they share no base class). */
export interface GridPanel extends cog.Builder<dashboard.Panel> {
  id(id: number): this;
  height(h: number): this;
}

export interface Row {
  height: number;
  /** Left to right; the SDK's default width is half the grid, set others with `.span()`. */
  panels: GridPanel[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: readonly VariableSpec[];
  rows: Row[];
}

/**
 * The SDK defaults a link's placement to the controls menu (grafana-foundation-sdk#1272); left
 * out, as Grafana's own default, the link shows above the panels.
 */
class HeaderLinkBuilder extends dashboard.DashboardLinkBuilder {
  constructor(title: string) {
    super(title);
    delete this.internal.placement;
  }
}

export function buildDashboard(spec: DashboardSpec, config: MixinConfig): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG])
    .version(1)
    // Generated from code: edits belong in mixin/, where `npm run generate:mixin` keeps them.
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: config.dashboards.timeFrom, to: 'now' })
    .refresh(config.dashboards.refresh)
    // Empty: each viewer's own time zone setting, where the SDK's default would force the browser's.
    .timezone('')
    .link(
      new HeaderLinkBuilder('Webhook dashboards').type(dashboard.DashboardLinkType.Dashboards).tags([DASHBOARD_TAG]).includeVars(true).keepTime(true),
    )
    .variables(variables(spec.variables));
  let id = 0;
  for (const row of spec.rows) {
    for (const panel of row.panels) builder.withPanel(panel.id(++id).height(row.height));
  }
  const model = builder.build();
  assertRowsFillTheGrid(model, spec.rows);
  return model;
}

function variables(chain: readonly VariableSpec[]): Array<cog.Builder<dashboard.VariableModel>> {
  const datasource = new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
  const queries = chain.map((spec, index) => {
    const previous = chain.slice(0, index).map((variable) => variable.name);
    const query = `label_values(${selectorsFor(previous)(spec.metric)}, ${spec.name})`;
    return new dashboard.QueryVariableBuilder(spec.name)
      .label(spec.label)
      .datasource(DATASOURCE)
      .query(query)
      .definition(query)
      // All selected on first load.
      .current({ selected: true, text: ['All'], value: ['$__all'] })
      .multi(true)
      .includeAll(true)
      .allValue('.+')
      // So values that appeared or disappeared in the time range show up.
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc);
  });
  return [datasource, ...queries];
}

/**
 * The SDK starts a new line once a line is full; a row narrower than the grid would pull the next
 * row's panels up beside it.
 */
function assertRowsFillTheGrid(model: dashboard.Dashboard, rows: readonly Row[]): void {
  let index = 0;
  for (const row of rows) {
    index += row.panels.length;
    const last = model.panels?.[index - 1]?.gridPos;
    if (last === undefined || last.x + last.w !== GRID_WIDTH) {
      throw new Error(`'${model.title}': a row of ${row.panels.length} panel(s) does not end at column ${GRID_WIDTH}: ${JSON.stringify(last)}`);
    }
  }
}
