// webhook_event_delivery_seconds: per event, the time from its first attempt's createdAt to the end
// of its first successful attempt, observed once, when that success is read. docs/metrics.md
// ("Time to delivery") states the rules; this is their bookkeeping.
//
// Bounded: an event is remembered only while it has failed and not yet succeeded, for at most
// TRACKING_HORIZON_MS and at most MAX_TRACKED_EVENTS per webhook (the oldest go first). An event
// that succeeds at its first attempt is observed and never stored.

import { AgingMap } from '../collections/aging-map.js';
import type { DeliveryAttempt } from '../providers/types.js';

/** Longer than the longest automatic retry schedule of the built-in providers (about 28 hours). */
export const TRACKING_HORIZON_MS = 48 * 3_600_000;
/** About 160 KB per webhook at most (bench: ~160 bytes per event once the cap evicts). */
export const MAX_TRACKED_EVENTS = 1_000;

export interface EventDelivered {
  /** The successful attempt that delivered the event. */
  attempt: DeliveryAttempt;
  seconds: number;
}

/** One webhook's events, followed from a failed first attempt until their first success. */
export class EventDeliveryTracker {
  /** Event id → createdAt of its first attempt, Unix ms; insertion order is roughly age. Made on the first failure. */
  private pending: AgingMap<string> | undefined = undefined;

  /**
   * @param watchStartMs attempts older than this cannot be known as an event's first: an earlier
   * one may have been missed (before the exporter ran), so their events are left out.
   */
  constructor(private readonly watchStartMs: number) {}

  /** The counted attempts of one read; returns the events they delivered. */
  observe(counted: readonly DeliveryAttempt[], nowMs: number): EventDelivered[] {
    const delivered: EventDelivered[] = [];
    for (const attempt of oldestFirst(counted)) {
      const eventId = attempt.eventId;
      if (eventId === undefined) continue;
      // An attempt numbered 1 is its event's first: nothing to look up (most attempts, for providers that number them).
      const firstAtMs = attempt.attemptNumber === 1 ? undefined : this.pending?.get(eventId);
      if (firstAtMs === undefined && !mayBeFirstAttempt(attempt, this.watchStartMs)) continue;
      if (attempt.status === 'success') {
        const endMs = attempt.createdAtMs + (attempt.durationSeconds ?? 0) * 1000;
        delivered.push({ attempt, seconds: Math.max(0, endMs - (firstAtMs ?? attempt.createdAtMs)) / 1000 });
        if (firstAtMs !== undefined) this.pending?.delete(eventId);
      } else if (attempt.status === 'failed' && firstAtMs === undefined) {
        const pending = (this.pending ??= new AgingMap());
        pending.set(eventId, attempt.createdAtMs);
        if (pending.size > MAX_TRACKED_EVENTS) pending.forgetOldest();
      }
    }
    this.pending?.forgetOlderThan(nowMs - TRACKING_HORIZON_MS);
    return delivered;
  }

  /** Events followed now (for the benchmark and tests). */
  get trackedEvents(): number {
    return this.pending?.size ?? 0;
  }
}

/**
 * A first attempt we may have seen: not older than the watch, and not a re-send by the provider's
 * own count (an attempt number above 1, a redelivery). Attempts a provider does not number can
 * only be judged by time, so a retry of an event that began before
 * the exporter started is taken for its first attempt: once, at start-up.
 */
function mayBeFirstAttempt(attempt: DeliveryAttempt, watchStartMs: number): boolean {
  return attempt.createdAtMs >= watchStartMs && (attempt.attemptNumber === undefined || attempt.attemptNumber <= 1);
}

/**
 * A read lists newest first, so a success can come before the failed first attempt of its event;
 * reversed, the list is oldest first, and only sorted if the provider's order was not strict.
 */
function oldestFirst(counted: readonly DeliveryAttempt[]): DeliveryAttempt[] {
  const ordered = counted.toReversed();
  for (let i = 1; i < ordered.length; i++) {
    if ((ordered[i] as DeliveryAttempt).createdAtMs < (ordered[i - 1] as DeliveryAttempt).createdAtMs) {
      return ordered.sort((a, b) => a.createdAtMs - b.createdAtMs);
    }
  }
  return ordered;
}
