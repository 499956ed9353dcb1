// The status page's window of one webhook: per-minute counts, percentiles, the newest failure, and
// memory that stays put however long the traffic runs.

import { describe, expect, it } from 'vitest';
import { DeliveryWindow, WINDOW_MINUTES } from '../../src/telemetry/status-window.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 2, 4, 20, 30);
const minuteStart = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

describe('DeliveryWindow', () => {
  it('has fifteen one-minute buckets, oldest first, ending with the current minute, all zero when empty', () => {
    const summary = new DeliveryWindow().summary(NOW);
    expect(summary.perMinute).toHaveLength(WINDOW_MINUTES);
    expect(summary.perMinute[14]?.atMs).toBe(minuteStart(NOW));
    expect(summary.perMinute[0]?.atMs).toBe(minuteStart(NOW) - 14 * MINUTE);
    expect(summary.perMinute.every((minute) => minute.success === 0 && minute.failed === 0)).toBe(true);
    expect(summary).toMatchObject({ success: 0, failed: 0, successRatio: null, durationSeconds: null });
  });

  it('counts each attempt in the minute of its createdAt and gives the ratio over the window', () => {
    const window = new DeliveryWindow();
    window.record(NOW - 5_000, 'success', 0.2);
    window.record(NOW - 5_000, 'success', 0.2);
    window.record(NOW - 3 * MINUTE, 'failed', undefined);
    window.record(NOW - 14 * MINUTE, 'success', undefined);
    window.record(NOW - 15 * MINUTE, 'failed', undefined); // just outside
    const summary = window.summary(NOW);
    expect(summary.perMinute[14]).toMatchObject({ success: 2, failed: 0 });
    expect(summary.perMinute[11]).toMatchObject({ success: 0, failed: 1 });
    expect(summary.perMinute[0]).toMatchObject({ success: 1, failed: 0 });
    expect(summary).toMatchObject({ success: 3, failed: 1, successRatio: 0.75 });
  });

  it('forgets a minute when its bucket comes round again, and ignores attempts older than what a bucket holds', () => {
    const window = new DeliveryWindow();
    window.record(NOW - 20 * MINUTE, 'failed', 1);
    expect(window.summary(NOW).failed).toBe(0); // older than the window
    window.record(NOW, 'success', undefined);
    window.record(NOW - 15 * MINUTE, 'failed', undefined); // same bucket as NOW, older: left out
    expect(window.summary(NOW)).toMatchObject({ success: 1, failed: 0 });
    expect(window.summary(NOW + 15 * MINUTE)).toMatchObject({ success: 0, failed: 0, successRatio: null });
  });

  it('reads p50 and p95 within 12 % of the true values', () => {
    const window = new DeliveryWindow();
    const durations = Array.from({ length: 1_000 }, (_, i) => 0.01 + i * 0.005); // 0.01 … 5.005 s
    for (const seconds of durations) window.record(NOW - 1_000, 'success', seconds);
    const { durationSeconds } = window.summary(NOW);
    const truth = (q: number) => durations[Math.ceil(q * durations.length) - 1] as number;
    expect(Math.abs((durationSeconds?.p50 as number) / truth(0.5) - 1)).toBeLessThan(0.12);
    expect(Math.abs((durationSeconds?.p95 as number) / truth(0.95) - 1)).toBeLessThan(0.12);
  });

  it('keeps durations of the window only, and reads tiny, zero and huge durations without NaN', () => {
    const window = new DeliveryWindow();
    window.record(NOW - 16 * MINUTE, 'success', 100); // gone
    window.record(NOW, 'success', 0);
    window.record(NOW, 'failed', 5_000);
    const { durationSeconds } = window.summary(NOW);
    expect(durationSeconds?.p50).toBe(0.001);
    expect(durationSeconds?.p95).toBeGreaterThan(500);
    expect(Number.isFinite(durationSeconds?.p95)).toBe(true);
  });

  it('keeps the newest failure by createdAt, whatever order they are read in', () => {
    const window = new DeliveryWindow();
    window.noteFailure(NOW - 1_000, 'card.activated', '503', 'Service Unavailable');
    window.noteFailure(NOW - 9_000, 'older', '500', undefined);
    expect(window.lastFailure).toEqual({ atMs: NOW - 1_000, event: 'card.activated', httpStatusCode: '503', error: 'Service Unavailable' });
  });

  it('holds the same memory after a million attempts as after fifteen minutes of them', () => {
    const window = new DeliveryWindow();
    for (let i = 0; i < 1_000_000; i++) window.record(NOW - 3_600_000 + i * 3.6, i % 7 === 0 ? 'failed' : 'success', (i % 997) / 100);
    const summary = window.summary(NOW);
    // An hour of traffic at 1,000,000 per hour: only the last 15 minutes are in the window.
    expect(summary.success + summary.failed).toBeGreaterThan(240_000);
    expect(summary.success + summary.failed).toBeLessThan(260_000);
    const inside = window as unknown as { slots: Int32Array; durations: Array<Uint32Array | undefined> };
    expect(inside.slots.length % WINDOW_MINUTES).toBe(0); // fixed arrays for the fifteen minutes
    expect(inside.durations).toHaveLength(WINDOW_MINUTES);
    expect(inside.durations.every((minute) => minute !== undefined && minute.length < 100)).toBe(true);
  });
});
