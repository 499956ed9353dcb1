// What the status page and GET /api/v1/status show of one webhook's recent deliveries: fifteen
// one-minute buckets of successes, failures and response times, the newest failure and the
// exhausted count. Fixed size per webhook, whatever the traffic: a bucket is reused when its
// minute comes round again, and response times are counted in geometric buckets, not kept.

import type { FinishedStatus } from '../providers/types.js';

export const WINDOW_MINUTES = 15;
const MINUTE_MS = 60_000;

/**
 * Response-time buckets: bucket 0 holds [0, 1 ms], bucket i (1 ms·1.25^(i−1), 1 ms·1.25^i], the
 * last everything above ~10 min. A percentile is read as its bucket's geometric middle, within
 * ±12 % of the true value, which is plenty for a glance: 62 four-byte counters per minute.
 */
const DURATION_FLOOR_S = 0.001;
const DURATION_FACTOR = 1.25;
const LOG_FACTOR = Math.log(DURATION_FACTOR);
const DURATION_BUCKETS = Math.ceil(Math.log(600 / DURATION_FLOOR_S) / LOG_FACTOR) + 2;

class MinuteBucket {
  /** Minutes since the epoch; -1 while unused. */
  minute = -1;
  success = 0;
  failed = 0;
  /** This minute has response times, at `index × DURATION_BUCKETS` in the window's one array. */
  hasDurations = false;

  constructor(readonly index: number) {}
}

export interface LastFailure {
  atMs: number;
  event: string;
  /** "503", or "none". */
  httpStatusCode: string;
  error: string | undefined;
}

export interface WindowSummary {
  success: number;
  failed: number;
  /** 0..1, or null when the window holds no finished attempt. */
  successRatio: number | null;
  durationSeconds: { p50: number; p95: number } | null;
  /** Oldest first; `atMs` is the minute's start. */
  perMinute: Array<{ atMs: number; success: number; failed: number }>;
}

export class DeliveryWindow {
  private readonly buckets = Array.from({ length: WINDOW_MINUTES }, (_, index) => new MinuteBucket(index));
  /** Since the exporter started. */
  exhausted = 0;
  lastFailure: LastFailure | undefined = undefined;
  private durations: Uint32Array | undefined = undefined;

  /** One finished attempt, by its createdAt. An attempt older than its bucket's minute is left out. */
  record(createdAtMs: number, status: FinishedStatus, durationSeconds: number | undefined): void {
    const minute = Math.floor(createdAtMs / MINUTE_MS);
    const bucket = this.buckets[((minute % WINDOW_MINUTES) + WINDOW_MINUTES) % WINDOW_MINUTES] as MinuteBucket;
    if (minute < bucket.minute) return; // fifteen minutes or more older than traffic already counted
    if (minute > bucket.minute) {
      bucket.minute = minute;
      bucket.success = 0;
      bucket.failed = 0;
      if (bucket.hasDurations) this.durations?.fill(0, bucket.index * DURATION_BUCKETS, (bucket.index + 1) * DURATION_BUCKETS);
      bucket.hasDurations = false;
    }
    if (status === 'success') bucket.success += 1;
    else bucket.failed += 1;
    if (durationSeconds !== undefined) {
      // One array for all fifteen minutes, made on the first response time (many logs report none).
      const durations = (this.durations ??= new Uint32Array(WINDOW_MINUTES * DURATION_BUCKETS));
      const at = bucket.index * DURATION_BUCKETS + durationBucket(durationSeconds);
      durations[at] = (durations[at] as number) + 1;
      bucket.hasDurations = true;
    }
  }

  /** Keeps the newest failed attempt by createdAt. */
  noteFailure(atMs: number, event: string, httpStatusCode: string, error: string | undefined): void {
    if (this.lastFailure === undefined || atMs >= this.lastFailure.atMs) this.lastFailure = { atMs, event, httpStatusCode, error };
  }

  /** The fifteen minutes ending with the one `nowMs` falls in. */
  summary(nowMs: number): WindowSummary {
    const nowMinute = Math.floor(nowMs / MINUTE_MS);
    const perMinute: WindowSummary['perMinute'] = [];
    const durations = new Uint32Array(DURATION_BUCKETS);
    let success = 0;
    let failed = 0;
    let anyDuration = false;
    for (let minute = nowMinute - WINDOW_MINUTES + 1; minute <= nowMinute; minute++) {
      const bucket = this.buckets[((minute % WINDOW_MINUTES) + WINDOW_MINUTES) % WINDOW_MINUTES] as MinuteBucket;
      const current = bucket.minute === minute;
      perMinute.push({ atMs: minute * MINUTE_MS, success: current ? bucket.success : 0, failed: current ? bucket.failed : 0 });
      if (!current) continue;
      success += bucket.success;
      failed += bucket.failed;
      if (bucket.hasDurations && this.durations !== undefined) {
        anyDuration = true;
        const offset = bucket.index * DURATION_BUCKETS;
        for (let i = 0; i < DURATION_BUCKETS; i++) durations[i] = (durations[i] as number) + (this.durations[offset + i] as number);
      }
    }
    const total = success + failed;
    const counted = anyDuration ? durations.reduce((sum, n) => sum + n, 0) : 0;
    return {
      success,
      failed,
      successRatio: total === 0 ? null : success / total,
      durationSeconds: counted === 0 ? null : { p50: percentile(durations, counted, 0.5), p95: percentile(durations, counted, 0.95) },
      perMinute,
    };
  }
}

function durationBucket(seconds: number): number {
  if (!(seconds > DURATION_FLOOR_S)) return 0; // also NaN
  return Math.min(DURATION_BUCKETS - 1, Math.ceil(Math.log(seconds / DURATION_FLOOR_S) / LOG_FACTOR));
}

/** The bucket holding the q-quantile, read as its geometric middle, to three significant digits. */
function percentile(durations: Uint32Array, total: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  let index = 0;
  for (; index < durations.length; index++) {
    seen += durations[index] as number;
    if (seen >= rank) break;
  }
  if (index === 0) return DURATION_FLOOR_S;
  const upper = DURATION_FLOOR_S * DURATION_FACTOR ** index;
  return Number((upper / Math.sqrt(DURATION_FACTOR)).toPrecision(3));
}
