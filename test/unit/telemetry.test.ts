import { afterEach, describe, expect, it } from 'vitest';
import { ExporterTelemetry, type TelemetryOptions } from '../../src/telemetry/index.js';
import { findSamples, ownLabels, parseExposition, sampleValue, type Exposition } from '../helpers/exposition.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import {
  attempt,
  CREATED_AT_MS,
  populateEveryMetric,
  PROVIDER,
  SOURCE,
  telemetryOptions,
  WEBHOOK,
} from './helpers/telemetry.js';

const running: ExporterTelemetry[] = [];

function telemetry(overrides: Partial<TelemetryOptions> = {}): ExporterTelemetry {
  const instance = new ExporterTelemetry(telemetryOptions(overrides));
  running.push(instance);
  return instance;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.shutdown()));
});

async function exposition(instance: ExporterTelemetry): Promise<Exposition> {
  return parseExposition(await instance.collectExposition());
}

const delivery = { source: SOURCE, provider: PROVIDER, webhook_id: WEBHOOK };

describe('webhook_deliveries_total', () => {
  it('counts finished attempts by status and receiver status code, "none" when there was no response', async () => {
    const t = telemetry();
    t.recordDeliveries(
      SOURCE,
      PROVIDER,
      [
        attempt(),
        attempt(),
        attempt({ status: 'failed', httpStatusCode: 503 }),
        attempt({ status: 'failed', httpStatusCode: undefined, durationSeconds: undefined }),
      ],
      true,
    );
    const exp = await exposition(t);
    const samples = findSamples(exp, 'webhook_deliveries_total');
    expect(samples.map((sample) => [ownLabels(sample), sample.value])).toEqual([
      [{ ...delivery, event: 'kyc.status.changed', status: 'success', http_status_code: '200' }, 2],
      [{ ...delivery, event: 'kyc.status.changed', status: 'failed', http_status_code: '503' }, 1],
      [{ ...delivery, event: 'kyc.status.changed', status: 'failed', http_status_code: 'none' }, 1],
    ]);
    expect(exp.types.get('webhook_deliveries_total')).toBe('counter');
    expect(samples[0]?.labels).toMatchObject({ otel_scope_name: 'webhook-log-exporter', otel_scope_version: '1.2.3' });
  });

  it('adds up across calls and ignores attempts that are not finished', async () => {
    const t = telemetry();
    t.recordDeliveries(SOURCE, PROVIDER, [attempt(), attempt({ status: 'pending' })], true);
    t.recordDeliveries(SOURCE, PROVIDER, [attempt(), attempt({ status: 'processing' })], true);
    const exp = await exposition(t);
    expect(findSamples(exp, 'webhook_deliveries_total').map((sample) => sample.value)).toEqual([2]);
    expect(sampleValue(exp, 'webhook_delivery_duration_seconds_count')).toBe(2);
  });
});

describe('webhook_delivery_duration_seconds', () => {
  it('observes only attempts that report a duration, into the configured buckets', async () => {
    const t = telemetry();
    t.recordDeliveries(
      SOURCE,
      PROVIDER,
      [
        attempt({ durationSeconds: 0.05 }),
        attempt({ durationSeconds: 2 }),
        attempt({ durationSeconds: undefined }),
        attempt({ status: 'failed', httpStatusCode: undefined, durationSeconds: undefined }),
      ],
      true,
    );
    const exp = await exposition(t);
    const success = { ...delivery, event: 'kyc.status.changed', status: 'success' };
    expect(exp.types.get('webhook_delivery_duration_seconds')).toBe('histogram');
    expect(sampleValue(exp, 'webhook_delivery_duration_seconds_count', success)).toBe(2);
    expect(sampleValue(exp, 'webhook_delivery_duration_seconds_sum', success)).toBeCloseTo(2.05);
    const buckets = findSamples(exp, 'webhook_delivery_duration_seconds_bucket', success);
    expect(buckets.map((bucket) => [bucket.labels.le, bucket.value])).toEqual([
      ['0.1', 1],
      ['1', 1],
      ['10', 2],
      ['+Inf', 2],
    ]);
    expect(findSamples(exp, 'webhook_delivery_duration_seconds_count', { status: 'failed' })).toEqual([]);
  });
});

