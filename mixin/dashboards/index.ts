// The Grafana dashboards, built with Grafana's foundation SDK from mixin/config.ts and the metric
// catalogue.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../config.js';
import { exporterHealth } from './exporter-health.js';
import { webhookDeliveries } from './webhook-deliveries.js';

/** Where each dashboard is written, relative to the repository root. */
const FILES: ReadonlyArray<readonly [path: string, build: (config: MixinConfig) => dashboard.Dashboard]> = [
  ['dashboards/webhook-deliveries.json', webhookDeliveries],
  ['dashboards/exporter-health.json', exporterHealth],
];

export function buildDashboards(config: MixinConfig): dashboard.Dashboard[] {
  return FILES.map(([, build]) => build(config));
}

/** Repository-relative path → JSON text, as committed (deterministic: no timestamps, stable ids). */
export function renderDashboardFiles(config: MixinConfig): Record<string, string> {
  return Object.fromEntries(FILES.map(([path, build]) => [path, `${JSON.stringify(build(config), null, 2)}\n`]));
}
