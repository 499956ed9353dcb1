import type { DeliveryAttempt } from '../../../src/providers/types.js';
import type { ExporterTelemetry, TelemetryOptions } from '../../../src/telemetry/index.js';

export const SOURCE = 'baanx-prod';
export const PROVIDER = 'baanx';
export const WEBHOOK = '770e8400-e29b-41d4-a716-446655440002';
export const CREATED_AT_MS = Date.UTC(2025, 0, 15, 10, 0, 0);

export function telemetryOptions(overrides: Partial<TelemetryOptions> = {}): TelemetryOptions {
  return {
    histogramBuckets: [0.1, 1, 10],
    maxEventTypes: 100,
    serviceVersion: '1.2.3',
    sources: [{ name: SOURCE, provider: PROVIDER, webhooks: [WEBHOOK] }],
    // Before the attempts' fixed time, so their events count as seen from their first attempt.
    watchStartMs: CREATED_AT_MS - 3_600_000,
    ...overrides,
  };
}

let nextLogId = 0;

/** A finished, successful first attempt unless told otherwise. */
export function attempt(overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    logId: `log-${nextLogId++}`,
    webhookId: WEBHOOK,
    eventType: 'kyc.status.changed',
    eventId: 'event-1',
    status: 'success',
    httpStatusCode: 200,
    durationSeconds: 0.25,
    createdAtMs: CREATED_AT_MS,
    attemptNumber: 1,
    nextRetryAtMs: undefined,
    requestUrl: 'https://receiver.example/hook',
    errorMessage: undefined,
    ...overrides,
  };
}

/** One call of every recording method, including an exhausted failure, so every metric has a series. */
export function populateEveryMetric(t: ExporterTelemetry): void {
  t.recordDeliveries(
    SOURCE,
    PROVIDER,
    [attempt({ attemptNumber: 2 }), attempt({ status: 'failed', httpStatusCode: 500, attemptNumber: 6, nextRetryAtMs: null })],
    true,
  );
  const delivered = attempt({ eventId: 'event-delivered', attemptNumber: 1 });
  t.recordDeliveries(SOURCE, PROVIDER, [delivered], true);
  t.recordRead({ source: SOURCE, provider: PROVIDER, webhookId: WEBHOOK, startedAtMs: CREATED_AT_MS, finishedAtMs: CREATED_AT_MS, error: undefined, pages: 1, entriesRead: 1, invalid: 0, counted: [delivered], eventIds: true });
  t.setPending(SOURCE, PROVIDER, WEBHOOK, 2);
  t.noteLastDelivery(SOURCE, PROVIDER, WEBHOOK, 'success', CREATED_AT_MS);
  t.recordPoll(SOURCE, WEBHOOK, 'success', 0.4, CREATED_AT_MS);
  t.recordApiRequest(SOURCE, '200');
  t.setRateLimitRemaining(SOURCE, 4_999);
  t.recordInvalid(SOURCE, 'wrong_type', 1);
  t.recordGap(SOURCE, WEBHOOK);
}
