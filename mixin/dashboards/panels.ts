// The dashboards' house style on top of the foundation SDK's panel builders: each function returns
// an SDK builder with what every panel of its kind shares, for the dashboards to finish (unit,
// queries, thresholds). Every panel and target reads from the `datasource` variable, so the
// dashboards work on import and through file provisioning alike.

import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE, instantQuery } from './queries.js';

/** Steps from minus infinity: `thresholds('green', [0.5, 'red'])` is green below 0.5, red from it. */
export function thresholds(base: string, ...steps: Array<[number, string]>): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/** Shows each listed value as a word in a colour, e.g. `{ 0: ['down', 'red'] }`. */
export function valueMapping(texts: Record<number, [text: string, color: string]>): dashboard.ValueMap {
  const options = Object.fromEntries(Object.entries(texts).map(([value, [text, color]], index) => [value, { text, color, index }]));
  return { type: dashboard.MappingType.ValueToText, options };
}

/** Override properties that draw a series in one colour. */
export function fixedColour(color: string): dashboard.DynamicConfigValue[] {
  return [{ id: 'color', value: new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor(color).build() }];
}

/** Lines from 0 up, every series in the legend and the tooltip, biggest first. */
export function timeSeries(title: string, description: string): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .min(0)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic))
    .drawStyle(common.GraphDrawStyle.Line)
    .fillOpacity(10)
    .lineWidth(1)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

/** One number, its background coloured by thresholds, with a sparkline behind it. */
export function singleStat(title: string, description: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .colorMode(common.BigValueColorMode.Background)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false));
}

/** A band per series whose colour and text come from value mappings. */
export function stateTimeline(title: string, description: string): statetimeline.PanelBuilder {
  return new statetimeline.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .thresholds(thresholds('text'))
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Single).sort(common.SortOrder.None));
}

/**
 * Histogram buckets as Prometheus stores them (the target's `format: heatmap` turns cumulative
 * `le` buckets into per-bucket counts): cells count attempts, the y axis is in `bucketUnit`.
 */
export function bucketHeatmap(title: string, description: string, bucketUnit: string): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit('short')
    .calculate(false)
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme('Oranges')
        .scale(heatmap.HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64)
        .fill('dark-orange')
        .reverse(false),
    )
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Auto))
    .yAxis(new heatmap.YAxisConfigBuilder().axisPlacement(common.AxisPlacement.Left).unit(bucketUnit).reverse(false))
    .cellValues(new heatmap.CellValuesBuilder().unit('short'))
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).yHistogram(true));
}

export interface TableColumn {
  header: string;
  expr: string;
  unit: string;
  /** Colours the cell background, e.g. red for a high error ratio. */
  thresholds?: dashboard.ThresholdsConfigBuilder;
}

export interface TableSpec {
  /** The labels that make a row, and their column headers. */
  keys: Record<string, string>;
  columns: TableColumn[];
  /** Header of the column sorted by, largest first. */
  sortBy: string;
}

/**
 * One row per label combination (`keys`), one column per instant query: the queries' results are
 * merged on their common labels. A table mixes units, so each column sets its own.
 */
export function instantTable(title: string, description: string, spec: TableSpec): table.PanelBuilder {
  const panel = new table.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit('none')
    .sortBy([new common.TableSortByFieldStateBuilder().displayName(spec.sortBy).desc(true)])
    .transformations([
      { id: 'merge', options: {} },
      { id: 'organize', options: { excludeByName: { Time: true }, renameByName: spec.keys } },
    ]);
  spec.columns.forEach((column, index) => {
    const query = instantQuery(column.expr, index);
    const properties: dashboard.DynamicConfigValue[] = [
      { id: 'displayName', value: column.header },
      { id: 'unit', value: column.unit },
    ];
    if (column.thresholds !== undefined) {
      const cellOptions: common.TableColoredBackgroundCellOptions = { type: common.TableCellDisplayMode.ColorBackground };
      properties.push({ id: 'thresholds', value: column.thresholds.build() }, { id: 'custom.cellOptions', value: cellOptions });
    }
    // Grafana names an instant table query's value column `Value #<refId>`.
    panel.withTarget(query).overrideByName(`Value #${query.build().refId}`, properties);
  });
  return panel;
}
