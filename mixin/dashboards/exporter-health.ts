// Is the exporter itself healthy: scraped, polling, reading every entry, keeping up?

import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../../src/telemetry/catalogue.js';
import type { MixinConfig } from '../config.js';
import { maxBy, maxOverExporters, on, PER_EXPORTER, PER_WEBHOOK, sumBy } from '../promql.js';
import { buildDashboard, WEBHOOK_VARIABLES } from './dashboard.js';
import { fixedColour, singleStat, stateTimeline, thresholds, timeSeries, valueMapping } from './panels.js';
import { increase, rate, secondsSince, selectorsFor } from './promql.js';
import { quantileQueries, rangeQueries } from './queries.js';

const select = selectorsFor(WEBHOOK_VARIABLES.map((variable) => variable.name));

// Two kinds of panel. About a webhook (is its log read, how far behind, gaps): one value however
// many exporters read it, as on the deliveries dashboard. About an exporter process (its scrape,
// polls, requests, skipped entries): per exporter, since each replica does that work itself (N
// replicas make N times the requests against the provider's rate limit) and a failing one should
// stand out; per-source series could not be de-duplicated across shards anyway.
const BY_EXPORTER_AND_SOURCE = [...PER_EXPORTER, 'source'];

/**
 * Invalid entries per exporter, source and reason. The counter has no series until an entry is
 * skipped, so sources without any read as 0 with reason "none" (from their polls) instead of "no data".
 */
const invalidEntries =
  `${sumBy([...BY_EXPORTER_AND_SOURCE, 'reason'], increase(select(METRICS.entriesInvalid)))}` +
  ` or ${on(BY_EXPORTER_AND_SOURCE)} label_replace(${sumBy(BY_EXPORTER_AND_SOURCE, increase(select(METRICS.polls)))} * 0, "reason", "none", "", "")`;

export function exporterHealth(config: MixinConfig): dashboard.Dashboard {
  const scrapeUp = singleStat(
    'Exporter scrape up',
    "Prometheus' own `up` for the exporter's scrape target(s) of the selected job: 1 when the last scrape worked, 0 when it failed. " +
      'Down means every other panel is stale: check the process, the port and the scrape config.',
  )
    .unit('none')
    .thresholds(thresholds('red', [1, 'green']))
    .mappings([valueMapping({ 0: ['down', 'red'], 1: ['up', 'green'] })])
    .targets(rangeQueries({ expr: 'up{job=~"$job"}', legend: '{{instance}}' }));
  // Max over exporters: the webhook's metrics update while any exporter that reads it succeeds.
  const pollingStatus = stateTimeline(
    'Webhook polling status',
    'Per webhook, over time: OK while the latest poll of its delivery log succeeded (by any exporter that reads it), failing while it did not (webhook_exporter_up). ' +
      'Failing means its delivery metrics are not updating: see the provider API responses and the exporter log.',
  )
    .unit('none')
    .mappings([valueMapping({ 0: ['failing', 'red'], 1: ['OK', 'green'] })])
    .targets(rangeQueries({ expr: maxBy(PER_WEBHOOK, select(METRICS.up)), legend: '{{source}} / {{webhook_id}}' }));
  const polls = timeSeries(
    'Polls by result',
    'Polls of delivery logs per second, per exporter and source, split into success and error. Any error line above 0 means that exporter could not read some webhook.',
  )
    .unit('ops')
    .targets(rangeQueries({ expr: sumBy([...BY_EXPORTER_AND_SOURCE, 'result'], rate(select(METRICS.polls))), legend: '{{instance}} {{source}} {{result}}' }))
    .overrideByRegexp('.* error', fixedColour('red'));
  const pollDuration = timeSeries(
    'Poll duration p50 / p95 / p99',
    'How long one poll of a delivery log takes, all pages included (webhook_exporter_poll_duration_seconds), per exporter. ' +
      'Close to the schedule interval means polls run into the next tick, which is then skipped: poll less often or lower maxPages.',
  )
    .unit('s')
    .targets(rangeQueries(...quantileQueries(rate(select(METRICS.pollDuration, {}, '_bucket')), PER_EXPORTER)));
  const apiResponses = timeSeries(
    'Provider API responses by code',
    "Requests to the provider's API per second, per exporter, source and response: an HTTP status, `timeout` or `network_error`. " +
      '401/403: credentials; 404: wrong webhook id or base URL; 429: rate limited. Every exporter that polls a webhook spends the same rate-limit budget. ' +
      'Not filtered by webhook (the metric has no webhook label).',
  )
    .unit('reqps')
    .targets(rangeQueries({ expr: sumBy([...BY_EXPORTER_AND_SOURCE, 'code'], rate(select(METRICS.apiRequests))), legend: '{{instance}} {{source}} {{code}}' }));
  const sinceSuccess = timeSeries(
    'Time since last successful poll',
    'Per webhook, seconds since the latest successful poll by any exporter finished. It stays below the poll interval while polling works and climbs while polls fail.',
  )
    .unit('s')
    .targets(rangeQueries({ expr: secondsSince(select(METRICS.lastSuccessTimestamp)), legend: '{{source}} / {{webhook_id}}' }));
  const invalid = timeSeries(
    'Invalid entries by reason',
    'Log entries skipped per interval because they could not be read, per exporter, source and reason (not_an_object, missing_id, invalid_date, unknown_status, wrong_type). ' +
      'Sources with none show a 0 bar labelled `none`. Any other bar means deliveries went uncounted: the provider changed its format. Not filtered by webhook.',
  )
    .unit('short')
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(60)
    .targets(rangeQueries({ expr: invalidEntries, legend: '{{instance}} {{source}} {{reason}}' }));
  const gaps = timeSeries(
    'Gaps',
    'Per webhook and interval, reads that may have missed entries: cut short by maxPages before reaching entries already seen, or with no entry already known. ' +
      'Gaps mean the log moves faster than the exporter reads it: poll more often, or raise the source\'s pageSize / maxPages (limit where the API returns only its newest entries).',
  )
    .unit('short')
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(60)
    .targets(rangeQueries({ expr: sumBy(PER_WEBHOOK, maxOverExporters(METRICS.gaps, increase(select(METRICS.gaps)))), legend: '{{source}} / {{webhook_id}}' }));
  return buildDashboard(
    {
      uid: 'webhook-exporter-health',
      title: 'Webhook exporter health',
      description:
        'Is webhook-log-exporter itself healthy: scraped by Prometheus, polling every webhook, reading every log entry, keeping up with the traffic? ' +
        'The exporter does not expose process metrics (no process_* series), so CPU and memory are not shown here: use your container or node metrics for them.',
      variables: WEBHOOK_VARIABLES,
      rows: [
        { height: 6, panels: [scrapeUp.span(6), pollingStatus.span(18)] },
        { height: 8, panels: [polls, pollDuration] },
        { height: 8, panels: [apiResponses, sinceSuccess] },
        { height: 8, panels: [invalid, gaps] },
      ],
    },
    config,
  );
}
