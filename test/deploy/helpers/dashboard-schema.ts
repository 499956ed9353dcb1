// The dashboard JSON as Grafana's own schema describes it (@grafana/schema): the dashboard model,
// and each panel's options and field config from its plugin's schema (the `composable` types),
// which the dashboard model leaves open. @grafana/schema has no Prometheus query type, so targets
// are the foundation SDK's. Types only: test/deploy/helpers/dashboard-schema-check.ts holds JSON to them.

import type { DataQuery, Dashboard, FieldConfigSource, Panel, VariableModel } from '@grafana/schema';
import type * as heatmap from '@grafana/schema/dist/esm/raw/composable/heatmap/panelcfg/x/HeatmapPanelCfg_types.gen';
import type * as stat from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as statetimeline from '@grafana/schema/dist/esm/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen';
import type * as table from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type * as timeseries from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type * as sdk from '@grafana/grafana-foundation-sdk/common';
import type * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';

/** A Prometheus target: the SDK's query type, minus its type-only marker method. */
type Target = DataQuery & Omit<prometheus.Dataquery, '_implementsDataqueryVariant'>;

/**
 * Fields foundation SDK 0.0.21 writes that @grafana/schema 13.2 does not declare. Grafana reads
 * `definition` (the query as shown in the variable list) and ignores the interval-variable `auto*`
 * fields on other variables; the table footer option is the SDK's pre-Grafana-12 one, which Grafana
 * migrates into field config. Allowed by name and shape, so any other unknown field still fails.
 */
interface SdkVariableExtras {
  definition?: string;
  auto?: boolean;
  auto_min?: string;
  auto_count?: number;
}
interface SdkTableExtras {
  footer?: sdk.TableFooterOptions;
}

/**
 * A panel of one plugin. The plugin schema marks options with a default as required; Grafana fills
 * in the defaults of any left out, so at the top level they are optional.
 */
type PanelOf<Type extends string, Options, Custom> = Omit<Panel, 'type' | 'options' | 'fieldConfig' | 'targets'> & {
  type: Type;
  options: Partial<Options>;
  fieldConfig: FieldConfigSource<Partial<Custom>>;
  targets: Target[];
};

/** The panel types the dashboards use; any other type is an error. */
type SchemaPanel =
  | PanelOf<'timeseries', timeseries.Options, timeseries.FieldConfig>
  | PanelOf<'stat', stat.Options, Record<string, never>>
  | PanelOf<'table', table.Options & SdkTableExtras, table.FieldConfig>
  | PanelOf<'heatmap', heatmap.Options, heatmap.FieldConfig>
  | PanelOf<'state-timeline', statetimeline.Options, statetimeline.FieldConfig>;

export type SchemaDashboard = Omit<Dashboard, 'panels' | 'templating'> & {
  panels: SchemaPanel[];
  templating: { list: Array<VariableModel & SdkVariableExtras> };
};

/**
 * `T` as parsed JSON: the schema's string enums become the strings they stand for (JSON has no
 * enums); numeric enums already accept their numbers.
 */
export type AsJson<T> = T extends string
  ? `${T}`
  : T extends Array<infer Item>
    ? Array<AsJson<Item>>
    : T extends object
      ? { [K in keyof T]: AsJson<T[K]> }
      : T;
