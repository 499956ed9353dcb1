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

/** Per minute slot in `slots`: its minute since the epoch (-1 unused), successes, failures. */
const SLOT_FIELDS = 3;

export class DeliveryWindow {
  /** Since the exporter started. */
  exhausted = 0;
  lastFailure: LastFailure | undefined = undefined;
  /**
   * The fifteen minute slots, SLOT_FIELDS numbers each, and per slot that minute's response-time
   * counts. Both are made on first use, and a minute's counts only when it has a response time:
   * a quiet webhook costs a few bytes, thousands of them are common.
   */
  private slots: Int32Array | undefined = undefined;
  private durations: Array<Uint32Array | undefined> | undefined = undefined;

  /** One finished attempt, by its createdAt. An attempt older than its slot's minute is left out. */
  record(createdAtMs: number, status: FinishedStatus, durationSeconds: number | undefined): void {
    const minute = Math.floor(createdAtMs / MINUTE_MS);
    const slot = slotOf(minute);
    const slots = (this.slots ??= new Int32Array(WINDOW_MINUTES * SLOT_FIELDS).fill(-1));
    const at = slot * SLOT_FIELDS;
    if (minute < (slots[at] as number)) return; // fifteen minutes or more older than traffic already counted
    if (minute > (slots[at] as number)) {
      slots[at] = minute;
      slots[at + 1] = 0;
      slots[at + 2] = 0;
      this.durations?.[slot]?.fill(0);
    }
    const field = at + (status === 'success' ? 1 : 2);
    slots[field] = (slots[field] as number) + 1;
    if (durationSeconds !== undefined) {
      const durations = ((this.durations ??= new Array<Uint32Array | undefined>(WINDOW_MINUTES))[slot] ??= new Uint32Array(DURATION_BUCKETS));
      const bucket = durationBucket(durationSeconds);
      durations[bucket] = (durations[bucket] as number) + 1;
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
    let counted = 0;
    for (let minute = nowMinute - WINDOW_MINUTES + 1; minute <= nowMinute; minute++) {
      const slot = slotOf(minute);
      const at = slot * SLOT_FIELDS;
      const current = this.slots !== undefined && this.slots[at] === minute;
      const minuteSuccess = current ? (this.slots?.[at + 1] as number) : 0;
      const minuteFailed = current ? (this.slots?.[at + 2] as number) : 0;
      perMinute.push({ atMs: minute * MINUTE_MS, success: minuteSuccess, failed: minuteFailed });
      success += minuteSuccess;
      failed += minuteFailed;
      const minuteDurations = current ? this.durations?.[slot] : undefined;
      if (minuteDurations === undefined) continue;
      for (let i = 0; i < DURATION_BUCKETS; i++) {
        durations[i] = (durations[i] as number) + (minuteDurations[i] as number);
        counted += minuteDurations[i] as number;
      }
    }
    const total = success + failed;
    return {
      success,
      failed,
      successRatio: total === 0 ? null : success / total,
      durationSeconds: counted === 0 ? null : { p50: percentile(durations, counted, 0.5), p95: percentile(durations, counted, 0.95) },
      perMinute,
    };
  }
}

function slotOf(minute: number): number {
  return ((minute % WINDOW_MINUTES) + WINDOW_MINUTES) % WINDOW_MINUTES;
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