describe('webhook_delivery_retries_total', () => {
  it('counts only attempts whose attempt number is above 1', async () => {
    const t = telemetry();
    t.recordDeliveries(
      SOURCE,
      PROVIDER,
      [
        attempt({ attemptNumber: 1 }),
        attempt({ attemptNumber: undefined }),
        attempt({ attemptNumber: 2 }),
        attempt({ attemptNumber: 6, status: 'failed', httpStatusCode: 500, nextRetryAtMs: null }),
      ],
      true,
    );
    const exp = await exposition(t);
    expect(findSamples(exp, 'webhook_delivery_retries_total').map((sample) => [ownLabels(sample), sample.value])).toEqual([
      [{ ...delivery, event: 'kyc.status.changed', status: 'success' }, 1],
      [{ ...delivery, event: 'kyc.status.changed', status: 'failed' }, 1],
    ]);
  });
});

describe('webhook_deliveries_exhausted_total', () => {
  const candidates = [
    attempt({ status: 'failed', httpStatusCode: 500, nextRetryAtMs: null }),
    attempt({ status: 'failed', httpStatusCode: 500, nextRetryAtMs: CREATED_AT_MS + 60_000 }),
    attempt({ status: 'failed', httpStatusCode: 500, nextRetryAtMs: undefined }),
    attempt({ status: 'success', nextRetryAtMs: null }),
  ];

  it('counts failed attempts with no retry scheduled, from providers that report retries', async () => {
    const t = telemetry();
    t.recordDeliveries(SOURCE, PROVIDER, candidates, true);
    const exp = await exposition(t);
    expect(findSamples(exp, 'webhook_deliveries_exhausted_total').map((sample) => [ownLabels(sample), sample.value])).toEqual([
      [{ ...delivery, event: 'kyc.status.changed' }, 1],
    ]);
  });

  it('counts nothing for providers that do not report retries', async () => {
    const t = telemetry();
    t.recordDeliveries(SOURCE, PROVIDER, candidates, false);
    const exp = await exposition(t);
    expect(findSamples(exp, 'webhook_deliveries_exhausted_total')).toEqual([]);
    expect(findSamples(exp, 'webhook_deliveries_total').length).toBeGreaterThan(0);
  });
});

describe('event cap', () => {
  it('keeps the first maxEventTypes event types per source and counts the rest as "other"', async () => {
    const other = 'salesfinity-prod';
    const t = telemetry({
      maxEventTypes: 2,
      sources: [
        { name: SOURCE, provider: PROVIDER, webhooks: [WEBHOOK] },
        { name: other, provider: 'salesfinity', webhooks: ['w2'] },
      ],
    });
    const events = ['a', 'b', 'c', 'd', 'a', 'b'].map((eventType) => attempt({ eventType, attemptNumber: 2 }));
    t.recordDeliveries(SOURCE, PROVIDER, events, true);
    t.recordDeliveries(other, 'salesfinity', [attempt({ eventType: 'c', webhookId: 'w2' })], false);
    const exp = await exposition(t);
    const byEvent = (name: string, source: string) =>
      Object.fromEntries(findSamples(exp, name, { source }).map((sample) => [sample.labels.event, sample.value]));
    expect(byEvent('webhook_deliveries_total', SOURCE)).toEqual({ a: 2, b: 2, other: 2 });
    // Every delivery metric uses the same value, so their series line up.
    expect(byEvent('webhook_delivery_retries_total', SOURCE)).toEqual({ a: 2, b: 2, other: 2 });
    expect(byEvent('webhook_delivery_duration_seconds_count', SOURCE)).toEqual({ a: 2, b: 2, other: 2 });
    // The cap is per source: `c` was "other" for the first source only.
    expect(byEvent('webhook_deliveries_total', other)).toEqual({ c: 1 });
  });
});

