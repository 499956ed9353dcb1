// The parts every dashboard shares: the shell (time, refresh, links, schema version) and the
// variables: `datasource` first, then query variables chained with label_values(), each filtered
// by the ones before it.

import type { MetricDefinition } from '../../src/telemetry/catalogue.js';
import type { MixinConfig } from '../config.js';
import { layOut, type Row } from './layout.js';
import { DATASOURCE } from './panels.js';
import { selectorsFor } from './promql.js';
import type { Dashboard, DatasourceVariable, QueryVariable, Variable } from './types.js';

/** Tag shared by the dashboards; their header links list every dashboard with it. */
export const DASHBOARD_TAG = 'webhook-log-exporter';

export interface VariableSpec {
  name: string;
  label: string;
  /** The metric whose series list the values. */
  metric: MetricDefinition;
}

export function variables(chain: readonly VariableSpec[]): Variable[] {
  const datasource: DatasourceVariable = {
    type: 'datasource',
    name: 'datasource',
    label: 'Data source',
    query: 'prometheus',
    current: {},
    hide: 0,
    includeAll: false,
    multi: false,
    options: [],
    refresh: 1,
    regex: '',
  };
  const queries = chain.map((spec, index): QueryVariable => {
    const previous = chain.slice(0, index).map((variable) => variable.name);
    const query = `label_values(${selectorsFor(previous)(spec.metric)}, ${spec.name})`;
    return {
      type: 'query',
      name: spec.name,
      label: spec.label,
      datasource: DATASOURCE,
      query,
      definition: query,
      current: { selected: true, text: ['All'], value: ['$__all'] },
      hide: 0,
      includeAll: true,
      allValue: '.+',
      multi: true,
      options: [],
      refresh: 2,
      regex: '',
      sort: 1,
    };
  });
  return [datasource, ...queries];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: Variable[];
  rows: Row[];
}

export function dashboard(spec: DashboardSpec, config: MixinConfig): Dashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [DASHBOARD_TAG],
    schemaVersion: config.dashboards.schemaVersion,
    version: 1,
    // Generated from code: edits belong in mixin/, where `npm run generate:mixin` keeps them.
    editable: false,
    graphTooltip: 1, // shared crosshair across panels
    time: { from: config.dashboards.timeFrom, to: 'now' },
    refresh: config.dashboards.refresh,
    timezone: '',
    links: [{ type: 'dashboards', title: 'Webhook dashboards', tags: [DASHBOARD_TAG], asDropdown: false, includeVars: true, keepTime: true }],
    annotations: { list: [] },
    templating: { list: spec.variables },
    panels: layOut(spec.rows),
  };
}
