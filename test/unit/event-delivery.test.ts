// Time to delivery per event: from its first attempt to the end of its first success, observed
// once; events whose first attempt was not seen are left out; memory is bounded.

import { describe, expect, it } from 'vitest';
import type { DeliveryAttempt } from '../../src/providers/types.js';
import { EventDeliveryTracker, MAX_TRACKED_EVENTS, TRACKING_HORIZON_MS } from '../../src/telemetry/event-delivery.js';

const START = Date.UTC(2026, 11, 2, 4, 0, 0);
let ids = 0;

function attempt(eventId: string | undefined, status: 'success' | 'failed', createdAtMs: number, fields: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    logId: `log-${++ids}`,
    webhookId: 'wh',
    eventType: 'order.created',
    eventId,
    status,
    httpStatusCode: status === 'success' ? 200 : 503,
    durationSeconds: 0.5,
    createdAtMs,
    attemptNumber: undefined,
    nextRetryAtMs: null,
    requestUrl: undefined,
    errorMessage: undefined,
    ...fields,
  };
}

/** As a read hands them over: newest first. */
const read = (...attempts: DeliveryAttempt[]) => [...attempts].sort((a, b) => b.createdAtMs - a.createdAtMs);
const seconds = (tracker: EventDeliveryTracker, attempts: DeliveryAttempt[], nowMs = START + 3_600_000) => tracker.observe(attempts, nowMs).map((delivered) => delivered.seconds);

describe('EventDeliveryTracker', () => {
  it('observes an event that succeeds at its first attempt as that attempt’s response time, and stores nothing', () => {
    const tracker = new EventDeliveryTracker(START);
    expect(seconds(tracker, read(attempt('e1', 'success', START + 1_000)))).toEqual([0.5]);
    expect(tracker.trackedEvents).toBe(0);
  });

  it('measures from the first attempt to the end of the first success, when both are in one read (success listed first)', () => {
    const tracker = new EventDeliveryTracker(START);
    const attempts = read(attempt('e1', 'failed', START + 1_000, { attemptNumber: 1 }), attempt('e1', 'failed', START + 61_000, { attemptNumber: 2 }), attempt('e1', 'success', START + 361_000, { attemptNumber: 3 }));
    expect(seconds(tracker, attempts)).toEqual([360.5]);
    expect(tracker.trackedEvents).toBe(0);
  });

  it('follows a failed event across reads and observes it once, at its first success', () => {
    const tracker = new EventDeliveryTracker(START);
    expect(seconds(tracker, read(attempt('e1', 'failed', START + 1_000)))).toEqual([]);
    expect(tracker.trackedEvents).toBe(1);
    expect(seconds(tracker, read(attempt('e1', 'failed', START + 6_000)))).toEqual([]);
    expect(seconds(tracker, read(attempt('e1', 'success', START + 306_000)))).toEqual([305.5]);
    // A later manual re-send of the delivered event is not a new event.
    expect(seconds(tracker, read(attempt('e1', 'success', START + 400_000, { attemptNumber: 2 })))).toEqual([]);
    expect(tracker.trackedEvents).toBe(0);
  });

  it('leaves out events whose first attempt it did not see: older than the watch, or numbered as a re-send', () => {
    const tracker = new EventDeliveryTracker(START);
    expect(seconds(tracker, read(attempt('before', 'failed', START - 1_000), attempt('before', 'success', START + 5_000, { attemptNumber: 2 })))).toEqual([]);
    expect(seconds(tracker, read(attempt('retry', 'failed', START + 1_000, { attemptNumber: 2 }), attempt('retry', 'success', START + 9_000, { attemptNumber: 3 })))).toEqual([]);
    expect(seconds(tracker, read(attempt('old-success', 'success', START - 1)))).toEqual([]);
    expect(tracker.trackedEvents).toBe(0);
  });

  it('ignores attempts without an event id (providers that report none)', () => {
    const tracker = new EventDeliveryTracker(START);
    expect(seconds(tracker, read(attempt(undefined, 'failed', START + 1), attempt(undefined, 'success', START + 2)))).toEqual([]);
    expect(tracker.trackedEvents).toBe(0);
  });

  it('sorts a read whose order is not strictly newest first', () => {
    const tracker = new EventDeliveryTracker(START);
    const attempts = [attempt('e1', 'failed', START + 1_000), attempt('e1', 'success', START + 11_000), attempt('e2', 'success', START + 500)];
    expect(seconds(tracker, attempts).sort()).toEqual([0.5, 10.5]);
  });

  it('forgets events older than the horizon, and holds at most MAX_TRACKED_EVENTS, oldest dropped first', () => {
    const tracker = new EventDeliveryTracker(START);
    seconds(tracker, read(attempt('old', 'failed', START + 1)), START + 2);
    seconds(tracker, read(attempt('young', 'failed', START + TRACKING_HORIZON_MS)), START + TRACKING_HORIZON_MS + 10);
    expect(tracker.trackedEvents).toBe(1);
    expect(seconds(tracker, read(attempt('old', 'success', START + TRACKING_HORIZON_MS + 20, { attemptNumber: 2 })), START + TRACKING_HORIZON_MS + 30)).toEqual([]);

    const capped = new EventDeliveryTracker(START);
    const failures = Array.from({ length: MAX_TRACKED_EVENTS + 5 }, (_, i) => attempt(`f${i}`, 'failed', START + i, { attemptNumber: 1 }));
    capped.observe(read(...failures), START + MAX_TRACKED_EVENTS + 10);
    expect(capped.trackedEvents).toBe(MAX_TRACKED_EVENTS);
    // The first five were dropped: their success (numbered) is not observed; a kept one is.
    expect(seconds(capped, read(attempt('f0', 'success', START + 20_000, { attemptNumber: 2 }), attempt('f9', 'success', START + 20_000, { attemptNumber: 2 })))).toEqual([20 - 0.009 + 0.5]);
  });
});
