// Reads the foundation SDK's dashboard model for the dashboard tests: the panels (those inside
// rows too), their Prometheus targets and the variables.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';

export type Dashboard = dashboard.Dashboard;
export type Panel = dashboard.Panel;
export type Variable = dashboard.VariableModel;
export type Target = prometheus.Dataquery;

export function panelsOf(model: Dashboard): Panel[] {
  return (model.panels ?? []).flatMap((panel) => (isRow(panel) ? panel.panels : [panel]));
}

/**
 * The panel's targets, typed as the Prometheus queries they are. The SDK types a target as any
 * data source's query, so one without a PromQL `expr` is an error here.
 */
export function prometheusTargets(panel: Panel): Target[] {
  return (panel.targets ?? []).map((target, index) => {
    if (typeof (target as Partial<Target>).expr !== 'string') throw new Error(`panel '${panel.title}': target ${index} is not a Prometheus query`);
    return target as Target;
  });
}

export function variablesOf(model: Dashboard): Variable[] {
  return model.templating.list ?? [];
}

function isRow(panel: Panel | dashboard.RowPanel): panel is dashboard.RowPanel {
  return panel.type === 'row';
}