describe('gauges without `event`', () => {
  it('reports pending entries per webhook, last value wins', async () => {
    const t = telemetry();
    t.setPending(SOURCE, PROVIDER, WEBHOOK, 4);
    t.setPending(SOURCE, PROVIDER, WEBHOOK, 1);
    const exp = await exposition(t);
    const samples = findSamples(exp, 'webhook_deliveries_pending');
    expect(samples.map((sample) => [ownLabels(sample), sample.value])).toEqual([[delivery, 1]]);
    expect(exp.types.get('webhook_deliveries_pending')).toBe('gauge');
  });

  it('reports the newest createdAt per status in Unix seconds, never moving back', async () => {
    const t = telemetry();
    t.noteLastDelivery(SOURCE, PROVIDER, WEBHOOK, 'success', CREATED_AT_MS + 1_500);
    t.noteLastDelivery(SOURCE, PROVIDER, WEBHOOK, 'success', CREATED_AT_MS);
    t.noteLastDelivery(SOURCE, PROVIDER, WEBHOOK, 'failed', CREATED_AT_MS - 60_000);
    const exp = await exposition(t);
    const samples = findSamples(exp, 'webhook_last_delivery_timestamp_seconds');
    expect(samples.map((sample) => [ownLabels(sample), sample.value])).toEqual([
      [{ ...delivery, status: 'success' }, CREATED_AT_MS / 1000 + 1.5],
      [{ ...delivery, status: 'failed' }, CREATED_AT_MS / 1000 - 60],
    ]);
    expect(exp.units.get('webhook_last_delivery_timestamp_seconds')).toBe('s');
  });
});

describe('exporter health', () => {
  it('starts with zero polls and gaps for every configured webhook', async () => {
    const t = telemetry({
      sources: [
        { name: SOURCE, provider: PROVIDER, webhooks: [WEBHOOK, 'second'] },
        { name: 'salesfinity-prod', provider: 'salesfinity', webhooks: ['507f1f77bcf86cd799439011'] },
      ],
    });
    const exp = await exposition(t);
    const polls = findSamples(exp, 'webhook_exporter_polls_total').map((sample) => [ownLabels(sample), sample.value]);
    expect(polls).toEqual([
      [{ source: SOURCE, webhook_id: WEBHOOK, result: 'success' }, 0],
      [{ source: SOURCE, webhook_id: WEBHOOK, result: 'error' }, 0],
      [{ source: SOURCE, webhook_id: 'second', result: 'success' }, 0],
      [{ source: SOURCE, webhook_id: 'second', result: 'error' }, 0],
      [{ source: 'salesfinity-prod', webhook_id: '507f1f77bcf86cd799439011', result: 'success' }, 0],
      [{ source: 'salesfinity-prod', webhook_id: '507f1f77bcf86cd799439011', result: 'error' }, 0],
    ]);
    expect(findSamples(exp, 'webhook_exporter_gaps_total').map((sample) => [ownLabels(sample), sample.value])).toEqual([
      [{ source: SOURCE, webhook_id: WEBHOOK }, 0],
      [{ source: SOURCE, webhook_id: 'second' }, 0],
      [{ source: 'salesfinity-prod', webhook_id: '507f1f77bcf86cd799439011' }, 0],
    ]);
    // Nothing is known about a webhook before its first poll.
    expect(findSamples(exp, 'webhook_exporter_up')).toEqual([]);
  });

  it('records polls: result, duration, up and the time of the last success', async () => {
    const t = telemetry();
    const webhook = { source: SOURCE, webhook_id: WEBHOOK };
    t.recordPoll(SOURCE, WEBHOOK, 'success', 0.5, CREATED_AT_MS);
    let exp = await exposition(t);
    expect(sampleValue(exp, 'webhook_exporter_up', webhook)).toBe(1);
    expect(sampleValue(exp, 'webhook_exporter_last_success_timestamp_seconds', webhook)).toBe(CREATED_AT_MS / 1000);

    t.recordPoll(SOURCE, WEBHOOK, 'error', 12, CREATED_AT_MS + 30_000);
    exp = await exposition(t);
    expect(sampleValue(exp, 'webhook_exporter_polls_total', { ...webhook, result: 'success' })).toBe(1);
    expect(sampleValue(exp, 'webhook_exporter_polls_total', { ...webhook, result: 'error' })).toBe(1);
    expect(sampleValue(exp, 'webhook_exporter_up', webhook)).toBe(0);
    expect(sampleValue(exp, 'webhook_exporter_last_success_timestamp_seconds', webhook)).toBe(CREATED_AT_MS / 1000);
    expect(sampleValue(exp, 'webhook_exporter_poll_duration_seconds_count', webhook)).toBe(2);
    expect(sampleValue(exp, 'webhook_exporter_poll_duration_seconds_sum', webhook)).toBe(12.5);
    expect(sampleValue(exp, 'webhook_exporter_poll_duration_seconds_bucket', { ...webhook, le: '10' })).toBe(1);
  });

  it('counts API requests by code, invalid entries by reason, and gaps', async () => {
    const t = telemetry();
    t.recordApiRequest(SOURCE, '200');
    t.recordApiRequest(SOURCE, '200');
    t.recordApiRequest(SOURCE, '429');
    t.recordApiRequest(SOURCE, 'timeout');
    t.recordInvalid(SOURCE, 'missing_id', 3);
    t.recordInvalid(SOURCE, 'invalid_date', 1);
    t.recordGap(SOURCE, WEBHOOK);
    const exp = await exposition(t);
    const pairs = (name: string) => findSamples(exp, name).map((sample) => [ownLabels(sample), sample.value]);
    expect(pairs('webhook_exporter_api_requests_total')).toEqual([
      [{ source: SOURCE, code: '200' }, 2],
      [{ source: SOURCE, code: '429' }, 1],
      [{ source: SOURCE, code: 'timeout' }, 1],
    ]);
    expect(pairs('webhook_exporter_entries_invalid_total')).toEqual([
      [{ source: SOURCE, reason: 'missing_id' }, 3],
      [{ source: SOURCE, reason: 'invalid_date' }, 1],
    ]);
    expect(pairs('webhook_exporter_gaps_total')).toEqual([[{ source: SOURCE, webhook_id: WEBHOOK }, 1]]);
  });

  it('keeps every health series of 1000 webhooks apart (no cardinality overflow)', async () => {
    const webhooks = Array.from({ length: 1000 }, (_, i) => `webhook-${i}`);
    const t = telemetry({ sources: [{ name: SOURCE, provider: PROVIDER, webhooks }] });
    for (const webhookId of webhooks) {
      t.noteLastDelivery(SOURCE, PROVIDER, webhookId, 'success', CREATED_AT_MS);
      t.noteLastDelivery(SOURCE, PROVIDER, webhookId, 'failed', CREATED_AT_MS);
    }
    const text = await t.collectExposition();
    const exp = parseExposition(text);
    expect(findSamples(exp, 'webhook_exporter_polls_total')).toHaveLength(2000);
    expect(findSamples(exp, 'webhook_last_delivery_timestamp_seconds')).toHaveLength(2000);
    expect(text.includes('otel_metric_overflow'), 'a series was folded into otel_metric_overflow').toBe(false);
  });
});

