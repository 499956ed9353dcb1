// Alerts on the deliveries themselves: is the receiver getting its webhooks? Each counts a
// delivery once however many exporters read its webhook (maxOverExporters before every sum).
import type { MixinConfig } from '../config.js';
import { percent } from '../numbers.js';
import { on, PER_DELIVERY_WEBHOOK } from '../promql.js';
import { counterIncrease, maxOverExportersOnLines, parenthesise, series, sumByOnLines } from './promql.js';
import type { AlertDefinition } from './types.js';

const WEBHOOK = '{{ $labels.webhook_id }} ({{ $labels.provider }} source {{ $labels.source }})';
const COUNT = '{{ $value | printf "%.0f" }}';

export function deliveryAlerts(config: MixinConfig): AlertDefinition[] {
  const ratio = config.deliveryErrorRatio;
  const noSuccess = config.noSuccessfulDelivery;
  const latency = config.deliveryLatencyP95;
  const exhausted = config.deliveriesExhausted;
  return [
    {
      alert: 'WebhookDeliveryErrorRatioHigh',
      expr: `${errorRatio(ratio.window)}\n> ${ratio.warning}`,
      for: ratio.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Webhook deliveries are failing.',
        description: `{{ $value | humanizePercentage }} of the deliveries of webhook ${WEBHOOK} failed over the last ${ratio.window}, above ${percent(ratio.warning)}.`,
      },
    },
    {
      alert: 'WebhookDeliveryErrorRatioCritical',
      expr: `${errorRatio(ratio.window)}\n> ${ratio.critical}`,
      for: ratio.for,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Most webhook deliveries are failing.',
        description: `{{ $value | humanizePercentage }} of the deliveries of webhook ${WEBHOOK} failed over the last ${ratio.window}, above ${percent(ratio.critical)}: the receiver is mostly down or rejecting events.`,
      },
    },
    {
      alert: 'WebhookNoSuccessfulDelivery',
      // Failures show that deliveries are being attempted; without any, silence is not an outage.
      expr: [
        parenthesise(`${deliveriesCounted('status="failed"', noSuccess.window)}\n> 0`),
        `unless ${on(PER_DELIVERY_WEBHOOK)}`,
        parenthesise(`${deliveriesCounted('status="success"', noSuccess.window)}\n> 0`),
      ].join('\n'),
      for: noSuccess.for,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'No webhook delivery has succeeded recently.',
        description: `${COUNT} deliveries of webhook ${WEBHOOK} failed in the last ${noSuccess.window} and none succeeded: the receiver is down or rejects every event.`,
      },
    },
    {
      alert: 'WebhookDeliveryLatencyHigh',
      expr: `${p95ResponseTime(latency.window)}\n> ${latency.seconds}`,
      for: latency.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'A webhook receiver answers slowly.',
        description: `The receiver of webhook ${WEBHOOK} answered 95% of the deliveries of the last ${latency.window} within {{ $value | humanizeDuration }}, above ${latency.seconds}s.`,
      },
    },
    {
      alert: 'WebhookDeliveriesExhausted',
      expr: `${sumByOnLines(PER_DELIVERY_WEBHOOK, maxOverExportersOnLines('deliveriesExhausted', counterIncrease(series('deliveriesExhausted'), exhausted.window)))}\n> 0`,
      for: exhausted.for,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'The provider gave up on webhook deliveries.',
        description: `${COUNT} deliveries of webhook ${WEBHOOK} failed their last retry in the last ${exhausted.window}: the provider will not send those events again, so the receiver never got them.`,
      },
    },
  ];
}

/** Failed share of the finished deliveries; no result for a webhook with none in the window. */
function errorRatio(window: string): string {
  return `${deliveriesCounted('status="failed"', window)}\n/\n${parenthesise(`${deliveriesCounted('', window)}\n> 0`)}`;
}

/** Receivers' p95 response time per webhook; NaN (never above a threshold) without deliveries. */
function p95ResponseTime(window: string): string {
  const bucketRates = `rate(${series('deliveryDuration', '', '_bucket')}[${window}])`;
  return `histogram_quantile(0.95, ${sumByOnLines(['le', ...PER_DELIVERY_WEBHOOK], maxOverExportersOnLines('deliveryDuration', bucketRates, '_bucket'))})`;
}

function deliveriesCounted(matchers: string, window: string): string {
  return sumByOnLines(PER_DELIVERY_WEBHOOK, maxOverExportersOnLines('deliveries', counterIncrease(series('deliveries', matchers), window)));
}
