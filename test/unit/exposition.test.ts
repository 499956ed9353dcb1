import http from 'node:http';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveMetrics } from '../../src/server/metrics-endpoint.js';
import { ExporterTelemetry, type TelemetryOptions } from '../../src/telemetry/index.js';
import { PrometheusTextSerializer } from '../../src/telemetry/prometheus-text.js';
import { parseExposition, type Exposition, type Sample } from '../helpers/exposition.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { attempt, CREATED_AT_MS, populateEveryMetric, PROVIDER, SOURCE, telemetryOptions, WEBHOOK } from './helpers/telemetry.js';
import { closeNow, listenOnLoopback } from '../helpers/loopback.js';

// Label values a provider or a config can hand us that the text format must escape.
const AWKWARD_SOURCE = 'eu "west"\\1';
const AWKWARD_WEBHOOK = 'hook\nwith newline';
const AWKWARD_EVENT = 'card."created"\\v2\nretry';

const running: ExporterTelemetry[] = [];
const servers: http.Server[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) {
    await closeNow(server);
  }
  await Promise.all(running.splice(0).map((instance) => instance.shutdown()));
});

function telemetry(overrides: Partial<TelemetryOptions> = {}): ExporterTelemetry {
  const instance = new ExporterTelemetry(telemetryOptions(overrides));
  running.push(instance);
  return instance;
}

/** Every metric, plus escaping cases, +Inf buckets, zeros, large counts and fractional sums. */
function richTelemetry(): ExporterTelemetry {
  const t = telemetry({
    histogramBuckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10],
    sources: [
      { name: SOURCE, provider: PROVIDER, webhooks: [WEBHOOK] },
      { name: AWKWARD_SOURCE, provider: 'salesfinity', webhooks: [AWKWARD_WEBHOOK] },
    ],
  });
  populateEveryMetric(t);
  t.recordDeliveries(
    AWKWARD_SOURCE,
    'salesfinity',
    [
      attempt({ webhookId: AWKWARD_WEBHOOK, eventType: AWKWARD_EVENT, durationSeconds: 0.1 }),
      attempt({ webhookId: AWKWARD_WEBHOOK, eventType: AWKWARD_EVENT, durationSeconds: 0.2 }),
      // Above the last bucket: only +Inf counts it.
      attempt({ webhookId: AWKWARD_WEBHOOK, eventType: AWKWARD_EVENT, durationSeconds: 86_400 }),
      attempt({ webhookId: AWKWARD_WEBHOOK, status: 'failed', httpStatusCode: undefined, durationSeconds: 0 }),
    ],
    false,
  );
  t.setPending(AWKWARD_SOURCE, 'salesfinity', AWKWARD_WEBHOOK, 0);
  t.noteLastDelivery(AWKWARD_SOURCE, 'salesfinity', AWKWARD_WEBHOOK, 'failed', CREATED_AT_MS + 123);
  t.recordPoll(AWKWARD_SOURCE, AWKWARD_WEBHOOK, 'error', 1 / 3, CREATED_AT_MS + 0.5);
  t.recordApiRequest(AWKWARD_SOURCE, 'network_error');
  t.recordInvalid(AWKWARD_SOURCE, 'wrong_type', 123_456_789_012);
  t.recordInvalid(SOURCE, 'missing_field', 1e21);
  return t;
}

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  return `${await listenOnLoopback(server)}/metrics`;
}

/** GET /metrics over a real server, with the ResourceMetrics our serializer was handed for it. */
async function scrape(t: ExporterTelemetry): Promise<{ response: Response; body: string; collected: ResourceMetrics }> {
  const chunks = vi.spyOn(PrometheusTextSerializer.prototype, 'chunks');
  const url = await listen((req, res) => serveMetrics(t, req, res));
  const response = await fetch(url);
  const body = await response.text();
  expect(chunks).toHaveBeenCalledTimes(1);
  const collected = chunks.mock.calls[0]?.[0];
  if (collected === undefined) throw new Error('the serializer was not called');
  return { response, body, collected };
}