describe('exposition', () => {
  it('escapes quotes, backslashes and newlines in label values', async () => {
    const t = telemetry();
    const eventType = 'say "hi"\\now\nplease';
    t.recordDeliveries(SOURCE, PROVIDER, [attempt({ eventType })], true);
    const text = await t.collectExposition();
    expect(text).toContain('event="say \\"hi\\"\\\\now\\nplease"');
    expect(findSamples(parseExposition(text), 'webhook_deliveries_total')[0]?.labels.event).toBe(eventType);
    expect(await promtoolCheckMetrics(text)).toBe('');
  });

  it('carries the service resource in target_info', async () => {
    const exp = await exposition(telemetry());
    expect(findSamples(exp, 'target_info').map((sample) => [sample.labels, sample.value])).toEqual([
      [{ service_name: 'webhook-log-exporter', service_version: '1.2.3' }, 1],
    ]);
  });

  it('passes `promtool check metrics` with every metric populated', async () => {
    const t = telemetry();
    populateEveryMetric(t);
    const text = await t.collectExposition();
    expect(text).toContain('webhook_deliveries_exhausted_total{');
    expect(await promtoolCheckMetrics(text)).toBe('');
  });

  it('gives the same exposition in chunks, for /metrics to stream', async () => {
    const t = telemetry();
    populateEveryMetric(t);
    const chunks = [...(await t.collectExpositionChunks())];
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.join('')).toBe(await t.collectExposition());
  });

  it('rejects the chunks when collection fails', async () => {
    const t = telemetry();
    await t.shutdown();
    await expect(t.collectExpositionChunks()).rejects.toThrow();
  });
});
