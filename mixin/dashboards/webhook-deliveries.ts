// The operator's view: are my webhooks being delivered, and if not, since when and why?

import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { parseDuration } from '../../src/config/duration.js';
import { METRICS } from '../../src/telemetry/catalogue.js';
import type { MixinConfig } from '../config.js';
import { asWritten, percent } from '../numbers.js';
import { maxOverExporters, on, PER_WEBHOOK, sumBy } from '../promql.js';
import { buildDashboard, WEBHOOK_VARIABLES, type VariableSpec } from './dashboard.js';
import { bucketHeatmap, fixedColour, instantTable, singleStat, thresholds, timeSeries } from './panels.js';
import { histogramQuantile, increase, rate, secondsSince, selectorsFor } from './promql.js';
import { bucketQuery, quantileQueries, rangeQueries } from './queries.js';

// Provider after the job: with five providers side by side, "all my GitHub hooks" is a common view.
const [JOB, ...AFTER_JOB] = WEBHOOK_VARIABLES;
const VARIABLES: VariableSpec[] = [JOB!, { name: 'provider', label: 'Provider', metric: METRICS.deliveries }, ...AFTER_JOB, { name: 'event', label: 'Event', metric: METRICS.deliveries }];
const select = selectorsFor(VARIABLES.map((variable) => variable.name));

// Every query here is about webhooks: each series is taken once (maxOverExporters), then summed.
const deliveries = (fixed: Record<string, string> = {}) => maxOverExporters(METRICS.deliveries, rate(select(METRICS.deliveries, fixed)));
const durationBuckets = select(METRICS.deliveryDuration, {}, '_bucket');
const retries = maxOverExporters(METRICS.deliveryRetries, rate(select(METRICS.deliveryRetries)));

/** Error ratio per webhook; a webhook with no failure in the window reads 0, not "no data". */
const errorRatioPerWebhook =
  `(${sumBy(PER_WEBHOOK, deliveries({ status: 'failed' }))} or ${sumBy(PER_WEBHOOK, deliveries())} * 0)` +
  ` / ${sumBy(PER_WEBHOOK, deliveries())}`;
/**
 * Exhausted deliveries per webhook. The counter has no series until the first one, so webhooks that
 * retry (their provider reports attempts) but never gave up read 0 instead of "no data".
 */
const exhaustedPerWebhook =
  `${sumBy(PER_WEBHOOK, maxOverExporters(METRICS.deliveriesExhausted, rate(select(METRICS.deliveriesExhausted))))}` +
  ` or ${on(PER_WEBHOOK)} ${sumBy(PER_WEBHOOK, retries)} * 0`;
const secondsSinceSuccess = secondsSince(select(METRICS.lastDeliveryTimestamp, { status: 'success' }));

