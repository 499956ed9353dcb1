// Alerts on the exporter itself: while it is blind, the delivery alerts cannot fire.
import type { MixinConfig } from '../config.js';
import { maxBy, PER_WEBHOOK } from '../promql.js';
import { counterIncrease, maxOverExportersOnLines, series, sumByOnLines } from './promql.js';
import type { AlertDefinition } from './types.js';

const WEBHOOK = '{{ $labels.webhook_id }} (source {{ $labels.source }})';

export function exporterAlerts(config: MixinConfig): AlertDefinition[] {
  const scrape = `up{${config.exporterSelector}}`;
  const polls = config.exporterPollsFailing;
  const down = config.exporterDown;
  const gaps = config.gapsDetected;
  const reload = config.webConfigReloadFailed;
  return [
    {
      alert: 'WebhookExporterPollsFailing',
      // About the webhook, so max over exporters: its metrics still update while any replica reads
      // it. A replica that alone fails shows in the exporter-health dashboard, per exporter.
      expr: `${maxBy(PER_WEBHOOK, series('up'))} == 0`,
      for: polls.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The exporter cannot read a webhook delivery log.',
        description:
          `Every poll of the delivery log of webhook ${WEBHOOK} has failed for ${polls.for}, so its delivery metrics are frozen and its delivery alerts cannot fire. ` +
          `Check the exporter's log for "webhook log unreadable" (its problem field says why: credentials, webhook id, rate limit, provider outage), its status page /, ` +
          `and ${series('apiRequests')}{source="{{ $labels.source }}"} by code.`,
      },
    },
    {
      alert: 'WebhookExporterDown',
      // About one exporter process: per scrape target, so each replica that is down fires.
      expr: `${scrape} == 0`,
      for: down.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Prometheus cannot scrape the webhook log exporter.',
        description: `Scrapes of {{ $labels.instance }} (job {{ $labels.job }}) have failed for ${down.for}: the webhooks it watches are not monitored. Check that the process runs, that /metrics answers, and the network path from Prometheus.`,
      },
    },
    {
      alert: 'WebhookExporterAbsent',
      expr: `absent(${scrape})`,
      for: down.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Prometheus does not scrape the webhook log exporter.',
        description: `No scrape target has matched {${config.exporterSelector}} for ${down.for}: no webhook delivery is monitored. Check that the exporter is deployed and the scrape configuration (or ServiceMonitor) selects it.`,
      },
    },
    {
      alert: 'WebhookExporterGapsDetected',
      expr: `${sumByOnLines(PER_WEBHOOK, maxOverExportersOnLines('gaps', counterIncrease(series('gaps'), gaps.window)))}\n> 0`,
      for: gaps.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Webhook deliveries may have gone uncounted.',
        description: `{{ $value | printf "%.0f" }} reads of the delivery log of webhook ${WEBHOOK} in the last ${gaps.window} found no entry already known, so deliveries between two polls may not have been counted. The exporter's "possible gap" log line says what to change: poll more often (schedule), or raise the source's page limit (maxPages) or, where the API returns only its newest entries, the number it returns (limit).`,
      },
    },
    {
      alert: 'WebhookExporterWebConfigReloadFailed',
      // About one exporter process and its own files: per scrape target. The counter is exported
      // at 0 from the start, so increase() sees the first failure.
      expr: `increase(${series('webConfigReloadErrors', config.exporterSelector)}[${reload.window}]) > 0`,
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'A changed web config could not be loaded; the exporter serves the previous one.',
        description: `{{ $labels.instance }} could not load a change to its web config file or a file it names (TLS certificate, key, client CA, basic-auth users) in the last ${reload.window}, and keeps serving the previous configuration: a renewed certificate is not in use yet and the old one will expire. Its log line "web config not reloaded" names every problem by its path.`,
      },
    },
  ];
}