function sampleKey(sample: Sample): string {
  const labels = Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([sample.name, labels, sample.value]);
}

/** What a scraper sees, independent of order: samples as a sorted multiset, and the metadata. */
function comparable(exposition: Exposition): unknown {
  return {
    samples: exposition.samples.map(sampleKey).sort(),
    types: Object.fromEntries(exposition.types),
    units: Object.fromEntries(exposition.units),
    help: Object.fromEntries(exposition.help),
  };
}

describe('the /metrics exposition', () => {
  it('holds the same samples, HELP, TYPE and UNIT as the OTel serializer on the same collection', async () => {
    const { response, body, collected } = await scrape(richTelemetry());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const reference = new PrometheusSerializer().serialize(collected);

    expect(comparable(parseExposition(body))).toEqual(comparable(parseExposition(reference)));
    // The same lines too, so number formatting and escaping match byte for byte, not only once parsed.
    expect(body.split('\n').sort()).toEqual(reference.split('\n').sort());

    // The cases above really are in there.
    expect(body).toContain('event="card.\\"created\\"\\\\v2\\nretry"');
    expect(body).toContain('webhook_id="hook\\nwith newline"');
    expect(body).toMatch(/^webhook_delivery_duration_seconds_bucket\{[^}]*le="\+Inf"\} 3$/m);
    expect(body).toMatch(/^webhook_exporter_entries_invalid_total\{[^}]*\} 1e\+21$/m);
    expect(body).toMatch(/^webhook_delivery_duration_seconds_sum\{[^}]*\} 86400\.3\d*$/m);
    expect(body).toMatch(/^webhook_deliveries_pending\{[^}]*\} 0$/m);
    expect(body).toMatch(/^target_info\{[^}]*service_name="webhook-log-exporter"/m);
  });

  it('matches the OTel serializer when nothing has been recorded yet', async () => {
    const { body, collected } = await scrape(telemetry({ sources: [] }));
    const reference = new PrometheusSerializer().serialize(collected);
    expect(body.split('\n').sort()).toEqual(reference.split('\n').sort());
  });

  it('passes `promtool check metrics`', async () => {
    const text = await richTelemetry().collectExposition();
    expect(await promtoolCheckMetrics(text)).toBe('');
  });

  it('streams 10 000 series over HTTP, complete and parseable', async () => {
    // 5000 webhooks × two statuses: 10 000 series of the counter and of the histogram each.
    const webhooks = Array.from({ length: 5000 }, (_, i) => `webhook-${i}`);
    const t = telemetry({
      histogramBuckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10],
      sources: [{ name: SOURCE, provider: PROVIDER, webhooks }],
    });
    for (const webhookId of webhooks) {
      t.recordDeliveries(
        SOURCE,
        PROVIDER,
        [attempt({ webhookId }), attempt({ webhookId, status: 'failed', httpStatusCode: 503, durationSeconds: 7 })],
        true,
      );
    }
    const url = await listen((req, res) => serveMetrics(t, req, res));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    // Streamed: no length is known up front, so Node frames the body in chunks.
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const body = await response.text();
    expect(body).toBe(await t.collectExposition());
    expect(body.endsWith('\n')).toBe(true);

    const exposition = parseExposition(body);
    const count = (name: string): number => exposition.samples.filter((sample) => sample.name === name).length;
    expect(count('webhook_deliveries_total')).toBe(10_000);
    expect(count('webhook_delivery_duration_seconds_count')).toBe(10_000);
    expect(count('webhook_delivery_duration_seconds_bucket')).toBe(100_000);
    expect(exposition.samples.some((sample) => sample.labels.otel_metric_overflow !== undefined)).toBe(false);
  });

  it('answers HEAD with the headers only, and a failed collection with 500', async () => {
    const t = telemetry();
    populateEveryMetric(t);
    const url = await listen((req, res) => serveMetrics(t, req, res));
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await head.text()).toBe('');

    await t.shutdown();
    const failed = await fetch(url);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('metrics collection failed\n');
  });
});
