// Is the exporter itself healthy: scraped, polling, reading every entry, keeping up?

import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../../src/telemetry/catalogue.js';
import type { MixinConfig } from '../config.js';
import { maxBy, on, PER_WEBHOOK, sumBy } from '../promql.js';
import { buildDashboard, WEBHOOK_VARIABLES } from './dashboard.js';
import { fixedColour, singleStat, stateTimeline, thresholds, timeSeries, valueMapping } from './panels.js';
import { increase, rate, secondsSince, selectorsFor } from './promql.js';
import { quantileQueries, rangeQueries } from './queries.js';

const select = selectorsFor(WEBHOOK_VARIABLES.map((variable) => variable.name));

/**
 * Invalid entries per source and reason. The counter has no series until an entry is skipped, so
 * sources without any read as 0 with reason "none" (from their polls) instead of "no data".
 */
const invalidEntries =
  `${sumBy(['source', 'reason'], increase(select(METRICS.entriesInvalid)))}` +
  ` or ${on(['source'])} label_replace(${sumBy(['source'], increase(select(METRICS.polls)))} * 0, "reason", "none", "", "")`;

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
  const pollingStatus = stateTimeline(
    'Webhook polling status',
    'Per webhook, over time: OK while the latest poll of its delivery log succeeded, failing while it did not (webhook_exporter_up). ' +
      'Failing means its delivery metrics are not updating: see the provider API responses and the exporter log.',
  )
    .unit('none')
    .mappings([valueMapping({ 0: ['failing', 'red'], 1: ['OK', 'green'] })])
    .targets(rangeQueries({ expr: maxBy(PER_WEBHOOK, select(METRICS.up)), legend: '{{source}} / {{webhook_id}}' }));
  const polls = timeSeries(
    'Polls by result',
    'Polls of delivery logs per second, per source, split into success and error. Any error line above 0 means some webhook could not be read.',
  )
    .unit('ops')
    .targets(rangeQueries({ expr: sumBy(['source', 'result'], rate(select(METRICS.polls))), legend: '{{source}} {{result}}' }))
    .overrideByRegexp('.* error', fixedColour('red'));
  const pollDuration = timeSeries(
    'Poll duration p50 / p95 / p99',
    'How long one poll of a delivery log takes, all pages included (webhook_exporter_poll_duration_seconds). ' +
      'Close to the schedule interval means polls run into the next tick, which is then skipped: poll less often or lower maxPages.',
  )
    .unit('s')
    .targets(rangeQueries(...quantileQueries(select(METRICS.pollDuration, {}, '_bucket'))));
  const apiResponses = timeSeries(
    'Provider API responses by code',
    "Requests to the provider's API per second, per source and response: an HTTP status, `timeout` or `network_error`. " +
      '401/403: credentials; 404: wrong webhook id or base URL; 429: rate limited. Not filtered by webhook (the metric has no webhook label).',
  )
    .unit('reqps')
    .targets(rangeQueries({ expr: sumBy(['source', 'code'], rate(select(METRICS.apiRequests))), legend: '{{source}} {{code}}' }));
  const sinceSuccess = timeSeries(
    'Time since last successful poll',
    'Per webhook, seconds since the latest successful poll finished. It stays below the poll interval while polling works and climbs while polls fail.',
  )
    .unit('s')
    .targets(rangeQueries({ expr: secondsSince(select(METRICS.lastSuccessTimestamp)), legend: '{{source}} / {{webhook_id}}' }));
  const invalid = timeSeries(
    'Invalid entries by reason',
    'Log entries skipped per interval because they could not be read, per source and reason (not_an_object, missing_id, invalid_date, unknown_status, wrong_type). ' +
      'Sources with none show a 0 bar labelled `none`. Any other bar means deliveries went uncounted: the provider changed its format. Not filtered by webhook.',
  )
    .unit('short')
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(60)
    .targets(rangeQueries({ expr: invalidEntries, legend: '{{source}} {{reason}}' }));
  const gaps = timeSeries(
    'Gaps',
    'Per webhook and interval, reads that may have missed entries: cut short by maxPages before reaching entries already seen, or with no entry already known. ' +
      'Gaps mean the log moves faster than the exporter reads it: poll more often, or raise the source\'s pageSize / maxPages (limit where the API returns only its newest entries).',
  )
    .unit('short')
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(60)
    .targets(rangeQueries({ expr: sumBy(PER_WEBHOOK, increase(select(METRICS.gaps))), legend: '{{source}} / {{webhook_id}}' }));
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