export function webhookDeliveries(config: MixinConfig): dashboard.Dashboard {
  const { warning, critical } = config.deliveryErrorRatio;
  const noSuccessSeconds = parseDuration(config.noSuccessfulDelivery.window) / 1000;
  const successRatio = singleStat(
    'Success ratio',
    'Share of finished delivery attempts that succeeded, over the selected webhooks and events, in the last rate interval. ' +
      `Red below ${percent(1 - critical, ' ')} and orange below ${percent(1 - warning, ' ')}: the error-ratio alert thresholds (mixin/config.ts). ` +
      'No data means no delivery finished in the interval.',
  )
    .unit('percentunit')
    .min(0)
    .max(1)
    .thresholds(thresholds('red', [asWritten(1 - critical), 'orange'], [asWritten(1 - warning), 'green']))
    .targets(rangeQueries({ expr: `${sumBy([], deliveries({ status: 'success' }))} / ${sumBy([], deliveries())}`, legend: 'success ratio' }));
  const deliveryRate = timeSeries(
    'Delivery rate by status',
    'Finished delivery attempts per second, split into success and failed (webhook_deliveries_total). ' +
      'Retries count as attempts, so one failing event can add several failed attempts.',
  )
    .unit('reqps')
    .targets(rangeQueries({ expr: sumBy(['status'], deliveries()), legend: '{{status}}' }))
    .overrideByRegexp('success', fixedColour('green'))
    .overrideByRegexp('failed', fixedColour('red'));
  const failuresByEvent = timeSeries(
    'Failures by event',
    'Failed delivery attempts per second, per event type. Shows which kinds of event the receiver rejects or misses.',
  )
    .unit('reqps')
    .targets(rangeQueries({ expr: sumBy(['event'], deliveries({ status: 'failed' })), legend: '{{event}}' }));
  const failuresByCode = timeSeries(
    'Failures by HTTP status code',
    "Failed delivery attempts per second, per HTTP status the receiver answered. `none` means it never answered (timeout, connection refused): look at the receiver's availability. " +
      '4xx means it rejected the payload or the URL is wrong; 5xx means it is failing.',
  )
    .unit('reqps')
    .targets(rangeQueries({ expr: sumBy(['http_status_code'], deliveries({ status: 'failed' })), legend: '{{http_status_code}}' }));
  const responseTime = timeSeries(
    'Response time p50 / p95 / p99',
    'Receiver response time quantiles, estimated from the webhook_delivery_duration_seconds histogram over all selected webhooks and events. ' +
      `The red line is the p95 alert threshold (${config.deliveryLatencyP95.seconds} s). Attempts whose log gives no response time (such as timeouts on some providers) are not included.`,
  )
    .unit('s')
    .thresholds(thresholds('green', [config.deliveryLatencyP95.seconds, 'red']))
    .thresholdsStyle(thresholdLine())
    .targets(rangeQueries(...quantileQueries(maxOverExporters(METRICS.deliveryDuration, rate(durationBuckets), '_bucket'))));
  const responseTimeHeatmap = bucketHeatmap(
    'Response time distribution',
    'How many attempts fell in each response-time bucket, per interval (the histogram as a heatmap). ' +
      'A second band high up means some deliveries are slow, which a p95 line can hide.',
    's',
  ).withTarget(bucketQuery({ expr: sumBy(['le'], maxOverExporters(METRICS.deliveryDuration, increase(durationBuckets), '_bucket')), legend: '{{le}}' }));
  const retriesAndExhausted = timeSeries(
    'Retries and exhausted deliveries',
    'Per second and per webhook: attempts that were retries (attempt number above 1), and failed attempts after which the provider gave up (exhausted: that event will not be delivered). ' +
      'Exhausted deliveries are only known for providers that report retry schedules or never retry by themselves; a webhook that retried but never gave up shows 0.',
  )
    .unit('reqps')
    .targets(
      rangeQueries(
        { expr: sumBy(PER_WEBHOOK, retries), legend: '{{source}} / {{webhook_id}} retries' },
        { expr: exhaustedPerWebhook, legend: '{{source}} / {{webhook_id}} exhausted' },
      ),
    )
    .overrideByRegexp('.* exhausted', fixedColour('red'));
  const timeToDelivery = timeSeries(
    'Time to delivery p50 / p95 per webhook',
    "Per event, the time from its first attempt to the end of its first successful attempt (webhook_event_delivery_seconds), per webhook. Equal to the response time while first attempts succeed; it climbs with the provider's retry schedule when they fail. " +
      'Only providers whose event ids join the attempts of one event (Baanx, GitHub, Svix), and only events whose first attempt the exporter saw; events still undelivered are not in it yet (see exhausted and pending).',
  )
    .unit('s')
    .targets(
      rangeQueries(
        ...[0.5, 0.95].map((quantile) => ({
          expr: histogramQuantile(quantile, maxOverExporters(METRICS.eventDelivery, rate(select(METRICS.eventDelivery, {}, '_bucket')), '_bucket'), PER_WEBHOOK),
          legend: `{{source}} / {{webhook_id}} p${quantile * 100}`,
        })),
      ),
    );
  const pending = timeSeries(
    'Pending deliveries',
    'Log entries per webhook whose latest status is pending or processing: not yet finished. A number that keeps growing means the provider is not sending. ' +
      'Not filtered by event (the metric has no event label).',
  )
    .unit('short')
    .targets(rangeQueries({ expr: sumBy(PER_WEBHOOK, maxOverExporters(METRICS.deliveriesPending, select(METRICS.deliveriesPending))), legend: '{{source}} / {{webhook_id}}' }));
  const sinceSuccess = timeSeries(
    'Time since last successful delivery',
    'Per webhook, seconds since the newest successful delivery seen in its log; it climbs steadily while nothing gets through. ' +
      `The red line is the no-successful-delivery alert window (${config.noSuccessfulDelivery.window}). ` +
      'A webhook without any success seen by the exporter has no line (see the table). Not filtered by event.',
  )
    .unit('s')
    .thresholds(thresholds('green', [noSuccessSeconds, 'red']))
    .thresholdsStyle(thresholdLine())
    .targets(rangeQueries({ expr: secondsSinceSuccess, legend: '{{source}} / {{webhook_id}}' }));
  const webhooks = instantTable(
    'Webhooks',
    'One row per webhook, now: finished attempts per second, error ratio (share failed, coloured at the alert thresholds ' +
      `${percent(warning, ' ')} and ${percent(critical, ' ')}), and time since the last success (empty: none seen since the exporter started). Sorted by error ratio.`,
    {
      keys: { source: 'Source', webhook_id: 'Webhook' },
      sortBy: 'Error ratio',
      columns: [
        { header: 'Attempts/s', unit: 'reqps', expr: sumBy(PER_WEBHOOK, deliveries()) },
        {
          header: 'Error ratio',
          unit: 'percentunit',
          expr: errorRatioPerWebhook,
          thresholds: thresholds('green', [warning, 'orange'], [critical, 'red']),
        },
        { header: 'Since last success', unit: 's', expr: secondsSinceSuccess },
      ],
    },
  );
  return buildDashboard(
    {
      uid: 'webhook-deliveries',
      title: 'Webhook deliveries',
      description:
        "Are the webhooks being delivered, and if not, since when and why? Read from the providers' delivery logs by webhook-log-exporter. " +
        'Filter with the variables at the top; `event` filters only the panels whose metric has an event label. ' +
        'Several exporters reading the same webhook (replicas of a sidecar) count each delivery once.',
      variables: VARIABLES,
      // Now first (how much gets through, which webhook), then since when, then why.
      rows: [
        { height: 8, panels: [successRatio.span(6), webhooks.span(18)] },
        { height: 8, panels: [deliveryRate, sinceSuccess] },
        { height: 8, panels: [failuresByEvent, failuresByCode] },
        { height: 8, panels: [responseTime, responseTimeHeatmap] },
        { height: 8, panels: [retriesAndExhausted, pending] },
        { height: 8, panels: [timeToDelivery.span(24)] },
      ],
    },
    config,
  );
}

/** Draws the thresholds as a line across the graph: the alert threshold the series is held to. */
function thresholdLine(): common.GraphThresholdsStyleConfigBuilder {
  return new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line);
}
