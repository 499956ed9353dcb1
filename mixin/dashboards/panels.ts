// A tiny typed builder for the panels the dashboards use. Every panel and target reads from the
// `datasource` variable, so the dashboards work on import and through file provisioning alike.

import type { DataSourceRef, FieldDefaults, FieldOverride, Panel, Target, Thresholds, Transformation, ValueMapping } from './types.js';

export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** A panel before layout gives it an id and a place. */
export type PanelSpec = Omit<Panel, 'id' | 'gridPos'>;

export interface Query {
  expr: string;
  /** Grafana legend template, e.g. `{{status}}`. */
  legend: string;
}

interface Common {
  title: string;
  description: string;
  unit: string;
}

/** Steps from minus infinity: `thresholds('green', [0.5, 'red'])` is green below 0.5, red from it. */
export function thresholds(base: string, ...steps: Array<[number, string]>): Thresholds {
  return { mode: 'absolute', steps: [{ color: base, value: null }, ...steps.map(([value, color]) => ({ color, value }))] };
}

export function valueMapping(texts: Record<number, [text: string, color: string]>): ValueMapping {
  const options = Object.fromEntries(
    Object.entries(texts).map(([value, [text, color]], index) => [value, { text, color, index }]),
  );
  return { type: 'value', options };
}

/** Colours series whose legend matches `pattern` (a regular expression). */
export function colourSeries(pattern: string, color: string): FieldOverride {
  return { matcher: { id: 'byRegexp', options: pattern }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }] };
}

export function timeseries(spec: Common & { queries: Query[]; bars?: boolean; thresholdLine?: Thresholds; overrides?: FieldOverride[] }): PanelSpec {
  const custom: Record<string, unknown> = spec.bars
    ? { drawStyle: 'bars', fillOpacity: 60, lineWidth: 1 }
    : { drawStyle: 'line', fillOpacity: 10, lineWidth: 1, showPoints: 'never' };
  const defaults: FieldDefaults = { unit: spec.unit, min: 0, color: { mode: 'palette-classic' }, custom };
  if (spec.thresholdLine !== undefined) {
    defaults.thresholds = spec.thresholdLine;
    custom.thresholdsStyle = { mode: 'line' };
  }
  return {
    type: 'timeseries',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    fieldConfig: { defaults, overrides: spec.overrides ?? [] },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets: rangeTargets(spec.queries),
  };
}

export function stat(spec: Common & { queries: Query[]; thresholds: Thresholds; mappings?: ValueMapping[]; min?: number; max?: number }): PanelSpec {
  const defaults: FieldDefaults = { unit: spec.unit, color: { mode: 'thresholds' }, thresholds: spec.thresholds };
  if (spec.mappings !== undefined) defaults.mappings = spec.mappings;
  if (spec.min !== undefined) defaults.min = spec.min;
  if (spec.max !== undefined) defaults.max = spec.max;
  return {
    type: 'stat',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    fieldConfig: { defaults, overrides: [] },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'area',
      textMode: 'auto',
      justifyMode: 'auto',
      orientation: 'auto',
    },
    targets: rangeTargets(spec.queries),
  };
}

export function stateTimeline(spec: Common & { queries: Query[]; mappings: ValueMapping[] }): PanelSpec {
  return {
    type: 'state-timeline',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    fieldConfig: {
      defaults: { unit: spec.unit, color: { mode: 'thresholds' }, thresholds: thresholds('text'), mappings: spec.mappings },
      overrides: [],
    },
    options: {
      mergeValues: true,
      showValue: 'auto',
      rowHeight: 0.9,
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'single', sort: 'none' },
    },
    targets: rangeTargets(spec.queries),
  };
}

/**
 * A heatmap of histogram buckets as Prometheus stores them (`format: heatmap` turns cumulative
 * `le` buckets into per-bucket counts). `unit` is the cells' (a count); `bucketUnit` the y axis'.
 */
export function heatmap(spec: Common & { query: Query; bucketUnit: string }): PanelSpec {
  return {
    type: 'heatmap',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
    options: {
      calculate: false,
      cellGap: 1,
      color: { mode: 'scheme', scheme: 'Oranges', scale: 'exponential', exponent: 0.5, steps: 64, fill: 'dark-orange', reverse: false },
      rowsFrame: { layout: 'auto' },
      yAxis: { axisPlacement: 'left', unit: spec.bucketUnit, reverse: false },
      cellValues: { unit: spec.unit },
      legend: { show: true },
      tooltip: { mode: 'single', yHistogram: true },
      filterValues: { le: 1e-9 },
    },
    targets: [{ ...target(spec.query, 'A'), format: 'heatmap' }],
  };
}

export interface TableColumn {
  header: string;
  expr: string;
  unit: string;
  /** Colours the cell background, e.g. red for a high error ratio. */
  thresholds?: Thresholds;
}

/**
 * One row per label combination (`keys`), one column per instant query: the queries' results
 * are merged on their common labels. Units are set per column, as a table mixes them.
 */
export function table(spec: Omit<Common, 'unit'> & { keys: Record<string, string>; columns: TableColumn[]; sortBy: string }): PanelSpec {
  const targets = spec.columns.map(
    (column, index): Target => ({ ...target({ expr: column.expr, legend: '' }, refId(index)), format: 'table', instant: true, range: false }),
  );
  const overrides = spec.columns.map((column, index): FieldOverride => {
    const properties: FieldOverride['properties'] = [
      { id: 'displayName', value: column.header },
      { id: 'unit', value: column.unit },
    ];
    if (column.thresholds !== undefined) {
      properties.push({ id: 'thresholds', value: column.thresholds }, { id: 'custom.cellOptions', value: { type: 'color-background' } });
    }
    return { matcher: { id: 'byName', options: `Value #${refId(index)}` }, properties };
  });
  const transformations: Transformation[] = [
    { id: 'merge', options: {} },
    { id: 'organize', options: { excludeByName: { Time: true }, renameByName: spec.keys } },
  ];
  return {
    type: 'table',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    fieldConfig: { defaults: { unit: 'none', custom: { align: 'auto' } }, overrides },
    options: { showHeader: true, cellHeight: 'sm', sortBy: [{ displayName: spec.sortBy, desc: true }] },
    targets,
    transformations,
  };
}

function rangeTargets(queries: Query[]): Target[] {
  return queries.map((query, index) => target(query, refId(index)));
}

function target(query: Query, id: string): Target {
  return { datasource: DATASOURCE, refId: id, expr: query.expr, legendFormat: query.legend, format: 'time_series', instant: false, range: true };
}

function refId(index: number): string {
  return String.fromCharCode('A'.charCodeAt(0) + index);
}
