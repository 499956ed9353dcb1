// The slice of Grafana's dashboard JSON model (schemaVersion 42) that the dashboards use. Grafana
// fills in every option left out, so only what differs from its defaults is spelled out.

export interface DataSourceRef {
  type: 'prometheus';
  uid: string;
}

export interface Target {
  datasource: DataSourceRef;
  refId: string;
  expr: string;
  legendFormat: string;
  /** `table` for instant queries shown in a table, `heatmap` for histogram buckets. */
  format: 'time_series' | 'table' | 'heatmap';
  instant: boolean;
  range: boolean;
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export interface ThresholdStep {
  color: string;
  /** null: from minus infinity (Grafana's base step). */
  value: number | null;
}

export interface Thresholds {
  mode: 'absolute';
  steps: ThresholdStep[];
}

export interface ValueMapping {
  type: 'value';
  options: Record<string, { text: string; color: string; index: number }>;
}

export interface FieldDefaults {
  unit: string;
  decimals?: number;
  min?: number;
  max?: number;
  color?: { mode: string };
  thresholds?: Thresholds;
  mappings?: ValueMapping[];
  custom?: Record<string, unknown>;
}

export interface FieldOverride {
  matcher: { id: 'byName' | 'byRegexp'; options: string };
  properties: Array<{ id: string; value: unknown }>;
}

export interface Transformation {
  id: string;
  options: Record<string, unknown>;
}

export type PanelType = 'timeseries' | 'stat' | 'heatmap' | 'table' | 'state-timeline';

export interface Panel {
  id: number;
  type: PanelType;
  title: string;
  description: string;
  datasource: DataSourceRef;
  gridPos: GridPos;
  fieldConfig: { defaults: FieldDefaults; overrides: FieldOverride[] };
  options: Record<string, unknown>;
  targets: Target[];
  transformations?: Transformation[];
}

export interface DatasourceVariable {
  type: 'datasource';
  name: string;
  label: string;
  query: 'prometheus';
  current: Record<string, never>;
  hide: 0;
  includeAll: false;
  multi: false;
  options: [];
  refresh: 1;
  regex: '';
}

export interface QueryVariable {
  type: 'query';
  name: string;
  label: string;
  datasource: DataSourceRef;
  /** Grafana's Prometheus data source reads `label_values(...)` queries written as a string. */
  query: string;
  definition: string;
  /** What is selected on first load. */
  current: { selected: boolean; text: string[]; value: string[] };
  hide: 0;
  includeAll: true;
  allValue: '.+';
  multi: true;
  options: [];
  /** 2: on time range change, so values that appeared or disappeared show up. */
  refresh: 2;
  regex: '';
  /** 1: alphabetical, ascending. */
  sort: 1;
}

export type Variable = DatasourceVariable | QueryVariable;

export interface DashboardLink {
  type: 'dashboards';
  title: string;
  tags: string[];
  asDropdown: boolean;
  includeVars: boolean;
  keepTime: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  version: number;
  editable: boolean;
  graphTooltip: number;
  time: { from: string; to: string };
  refresh: string;
  timezone: string;
  links: DashboardLink[];
  annotations: { list: [] };
  templating: { list: Variable[] };
  panels: Panel[];
}
