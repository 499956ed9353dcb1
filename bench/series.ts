// N series of the delivery metrics of docs/metrics.md (webhook_deliveries_total and the 9-bucket
// webhook_delivery_duration_seconds), recorded into a real exporter served over HTTP, and the same
// samples into prom-client, so the scrape and memory benchmarks serialise identical content.

import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';
import type { DeliveryAttempt, BuiltInProvider } from '../src/providers/index.js';
import type { WebConfig } from '../src/config/index.js';
import { createServer, type ExporterServer } from '../src/server/index.js';
import type { ExporterTelemetry } from '../src/telemetry/index.js';
import { VERSION } from '../src/version.js';
import { benchTelemetry, DEFAULT_BUCKETS, SOURCE_BY_PROVIDER } from './pipeline.js';

const EVENTS = ['order.created', 'order.paid', 'order.shipped', 'refund.issued', 'user.updated'];

/** One delivery series: a counter series and a histogram series with the same labels. */
interface SeriesSpec {
  source: string;
  provider: BuiltInProvider;
  webhookId: string;
  event: string;
  status: 'success' | 'failed';
  httpStatusCode: number;
  durationSeconds: number;
}

/**
 * Two series per webhook (success/200 and failed/502), so N series use N/2 webhooks. That many
 * webhooks are configured, because the exporter sizes its cardinality limit from them
 * (max(10 000, 2 × webhooks + 1)): fewer would fold series into the overflow series at 10k and 50k.
 */
export function seriesPlan(seriesCount: number): { webhooks: Array<{ provider: BuiltInProvider; webhookId: string }>; series: SeriesSpec[] } {
  const webhookCount = Math.ceil(seriesCount / 2);
  const webhooks = Array.from({ length: webhookCount }, (_, i) => ({
    provider: (i % 2 === 0 ? 'salesfinity' : 'baanx') as BuiltInProvider,
    webhookId: `wh-${String(i).padStart(6, '0')}`,
  }));
  const series = Array.from({ length: seriesCount }, (_, i): SeriesSpec => {
    const webhook = webhooks[i >> 1] as (typeof webhooks)[number];
    const failed = i % 2 === 1;
    return {
      source: SOURCE_BY_PROVIDER[webhook.provider],
      provider: webhook.provider,
      webhookId: webhook.webhookId,
      event: EVENTS[(i >> 1) % EVENTS.length] as string,
      status: failed ? 'failed' : 'success',
      httpStatusCode: failed ? 502 : 200,
      durationSeconds: 0.01 + ((i * 7919) % 5000) / 1000, // spread over the buckets
    };
  });
  return { webhooks, series };
}

/**
 * Sample lines both expositions must hold: 13 per delivery series (1 counter + 10 buckets + sum +
 * count) and 3 per webhook (polls_total success/error and gaps_total, created at start-up).
 * The OTel side adds one: target_info.
 */
export function expectedSampleLines(seriesCount: number): number {
  // + 1: webhook_exporter_web_config_reload_errors_total, present from the start
  return seriesCount * 13 + seriesPlan(seriesCount).webhooks.length * 3 + 1;
}

export interface ServedExporter {
  telemetry: ExporterTelemetry;
  metricsUrl: string;
  close(): Promise<void>;
}

export async function populateExporter(seriesCount: number): Promise<ServedExporter> {
  const telemetry = populateTelemetry(seriesCount);
  const served = await serveTelemetry(telemetry);
  return {
    telemetry,
    metricsUrl: served.metricsUrl,
    async close() {
      await served.close();
      await telemetry.shutdown();
    },
  };
}

/** An ExporterTelemetry holding `seriesCount` delivery series, as populateExporter serves it. */
export function populateTelemetry(seriesCount: number): ExporterTelemetry {
  const { webhooks, series } = seriesPlan(seriesCount);
  const telemetry = benchTelemetry(webhooks);
  for (const spec of series) telemetry.recordDeliveries(spec.source, spec.provider, [attemptFor(spec)], false);
  return telemetry;
}

/** The exporter's real server for `telemetry` on a loopback port, over TLS when `web` says so. */
export async function serveTelemetry(telemetry: ExporterTelemetry, web?: WebConfig): Promise<{ metricsUrl: string; close(): Promise<void> }> {
  const server = createServer({
    telemetry,
    isReady: () => true,
    status: () => ({ version: VERSION, startedAt: new Date().toISOString(), ready: true, generatedAt: new Date().toISOString(), sources: [] }),
    web,
  });
  const port = await listen(server);
  return {
    metricsUrl: `${web?.tls ? 'https' : 'http'}://127.0.0.1:${port}/metrics`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same samples in prom-client: same names, labels, buckets and values, and the same start-up series. */
export function populatePromClient(seriesCount: number): Registry {
  const { webhooks, series } = seriesPlan(seriesCount);
  const registry = new Registry();
  const deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Delivery attempts read from the provider logs.',
    labelNames: ['source', 'provider', 'webhook_id', 'event', 'status', 'http_status_code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'webhook_delivery_duration_seconds',
    help: 'Receiver response time of delivery attempts.',
    labelNames: ['source', 'provider', 'webhook_id', 'event', 'status'],
    buckets: DEFAULT_BUCKETS,
    registers: [registry],
  });
  const polls = new Counter({ name: 'webhook_exporter_polls_total', help: 'Polls.', labelNames: ['source', 'webhook_id', 'result'], registers: [registry] });
  const gaps = new Counter({ name: 'webhook_exporter_gaps_total', help: 'Gaps.', labelNames: ['source', 'webhook_id'], registers: [registry] });
  new Counter({ name: 'webhook_exporter_web_config_reload_errors_total', help: 'Web config reloads that failed.', registers: [registry] }).inc(0);
  for (const spec of series) {
    const labels = { source: spec.source, provider: spec.provider, webhook_id: spec.webhookId, event: spec.event, status: spec.status };
    deliveries.inc({ ...labels, http_status_code: String(spec.httpStatusCode) });
    duration.observe(labels, spec.durationSeconds);
  }
  for (const { provider, webhookId } of webhooks) {
    const source = SOURCE_BY_PROVIDER[provider];
    polls.inc({ source, webhook_id: webhookId, result: 'success' }, 0);
    polls.inc({ source, webhook_id: webhookId, result: 'error' }, 0);
    gaps.inc({ source, webhook_id: webhookId }, 0);
  }
  return registry;
}

export function countSampleLines(body: string): number {
  let count = 0;
  for (const line of body.split('\n')) if (line !== '' && !line.startsWith('#')) count += 1;
  return count;
}

function attemptFor(spec: SeriesSpec): DeliveryAttempt {
  return {
    logId: `${spec.webhookId}-${spec.status}`,
    webhookId: spec.webhookId,
    eventType: spec.event,
    eventId: undefined,
    status: spec.status,
    httpStatusCode: spec.httpStatusCode,
    durationSeconds: spec.durationSeconds,
    createdAtMs: Date.now(),
    attemptNumber: undefined,
    nextRetryAtMs: undefined,
    requestUrl: undefined,
    errorMessage: undefined,
  };
}

function listen(server: ExporterServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
